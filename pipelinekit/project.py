"""A repository as pipelinekit sees it: detected facts plus validated config, loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelinekit.config.models import Config, load_config
from pipelinekit.detect.facts import ProjectFacts


@dataclass(frozen=True)
class Project:
    repo: Path
    """The folder the command was pointed at (where the CI files live)."""
    facts: ProjectFacts
    config: Config

    @property
    def project_dir(self) -> Path:
        """The Python project's folder (facts.root inside the repo)."""
        return (self.repo / self.facts.root).resolve()


def seen_from(project: Project, cwd: Path) -> Project:
    """A CI job runs `pipelinekit stage lint services/api` from the checkout's root: then the
    repository is `cwd` and the project its subfolder, so report paths start where GitLab and
    Jenkins resolve them, the checkout's root, as they do when detection found the subfolder."""
    if project.facts.root != ".":
        return project
    try:
        inside = project.project_dir.relative_to(cwd.resolve())
    except ValueError:
        return project
    if inside == Path("."):
        return project
    facts = project.facts.model_copy(update={"root": inside.as_posix()})
    return Project(repo=cwd.resolve(), facts=facts, config=project.config)


def load_project(path: Path, *, at_git_root: bool = False) -> Project:
    """The project at `path`. With `at_git_root` (init, render, plan: the commands about the
    CI files), a project in a subfolder of a git repository (`pipelinekit init libs/b`) is seen
    from the repository's root, where GitLab and Jenkins read the CI files, with its folder as
    `facts.root`: the same files as when detection finds the subfolder from the root."""
    from pipelinekit.detect.repo import detect

    repo = path.resolve()
    facts = detect(repo)
    top = git_root(repo) if at_git_root else None
    if top is not None and top != repo:
        inside = (repo / facts.root).resolve().relative_to(top).as_posix()
        facts = facts.model_copy(update={"root": inside})
        repo = top
    return Project(repo=repo, facts=facts, config=load_config(repo / facts.root))


def git_root(folder: Path) -> Path | None:
    """The top of the git work tree holding `folder` (the nearest folder with `.git`), if any."""
    return next((d for d in (folder, *folder.parents) if (d / ".git").exists()), None)
