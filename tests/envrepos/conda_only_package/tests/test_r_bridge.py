import shutil

from r_bridge import r_eval


def test_rscript_is_on_path():
    # r-base is a conda package with no PyPI equivalent: only a conda environment has it.
    assert shutil.which("Rscript") is not None


def test_r_eval():
    assert r_eval("1 + 2") == "3"
