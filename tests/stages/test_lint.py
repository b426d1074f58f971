"""The lint stage against real ruff runs on small repositories built in tmp_path."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import pytest

from pipelinekit.config.models import Config, LintConfig
from pipelinekit.detect.facts import ProjectFacts, TestFacts
from pipelinekit.errors import ConfigError, ExternalError
from pipelinekit.plan import reports
from pipelinekit.stages import get, lint, lint_findings, lint_ruff
from pipelinekit.stages.base import StageContext
from tests.repo_factory import write_files as write

CLEAN_MODULE = '"""A clean module."""\n\n\ndef add(a: int, b: int) -> int:\n    return a + b\n'
CLEAN_TEST = "from pkg.core import add\n\n\ndef test_add() -> None:\n    assert add(1, 2) == 3\n"


def make_ctx(
    project: Path,
    *,
    root: str = ".",
    source_dirs: tuple[str, ...] = ("src",),
    tests: tuple[str, ...] = ("tests",),
    notebooks: tuple[str, ...] = (),
    lint_cfg: LintConfig | None = None,
    python: str = sys.executable,
    env: dict[str, str] | None = None,
    formatter: Literal["ruff", "black"] | None = "ruff",
    lints_notebooks: bool = False,
) -> StageContext:
    """A project that formats with ruff unless told otherwise (`formatter=None`)."""
    facts = ProjectFacts(
        root=root,
        name="pkg",
        packages=("pkg",),
        layout="src",
        source_dirs=source_dirs,
        tests=TestFacts(dirs=tests, framework="pytest"),
        notebooks=notebooks,
        formatter=formatter,
        lints_notebooks=lints_notebooks,
    )
    config = Config(lint=lint_cfg) if lint_cfg is not None else Config()
    extra: dict[str, Any] = {"env": env} if env is not None else {}
    return StageContext(project.resolve(), facts, config, python=python, **extra)


PYPROJECT = """\
[project]
name = "pkg"
version = "0.1.0"

[tool.ruff.lint]
# Pinned to ruff's classic defaults: newer ruff versions enable more rules by default,
# and the expected problems below must not change with the installed ruff.
select = ["E4", "E7", "E9", "F"]
"""


def clean_repo(root: Path) -> Path:
    return write(
        root,
        {
            "pyproject.toml": PYPROJECT,
            "src/pkg/__init__.py": "",
            "src/pkg/core.py": CLEAN_MODULE,
            "tests/test_core.py": CLEAN_TEST,
        },
    )


def load_reports(ctx: StageContext) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    cq = json.loads((ctx.reports_dir / reports.CODEQUALITY).read_text(encoding="utf-8"))
    sarif = json.loads((ctx.reports_dir / reports.SARIF).read_text(encoding="utf-8"))
    return cq, sarif


def assert_valid_codequality(issues: list[dict[str, Any]]) -> None:
    """The keys GitLab's Code Quality widget requires, with the documented value types."""
    assert isinstance(issues, list)
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"]
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert isinstance(issue["location"]["path"], str)
        assert not issue["location"]["path"].startswith("/")
        assert issue["location"]["lines"]["begin"] >= 1
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(fingerprints) == len(set(fingerprints)), "fingerprints must be unique"


def assert_valid_sarif(doc: dict[str, Any]) -> None:
    """The SARIF 2.1.0 structure warnings-ng reads: required keys and cross references."""
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-2.1.0.json")
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ruff"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for result in run["results"]:
        assert result["level"] in {"none", "note", "warning", "error"}
        assert result["message"]["text"]
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert not physical["artifactLocation"]["uri"].startswith(("/", "file:"))
        region = physical["region"]
        assert 1 <= region["startLine"] <= region["endLine"]
        assert region["startColumn"] >= 1 and region["endColumn"] >= 1


def test_registry_returns_this_module() -> None:
    assert get("lint") is lint


def test_clean_repo_passes_and_writes_empty_reports(tmp_path: Path) -> None:
    ctx = make_ctx(clean_repo(tmp_path))
    result = lint.run(ctx)
    assert result.status == "passed"
    assert result.exit_code == 0
    assert result.summary == "ruff: no problems in src, tests; formatting ok"
    assert result.details == ""
    cq, sarif = load_reports(ctx)
    assert cq == []
    assert_valid_sarif(sarif)
    assert sarif["runs"][0]["results"] == []
    assert set(result.reports) == {
        ctx.reports_dir / reports.CODEQUALITY,
        ctx.reports_dir / reports.SARIF,
    }
    # Atomic writes leave no temporary files behind.
    assert sorted(p.name for p in ctx.reports_dir.iterdir()) == sorted(
        [reports.CODEQUALITY, reports.SARIF]
    )


def test_problems_fail_the_stage_and_fill_both_reports(tmp_path: Path) -> None:
    write(
        clean_repo(tmp_path),
        {
            "src/pkg/broken.py": "import os\n\n\ndef f():\n    return undefined_name\n",
            "tests/test_more.py": "import sys\n",
        },
    )
    ctx = make_ctx(tmp_path)
    result = lint.run(ctx)

    assert result.status == "failed"
    assert result.exit_code == 1
    assert result.summary == "ruff: 3 problems in 2 files; formatting ok"
    assert result.details.splitlines() == [
        "src/pkg/broken.py:1:8 F401 `os` imported but unused",
        "src/pkg/broken.py:5:12 F821 Undefined name `undefined_name`",
        "tests/test_more.py:1:8 F401 `sys` imported but unused",
    ]
    cq, sarif = load_reports(ctx)
    assert_valid_codequality(cq)
    assert [
        (i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in cq
    ] == [
        ("F401", "src/pkg/broken.py", 1),
        ("F821", "src/pkg/broken.py", 5),
        ("F401", "tests/test_more.py", 1),
    ]
    assert cq[0]["description"] == "F401: `os` imported but unused"
    assert {i["severity"] for i in cq} == {"major"}

    assert_valid_sarif(sarif)
    run = sarif["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["F401", "F821"]
    assert run["tool"]["driver"]["rules"][0]["name"] == "unused-import"
    assert run["tool"]["driver"]["rules"][0]["helpUri"].startswith("https://")
    first = run["results"][1]
    assert first["ruleId"] == "F821"
    assert first["level"] == "warning"
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "src/pkg/broken.py"
    )
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] == 5


def test_sarif_regions_match_ruffs_own_sarif(tmp_path: Path) -> None:
    """Our conversion must place every result where ruff's own SARIF writer does."""
    write(
        clean_repo(tmp_path),
        {"src/pkg/broken.py": "import os, sys\n\n\ndef f():\n    return missing + 1\n"},
    )
    ctx = make_ctx(tmp_path)
    lint.run(ctx)
    _, ours = load_reports(ctx)
    theirs = json.loads(
        subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--output-format", "sarif", "src", "tests"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    )

    def key(result: dict[str, Any]) -> tuple[str, str, int, int, int, int]:
        phys = result["locations"][0]["physicalLocation"]
        region = phys["region"]
        uri = phys["artifactLocation"]["uri"].split("/src/", 1)[-1].removeprefix("src/")
        return (
            result["ruleId"],
            uri,
            region["startLine"],
            region["startColumn"],
            region["endLine"],
            region["endColumn"],
        )

    assert len(ours["runs"][0]["results"]) == 4  # E401, F401 twice, F821
    assert sorted(map(key, ours["runs"][0]["results"])) == sorted(
        map(key, theirs["runs"][0]["results"])
    )


def test_unformatted_file_fails_and_is_listed(tmp_path: Path) -> None:
    write(clean_repo(tmp_path), {"src/pkg/ugly.py": "x = {  'a':1 }\n"})
    ctx = make_ctx(tmp_path)
    result = lint.run(ctx)
    assert result.status == "failed"
    assert result.summary == "ruff: no problems in src, tests; 1 file would be reformatted"
    assert result.details == "src/pkg/ugly.py: would be reformatted (run `ruff format`)"
    cq, sarif = load_reports(ctx)
    assert_valid_codequality(cq)
    assert [(i["check_name"], i["location"]["path"], i["severity"]) for i in cq] == [
        ("unformatted", "src/pkg/ugly.py", "minor")
    ]
    assert_valid_sarif(sarif)
    assert sarif["runs"][0]["results"][0]["level"] == "note"


def test_format_check_can_be_disabled(tmp_path: Path) -> None:
    write(clean_repo(tmp_path), {"src/pkg/ugly.py": "x = {  'a':1 }\n"})
    result = lint.run(make_ctx(tmp_path, lint_cfg=LintConfig(format_check=False)))
    assert result.status == "passed"
    assert result.summary == "ruff: no problems in src, tests"


def test_problems_and_formatting_are_summarised_together(tmp_path: Path) -> None:
    write(clean_repo(tmp_path), {"src/pkg/ugly.py": "import os\nx = {  'a':1 }\n"})
    result = lint.run(make_ctx(tmp_path))
    assert result.summary == "ruff: 1 problem in 1 file; 1 file would be reformatted"
    assert result.details.splitlines() == [
        "src/pkg/ugly.py:1:8 F401 `os` imported but unused",
        "src/pkg/ugly.py: would be reformatted (run `ruff format`)",
    ]


RUFF_EXTRA = """\
[tool.ruff]
fix = true
extend-exclude = ["src/pkg/generated"]

[tool.ruff.lint]
extend-select = ["T20"]"""


def test_repo_ruff_config_is_respected(tmp_path: Path) -> None:
    """Extra rules, excludes and even `fix = true` in the repo's own config."""
    clean_repo(tmp_path)
    write(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT.replace("[tool.ruff.lint]", RUFF_EXTRA),
            "src/pkg/talk.py": 'import os\n\nprint("hi")\n',
            "src/pkg/generated/junk.py": "import sys\n",
        },
    )
    result = lint.run(make_ctx(tmp_path))
    assert result.status == "failed"
    codes = [line.split()[1] for line in result.details.splitlines()]
    assert codes == ["F401", "T201"]
    assert "generated" not in result.details
    # --no-fix: the checkout is never modified, even though the repo asks ruff to fix.
    assert (tmp_path / "src/pkg/talk.py").read_text() == 'import os\n\nprint("hi")\n'


def test_extra_args_are_passed_to_ruff_check(tmp_path: Path) -> None:
    write(clean_repo(tmp_path), {"src/pkg/talk.py": 'print("hi")\n'})
    plain = lint.run(make_ctx(tmp_path))
    assert plain.status == "passed"
    strict = lint.run(make_ctx(tmp_path, lint_cfg=LintConfig(args=["--extend-select", "T201"])))
    assert strict.status == "failed"
    assert strict.details == "src/pkg/talk.py:1:1 T201 `print` found"


def test_project_in_subfolder_prefixes_report_paths(tmp_path: Path) -> None:
    project = clean_repo(tmp_path / "services" / "churn")
    write(project, {"src/pkg/broken.py": "import os\n"})
    ctx = make_ctx(project, root="services/churn")
    result = lint.run(ctx)
    assert result.status == "failed"
    assert result.details == "services/churn/src/pkg/broken.py:1:8 F401 `os` imported but unused"
    cq, sarif = load_reports(ctx)
    assert [i["location"]["path"] for i in cq] == ["services/churn/src/pkg/broken.py"]
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "services/churn/src/pkg/broken.py"
    # Reports still live in the project's own reports folder.
    assert ctx.reports_dir == project.resolve() / ".pipelinekit" / "reports"


def test_notebooks_are_linted_with_their_cell(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Title"]},
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": ["x = 1\n", "import os"],
            },
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    clean_repo(tmp_path)
    write(tmp_path, {"notebooks/Exploratory analysis.ipynb": json.dumps(notebook)})
    ctx = make_ctx(
        tmp_path, notebooks=("notebooks/Exploratory analysis.ipynb",), lints_notebooks=True
    )
    # a repository that does not lint its notebooks itself: exploration is left alone
    assert (
        lint.run(replace(ctx, facts=ctx.facts.model_copy(update={"lints_notebooks": False}))).status
        == "passed"
    )
    result = lint.run(ctx)
    assert result.status == "failed"
    lines = result.details.splitlines()
    assert "notebooks/Exploratory analysis.ipynb:cell 2:2:8 F401 `os` imported but unused" in lines
    cq, sarif = load_reports(ctx)
    assert_valid_codequality(cq)
    assert_valid_sarif(sarif)
    f401 = next(i for i in cq if i["check_name"] == "F401")
    assert f401["location"]["path"] == "notebooks/Exploratory analysis.ipynb"
    assert f401["description"] == "F401: cell 2: `os` imported but unused"


def test_nested_and_duplicate_paths_report_each_problem_once(tmp_path: Path) -> None:
    write(clean_repo(tmp_path), {"tests/test_more.py": "import sys\n"})
    ctx = make_ctx(tmp_path, source_dirs=(".",), tests=("tests", "./tests"))
    result = lint.run(ctx)
    assert lint.lint_paths(ctx) == ["tests"]  # a flat layout: its packages (none here), not "."
    assert result.details == "tests/test_more.py:1:8 F401 `sys` imported but unused"
    assert result.summary.startswith("ruff: 1 problem in 1 file")


def test_configured_paths_replace_detected_ones(tmp_path: Path) -> None:
    write(clean_repo(tmp_path), {"tests/test_more.py": "import sys\n"})
    result = lint.run(make_ctx(tmp_path, lint_cfg=LintConfig(paths=["src"])))
    assert result.status == "passed"
    assert result.summary == "ruff: no problems in src; formatting ok"


def test_missing_configured_path_is_a_config_error(tmp_path: Path) -> None:
    ctx = make_ctx(clean_repo(tmp_path), lint_cfg=LintConfig(paths=["src", "lib"]))
    with pytest.raises(ConfigError, match=r"paths: lib not found"):
        lint.run(ctx)


def test_nothing_to_lint_is_skipped_with_empty_reports(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, source_dirs=("src",), tests=())
    result = lint.run(ctx)
    assert result.status == "skipped"
    assert "nothing to lint" in result.summary
    cq, sarif = load_reports(ctx)
    assert cq == []
    assert sarif["runs"][0]["results"] == []


def test_disabled_stage_is_skipped(tmp_path: Path) -> None:
    result = lint.run(make_ctx(clean_repo(tmp_path), lint_cfg=LintConfig(enabled=False)))
    assert result.status == "skipped"
    assert "disabled" in result.summary


def test_invalid_ruff_config_names_the_file(tmp_path: Path) -> None:
    write(
        clean_repo(tmp_path),
        {"ruff.toml": '[lint]\nselect = ["NOPE999"]\n'},
    )
    with pytest.raises(ConfigError) as info:
        lint.run(make_ctx(tmp_path))
    message = info.value.message
    assert str(tmp_path.resolve() / "ruff.toml") in message
    assert "NOPE999" in message
    assert info.value.exit_code == 2


def test_bad_extra_args_point_at_pipelinekit_config(tmp_path: Path) -> None:
    ctx = make_ctx(clean_repo(tmp_path), lint_cfg=LintConfig(args=["--no-such-flag"]))
    with pytest.raises(ConfigError, match=r"\[tool\.pipelinekit\.lint\] args \(--no-such-flag\)"):
        lint.run(ctx)


def test_missing_ruff_is_an_external_error(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    ctx = make_ctx(clean_repo(tmp_path / "repo"), python=str(venv / "bin" / "python"))
    with pytest.raises(ExternalError, match="ruff is not installed") as info:
        lint.run(ctx)
    assert info.value.exit_code == 3


FAKE_OLD_RUFF = """\
import sys
args = sys.argv[1:]
if args[0] == "check":
    print("[]")
    sys.exit(0)
if "--output-format" in args:
    print("error: unexpected argument '--output-format' found", file=sys.stderr)
    sys.exit(2)
print("Would reformat: src/pkg/core.py")
print("1 file would be reformatted")
sys.exit(1)
"""


def test_format_check_falls_back_for_ruff_without_format_json(tmp_path: Path) -> None:
    """Older ruff (before JSON output for `format`) prints "Would reformat: PATH"."""
    fake = write(tmp_path / "fake", {"ruff/__init__.py": "", "ruff/__main__.py": FAKE_OLD_RUFF})
    ctx = make_ctx(clean_repo(tmp_path / "repo"), env={"PYTHONPATH": str(fake)})
    result = lint.run(ctx)
    assert result.status == "failed"
    assert result.summary == "ruff: no problems in src, tests; 1 file would be reformatted"
    cq, _ = load_reports(ctx)
    assert [i["location"]["path"] for i in cq] == ["src/pkg/core.py"]


def test_unreadable_ruff_output_is_an_external_error(tmp_path: Path) -> None:
    fake = write(
        tmp_path / "fake",
        {"ruff/__init__.py": "", "ruff/__main__.py": "print('not json')\n"},
    )
    ctx = make_ctx(clean_repo(tmp_path / "repo"), env={"PYTHONPATH": str(fake)})
    with pytest.raises(ExternalError, match="did not print a JSON list"):
        lint.run(ctx)


def problem(
    line: int, code: str = "F401", message: str = "`os` imported but unused"
) -> lint.Problem:
    return lint.Problem("src/a.py", line, 1, line, 5, code, message)


def test_fingerprints_survive_moved_lines_and_separate_repeats() -> None:
    before = lint.to_codequality([problem(3), problem(9)])
    after = lint.to_codequality([problem(5), problem(11)])  # two lines inserted above
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert before[0]["fingerprint"] != before[1]["fingerprint"]
    other = lint.to_codequality([problem(3, message="`sys` imported but unused")])
    assert other[0]["fingerprint"] != before[0]["fingerprint"]


def test_old_style_syntax_errors_are_blockers() -> None:
    """Ruff before 0.9 reported syntax errors with code null and a "SyntaxError: " prefix."""
    item = {
        "code": None,
        "filename": "/work/p/src/a.py",
        "location": {"row": 2, "column": 4},
        "end_location": None,
        "message": "SyntaxError: Expected ')', found newline",
    }
    (p,) = lint.parse_ruff_json([item], Path("/work/p"), "svc")
    assert (p.path, p.code, p.message, p.end_line) == (
        "svc/src/a.py",
        "invalid-syntax",
        "Expected ')', found newline",
        2,
    )
    assert lint.to_codequality([p])[0]["severity"] == "blocker"
    sarif = lint.to_sarif([p])
    assert_valid_sarif(sarif)
    assert sarif["runs"][0]["results"][0]["level"] == "error"
    assert "helpUri" not in sarif["runs"][0]["tool"]["driver"]["rules"][0]


def test_details_are_capped(tmp_path: Path) -> None:
    problems = [problem(n) for n in range(1, 26)]
    text = lint.describe(problems, [])
    lines = text.splitlines()
    assert len(lines) == lint.MAX_DETAILS + 1
    assert lines[-1].startswith("... and 5 more")


def test_repo_path_outside_project_and_relative() -> None:
    assert lint.repo_path("/r/svc/../lib/x.py", Path("/r/svc"), "svc") == "lib/x.py"
    assert lint.repo_path("src/x.py", Path("/r/svc"), ".") == "src/x.py"
    assert lint.repo_path("/r/other/x.py", Path("/r/svc"), ".") == "../other/x.py"


def test_find_ruff_config_prefers_the_closest(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[tool.ruff]\n", "sub/pyproject.toml": "[project]\n"})
    assert lint_ruff.find_ruff_config(tmp_path / "sub") == tmp_path.resolve() / "pyproject.toml"
    write(tmp_path, {"sub/.ruff.toml": ""})
    assert lint_ruff.find_ruff_config(tmp_path / "sub") == tmp_path.resolve() / "sub" / ".ruff.toml"


def test_syntax_errors_fail_check_without_breaking_format_check(tmp_path: Path) -> None:
    """`ruff format --check` exits 2 on unparsable files; `ruff check` reports them."""
    write(clean_repo(tmp_path), {"src/pkg/broken.py": "def f(:\n    pass\n"})
    ctx = make_ctx(tmp_path)
    result = lint.run(ctx)
    assert result.status == "failed"
    assert result.summary.endswith("; formatting ok")
    cq, sarif = load_reports(ctx)
    assert cq[0]["location"]["path"] == "src/pkg/broken.py"
    assert cq[0]["severity"] == "blocker"
    assert sarif["runs"][0]["results"][0]["level"] == "error"


FAKE_FORMAT_CRASH = """\
import sys
if sys.argv[1] == "check":
    print("[]")
    sys.exit(0)
sys.exit(2)
"""


FAKE_OLD_FORMAT_CRASH = """\
import sys
if sys.argv[1] == "check":
    print("[]")
    sys.exit(0)
if "--output-format" in sys.argv:
    print("error: unexpected argument '--output-format' found", file=sys.stderr)
sys.exit(2)
"""


@pytest.mark.parametrize("script", [FAKE_FORMAT_CRASH, FAKE_OLD_FORMAT_CRASH])
def test_ruff_format_stopping_is_a_config_error(tmp_path: Path, script: str) -> None:
    fake = write(tmp_path / "fake", {"ruff/__init__.py": "", "ruff/__main__.py": script})
    ctx = make_ctx(clean_repo(tmp_path / "repo"), env={"PYTHONPATH": str(fake)})
    with pytest.raises(ConfigError, match=r"`ruff format --check` stopped before checking"):
        lint.run(ctx)


def test_reports_are_not_left_half_written(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "x.json"
    lint_findings.write_json_atomic(target, {"ok": 1})
    with pytest.raises(TypeError):
        lint_findings.write_json_atomic(target, {"bad": object()})
    assert json.loads(target.read_text()) == {"ok": 1}
    assert [p.name for p in target.parent.iterdir()] == ["x.json"]


def test_unformatted_details_are_capped() -> None:
    files = [lint.Problem(f"f{n}.py", 1, 1, 1, 1, "unformatted", "x") for n in range(22)]
    lines = lint.describe([], files).splitlines()
    assert len(lines) == lint.MAX_DETAILS + 1
    assert lines[-1] == "... and 2 more files to reformat"


def test_find_ruff_config_skips_unreadable_pyproject(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_bytes(b"\xff\xfe[tool.ruff]")
    # The unreadable file is passed over: the search goes on upwards.
    assert lint_ruff.find_ruff_config(tmp_path / "sub") == lint_ruff.find_ruff_config(
        tmp_path.parent
    )
    (tmp_path / "ruff.toml").write_text("")
    assert lint_ruff.find_ruff_config(tmp_path / "sub") == tmp_path.resolve() / "ruff.toml"


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "churn-model"


def test_bundled_example_is_clean_with_ruff_defaults(tmp_path: Path) -> None:
    """The quick-start repo must pass the stage as shipped, notebook included."""
    project = tmp_path / "examples" / "churn-model"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".*cache", "*.egg-info"))
    notebook = "notebooks/Exploratory analysis.ipynb"
    ctx = make_ctx(
        project, root="examples/churn-model", notebooks=(notebook,), lints_notebooks=True
    )
    result = lint.run(ctx)
    assert result.status == "passed", result.details
    assert result.summary == f"ruff: no problems in src, tests, {notebook}; formatting ok"


def test_sarif_locations_are_uri_references() -> None:
    """SARIF wants a URI reference: a space, a `#` or an accent in a path is percent-encoded
    (GitHub code scanning warns "not a valid URI" and SonarQube's import fails otherwise), and
    decoding gives the path back."""
    from urllib.parse import unquote

    from pipelinekit.stages.lint_findings import sarif_result

    path = "notebooks/my dir/été #1.py"
    result = sarif_result(
        rule_id="F401", rule_index=0, severity="major", text="x", path=path, region=None
    )
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "notebooks/my%20dir/%C3%A9t%C3%A9%20%231.py"
    assert unquote(uri) == path
