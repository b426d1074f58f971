"""docs/configuration.md is generated from the settings models; this keeps it in step."""

from __future__ import annotations

from pathlib import Path

from pipelinekit.config.models import Config
from pipelinekit.config.reference import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_reference_matches_models() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/configuration.md is stale: run `python -m pipelinekit.config.reference > docs/configuration.md`"
    )


def test_every_section_and_key_is_documented() -> None:
    text = render()
    for name, field in Config.model_fields.items():
        assert f"[tool.pipelinekit.{field.alias or name}" in text
    assert "| `threshold` | float \\| none |" in text
    assert '| `targets` | list of "jenkins" \\| "gitlab" |' in text
    assert '| `default_branch` | str | `"main"` | The branch releases are made from. |' in text
