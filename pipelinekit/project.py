"""A repository as pipelinekit sees it: detected facts plus validated config, loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelinekit.config import Config, load_config
from pipelinekit.facts import ProjectFacts


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


def load_project(path: Path) -> Project:
    from pipelinekit.detect import detect

    repo = path.resolve()
    facts = detect(repo)
    return Project(repo=repo, facts=facts, config=load_config(repo / facts.root))
