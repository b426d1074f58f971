// pipelinekitStage: one job of the pipelinekit plan inside a Jenkinsfile you keep yourself,
//     stage('Lint') { steps { pipelinekitStage(name: 'lint') } }
// It runs the job's lines from `pipelinekit plan --format json` (which end in
// `pipelinekit stage ...`) with its credentials, then publishes its reports.
// Help: pipelinekitStage.txt.
import io.pipelinekit.jenkins.Params
import io.pipelinekit.jenkins.Runner

void call(Map params = [:]) {
    List<String> problems = Params.problems(params, Params.STAGE)
    if (problems) {
        error(Params.message('pipelinekitStage', problems, Params.STAGE))
        return
    }
    new Runner(this, Params.withDefaults(params, Params.STAGE)).runNamedJob()
}
