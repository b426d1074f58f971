"""Generate pipelines/gitlab/ from pipelinekit's own GitLab renderer, so the CI/CD component
and the plain include template carry exactly the jobs `pipelinekit render` writes.

How: plan a canonical project (installable, pytest tests, git) whose config holds sentinel
values where the component takes inputs (image, pipelinekit source, project path, default
branch), render it with `render_gitlab_ci`, and swap each sentinel for
`$[[ inputs.NAME ]]` (the component) or a CI/CD variable (the plain template, for instances
without `spec: inputs`). The sentinels go through the planner and the renderer like any
value, so they are quoted and escaped exactly as real values would be.

    python scripts/gen_gitlab_component.py          write the files
    python scripts/gen_gitlab_component.py --check  exit 1 if they are out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from pipelinekit import __version__
from pipelinekit.config.models import parse_config
from pipelinekit.detect.facts import DEFAULT_PYTHON, ProjectFacts, TestFacts
from pipelinekit.gitlab.render import render_gitlab_ci
from pipelinekit.plan.model import Pipeline
from pipelinekit.plan.planner import plan

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "pipelines" / "gitlab"
COMPONENT = OUT_DIR / "templates" / "pipelinekit.yml"
PLAIN = OUT_DIR / "pipelinekit.gitlab-ci.yml"

DEFAULT_SOURCE = f"=={__version__}"

# name -> (GitLab input type, default, description). The defaults are the renderer's own.
# No `tags` input: GitLab's schema wants at least one tag, so an empty default is invalid;
# runner tags go in the including file's `default: tags:` (hashes merge across includes).
INPUTS: dict[str, tuple[str, Any, str]] = {
    "image": (
        "string",
        f"python:{DEFAULT_PYTHON}-slim",
        "Container image of every job (it needs python3 with venv).",
    ),
    "pipelinekit_source": (
        "string",
        DEFAULT_SOURCE,
        "Where the jobs install pipelinekit from, as [tool.pipelinekit.ci] pipelinekit_source: "
        "a version specifier ('==0.2.0', '~=0.2') or a direct reference "
        "('@ https://host/pipelinekit-0.2.0-py3-none-any.whl').",
    ),
    "path": (
        "string",
        ".",
        "The Python project's folder, relative to the repository root.",
    ),
    "default_branch": (
        "string",
        "main",
        "The release branch: pipelines run on it and the manual release job is offered there "
        "(a plain branch name, no glob).",
    ),
}

# Sentinels: strings the planner and renderer carry like real values. `<`/`>` make shlex
# quote them in shell lines; the default branch must be a valid ref (glob_to_regex keeps
# letters as they are), so it is letters only; the source must look like a specifier, and
# the planner appends it to `pipelinekit[extras]` (PEP 508 allows `name[extras]@ url` too,
# so one placeholder serves both forms).
SENTINELS = {
    "image": "<<image>>",
    "pipelinekit_source": "==<<pipelinekit_source>>",
    "path": "<<path>>",
    "default_branch": "PKINPUTdefaultbranchPK",
}

# The plain template has no inputs: image and spec become CI/CD variables the including
# project can override; the rest take their defaults.
PLAIN_VARIABLES = {"image": "PIPELINEKIT_IMAGE", "pipelinekit_source": "PIPELINEKIT_SOURCE"}


def canonical_facts(root: str) -> ProjectFacts:
    """A typical project: a package with pyproject metadata (its dependencies installed with
    `pip install -e`), pytest tests, in git (so the release jobs are planned)."""
    return ProjectFacts(
        root=root,
        name="project",
        packages=("project",),
        layout="src",
        source_dirs=("src",),
        build_system="setuptools",
        python_version=DEFAULT_PYTHON,
        tests=TestFacts(dirs=("tests",), framework="pytest"),
        config_file="pyproject.toml",
        installable=True,
        is_git=True,
    )


def canonical_model(values: dict[str, Any]) -> Pipeline:
    """The canonical project planned with `values` (sentinels or real values) as its config."""
    config = parse_config(
        {
            "ci": {
                "image": values["image"],
                "pipelinekit_source": values["pipelinekit_source"],
                "default_branch": values["default_branch"],
                "branches": [values["default_branch"], "develop", "release/*"],
            },
        },
        source="gen_gitlab_component",
    )
    return plan(canonical_facts(values["path"]), config)


def _rendered_doc(values: dict[str, Any]) -> dict[str, Any]:
    text = render_gitlab_ci(canonical_model(values), source="gen_gitlab_component")
    doc: dict[str, Any] = yaml.safe_load(text)  # the header lines are YAML comments
    return doc


def _swap(value: Any, replacements: dict[str, str]) -> Any:
    """Every string in the document with each sentinel replaced."""
    if isinstance(value, dict):
        return {k: _swap(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap(v, replacements) for v in value]
    if isinstance(value, str):
        for sentinel, replacement in replacements.items():
            value = value.replace(sentinel, replacement)
    return value


def _dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(
        doc, sort_keys=False, default_flow_style=False, width=4096, allow_unicode=True
    )


def _header(kind: str) -> str:
    return (
        f"# pipelinekit {kind}, generated by scripts/gen_gitlab_component.py from pipelinekit's\n"
        "# GitLab renderer (the jobs `pipelinekit render` writes); do not edit, regenerate.\n"
    )


def render_component() -> str:
    """templates/pipelinekit.yml: `spec: inputs`, `---`, then the renderer's pipeline."""
    doc = _rendered_doc(dict(SENTINELS))
    doc = _swap(doc, {sentinel: f"$[[ inputs.{name} ]]" for name, sentinel in SENTINELS.items()})
    spec = {
        "spec": {
            "inputs": {
                name: {"type": kind, "default": default, "description": description}
                for name, (kind, default, description) in INPUTS.items()
            }
        }
    }
    return _header("CI/CD component") + _dump(spec) + "---\n" + _dump(doc)


def render_plain_template() -> str:
    """pipelinekit.gitlab-ci.yml: the same pipeline for `include:` without inputs."""
    values = {name: default for name, (_, default, _) in INPUTS.items()}
    for name in PLAIN_VARIABLES:
        values[name] = SENTINELS[name]
    doc = _rendered_doc(values)
    replacements = {SENTINELS["image"]: f"${PLAIN_VARIABLES['image']}"}
    # The spec is single-quoted in the shell line; a variable must be double-quoted to expand.
    doc = _swap(doc, replacements)
    # The spec is single-quoted in the shell line; to expand a variable it must be in double
    # quotes (safe: the rest of it is `pipelinekit[extras]`, nothing special inside "...").
    quoted = re.compile(
        r"'(pipelinekit\[[a-z0-9,]+\])" + re.escape(SENTINELS["pipelinekit_source"]) + "'"
    )
    variable = PLAIN_VARIABLES["pipelinekit_source"]
    lines = doc["default"]["before_script"]
    doc["default"]["before_script"] = [quoted.sub(rf'"\1${variable}"', line) for line in lines]
    doc["variables"] = {
        **doc["variables"],
        **{variable: INPUTS[name][1] for name, variable in PLAIN_VARIABLES.items()},
    }
    return _header("include template") + _dump(doc)


def outputs() -> dict[Path, str]:
    return {COMPONENT: render_component(), PLAIN: render_plain_template()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        current = path.read_text() if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    for path in stale:
        verb = "out of date" if args.check else "written"
        print(f"{path.relative_to(REPO_ROOT)}: {verb}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
