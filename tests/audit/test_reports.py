"""The report formats: the JSON contract's exact shape, SARIF validated against the SARIF
2.1.0 JSON schema, GitLab Code Quality's shape, the terminal tables, and the HTML page loaded
in headless Chromium (offline, no console error, the chart's bars laid out).

The SARIF schema (`sarif-2.1.0-rtm.5.json`, the SARIF 2.1.0 schema as SchemaStore publishes
it) is vendored from the npm package @microsoft/jest-sarif 1.0.0-beta.0 (MIT)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from pipelinekit.audit.formats import FILES, render, write_all
from pipelinekit.audit.model import AuditReport
from tests.support.tools import in_ci

SCHEMA = Path(__file__).with_name("sarif-2.1.0-rtm.5.json")


def test_json_has_exactly_the_contract_shape(unhealthy: AuditReport) -> None:
    data = json.loads(render(unhealthy, "json"))
    assert set(data) == {"score", "sections", "checks", "findings"}
    assert data["score"] == unhealthy.score and 0 <= data["score"] <= 100
    assert all(set(c) == {"id", "section", "status", "message"} for c in data["checks"])
    assert all(set(f) == {"check", "severity", "path", "line", "message"} for f in data["findings"])
    assert [s["id"] for s in data["sections"]] == [
        "code_quality",
        "tests",
        "performance",
        "gpu",
        "packaging",
        "cloud",
        "cicd",
        "security",
        "monitoring",
    ]
    paths = {f["path"] for f in data["findings"]} - {None}
    assert paths and not any(p.startswith("/") for p in paths)
    key = next(f for f in data["findings"] if f["check"] == "secrets")
    assert (key["severity"], key["path"], key["line"]) == (
        "critical",
        "src/ml_service/service.py",
        9,
    )


def test_sarif_is_valid_sarif_2_1_0(unhealthy: AuditReport) -> None:
    data = json.loads(render(unhealthy, "sarif"))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    run = data["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) == len(unhealthy.results)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    levels = {(r["ruleId"], r["level"]) for r in run["results"]}
    assert ("secrets", "error") in levels and ("metrics", "note") in levels
    assert ("bandit", "warning") in levels  # S301 is major
    anchored = next(r for r in run["results"] if r["ruleId"] == "ci-pipeline")
    location = anchored["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "pyproject.toml" and "region" not in location


def test_sarif_of_a_clean_repository_is_valid_too(healthy: AuditReport) -> None:
    data = json.loads(render(healthy, "sarif"))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert data["runs"][0]["results"] == [] and data["runs"][0]["properties"]["score"] == 100


def test_codequality_issues(unhealthy: AuditReport) -> None:
    issues = json.loads(render(unhealthy, "codequality"))
    assert len(issues) == len(unhealthy.findings)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    for issue in issues:
        assert set(issue) == {
            "type",
            "description",
            "check_name",
            "fingerprint",
            "severity",
            "categories",
            "location",
        }
        assert issue["severity"] in {"critical", "major", "minor", "info"}
        assert issue["location"]["lines"]["begin"] >= 1
    secret = next(i for i in issues if i["check_name"].startswith("audit/secrets"))
    assert secret["categories"] == ["Security"]
    assert secret["location"] == {
        "path": "src/ml_service/service.py",
        "lines": {"begin": 9, "end": 9},
    }


def test_text_has_a_table_per_section_and_the_time(unhealthy: AuditReport) -> None:
    text = render(unhealthy, "text")
    for title in ("Code quality: ", "Security: ", "Monitoring: ", "CI/CD and versioning: "):
        assert title in text
    assert re.search(r"Score \d+/100 for repo: 23 checks .* in \d+\.\d s", text)
    assert "src/ml_service/service.py:9" in text


def test_write_all_writes_every_format(unhealthy: AuditReport, tmp_path: Path) -> None:
    written = write_all(unhealthy, tmp_path / "reports")
    assert sorted(p.name for p in written) == sorted(FILES.values())
    assert json.loads((tmp_path / "reports" / "audit.json").read_text())["score"] == unhealthy.score


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if in_ci():
            pytest.fail("chromium is missing: run scripts/install-test-tools.sh")
        pytest.skip("chromium is not installed (scripts/install-test-tools.sh installs it)")
    return found


def _load(page: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PROBE = """<script>
document.body.setAttribute('data-bars', JSON.stringify(
  Array.from(document.querySelectorAll('svg#scores rect.bar')).map(function (r) {
    var box = r.getBoundingClientRect();
    return [r.getAttribute('data-section'), Math.round(box.width), Math.round(box.height)];
  })));
</script></body>"""


def test_html_renders_in_headless_chromium(unhealthy: AuditReport, tmp_path: Path) -> None:
    """The page as written loads with no console message; a copy with a probe script appended
    reports the laid-out size of each bar, so the chart really renders (one bar per section,
    as tall as its score)."""
    page = tmp_path / "audit.html"
    html = render(unhealthy, "html")
    # Self-contained: nothing to fetch (no script, stylesheet, image or font by URL).
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"(?:src|href)=[\"']?https?:", html)
    page.write_text(html, encoding="utf-8")
    loaded = _load(page, tmp_path / "profile")
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert "CONSOLE" not in loaded.stderr, loaded.stderr
    assert 'id="files"' in loaded.stdout and "src/ml_service/service.py" in loaded.stdout
    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("</body>", PROBE), encoding="utf-8")
    dom = _load(probed, tmp_path / "profile2").stdout
    bars = json.loads(re.search(r"data-bars=\"([^\"]*)\"", dom)[1].replace("&quot;", '"'))  # type: ignore[index]
    assert [b[0] for b in bars] == [s.id for s in unhealthy.sections]
    heights = {section: height for section, width, height in bars if width == 56}
    security = next(s for s in unhealthy.sections if s.id == "security")
    assert security.score is not None
    assert heights["security"] == max(2, round(160 * security.score / 100))
    assert heights["performance"] > heights["security"]


def test_text_lists_a_checks_first_findings_new_ones_first(unhealthy: AuditReport) -> None:
    """A check with thousands of findings lists 20 in the terminal, the new ones (what the
    ratchet gates on) first, and says how many more the other formats hold."""
    import dataclasses

    from pipelinekit.audit.fmt_text import SHOWN_PER_CHECK

    result = next(r for r in unhealthy.results if r.check.id == "bugbear")
    template = result.findings[0]
    old = [
        dataclasses.replace(template, line=n, baseline="unchanged", message=f"old {n}")
        for n in range(1, 100)
    ]
    many = (*old, dataclasses.replace(template, line=500, baseline="new", message="brand new"))
    results = tuple(
        dataclasses.replace(r, findings=many) if r is result else r for r in unhealthy.results
    )
    text = render(dataclasses.replace(unhealthy, results=results), "text")
    assert "brand new" in text and "old 19" in text and "old 20" not in text
    assert f"... and {len(many) - SHOWN_PER_CHECK} more (--format html" in text
    assert text.index("brand new") < text.index("old 1 ")
