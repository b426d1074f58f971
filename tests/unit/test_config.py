from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipelinekit.config.file import config_location
from pipelinekit.config.models import Config, load_config, parse_config
from pipelinekit.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_gives_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    config = load_config(tmp_path)
    assert config.coverage.threshold is None  # not gated unless someone chose a figure
    assert config.ci.targets == ["jenkins", "gitlab"]


def test_reads_tool_table(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.pipelinekit.coverage]\nthreshold = 91.5\n[tool.pipelinekit.ci]\ntargets = ["gitlab"]\n',
    )
    config = load_config(tmp_path)
    assert config.coverage.threshold == 91.5
    assert config.ci.targets == ["gitlab"]


def test_pipelinekit_toml_used_without_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pipelinekit.toml", "[lint]\nformat_check = false\n")
    assert config_location(tmp_path) == (tmp_path / "pipelinekit.toml", ())
    assert load_config(tmp_path).lint.format_check is False


def test_toml_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\nversion = \n')
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert str(path) in err.value.message
    assert "line 3" in err.value.message and "column" in err.value.message
    assert err.value.exit_code == 2


def test_unknown_key_gives_path_and_suggestion(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.pipelinekit.coverage]\ntreshold = 90\n")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    message = err.value.message
    assert "tool.pipelinekit.coverage.treshold" in message
    assert "Did you mean `threshold`?" in message
    assert "\n" not in message


def test_unknown_section_lists_valid_sections() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"lnt": {}}, source="pyproject.toml")
    assert "Did you mean `lint`?" in err.value.message
    assert "coverage" in err.value.message


def test_wrong_type_names_key_and_value() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"coverage": {"threshold": "high"}}, source="pyproject.toml")
    assert "tool.pipelinekit.coverage.threshold" in err.value.message
    assert "'high'" in err.value.message
    with pytest.raises(ConfigError, match="less than or equal to 100"):
        parse_config({"coverage": {"threshold": 101}}, source="p")


def test_table_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match="must be a table"):
        parse_config(["x"], source="pyproject.toml")


@pytest.mark.parametrize("branch", ["ma in", "a..b", "x~1", "bad\nname", "", "feat:x", "/lead"])
def test_branch_names_follow_git_rules(branch: str) -> None:
    with pytest.raises(ConfigError, match=r"ci\.branches"):
        parse_config({"ci": {"branches": [branch]}}, source="p")


def test_default_branch_cannot_be_a_glob() -> None:
    with pytest.raises(ConfigError, match="default_branch"):
        parse_config({"ci": {"default_branch": "release/*"}}, source="p")
    config = parse_config(
        {"ci": {"default_branch": "trunk", "branches": ["hotfix/**"]}}, source="p"
    )
    assert config.ci.default_branch == "trunk"


def test_pipelinekit_source_must_be_a_specifier_or_reference() -> None:
    assert (
        parse_config({"ci": {"pipelinekit_source": "~=0.2"}}, source="p").ci.pipelinekit_source
        == "~=0.2"
    )
    with pytest.raises(ConfigError, match="version specifier"):
        parse_config({"ci": {"pipelinekit_source": "pipelinekit==0.2"}}, source="p")


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"lint": {"enabled": "yes"}}, "tool.pipelinekit.lint.enabled"),
        ({"coverage": {"threshold": "85"}}, "tool.pipelinekit.coverage.threshold"),
        ({"test": {"timeout_minutes": 30.5}}, "tool.pipelinekit.test.timeout_minutes"),
    ],
)
def test_values_are_not_guessed_from_other_types(table: dict[str, Any], key: str) -> None:
    """`enabled = "yes"` is a typo to report, not a truthy string (bug hunt: it was true)."""
    with pytest.raises(ConfigError) as err:
        parse_config(table, source="pyproject.toml")
    assert f"`{key}`" in err.value.message


def test_control_characters_and_huge_values_are_refused_by_key() -> None:
    """A NUL would end a shell or C string early; 100,000 characters overflow a Jenkinsfile
    literal (65,535 bytes): both are refused naming the key, and the message stays short."""
    with pytest.raises(ConfigError) as nul:
        parse_config({"ci": {"image": "python:3.11\x00-slim"}}, source="p")
    assert "`tool.pipelinekit.ci.image` holds the control character '\\x00'" in nul.value.message
    huge = "x" * 100_000
    with pytest.raises(ConfigError) as long:
        parse_config({"jenkins": {"agent_label": huge}}, source="p")
    assert "`tool.pipelinekit.jenkins.agent_label` is 100,000 characters long" in long.value.message
    assert len(long.value.message) < 400
    with pytest.raises(ConfigError) as typed:
        parse_config({"coverage": {"threshold": "9" * 5000}}, source="p")
    assert "(5,002 characters)" in typed.value.message and len(typed.value.message) < 600
    newline_ok = parse_config({"ci": {"image": "a\tb"}}, source="p")  # tab and newline pass
    assert newline_ok.ci.image == "a\tb"


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"sonar": {"host_url": "https://admin:hunter22@sonar.corp"}}, "sonar.host_url"),
        (
            {"ci": {"index_url": "https://glpat-abcdefghijklmnopqrstu@gitlab.corp/api/pypi"}},
            "ci.index_url",
        ),
        (
            {"ci": {"pipelinekit_source": "@ https://u:p4ss@h/pipelinekit.whl"}},
            "ci.pipelinekit_source",
        ),
    ],
)
def test_credentials_in_configured_urls_are_refused(table: dict[str, Any], key: str) -> None:
    """They would land in the committed CI files (bug hunt: sonar-project.properties carried
    the sonar URL's password)."""
    with pytest.raises(ConfigError) as err:
        parse_config(table, source="p")
    assert f"`tool.pipelinekit.{key}` holds a credential in a URL" in err.value.message
    assert "hunter22" not in err.value.message and "p4ss" not in err.value.message


def test_a_plain_user_in_a_url_is_not_a_credential() -> None:
    config = parse_config(
        {"ci": {"pipelinekit_source": "@ git+ssh://git@gitlab.corp/p.git"}}, source="p"
    )
    assert config.ci.pipelinekit_source == "@ git+ssh://git@gitlab.corp/p.git"
