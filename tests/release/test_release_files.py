"""Version files and changelog text: formatting kept, errors name the file, links are safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelinekit.errors import ConfigError
from pipelinekit.release.changelog import HEADER, insert_section, render_section, web_url
from pipelinekit.release.commits import Commit, parse_commit
from pipelinekit.release.policy import Change
from pipelinekit.release.settings import ReleaseConfig
from pipelinekit.release.trees import WorkTree
from pipelinekit.release.versionfiles import VersionFile, read_version, resolve, write_version

PYPROJECT = """\
# top comment
[project]
name = "demo"
version = "1.2.3"   # bumped by CI
dependencies = [
    "numpy",  # pinned below
]

[tool.other]
x = 1
"""


def test_pyproject_keeps_comments_and_layout() -> None:
    vf = VersionFile("pyproject.toml", "project.version", "toml")
    out = write_version(vf, PYPROJECT, "1.3.0rc1")
    assert out == PYPROJECT.replace('"1.2.3"', '"1.3.0rc1"')
    assert read_version(vf, out) == "1.3.0rc1"


def test_poetry_and_python_and_plain_files() -> None:
    poetry = VersionFile("pyproject.toml", "tool.poetry.version", "toml")
    assert "version = '2.0.0'" in write_version(
        poetry, "[tool.poetry]\nversion = '1.0.0'\n", "2.0.0"
    ) or (
        'version = "2.0.0"' in write_version(poetry, "[tool.poetry]\nversion = '1.0.0'\n", "2.0.0")
    )
    py = VersionFile("pkg/__init__.py", "__version__", "python")
    src = "import os\n__version__: str = '0.1.0'  # keep\nOTHER = '__version__'\n"
    assert write_version(py, src, "0.2.0") == src.replace("0.1.0", "0.2.0")
    text = VersionFile("VERSION", "__version__", "text")
    assert write_version(text, "1.0.0\n", "1.0.1") == "1.0.1\n"
    assert write_version(text, "", "1.0.1") == "1.0.1\n"


@pytest.mark.parametrize(
    ("vf", "content", "words"),
    [
        (
            VersionFile("pyproject.toml", "project.version", "toml"),
            "[project]\nname='x'\n",
            "no string `project.version`",
        ),
        (VersionFile("pyproject.toml", "project.version", "toml"), "[project\n", "not valid TOML"),
        (
            VersionFile("a.py", "__version__", "python"),
            "__version__ = '1'\n__version__ = '2'\n",
            "exactly once (found 2)",
        ),
        (VersionFile("a.py", "__version__", "python"), "version = '1'\n", "exactly once (found 0)"),
    ],
)
def test_unusable_version_files_are_refused_with_the_file_named(
    vf: VersionFile, content: str, words: str
) -> None:
    with pytest.raises(ConfigError) as err:
        write_version(vf, content, "1.0.0")
    assert words in err.value.message and vf.path in err.value.message


def test_detection_and_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0.1.0"\n')
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "_version.py").write_text("__version__ = '0.1.0'\n")
    (tmp_path / "tests").mkdir()
    assert [vf.spec for vf in resolve(WorkTree(tmp_path), ReleaseConfig())] == [
        "pyproject.toml:project.version",
        "src/pkg/_version.py:__version__",
    ]
    dynamic = tmp_path / "dyn"
    dynamic.mkdir()
    (dynamic / "pyproject.toml").write_text('[project]\nname = "x"\ndynamic = ["version"]\n')
    assert resolve(WorkTree(dynamic), ReleaseConfig()) == []
    cfg = ReleaseConfig(
        version_files=["VERSION", "docs/conf.py:release", "setup.cfg.toml:metadata.version"]
    )
    assert [(v.path, v.key, v.kind) for v in resolve(WorkTree(tmp_path), cfg)] == [
        ("VERSION", "__version__", "text"),
        ("docs/conf.py", "release", "python"),
        ("setup.cfg.toml", "metadata.version", "toml"),
    ]
    with pytest.raises(ConfigError, match="must be `path` or `path:key`"):
        resolve(WorkTree(tmp_path), ReleaseConfig(version_files=["pyproject.toml:"]))


@pytest.mark.parametrize(
    ("remote", "web"),
    [
        (
            "https://oauth2:glpat-SECRET@gitlab.example.com/ds/demo.git",
            "https://gitlab.example.com/ds/demo",
        ),
        ("git@github.com:org/repo.git", "https://github.com/org/repo"),
        ("ssh://git@gitlab.example.com:2222/g/sub/p.git", "https://gitlab.example.com/g/sub/p"),
        # hunt #11: an http(s) remote keeps its scheme and port; ssh's port is not the web's
        ("http://10.0.0.5:8080/scm/p", "http://10.0.0.5:8080/scm/p"),
        ("https://gitlab.example.com:8443/grp/p.git", "https://gitlab.example.com:8443/grp/p"),
        ("https://ci:tok@git.internal:8443/g/p", "https://git.internal:8443/g/p"),
        ("https://host:notaport/g/p", None),
        ("/srv/git/repo.git", None),
        ("file:///srv/git/repo.git", None),
        ("https://host/", None),
    ],
)
def test_web_url_from_remote_drops_credentials(remote: str, web: str | None) -> None:
    assert web_url(remote) == web


def _change(message: str, level: str = "minor") -> Change:
    parsed = parse_commit(Commit("abcdef1234567890" + "0" * 24, ("1" * 40,), message))
    return Change(parsed, parsed.changes[0], level)  # type: ignore[arg-type]


def test_section_groups_by_type_with_breaking_first() -> None:
    changes = [
        _change("fix(io): empty file"),
        _change("feat!: new reader\n\nBREAKING CHANGE: read() returns a frame"),
        _change("perf: faster"),
    ]
    section, link = render_section(
        version="2.0.0",
        tag="v2.0.0",
        previous_tag="v1.4.0",
        date="2024-05-01",
        changes=changes,
        config=ReleaseConfig(),
        repo_url="https://github.com/org/repo",
    )
    url = "https://github.com/org/repo/commit/abcdef1234567890" + "0" * 24
    assert section == (
        "## [2.0.0] - 2024-05-01\n\n"
        f"### Breaking changes\n\n- read() returns a frame ([abcdef1]({url}))\n\n"
        f"### Added\n\n- new reader ([abcdef1]({url}))\n\n"
        f"### Fixed\n\n- **io:** empty file ([abcdef1]({url}))\n\n"
        f"### Performance\n\n- faster ([abcdef1]({url}))\n"
    )
    assert link == "[2.0.0]: https://github.com/org/repo/compare/v1.4.0...v2.0.0"
    first, first_link = render_section(
        version="0.1.0",
        tag="v0.1.0",
        previous_tag=None,
        date="d",
        changes=[],
        config=ReleaseConfig(),
        repo_url="https://gitlab.com/a/b",
    )
    assert "No user-facing changes." in first
    assert first_link == "[0.1.0]: https://gitlab.com/a/b/-/tags/v0.1.0"


def test_insert_keeps_unreleased_and_orders_link_definitions() -> None:
    existing = (
        HEADER
        + "\n## [Unreleased]\n\n- pending\n\n## [1.0.0] - 2024-01-01\n\n- first\n\n"
        + "[Unreleased]: https://x/compare/v1.0.0...HEAD\n[1.0.0]: https://x/tags/v1.0.0\n"
    )
    out = insert_section(
        existing, "## [1.1.0] - 2024-02-01\n\n### Added\n\n- b\n", "[1.1.0]: https://x/c"
    )
    assert out.index("## [Unreleased]") < out.index("## [1.1.0]") < out.index("## [1.0.0]")
    assert out.index("[Unreleased]: ") < out.index("[1.1.0]: ") < out.index("[1.0.0]: ")
    assert out.endswith("\n") and "\n\n\n" not in out
    fresh = insert_section(None, "## 0.1.0 - d\n\n- a\n", None)
    assert fresh == HEADER + "\n## 0.1.0 - d\n\n- a\n"
    with_defs_only = insert_section(
        "# Changelog\n\n[x]: https://y\n", "## 1.0.0 - d\n", "[1.0.0]: https://z"
    )
    assert with_defs_only == "# Changelog\n\n## 1.0.0 - d\n\n[1.0.0]: https://z\n[x]: https://y\n"
