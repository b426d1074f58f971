"""File trees a release reads version files and the changelog from: a commit, or a folder.

A release is built from HEAD's blobs, not from the working tree: an untracked or ignored file
at a release path never reaches the release commit, CRLF files are read byte for byte (no
newline translation), and a symbolic link is followed inside the repository to the file it
names, so the real file is what gets rewritten and committed.
"""

from __future__ import annotations

from pathlib import Path

from pipelinekit.errors import ConfigError, UsageError
from pipelinekit.util.git import Git

_LINK, _DIR = "120000", "040000"
_MAX_LINKS = 20


class CommitTree:
    """The tree of `commit` as a `versionfiles.Tree`; paths are relative to `prefix` (the
    project's folder in the repository, `""` or ending in `/`)."""

    def __init__(self, git: Git, commit: str, prefix: str = "") -> None:
        self.git, self.commit, self.prefix = git, commit, prefix
        self._listings: dict[str, dict[str, tuple[str, str]]] = {}

    def _listing(self, folder: str) -> dict[str, tuple[str, str]]:
        """name -> (mode, object id) of the entries of `folder` (repository path, "" = root)."""
        if folder not in self._listings:
            out = self.git.run("ls-tree", "-z", f"{self.commit}:{folder}", check=False)
            entries = {}
            for record in filter(None, out.split("\0")):
                meta, _, name = record.partition("\t")
                mode, _, sha = meta.split(" ")
                entries[name] = (mode, sha)
            self._listings[folder] = entries
        return self._listings[folder]

    def locate(self, path: str) -> tuple[str, bool]:
        """(repository path, exists) of project path `path`, following symbolic links.

        A link that leaves the repository (or loops) is refused: a release can only commit
        files inside it.
        """
        todo = [p for p in f"{self.prefix}{path}".split("/") if p not in ("", ".")]
        done: list[str] = []
        hops = 0
        while todo:
            part = todo.pop(0)
            if part == "..":
                if not done:
                    raise _outside(path)
                done.pop()
                continue
            entry = self._listing("/".join(done)).get(part)
            if entry is None:
                return "/".join([*done, part, *todo]), False
            mode, sha = entry
            if mode == _LINK:
                hops += 1
                target = self.git.run("cat-file", "blob", sha)
                if hops > _MAX_LINKS or target.startswith("/"):
                    raise _outside(path)
                todo = [p for p in target.split("/") if p not in ("", ".")] + todo
                continue
            if todo and mode != _DIR:
                return "/".join([*done, part, *todo]), False
            done.append(part)
        return "/".join(done), True

    def read(self, path: str) -> str | None:
        real, exists = self.locate(path)
        if not exists:
            return None
        folder, _, name = real.rpartition("/")
        mode, sha = self._listing(folder)[name]
        if mode == _DIR:
            return None
        return decode(real, self.git.raw("cat-file", "blob", sha))

    def dirs(self, path: str) -> list[str]:
        real, exists = self.locate(path)
        if not exists:
            return []
        names = [n for n, (mode, _) in self._listing(real).items() if mode == _DIR]
        return sorted(n for n in names if not n.startswith("."))


class WorkTree:
    """A folder on disk as a `versionfiles.Tree` (the package stage's stamped copy)."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def read(self, path: str) -> str | None:
        file = self.base / path
        return decode(path, file.read_bytes()) if file.is_file() else None

    def dirs(self, path: str) -> list[str]:
        folder = self.base / path
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def decode(path: str, data: bytes) -> str:
    """A release file's text, newlines kept; a file that is not UTF-8 is a config error."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); a "
            "release rewrites it as UTF-8 text. Convert it (e.g. `iconv -f latin1 -t utf-8`), "
            "commit it, and release again."
        ) from exc


def _outside(path: str) -> UsageError:
    return UsageError(
        f"{path} is a symbolic link that leads outside the repository (or in a loop); a release "
        "can only rewrite and commit files inside it. Point the link at a file in the "
        "repository, or name the real file in `tool.pipelinekit.release` (changelog_file, "
        "version_files)."
    )
