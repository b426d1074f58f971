import json
from pathlib import Path

import pytest

from churn.cli import main


def test_train_then_predict_on_sample(
    sample_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model_path = tmp_path / "churn.json"
    assert main(["train", str(sample_csv), "--model", str(model_path)]) == 0
    assert "trained on 50 rows" in capsys.readouterr().out
    assert json.loads(model_path.read_text())["format"] == 1

    assert main(["predict", str(model_path), str(sample_csv)]) == 0
    scores = [float(line) for line in capsys.readouterr().out.split()]
    assert len(scores) == 50
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_missing_file_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", str(tmp_path / "absent.csv")]) == 2
    assert "churn: error:" in capsys.readouterr().err
