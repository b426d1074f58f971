"""`pipelinekit artifacts push|pull|ls`: thin click commands over `pipelinekit.artifacts.api`.

The main group adds this lazily (`pipelinekit.artifacts.cli:artifacts`). Errors are raised as
PipelinekitError for the main command to map to exit codes; nothing here prints a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from pipelinekit.cli.options import FORMAT_OPTION, echo_json

PATH_OPT = click.option(
    "--path",
    "path",
    default=".",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The project (its config names the bucket; its name is the key's project part).",
)


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024:
            return f"{n} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


@click.group("artifacts")
def artifacts() -> None:
    """Release artifacts in S3: <prefix>/<project>/<version>/<file> plus manifest.json."""


@artifacts.command("push")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@PATH_OPT
@click.option("--version", "version", help="Release version (default: from the wheel's name).")
@FORMAT_OPTION
def push_command(files: tuple[Path, ...], path: Path, version: str | None, fmt: str) -> None:
    """Upload FILES (default: dist/* and the docker image report) as one release."""
    from pipelinekit.artifacts.api import push_project
    from pipelinekit.project import load_project

    project = load_project(path)
    result = push_project(
        project.project_dir,
        project.facts.name,
        project.config.s3,
        files=files,
        version=version,
    )
    if fmt == "json":
        echo_json(
            {
                "status": result.status,
                "location": result.location,
                "seconds": round(result.seconds, 3),
                "manifest": result.manifest.model_dump(mode="json"),
            }
        )
        return
    m = result.manifest
    if result.status == "unchanged":
        click.echo(f"{m.project} {m.version} is already released with these exact files: ")
        click.echo(f"  {result.location}")
        return
    rate = result.bytes / result.seconds / (1 << 20) if result.seconds else 0.0
    click.echo(
        f"{result.status} {m.project} {m.version}: {len(m.files)} file(s), "
        f"{_size(result.bytes)} in {result.seconds:.1f} s ({rate:.1f} MiB/s) to {result.location}"
    )
    for f in m.files:
        click.echo(f"  {f.name:50} {_size(f.size):>10}  sha256:{f.sha256[:16]}")
    if m.image:
        click.echo(f"  image {m.image.image} {m.image.digest or '(no digest)'}")


@artifacts.command("pull")
@click.argument("version")
@click.argument(
    "dest", required=False, default=".", type=click.Path(path_type=Path, file_okay=False)
)
@PATH_OPT
@FORMAT_OPTION
def pull_command(version: str, dest: Path, path: Path, fmt: str) -> None:
    """Download release VERSION (or `latest`) into DEST, verifying every sha256."""
    from pipelinekit.artifacts.api import client_for, pull
    from pipelinekit.project import load_project

    project = load_project(path)
    result = pull(client_for(project.config.s3), project.facts.name, version, dest)
    if fmt == "json":
        echo_json(
            {
                "version": result.version,
                "dest": str(result.dest),
                "downloaded": list(result.downloaded),
                "present": list(result.present),
            }
        )
        return
    click.echo(
        f"{project.facts.name} {result.version}: {len(result.downloaded)} downloaded, "
        f"{len(result.present)} already present, all verified (sha256) in {result.dest}"
    )
    for name in result.downloaded:
        click.echo(f"  {name}")


@artifacts.command("ls")
@click.argument("version", required=False)
@PATH_OPT
@FORMAT_OPTION
def ls_command(version: str | None, path: Path, fmt: str) -> None:
    """List the project's versions, or the files of VERSION."""
    from pipelinekit.artifacts.api import client_for, describe, list_versions
    from pipelinekit.project import load_project

    project = load_project(path)
    client = client_for(project.config.s3)
    name = project.facts.name
    if version is None:
        infos = list_versions(client, name)
        if fmt == "json":
            echo_json([i.__dict__ for i in infos])
            return
        if not infos:
            click.echo(f"No versions of {name} in s3://{client.bucket}/ yet.")
        for info in infos:
            state = "released" if info.released else "incomplete (no manifest)"
            click.echo(
                f"{info.version:20} {state:26} {info.files:3} file(s) {_size(info.size):>10}"
            )
        return
    detail = describe(client, name, version)
    if fmt == "json":
        echo_json(
            {
                "version": detail.version,
                "location": detail.location,
                "released": detail.manifest is not None,
                "manifest": detail.manifest.model_dump(mode="json") if detail.manifest else None,
                "objects": list(detail.objects),
            }
        )
        return
    if detail.manifest is None:
        state = "incomplete: no manifest" if detail.objects else "not found"
        click.echo(f"{name} {version} at {detail.location}: {state}")
        for key in detail.objects:
            click.echo(f"  {key}")
        return
    m = detail.manifest
    click.echo(f"{name} {version} at {detail.location}: released {m.created} by {m.tool}")
    for f in m.files:
        click.echo(
            f"  {f.name:50} {_size(f.size):>10}  sha256:{f.sha256[:16]}  {f.s3_checksum or ''}"
        )
    if m.image:
        click.echo(f"  image {m.image.image} {' '.join(m.image.tags)} {m.image.digest or ''}")
