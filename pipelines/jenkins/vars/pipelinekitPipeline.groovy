// pipelinekitPipeline: the whole pipelinekit pipeline of a repository in one line,
//     @Library('pipelinekit') _
//     pipelinekitPipeline(timeoutMinutes: 90)
// The stages come from `pipelinekit plan --format json` (the same model that renders the
// Jenkinsfile), so this file holds no pipeline logic of its own. Help: pipelinekitPipeline.txt.
import io.pipelinekit.jenkins.Params
import io.pipelinekit.jenkins.Runner

void call(Map params = [:]) {
    List<String> problems = Params.problems(params, Params.PIPELINE)
    if (problems) {
        error(Params.message('pipelinekitPipeline', problems, Params.PIPELINE))
        return
    }
    new Runner(this, Params.withDefaults(params, Params.PIPELINE)).runPipeline()
}
