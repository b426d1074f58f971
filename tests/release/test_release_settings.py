"""`[tool.pipelinekit.release]`: defaults, validation through the real config loader, tag globs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pipelinekit.config.models import load_config, parse_config
from pipelinekit.errors import ConfigError
from pipelinekit.release.settings import ReleaseConfig, protected_tag_pattern, tag_regex
from pipelinekit.release.tagformat import format_tag, parse_tag


def test_defaults_give_conventional_semver_with_channels() -> None:
    cfg = ReleaseConfig()
    assert cfg.tag_format == "v{version}"
    assert cfg.bump_types == {"feat": "minor", "fix": "patch", "perf": "patch"}
    assert [(c.branch, c.prerelease) for c in cfg.channels] == [
        ("main", None),
        ("master", None),
        ("develop", "beta"),
        ("release/*", "rc"),
    ]
    assert cfg.release_job == "manual"


def test_every_field_is_documented_for_the_config_reference() -> None:
    """Each field is followed by its docstring, as the config reference generator reads them."""
    import ast
    import inspect

    from pipelinekit.release import settings

    tree = ast.parse(inspect.getsource(settings))
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name.endswith("Config")):
        body = cls.body
        fields = [
            (i, n.target.id)
            for i, n in enumerate(body)
            if isinstance(n, ast.AnnAssign)
            and isinstance(n.target, ast.Name)
            and n.target.id != "model_config"
        ]
        for i, name in fields:
            nxt = body[i + 1] if i + 1 < len(body) else None
            documented = (
                isinstance(nxt, ast.Expr)
                and isinstance(nxt.value, ast.Constant)
                and isinstance(nxt.value.value, str)
            )
            assert documented, f"{cls.name}.{name} has no docstring"
    names = {f.name for f in dataclasses.fields(ReleaseConfig)}
    assert names >= {"enabled", "tag_format", "channels", "push_remote"}


@pytest.mark.parametrize(
    ("tag_format", "glob", "tag"),
    [
        ("v{version}", "v*", "v1.2.3"),
        ("{version}", "*", "1.2.3"),
        ("release-{version}-final", "release-*-final", "release-1.2.3-final"),
        ("pkg/v{version}", "pkg/v*", "pkg/v1.2.3"),
    ],
)
def test_protected_pattern_and_regex_derive_from_one_format(
    tag_format: str, glob: str, tag: str
) -> None:
    import fnmatch

    assert protected_tag_pattern(tag_format) == glob
    assert format_tag(tag_format, "1.2.3") == tag
    assert tag_regex(tag_format).match(tag)
    assert parse_tag(tag_format, tag) == "1.2.3"
    # every tag the policy can create is covered by the protected pattern
    for version in ("0.0.1", "10.2.3-rc.4", "1.0.0-beta.1"):
        assert fnmatch.fnmatchcase(format_tag(tag_format, version), glob)


def test_tag_regex_rejects_non_versions() -> None:
    rx = tag_regex("v{version}")
    assert not rx.match("v1.2")
    assert not rx.match("v01.2.3")
    assert not rx.match("version-1.2.3")
    assert not rx.match("v1.2.3x")
    assert rx.match("v1.2.3-rc.1")["version"] == "1.2.3-rc.1"  # type: ignore[index]


@pytest.mark.parametrize(
    ("tag_format", "words"),
    [
        ("v", "exactly once"),
        ("{version}-{version}", "exactly once"),
        ("v{version}-{sha}", "only the `{version}` placeholder"),
        ("v {version}", "characters git does not allow"),
        ("/v{version}", "not a valid git tag name"),
    ],
)
def test_bad_tag_format_is_a_config_error_naming_the_key(tag_format: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"release": {"tag_format": tag_format}}, source="pyproject.toml")
    assert "tool.pipelinekit.release.tag_format" in err.value.message
    assert words in err.value.message
    assert err.value.exit_code == 2
    with pytest.raises(ValueError, match=words.split("`")[0]):
        protected_tag_pattern(tag_format)


def test_unknown_key_gets_a_suggestion() -> None:
    with pytest.raises(ConfigError, match="Did you mean `major_on_zero`"):
        parse_config({"release": {"major_on_zer0": True}}, source="pyproject.toml")


def test_release_commit_message_that_would_bump_is_refused() -> None:
    with pytest.raises(ConfigError, match="would itself trigger a release"):
        parse_config({"release": {"commit_message": "fix: release {version}"}}, source="x")
    with pytest.raises(ConfigError, match="placeholders"):
        parse_config({"release": {"tag_message": "Release {ver}"}}, source="x")
    with pytest.raises(ConfigError, match="must not be empty"):
        parse_config({"release": {"tag_message": "  "}}, source="x")


def test_channel_tokens_must_have_a_pep440_spelling() -> None:
    with pytest.raises(ConfigError, match="channels"):
        parse_config(
            {"release": {"channels": [{"branch": "dev", "prerelease": "dev"}]}}, source="x"
        )
    with pytest.raises(ConfigError, match="initial_version"):
        parse_config({"release": {"initial_version": "1.0.0-rc.1"}}, source="x")


def test_loaded_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pipelinekit.release]\ntag_format = "rel-{version}"\nmajor_on_zero = true\n'
        '[[tool.pipelinekit.release.channels]]\nbranch = "trunk"\n'
    )
    cfg = load_config(tmp_path).release
    assert cfg.tag_format == "rel-{version}"
    assert cfg.major_on_zero is True
    assert [c.branch for c in cfg.channels] == ["trunk"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, {}),
        ({"pyproject.toml": "[project]\nname = 'x'\n"}, {}),
        (
            {"pyproject.toml": "[tool.pipelinekit.release]\nmajor_on_zero = true\n"},
            {"major_on_zero": True},
        ),
        ({"pyproject.toml": "[tool.pipelinekit.lint]\nenabled = false\n"}, {}),
        (
            {"pipelinekit.toml": "[release]\ntag_format = 'r{version}'\n"},
            {"tag_format": "r{version}"},
        ),
        (
            {
                "pyproject.toml": "[project]\n",
                "pipelinekit.toml": "[release]\ntag_format = 'r{version}'\n",
            },
            {},
        ),
    ],
)
def test_release_loader_agrees_with_the_full_loader(
    tmp_path: Path, files: dict[str, str], expected: dict[str, object]
) -> None:
    from pipelinekit.release.loadconfig import load_release_config

    for name, text in files.items():
        (tmp_path / name).write_text(text)
    fast = load_release_config(tmp_path)
    assert fast == load_config(tmp_path).release
    assert fast == ReleaseConfig(**expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[tool.pipelinekit.release]\ntag_fromat = 'v{version}'\n", "Did you mean `tag_format`"),
        ("[tool.pipelinekit.release\n", "is not valid TOML"),
        ("[tool]\npipelinekit = 3\n", "must be a table"),
        ("[tool.pipelinekit]\nrelease = 'yes'\n", "tool.pipelinekit.release"),
    ],
)
def test_release_loader_errors_are_the_full_loaders(tmp_path: Path, text: str, words: str) -> None:
    from pipelinekit.release.loadconfig import load_release_config

    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_release_config(tmp_path)
    assert words in err.value.message


def test_channel_branch_must_be_a_usable_glob() -> None:
    with pytest.raises(ConfigError, match="is not usable"):
        parse_config({"release": {"channels": [{"branch": "rel ease/*"}]}}, source="x")


def test_every_problem_of_the_section_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(
            {"release": {"tag_format": "x", "commit_message": "", "initial_version": "1"}},
            source="pyproject.toml",
        )
    for key in ("tag_format", "commit_message", "initial_version"):
        assert f"`tool.pipelinekit.release.{key}`" in err.value.message
    with pytest.raises(ConfigError, match="placeholders"):  # not an AttributeError traceback
        parse_config({"release": {"commit_message": "chore: {version.real}"}}, source="x")
