"""The Jenkinsfile renderer: a declarative pipeline from the model. Pure: model in, text out.

Shape: one top-level agent; a `setup` stage that creates the venv once per workspace; then
one stage per dependency level of the model, with `parallel` when a level holds several jobs;
each job's reports published in its own `post { always { ... } }` so a failing step still
publishes them; GPU jobs get their own agent (label + `--gpus all`) and their own setup.
"""

from __future__ import annotations

import shlex

from pipelinekit.config.refs import is_glob
from pipelinekit.jenkins.groovy import gargs, gstr
from pipelinekit.plan.model import Job, Pipeline, Rule
from pipelinekit.render.header import with_header

INDENT = "    "


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def line(self, text: str) -> None:
        self.lines.append(INDENT * self.depth + text if text else "")

    def open(self, text: str) -> None:
        self.line(text + " {")
        self.depth += 1

    def close(self) -> None:
        self.depth -= 1
        self.line("}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def render_jenkinsfile(pipeline: Pipeline, *, source: str) -> str:
    w = _Writer()
    w.open("pipeline")
    _agent(w, pipeline, gpu=False)
    w.open("options")
    w.line(f"timeout({gargs({'time': pipeline.timeout_minutes, 'unit': 'MINUTES'})})")
    w.line(
        f"buildDiscarder(logRotator({gargs({'numToKeepStr': str(pipeline.jenkins_keep_builds)})}))"
    )
    w.line("disableConcurrentBuilds(abortPrevious: true)")
    w.close()
    w.open("environment")
    for name, value in sorted(pipeline.variables.items()):
        w.line(f"{name} = {gstr(value)}")
    w.close()
    w.open("stages")
    w.open("stage('setup')")
    w.open("steps")
    for line in pipeline.setup:
        w.line(f"sh({gstr(line)})")
    w.close()
    w.close()
    for level in pipeline.levels():
        if len(level) == 1:
            _stage(w, pipeline, level[0])
        else:
            w.open(f"stage({gstr(' + '.join(job.name for job in level))})")
            w.line("failFast false")
            w.open("parallel")
            for job in level:
                _stage(w, pipeline, job)
            w.close()
            w.close()
    w.close()
    w.open("post")
    w.open("always")
    w.line(
        "archiveArtifacts("
        + gargs({"artifacts": "**/.pipelinekit/reports/**", "allowEmptyArchive": True})
        + ")"
    )
    w.close()
    w.close()
    w.close()
    return with_header(w.text(), comment="//", source=source)


def _own_agent(job: Job) -> bool:
    """GPU jobs and image builds leave the shared agent for a node that has what they need."""
    return job.gpu or job.uses_docker


def _agent(w: _Writer, pipeline: Pipeline, *, gpu: bool, docker_node: bool = False) -> None:
    label = pipeline.jenkins_gpu_label if gpu else pipeline.jenkins_agent_label
    w.open("agent")
    if docker_node:  # the Docker SDK needs the node's own daemon, not a container agent
        w.line(
            f"label {gstr(pipeline.jenkins_gpu_label if gpu else pipeline.jenkins_docker_label)}"
        )
    elif pipeline.jenkins_agent_label is not None and not gpu:
        w.line(f"label {gstr(pipeline.jenkins_agent_label)}")
    else:
        w.open("docker")
        w.line(f"image {gstr(pipeline.image)}")
        args = []
        if gpu and label:
            w.line(f"label {gstr(label)}")
            args.append("--gpus all")
        if pipeline.jenkins_uv_cache_dir:  # the agent's uv cache, shared by its builds
            folder = pipeline.jenkins_uv_cache_dir
            args.append(f"-v {shlex.quote(folder + ':' + folder)}")
        if args:
            w.line(f"args {gstr(' '.join(args))}")
        w.close()
    w.close()


def _stage(w: _Writer, pipeline: Pipeline, job: Job) -> None:
    w.open(f"stage({gstr(job.name)})")
    if _own_agent(job):
        _agent(w, pipeline, gpu=job.gpu, docker_node=job.uses_docker)
    if job.rules:
        _when(w, job, pipeline.default_branch)
        if any(rule.manual for rule in job.rules):
            w.open("input")
            w.line(f"message {gstr(f'Run {job.name}?')}")
            w.close()
    if job.timeout_minutes:
        w.open("options")
        w.line(f"timeout({gargs({'time': job.timeout_minutes, 'unit': 'MINUTES'})})")
        w.close()
    w.open("steps")
    script = (*pipeline.setup, *job.script) if _own_agent(job) else job.script
    if job.credentials:
        bindings = ", ".join(_binding(job, i) for i in range(len(job.credentials)))
        w.open(f"withCredentials([{bindings}])")
        for line in script:
            w.line(f"sh({gstr(line)})")
        w.close()
    else:
        for line in script:
            w.line(f"sh({gstr(line)})")
    w.close()
    publish = _publish_steps(job)
    if publish:
        w.open("post")
        w.open("always")
        for step in publish:
            w.line(step)
        w.close()
        w.close()
    w.close()


def _binding(job: Job, index: int) -> str:
    cred = job.credentials[index]
    if cred.kind == "secret_text":
        return f"string({gargs({'credentialsId': cred.id, 'variable': cred.variable})})"
    args = {
        "credentialsId": cred.id,
        "usernameVariable": cred.variable,
        "passwordVariable": cred.password_variable or f"{cred.variable}_PASSWORD",
    }
    return f"usernamePassword({gargs(args)})"


def _when(w: _Writer, job: Job, default_branch: str) -> None:
    conditions = [_condition(rule, default_branch) for rule in job.rules]
    w.open("when")
    if _own_agent(job):  # decide before allocating a scarce GPU or Docker node
        w.line("beforeAgent true")
    if any(rule.manual for rule in job.rules):
        w.line("beforeInput true")
    if len(conditions) == 1:
        w.line(conditions[0])
    else:
        w.open("anyOf")
        for condition in conditions:
            w.line(condition)
        w.close()
    w.close()


def _condition(rule: Rule, default_branch: str) -> str:
    if rule.kind == "merge_request":
        return "changeRequest()"
    if rule.kind == "tag":
        if rule.pattern is None:
            return "buildingTag()"
        return f"tag({gargs({'pattern': rule.pattern, 'comparator': 'GLOB'})})"
    pattern = default_branch if rule.kind == "default_branch" else rule.pattern
    if pattern is None:
        return "not { buildingTag() }"
    if is_glob(pattern):
        return f"branch({gargs({'pattern': pattern, 'comparator': 'GLOB'})})"
    return f"branch({gstr(pattern)})"


def _publish_steps(job: Job) -> list[str]:
    steps = []
    for report in job.reports:
        if report.kind == "junit":
            steps.append(f"junit({gargs({'testResults': report.path, 'allowEmptyResults': True})})")
        elif report.kind == "sarif":
            tool = f"sarif({gargs({'pattern': report.path, 'id': job.name, 'name': job.name})})"
            steps.append(f"recordIssues(enabledForFailure: true, tools: [{tool}])")
        elif report.kind == "cobertura":
            tool = "[" + gargs({"parser": "COBERTURA", "pattern": report.path}) + "]"
            steps.append(f"recordCoverage(tools: [{tool}])")
        # codequality is GitLab's format; Jenkins reads the same findings from SARIF.
    return steps
