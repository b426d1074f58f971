"""The planner's job builders: which jobs a project gets, what each runs, needs, reports and
which secrets it binds. One function per job; `plan_jobs` orders them by dependency.

A job is planned only when its stage is enabled in the config, makes sense for the project
(no test job without tests, no package job for a project that cannot be built) and has a module in
pipelinekit.stages, so a generated CI file never calls a command that does not exist.
"""

from __future__ import annotations

import shlex

from pipelinekit import stages
from pipelinekit.config.models import Config
from pipelinekit.detect.facts import ProjectFacts
from pipelinekit.docker.spec import pipeline_gpu
from pipelinekit.plan import reports
from pipelinekit.plan.model import VENV_BIN, Credential, Job, Report, Rule
from pipelinekit.plan.setup import install_line


class _Planner:
    def __init__(self, facts: ProjectFacts, config: Config) -> None:
        self.facts = facts
        self.config = config
        self.available = set(stages.implemented())
        self.prefix = "" if facts.root == "." else facts.root.rstrip("/") + "/"
        self.path_args: tuple[str, ...] = () if facts.root == "." else (facts.root,)

    def report(self, kind: str, name: str) -> Report:
        return Report(kind=kind, path=f"{self.prefix}{reports.REPORTS_DIR}/{name}")  # type: ignore[arg-type]

    def job(self, name: str, stage: str, command: tuple[str, ...], **fields: object) -> Job:
        """A job whose script is `setup` lines, then the pipelinekit command, shell-quoted."""
        setup: tuple[str, ...] = fields.pop("setup", ())  # type: ignore[assignment]
        line = f'"{VENV_BIN}/pipelinekit" ' + shlex.join(command)
        return Job(name=name, stage=stage, command=command, script=(*setup, line), **fields)  # type: ignore[arg-type]

    def stage_command(self, name: str) -> tuple[str, ...]:
        return ("stage", name, *self.path_args)

    def tag_rule(self) -> Rule:
        from pipelinekit.release.settings import protected_tag_pattern

        return Rule(kind="tag", pattern=protected_tag_pattern(self.config.release.tag_format))

    # --- the jobs --------------------------------------------------------------------------

    def lint(self) -> Job | None:
        if not self.config.lint.enabled:
            return None
        return self.job(
            "lint",
            "lint",
            self.stage_command("lint"),
            reports=(
                self.report("codequality", reports.CODEQUALITY),
                self.report("sarif", reports.SARIF),
            ),
        )

    def audit(self) -> Job | None:
        """The production-readiness audit, a static check beside lint (stage `lint`, needing
        nothing); it installs its own tools (the `audit` extra) so no other job pays for them."""
        if not (self.config.audit.enabled and "audit" in self.available):
            return None
        return self.job(
            "audit",
            "lint",
            self.stage_command("audit"),
            setup=(install_line(self.config, ["audit"]),),
            reports=(
                self.report("codequality", reports.AUDIT_CODEQUALITY),
                self.report("sarif", reports.AUDIT_SARIF),
            ),
            artifacts=(
                f"{self.prefix}{reports.REPORTS_DIR}/{reports.AUDIT_JSON}",
                f"{self.prefix}{reports.REPORTS_DIR}/{reports.AUDIT_HTML}",
            ),
            full_history=True,  # the release-policy check reads the history and the tags
        )

    def test(self) -> Job | None:
        if not (
            self.config.test.enabled and (self.config.test.framework or self.facts.tests.framework)
        ):
            return None
        measured = self.config.coverage.enabled and "coverage" in self.available
        found: list[Report] = [self.report("junit", reports.JUNIT)]
        regex = None
        if measured:
            found.append(self.report("cobertura", reports.COBERTURA))
            regex = str(stages.get("coverage").COVERAGE_REGEX)  # type: ignore[attr-defined]
        return self.job(
            "test",
            "test",
            self.stage_command("coverage" if measured else "test"),
            reports=tuple(found),
            timeout_minutes=self.config.test.timeout_minutes,
            coverage_regex=regex,
        )

    def sentry_token(self, job: str) -> tuple[Credential, ...]:
        """SENTRY_AUTH_TOKEN for the jobs that announce releases to Sentry."""
        settings = self.config.sentry
        if not settings.configured or (job == "docker" and not settings.docker):
            return ()
        from pipelinekit.metrics.settings import SENTRY_TOKEN_ENV

        return (
            Credential(id=settings.credentials_id, kind="secret_text", variable=SENTRY_TOKEN_ENV),
        )

    def sonar(self, needs: tuple[str, ...]) -> Job | None:
        if not (self.config.sonar.enabled and "sonar" in self.available):
            return None
        token = Credential(
            id=self.config.sonar.credentials_id, kind="secret_text", variable="SONAR_TOKEN"
        )
        return self.job(
            "sonar",
            "quality",
            self.stage_command("sonar"),
            needs=needs,
            credentials=(token,),
            full_history=True,
            reports=(self.report("sonar", "sonar-qualitygate.json"),),
        )

    def package(self, needs: tuple[str, ...]) -> Job | None:
        if not (
            self.config.package.enabled and "package" in self.available and self.facts.installable
        ):
            return None
        return self.job(
            "package",
            "build",
            self.stage_command("package"),
            needs=needs,
            artifacts=(f"{self.prefix}dist/",),
        )

    def docker(self, needs: tuple[str, ...], gpu: bool) -> Job | None:
        if not (self.config.docker.enabled and "docker" in self.available):
            return None
        login = Credential(
            id=self.config.docker.credentials_id,
            kind="username_password",
            variable=self.config.docker.username_env,
            password_variable=self.config.docker.password_env,
        )
        return self.job(
            "docker",
            "build",
            self.stage_command("docker"),
            needs=needs,
            gpu=gpu,
            uses_docker=True,
            credentials=(login, *self.sentry_token("docker")),
            reports=(self.report("image", reports.IMAGE),),
            full_history=True,  # the image version may come from `git describe`
        )

    def verify(self) -> Job | None:
        if not (self.config.release.enabled and self.facts.is_git):
            return None
        return self.job(
            "release-verify",
            "verify",
            ("release", "verify", *(("--path", self.facts.root) if self.path_args else ())),
            rules=(self.tag_rule(),),
            full_history=True,
        )

    def release_lint(self) -> Job | None:
        """With `require_conventional`, merge requests check their commit messages before they
        land (a release would refuse them later); the target branch comes from the CI."""
        release = self.config.release
        if not (release.enabled and release.require_conventional and self.facts.is_git):
            return None
        return self.job(
            "release-lint",
            "lint",
            ("release", "lint", *(("--path", self.facts.root) if self.path_args else ())),
            rules=(Rule(kind="merge_request"),),
            full_history=True,
        )

    def upload(self, needs: tuple[str, ...]) -> Job | None:
        if not (self.config.s3.enabled and "upload" in self.available):
            return None
        keys = Credential(
            id=self.config.s3.credentials_id,
            kind="username_password",
            variable="AWS_ACCESS_KEY_ID",
            password_variable="AWS_SECRET_ACCESS_KEY",
        )
        return self.job(
            "upload",
            "publish",
            self.stage_command("upload"),
            needs=needs,
            rules=(self.tag_rule(),),
            credentials=(keys,),
        )

    def release(self, needs: tuple[str, ...]) -> Job | None:
        if not (self.config.release.enabled and self.facts.is_git):
            return None
        manual = self.config.release.release_job == "manual"
        return self.job(
            "release",
            "release",
            ("release", *self.path_args),
            needs=needs,
            rules=(Rule(kind="default_branch", manual=manual),),
            credentials=self.sentry_token("release"),
            full_history=True,
        )


def plan_jobs(facts: ProjectFacts, config: Config) -> list[Job]:
    """Every job for this project, each after the jobs it needs."""
    planner = _Planner(facts, config)
    jobs: list[Job] = []

    def add(job: Job | None) -> tuple[str, ...]:
        if job is None:
            return ()
        jobs.append(job)
        return (job.name,)

    checks = add(planner.lint()) + add(planner.test())
    add(planner.release_lint())
    add(planner.audit())
    gate = checks + add(planner.sonar(needs=checks))
    verified = add(planner.verify())
    built = add(planner.package(needs=gate))
    imaged = add(planner.docker(needs=gate + built, gpu=pipeline_gpu(facts, config)))
    add(planner.upload(needs=built + imaged + verified) if built else None)
    add(planner.release(needs=gate))
    return jobs
