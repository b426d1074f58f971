"""What a release writes, as git and the file system see it: symbolic links followed to the real
file, CRLF line endings kept, untracked files at a release path refused (hunt #4, #5, #12)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelinekit.errors import UsageError
from pipelinekit.release.trees import CommitTree
from pipelinekit.util.git import Git

from .conftest import invoke
from .gitfactory import Repo, Tag, published, run_git


def _lines_changed(repo: Repo, path: str) -> tuple[int, int]:
    added, removed, _ = repo.git("diff", "--numstat", "HEAD~1", "HEAD", "--", path).split("\t")
    return int(added), int(removed)


def test_symlinked_changelog_is_written_through_the_link(tmp_path: Path) -> None:
    """Hunt #4: the release commit kept mode 120000 for CHANGELOG.md with the changelog text
    as the link target (a broken link), and the clone was left with a type change."""
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"))
    (repo.path / "docs").mkdir()
    (repo.path / "docs/changelog.md").write_text("# Changelog\n\n## 1.0.0 - 2024-01-01\n\n- a\n")
    os.symlink("docs/changelog.md", repo.path / "CHANGELOG.md")
    repo.git("add", "-A")
    repo.commit("feat: documented")
    repo.git("push", "-q", "origin", "main")
    dry = invoke(str(repo.path), "--dry-run", "--format", "json")
    assert dry.exit_code == 0, dry.stderr
    assert "docs/changelog.md" in dry.stdout and '"CHANGELOG.md"' not in dry.stdout
    result = invoke(str(repo.path))
    assert result.exit_code == 0, result.stderr
    mode, kind, _ = repo.git("ls-tree", "HEAD", "CHANGELOG.md").split("\t")[0].split()
    assert (mode, kind) == ("120000", "blob")
    assert repo.git("cat-file", "-p", "HEAD:CHANGELOG.md") == "docs/changelog.md"
    real = repo.git("show", "HEAD:docs/changelog.md")
    assert real.index("## 1.1.0 - ") < real.index("## 1.0.0 - 2024-01-01")
    assert (repo.path / "CHANGELOG.md").is_symlink()
    assert (repo.path / "CHANGELOG.md").read_text() == real + "\n"
    assert repo.status() == ""
    assert run_git(remote, "rev-parse", "main").strip() == repo.head()


def test_symlink_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text("# Changelog\n")
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"))
    os.symlink(outside, repo.path / "CHANGELOG.md")
    repo.git("add", "CHANGELOG.md")
    repo.commit("fix: linked changelog")
    repo.git("push", "-q", "origin", "main")
    before = run_git(remote, "for-each-ref")
    result = invoke(str(repo.path))
    assert result.exit_code == 2
    assert "CHANGELOG.md is a symbolic link that leads outside the repository" in result.stderr
    assert outside.read_text() == "# Changelog\n"
    assert run_git(remote, "for-each-ref") == before


def test_crlf_files_keep_their_line_endings(tmp_path: Path) -> None:
    """Hunt #5: a one-line bump rewrote every line of a CRLF pyproject.toml and changelog."""
    repo, _ = published(tmp_path, "chore: init", Tag("v1.0.0"))
    pyproject = (repo.path / "pyproject.toml").read_bytes().replace(b"\n", b"\r\n")
    changelog = b"# Changelog\r\n\r\n## 1.0.0 - 2024-01-01\r\n\r\n- first\r\n"
    (repo.path / "pyproject.toml").write_bytes(pyproject)
    (repo.path / "CHANGELOG.md").write_bytes(changelog)
    repo.git("add", "-A")
    repo.commit("fix: windows files")
    repo.git("push", "-q", "origin", "main")
    result = invoke(str(repo.path))
    assert result.exit_code == 0, result.stderr
    assert _lines_changed(repo, "pyproject.toml") == (1, 1)
    assert _lines_changed(repo, "CHANGELOG.md")[1] == 0
    for name in ("pyproject.toml", "CHANGELOG.md"):
        blob = run_git(repo.path, "cat-file", "blob", f"HEAD:{name}").encode()
        assert blob.count(b"\r\n") == blob.count(b"\n"), name
        assert (repo.path / name).read_bytes() == blob, name
    assert b'version = "1.0.1"\r\n' in (repo.path / "pyproject.toml").read_bytes()
    assert repo.status() == ""


def test_autocrlf_clone_keeps_crlf_in_the_working_tree(tmp_path: Path) -> None:
    """Blobs are LF and the work tree CRLF (core.autocrlf=true): the release commits LF and
    leaves the working tree as a checkout would, CRLF and clean."""
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"))
    repo.commit("fix: a", {"CHANGELOG.md": "# Changelog\n\n## 1.0.0 - 2024-01-01\n\n- a\n"})
    repo.git("push", "-q", "origin", "main")
    ci = Repo(tmp_path / "ci")
    run_git(tmp_path, "clone", "-q", "-c", "core.autocrlf=true", str(remote), str(ci.path))
    assert b"\r\n" in (ci.path / "pyproject.toml").read_bytes()
    result = invoke(str(ci.path))
    assert result.exit_code == 0, result.stderr
    for name in ("pyproject.toml", "CHANGELOG.md"):
        assert b"\r" not in run_git(ci.path, "cat-file", "blob", f"HEAD:{name}").encode()
        text = (ci.path / name).read_bytes()
        assert text.count(b"\r\n") == text.count(b"\n"), name
    assert ci.status() == ""


def test_untracked_file_at_the_changelog_path_is_refused(tmp_path: Path) -> None:
    """Hunt #12: a local, untracked CHANGELOG.md was committed and pushed in the release."""
    repo, remote = published(tmp_path, "chore: init", Tag("v1.0.0"), "feat: x")
    notes = repo.path / "CHANGELOG.md"
    notes.write_text("scratch notes, not for the repo\n")
    before = run_git(remote, "for-each-ref")
    for args in ((), ("--dry-run",)):
        result = invoke(str(repo.path), *args)
        assert result.exit_code == 2, result.stdout
        assert "CHANGELOG.md exists in the working tree but not in HEAD" in result.stderr
    assert notes.read_text() == "scratch notes, not for the repo\n"
    assert run_git(remote, "for-each-ref") == before
    notes.unlink()
    assert invoke(str(repo.path)).exit_code == 0
    assert repo.git("show", "HEAD:CHANGELOG.md").startswith("# Changelog\n")


def test_ignored_generated_version_file_is_not_released(tmp_path: Path) -> None:
    """A git-ignored `_version.py` is not in HEAD: detection does not pick it up, and naming
    it in version_files is refused rather than force-committing a generated file."""
    repo, _ = published(tmp_path, "chore: init", Tag("v1.0.0"))
    repo.commit("chore: ignore", {".gitignore": "gen/\n"})
    (repo.path / "gen").mkdir()
    (repo.path / "gen/_version.py").write_text('__version__ = "9.9.9"\n')
    repo.commit("fix: x")
    repo.git("push", "-q", "origin", "main")
    plan = invoke(str(repo.path), "--dry-run", "--format", "json")
    assert plan.exit_code == 0, plan.stderr
    assert "gen/_version.py" not in plan.stdout
    text = (repo.path / "pyproject.toml").read_text()
    configured = text + '\n[tool.pipelinekit.release]\nversion_files = ["gen/_version.py"]\n'
    repo.commit("chore: configure", {"pyproject.toml": configured})
    repo.git("push", "-q", "origin", "main")
    result = invoke(str(repo.path), "--dry-run")
    assert result.exit_code == 2
    assert "gen/_version.py exists in the working tree but not in HEAD" in result.stderr


def test_changelog_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    repo, _ = published(tmp_path, "chore: init", Tag("v1.0.0"))
    (repo.path / "CHANGELOG.md").write_bytes("# Changelog\n\n- café\n".encode("latin-1"))
    repo.git("add", "CHANGELOG.md")
    repo.commit("fix: x")
    repo.git("push", "-q", "origin", "main")
    result = invoke(str(repo.path), "--dry-run")
    assert result.exit_code == 2
    assert "CHANGELOG.md is not UTF-8 (byte 0xe9" in result.stderr


def test_commit_tree_follows_links_inside_the_repository(tmp_path: Path) -> None:
    """`..`, a linked folder and a link to a link resolve to the tracked file; what leaves the
    repository or loops is refused; a file where a folder is expected is absent."""
    repo = Repo.init(tmp_path / "r")
    repo.commit("chore: files", {"docs/real.md": "real\n", "sub/pkg/VERSION": "1.0\n"})
    links = {
        "sub/up.md": "../docs/real.md",
        "linked": "docs",
        "chain.md": "sub/up.md",
        "escape.md": "../outside.md",
        "loop.md": "loop.md",
    }
    for name, target in links.items():
        os.symlink(target, repo.path / name)
    repo.git("add", "-A")
    repo.commit("chore: links")
    tree = CommitTree(Git(repo.path), "HEAD", "sub/")
    assert tree.locate("up.md") == ("docs/real.md", True)
    assert tree.read("../chain.md") == "real\n"
    assert tree.read("../linked/real.md") == "real\n"
    assert tree.locate("pkg/VERSION/x") == ("sub/pkg/VERSION/x", False)
    assert tree.read("pkg") is None and tree.dirs("") == ["pkg"]
    assert tree.read("missing.md") is None and tree.dirs("nowhere") == []
    for bad in ("../escape.md", "../loop.md", "../../x"):
        with pytest.raises(UsageError, match="leads outside the repository"):
            tree.locate(bad)
