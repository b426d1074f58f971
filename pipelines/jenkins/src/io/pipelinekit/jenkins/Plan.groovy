package io.pipelinekit.jenkins

import groovy.json.JsonSlurperClassic
import java.util.regex.Pattern

/**
 * Pure helpers over the pipeline model that `pipelinekit plan --format json` prints. They only
 * read the model: which jobs exist, what they run, need, report and bind is decided in Python.
 * All @NonCPS: plain data in, plain data out, never a step call.
 */
class Plan implements Serializable {

    private static final long serialVersionUID = 1L

    /**
     * The model as plain maps and lists. JsonSlurperClassic, not JsonSlurper: its LazyMap is
     * not serializable and would break the pipeline at the next step (CPS checkpoint).
     */
    @NonCPS
    static Map parse(String text) {
        Object data = new JsonSlurperClassic().parseText(text)
        if (!(data instanceof Map) || !(data.jobs instanceof List) || !(data.setup instanceof List)) {
            throw new IllegalArgumentException('pipelinekit plan --format json gave no pipeline model')
        }
        (Map) data
    }

    @NonCPS
    static Map job(Map model, String name) {
        model.jobs.find { it.name == name }
    }

    @NonCPS
    static List<String> jobNames(Map model) {
        model.jobs.collect { it.name.toString() }
    }

    /** Names in `only` that are not jobs of the model. */
    @NonCPS
    static List<String> unknownJobs(Map model, List only) {
        List<String> names = jobNames(model)
        (only ?: []).collect { it.toString() }.findAll { !names.contains(it) }
    }

    /** The jobs to run: all, or those named in `only`, their needs cut to the selection. */
    @NonCPS
    static List<Map> select(Map model, List only) {
        List<String> wanted = only ? only.collect { it.toString() } : jobNames(model)
        List<Map> chosen = []
        for (Map job : (List<Map>) model.jobs) {
            if (wanted.contains(job.name)) {
                Map copy = new LinkedHashMap(job)
                copy.needs = job.needs.findAll { wanted.contains(it) }
                chosen.add(copy)
            }
        }
        chosen
    }

    /** Jobs grouped by dependency depth, as Pipeline.levels(): one level runs in parallel. */
    @NonCPS
    static List<List<Map>> levels(List<Map> jobs) {
        Map<String, Integer> depth = [:]
        for (Map job : jobs) {  // the model lists jobs in dependency order
            int deepest = -1
            for (Object need : job.needs) {
                deepest = Math.max(deepest, depth[need.toString()] ?: 0)
            }
            depth[job.name.toString()] = deepest + 1
        }
        List<List<Map>> grouped = []
        for (Integer level : new TreeSet<Integer>(depth.values())) {
            grouped.add(jobs.findAll { depth[it.name.toString()] == level })
        }
        grouped
    }

    /** `KEY=value` lines for withEnv, sorted like the rendered Jenkinsfile's environment. */
    @NonCPS
    static List<String> environment(Map model) {
        ((Map) model.variables).keySet().sort().collect { it + '=' + model.variables[it] }
    }

    /**
     * Whether the job's rules admit this build, with the meaning of the rendered Jenkinsfile's
     * `when`: branch globs and the default branch match BRANCH_NAME, tag globs TAG_NAME, a
     * merge request is a build with CHANGE_ID. No rules: always.
     */
    @NonCPS
    static boolean runs(Map job, Map refs, String defaultBranch) {
        List rules = (List) job.rules
        rules.isEmpty() || rules.any { Map rule -> admits(rule, refs, defaultBranch) }
    }

    @NonCPS
    static boolean manual(Map job) {
        job.rules.any { it.manual }
    }

    @NonCPS
    static String ruleText(Map job) {
        job.rules.collect { rule ->
            rule.kind.toString().replace('_', ' ') + (rule.pattern ? ' ' + rule.pattern : '')
        }.join(' or ')
    }

    /** A glob as Jenkins' GLOB comparator and pipelinekit.refs.glob_to_regex read it. */
    @NonCPS
    static boolean globMatches(String glob, String value) {
        StringBuilder regex = new StringBuilder()
        int i = 0
        while (i < glob.length()) {
            String ch = glob.substring(i, i + 1)
            if (glob.startsWith('**', i)) {
                regex.append('.*')
                i += 2
                continue
            }
            if (ch == '*') {
                regex.append('[^/]*')
            } else if (ch == '?') {
                regex.append('[^/]')
            } else {
                regex.append(Pattern.quote(ch))
            }
            i++
        }
        value ==~ regex.toString()
    }

    @NonCPS
    static String shellQuote(String text) {
        "'" + text.replace("'", "'\"'\"'") + "'"
    }

    @NonCPS
    private static boolean admits(Map rule, Map refs, String defaultBranch) {
        String branch = refs.branch ? refs.branch.toString() : null
        String tag = refs.tag ? refs.tag.toString() : null
        if (rule.kind == 'merge_request') {
            return refs.change ? true : false
        }
        if (rule.kind == 'tag') {
            return tag != null && (rule.pattern == null || globMatches(rule.pattern.toString(), tag))
        }
        String pattern = rule.kind == 'default_branch' ? defaultBranch : rule.pattern
        if (pattern == null) {
            return tag == null
        }
        branch != null && globMatches(pattern, branch)
    }

}
