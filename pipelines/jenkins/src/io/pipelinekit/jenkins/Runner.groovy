package io.pipelinekit.jenkins

/**
 * Runs the pipeline model with Jenkins steps. A scripted pipeline (node/stage/parallel), not a
 * declarative `pipeline {}`: the stages come from the model at run time, and declarative
 * syntax is fixed when the Jenkinsfile is parsed, so it cannot be built from data.
 *
 * `steps` is the calling script (the step's `this`): every step goes through it, as in any
 * library class. This code is CPS-transformed (it calls steps); logic lives in Plan/Params.
 */
class Runner implements Serializable {

    private static final long serialVersionUID = 1L

    /** Own venv for the pipelinekit that plans, apart from the jobs' venv (the model's
     * PIPELINEKIT_VENV): the jobs may run in another image, where this venv would not work. */
    static final String PLAN_VENV = '.pipelinekit/plan-venv'
    /** Where planning runs when neither pythonImage nor agentLabel say: pipelinekit needs 3.11+. */
    static final String PLAN_IMAGE = 'python:3.11-slim'
    static final String REPORTS = '**/.pipelinekit/reports/**'

    private final Object steps
    private final Map settings

    Runner(Object steps, Map settings) {
        this.steps = steps
        this.settings = settings
    }

    /** pipelinekitPipeline: plan on an agent, then every selected job, level by level. */
    void runPipeline() {
        Map model = null
        boolean elsewhere = false
        onNode((String) settings.agentLabel) {
            steps.checkout(steps.scm)
            inProject {
                model = plan(planImage())
            }
            // The config may ask for labelled agents; planning had to run before it was known.
            elsewhere = !settings.agentLabel && model.jenkins_agent_label
            if (!elsewhere) {
                runJobs(model)
            }
        }
        if (elsewhere) {
            onNode((String) model.jenkins_agent_label) {
                steps.checkout(steps.scm)
                runJobs(model)
            }
        }
    }

    /** pipelinekitStage: one job of the model, on the caller's agent, with its reports. */
    void runNamedJob() {
        inProject {
            Map model = plan(null)
            Map job = Plan.job(model, (String) settings.name)
            if (job == null) {
                List<String> names = Plan.jobNames(model)
                String hint = Params.closest((String) settings.name, names)
                steps.error("pipelinekitStage: no job named '" + settings.name + "' in this project's plan" +
                    (hint ? " (did you mean '" + hint + "'?)" : '') + '. Jobs: ' + names.join(', ') +
                    '. `pipelinekit plan` lists them.')
                return
            }
            steps.withEnv(Plan.environment(model)) {
                for (Object line : model.setup) {
                    steps.sh((String) line)
                }
                runScript(job, (List) job.script)
            }
        }
    }

    private Map plan(String image) {
        String json = null
        inContainer(image, '') {
            String install = 'python3 -m venv ' + PLAN_VENV + ' && ' + PLAN_VENV +
                '/bin/python -m pip install --quiet ' + Plan.shellQuote((String) settings.pipelinekitSpec)
            steps.sh(script: install, label: 'install pipelinekit')
            json = steps.sh(script: PLAN_VENV + '/bin/pipelinekit plan --format json',
                returnStdout: true, label: 'pipelinekit plan')
        }
        Plan.parse(json)
    }

    private void runJobs(Map model) {
        List<String> unknown = Plan.unknownJobs(model, (List) settings.only)
        if (unknown) {
            steps.error('pipelinekitPipeline: only names ' + unknown.join(', ') +
                ', not a job of this project. Jobs: ' + Plan.jobNames(model).join(', ') + '.')
            return
        }
        int minutes = (settings.timeoutMinutes ?: model.timeout_minutes) as int
        steps.timeout(time: minutes, unit: 'MINUTES') {
            inProject {
                steps.withEnv(Plan.environment(model)) {
                    try {
                        steps.stage('setup') {
                            inContainer(jobImage(model), '') {
                                for (Object line : model.setup) {
                                    steps.sh((String) line)
                                }
                            }
                        }
                        for (List<Map> level : Plan.levels(Plan.select(model, (List) settings.only))) {
                            runLevel(model, level)
                        }
                    } finally {
                        steps.archiveArtifacts(artifacts: REPORTS, allowEmptyArchive: true)
                    }
                }
            }
        }
    }

    private void runLevel(Map model, List<Map> level) {
        if (level.size() == 1) {
            runStage(model, level[0])
            return
        }
        Map branches = [failFast: false]
        List<String> names = []
        for (Map job : level) {
            Map branchJob = job  // a fresh variable per closure, not the loop variable
            names.add((String) job.name)
            branches[(String) job.name] = { runStage(model, branchJob) }
        }
        steps.stage(names.join(' + ')) {
            steps.parallel(branches)
        }
    }

    private void runStage(Map model, Map job) {
        steps.stage((String) job.name) {
            Map refs = [branch: steps.env.BRANCH_NAME, tag: steps.env.TAG_NAME, change: steps.env.CHANGE_ID]
            if (!Plan.runs(job, refs, (String) model.default_branch)) {
                steps.echo('pipelinekit: ' + job.name + ' skipped: it runs for ' + Plan.ruleText(job))
                return
            }
            if (Plan.manual(job)) {
                steps.input(message: 'Run ' + job.name + '?')
            }
            if (job.uses_docker) {
                runOnDockerNode(model, job)
            } else if (job.gpu) {
                runOnGpu(model, job)
            } else {
                inContainer(jobImage(model), '') {
                    runScript(job, (List) job.script)
                }
            }
        }
    }

    /** A GPU job gets its own agent and container (`--gpus all`) and its own venv setup. */
    private void runOnGpu(Map model, Map job) {
        onNode((String) (settings.gpuLabel ?: model.jenkins_gpu_label)) {
            steps.checkout(steps.scm)
            inProject {
                inContainer((String) (settings.pythonImage ?: model.image), '--gpus all') {
                    runScript(job, (List) model.setup + (List) job.script)
                }
            }
        }
    }

    /** An image build talks to the node's own Docker daemon (a container agent has none), on
     * the GPU node when the image is a GPU image, else on a Docker node; its own venv setup. */
    private void runOnDockerNode(Map model, Map job) {
        String label = job.gpu ? (settings.gpuLabel ?: model.jenkins_gpu_label) : model.jenkins_docker_label
        onNode(label) {
            steps.checkout(steps.scm)
            inProject {
                runScript(job, (List) model.setup + (List) job.script)
            }
        }
    }

    /** The job's shell lines with its credentials bound; its reports published even when a
     * line fails (the `post { always }` of the rendered Jenkinsfile). */
    private void runScript(Map job, List lines) {
        try {
            withTimeout((Integer) job.timeout_minutes) {
                withJobCredentials(job) {
                    for (Object line : lines) {
                        steps.sh((String) line)
                    }
                }
            }
        } finally {
            publish(job)
        }
    }

    private void publish(Map job) {
        for (Map report : (List<Map>) job.reports) {
            if (report.kind == 'junit') {
                steps.junit(testResults: report.path, allowEmptyResults: true)
            } else if (report.kind == 'sarif') {
                steps.recordIssues(enabledForFailure: true,
                    tools: [steps.sarif(pattern: report.path, id: job.name, name: job.name)])
            } else if (report.kind == 'cobertura') {
                steps.recordCoverage(tools: [[parser: 'COBERTURA', pattern: report.path]])
            }
            // codequality is GitLab's format; Jenkins reads the same findings from the SARIF.
        }
    }

    private void withJobCredentials(Map job, Closure body) {
        List bindings = []
        for (Map cred : (List<Map>) job.credentials) {
            if (cred.kind == 'secret_text') {
                bindings.add(steps.string(credentialsId: cred.id, variable: cred.variable))
            } else {
                bindings.add(steps.usernamePassword(credentialsId: cred.id, usernameVariable: cred.variable,
                    passwordVariable: cred.password_variable ?: cred.variable + '_PASSWORD'))
            }
        }
        if (bindings) {
            steps.withCredentials(bindings) { body() }
        } else {
            body()
        }
    }

    private void withTimeout(Integer minutes, Closure body) {
        if (minutes) {
            steps.timeout(time: minutes, unit: 'MINUTES') { body() }
        } else {
            body()
        }
    }

    private void onNode(String label, Closure body) {
        if (label) {
            steps.node(label) { body() }
        } else {
            steps.node { body() }
        }
    }

    private void inProject(Closure body) {
        if (settings.path && settings.path != '.') {
            steps.dir((String) settings.path) { body() }
        } else {
            body()
        }
    }

    /** withDockerContainer is the step behind docker.image(x).inside(args) (docker-workflow). */
    private void inContainer(String image, String args, Closure body) {
        if (image) {
            steps.withDockerContainer(image: image, args: args) { body() }
        } else {
            body()
        }
    }

    /** Planning runs in pythonImage, on a labelled agent as is, else in PLAN_IMAGE. */
    private String planImage() {
        settings.pythonImage ?: (settings.agentLabel ? null : PLAN_IMAGE)
    }

    /** CPU jobs run where the model says: on a labelled agent as is, else in its image. */
    private String jobImage(Map model) {
        settings.pythonImage ?: ((settings.agentLabel ?: model.jenkins_agent_label) ? null : model.image)
    }

}
