"""A property over the whole `[tool.pipelinekit]` schema: any table is either refused with a
one-paragraph exit-2 error, or rendered into files their real parsers accept (GitLab's JSON
schema and YAML loader, RE2 for every rule regex, `bash -n` for every script line, Groovy for
the Jenkinsfile, hadolint's parser for the Dockerfile), never an internal error.

Tables come from the schema itself (hypothesis-jsonschema over `Config.model_json_schema()`),
half of them with one value replaced by something hostile: another type, control characters,
quotes and `${...}`, non-ASCII, a very long string.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pipelinekit.config.models import Config, parse_config
from pipelinekit.detect.repo import detect
from pipelinekit.errors import PipelinekitError
from pipelinekit.plan.planner import plan
from pipelinekit.render.outputs import render_all
from tests.support.gitlab import load_yaml, validate_gitlab_ci
from tests.support.groovy import parse_many
from tests.support.hadolint import hadolint

hypothesis_jsonschema = pytest.importorskip("hypothesis_jsonschema")
re2 = pytest.importorskip("re2")

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "churn-model"
EXAMPLES = 60

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "a'b\"c${X}`id`\\n",
            "feat—x",
            "é/ü*[",
            "x" * 20_000,
            "\x00nul",
            "line\nbreak",
            "$(rm -rf /)",
            "'''",
            '"""',
            "**/",
        ]
    ),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.lists(st.text(max_size=10), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


def _as_toml(value: Any) -> Any:
    """What a TOML file can hold: no null, no lone surrogate (TOML is UTF-8)."""
    if isinstance(value, dict):
        return {
            _as_toml(k): _as_toml(v) for k, v in value.items() if v is not None and k is not None
        }
    if isinstance(value, list):
        return [_as_toml(v) for v in value if v is not None]
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8").replace("?", "?")
    return value


def _section_keys() -> dict[str, list[str]]:
    """Each section's keys as the schema states them (pydantic models and the plain dataclass
    sections alike)."""
    schema = Config.model_json_schema()
    keys = {}
    for section, prop in schema["properties"].items():
        ref = prop.get("$ref") or next(
            (p["$ref"] for p in prop.get("anyOf", []) if "$ref" in p), ""
        )
        definition = schema["$defs"].get(ref.rpartition("/")[2], {})
        if definition.get("properties"):
            keys[section] = sorted(definition["properties"])
    return keys


SECTION_KEYS = _section_keys()


@st.composite
def tables(draw: st.DrawFn) -> dict[str, Any]:
    table = _as_toml(draw(hypothesis_jsonschema.from_schema(Config.model_json_schema())))
    if draw(st.booleans()):
        return table  # as the schema allows
    sections = [k for k, v in table.items() if isinstance(v, dict)]
    section = draw(st.sampled_from(sections or sorted(SECTION_KEYS)))
    key = draw(st.sampled_from(SECTION_KEYS[section]))
    table.setdefault(section, {})[key] = _as_toml(draw(HOSTILE))
    return table


def _regexes(doc: Any) -> list[str]:
    found: list[str] = []
    if isinstance(doc, dict):
        for value in doc.values():
            found += _regexes(value)
    elif isinstance(doc, list):
        for value in doc:
            found += _regexes(value)
    elif isinstance(doc, str) and "=~" in doc:
        found += re.findall(r"=~\s*/((?:\\/|[^/])*)/", doc)
    return found


def _scripts(doc: Any) -> list[str]:
    lines: list[str] = []
    for job in doc.values() if isinstance(doc, dict) else []:
        if isinstance(job, dict):
            for key in ("before_script", "script", "after_script"):
                value = job.get(key, [])
                lines += [value] if isinstance(value, str) else [str(v) for v in value]
    return lines


def test_any_table_renders_parsable_files_or_is_refused(tmp_path: Path) -> None:
    facts = detect(EXAMPLE)
    jenkinsfiles: list[Path] = []
    outcomes = {"refused": 0, "rendered": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        # a failing table is printed as found: shrinking one can take minutes
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(tables())
    def check(table: dict[str, Any]) -> None:
        try:
            config = parse_config(table, source="pyproject.toml")
            outputs = {o.path: o.text for o in render_all(facts, config, plan(facts, config))}
        except PipelinekitError as refused:
            assert refused.exit_code == 2, refused.message
            assert "\n" not in refused.message.strip() or "Traceback" not in refused.message
            outcomes["refused"] += 1
            return
        outcomes["rendered"] += 1
        gitlab = outputs.get(".gitlab-ci.yml")
        if gitlab is not None:
            assert validate_gitlab_ci(gitlab) == [], (table, gitlab)
            doc = load_yaml(gitlab)
            for pattern in _regexes(doc):
                assert re2.compile(pattern.replace("\\/", "/")) is not None, pattern
            script = "\n".join(_scripts(doc))
            syntax = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
            assert syntax.returncode == 0, (table, syntax.stderr, script)
        if "Jenkinsfile" in outputs:
            path = tmp_path / f"Jenkinsfile.{len(jenkinsfiles)}"
            path.write_text(outputs["Jenkinsfile"])
            jenkinsfiles.append(path)
        if "Dockerfile" in outputs:
            errors = [f for f in hadolint(outputs["Dockerfile"]) if f["code"] == "DL1000"]
            assert errors == [], (table, errors)

    check()
    failures = {p: e for p, e in parse_many(jenkinsfiles).items() if e is not None}
    assert failures == {}, failures
    # both outcomes were exercised, or the property says little
    assert outcomes["refused"] >= 5 and outcomes["rendered"] >= 5, outcomes
