"""`pipelinekit env show|sync`: the project environment the test jobs build, and building it.

The main group adds this lazily (`pipelinekit.env.cli:env`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pipelinekit.cli.options import FORMAT_OPTION, echo_json

PATH_ARG = click.argument(
    "path", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)


@click.group("env")
def env() -> None:
    """The project's own environment: its Python, every dependency source and lock."""


@env.command("show")
@PATH_ARG
@FORMAT_OPTION
def show(path: Path, fmt: str) -> None:
    """What the test environment is built from: Python, sources, lock, key."""
    import os

    from pipelinekit.env.build import ENVS_DIR, env_key, is_built
    from pipelinekit.env.engine import find_uv
    from pipelinekit.env.inputs import describe
    from pipelinekit.env.planner import plan_env
    from pipelinekit.env.python import find_interpreter
    from pipelinekit.project import load_project

    project = load_project(path)
    spec = plan_env(project.facts, project.config)
    interpreter = find_interpreter(spec.python)
    uv = find_uv(os.environ)
    engine = "uv" if uv else "pip"
    key = env_key(project.project_dir, spec, interpreter, engine)
    location = ENVS_DIR / key[:16]
    built = is_built(project.project_dir / location, key)
    if fmt == "json":
        data: dict[str, Any] = spec.model_dump(mode="json")
        data.update(
            interpreter=interpreter.__dict__ if interpreter else None,
            engine=engine,
            key=key,
            location=str(location),
            built=built,
        )
        echo_json(data)
        return
    found = f"{interpreter.path} ({interpreter.version})" if interpreter else "not found here"
    rows = [
        ("python", f"{spec.python} (from {spec.python_from or 'the default'}): {found}"),
        (
            "project",
            _project_line(spec.install_project, spec.project_extras, spec.not_installed_reason),
        ),
        ("lock", f"{spec.lock.path} ({spec.lock.kind})" if spec.lock else "none"),
    ]
    rows += [("installs" if i == 0 else "", describe(s)) for i, s in enumerate(spec.sources)]
    rows += [
        ("left out" if i == 0 else "", f"{describe(s)} ({s.role})")
        for i, s in enumerate(spec.left_out)
    ]
    rows += [
        ("also" if i == 0 else "", f"{line} ([tool.pipelinekit.test] dependencies)")
        for i, line in enumerate(spec.dependencies)
    ]
    rows += [("indexes" if i == 0 else "", url) for i, url in enumerate(spec.indexes)]
    rows += [
        ("test tools", ", ".join(spec.test_tools) + " (added when the sources lack them)"),
        ("engine", f"uv ({uv})" if uv else "pip and venv (uv not found)"),
        ("location", f"{location} ({'built' if built else 'not built yet'})"),
    ]
    for label, text in rows:
        click.echo(f"{label:11} {text}")


def _project_line(installed: bool, extras: tuple[str, ...], reason: str | None) -> str:
    if not installed:
        return f"not installed: {reason}; tested from the source tree"
    return "installed, editable" + (f", with extras {', '.join(extras)}" if extras else "")


@env.command("sync")
@PATH_ARG
@click.option("--rebuild", is_flag=True, help="Build it again even if nothing changed.")
@FORMAT_OPTION
def sync(path: Path, rebuild: bool, fmt: str) -> None:
    """Build the test environment (or reuse it) and print its interpreter's path."""
    from pipelinekit.env.build import ensure
    from pipelinekit.env.planner import plan_env
    from pipelinekit.project import load_project

    project = load_project(path)
    spec = plan_env(project.facts, project.config)
    say = (lambda line: click.echo(line, err=True)) if fmt == "json" else click.echo
    built = ensure(project.project_dir, spec, out=say, rebuild=rebuild)
    if fmt == "json":
        echo_json(
            {
                "python": str(built.python),
                "path": str(built.path),
                "key": built.key,
                "reused": built.reused,
                "pythonpath": [str(p) for p in built.pythonpath],
            }
        )
    else:
        click.echo(str(built.python))
