"""Builders of realistic, messy data-science repositories for detect and renderer tests.

Each builder writes one repository into the folder it is given (created if missing). Besides the
project itself they plant what real repositories carry and detection must look past: a virtualenv
with site-packages (holding torch, test files and notebooks), .ipynb_checkpoints, build output,
data folders, READMEs and .gitignore files. `LAYOUTS` maps a layout name to its builder so golden
tests of the renderers can iterate the same repositories.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

GITIGNORE = """\
__pycache__/
*.py[cod]
.venv/
venv/
env/
build/
dist/
*.egg-info/
.ipynb_checkpoints/
data/raw/
.coverage
"""


def write(root: Path, rel: str, text: str = "") -> Path:
    """Write `text` (dedented) to root/rel, creating folders; returns the path."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")
    return path


def write_files(root: Path, files: dict[str, str]) -> Path:
    """`write` every rel -> text of `files` under root; returns root."""
    for rel, text in files.items():
        write(root, rel, text)
    return root


def notebook(root: Path, rel: str, *sources: str) -> Path:
    """A valid nbformat-4 notebook whose code cells hold `sources`."""
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": source.splitlines(keepends=True),
        }
        for source in sources or ("import pandas as pd\n",)
    ]
    document = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.11.7"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return write(root, rel, json.dumps(document, indent=1) + "\n")


def checkpoint(root: Path, notebook_rel: str) -> None:
    """The copy Jupyter keeps in .ipynb_checkpoints beside a notebook (never a real notebook)."""
    folder, _, name = notebook_rel.rpartition("/")
    stem = name.removesuffix(".ipynb")
    prefix = f"{folder}/" if folder else ""
    notebook(root, f"{prefix}.ipynb_checkpoints/{stem}-checkpoint.ipynb", "x = 1\n")


def virtualenv(root: Path, rel: str) -> None:
    """A virtualenv whose site-packages would fool a naive walk: packages, GPU imports, tests,
    notebooks and requirement files."""
    write(root, f"{rel}/pyvenv.cfg", "home = /usr/bin\nversion = 3.11.7\n")
    site = f"{rel}/lib/python3.11/site-packages"
    write(root, f"{site}/torch/__init__.py", "import torch._C\n")
    write(root, f"{site}/cupy/__init__.py", "")
    write(root, f"{site}/sklearn/tests/test_base.py", "import pytest\n\ndef test_x():\n    pass\n")
    write(root, f"{site}/pip/_vendor/requirements.txt", "tensorflow\n")
    notebook(root, f"{site}/notebook/tests/sample.ipynb")
    write(root, f"{rel}/bin/activate", "# activate\n")


def data_folder(root: Path, prefix: str = "") -> None:
    write(root, f"{prefix}data/raw/train.csv", "id,amount,label\n1,9.5,0\n2,120.0,1\n")
    write(root, f"{prefix}data/processed/.gitkeep")
    write(root, f"{prefix}data/README.md", "Raw data is pulled from S3 by `make data`.\n")


def src_setuptools(root: Path) -> None:
    """PEP 621 + setuptools, src layout, tests/, requirements-dev.txt, torch in dependencies."""
    write(
        root,
        "pyproject.toml",
        """\
        [build-system]
        requires = ["setuptools>=68", "wheel"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "churn-predictor"
        version = "1.4.2"
        description = "Predict customer churn"
        readme = "README.md"
        requires-python = ">=3.9,<3.13"
        dependencies = [
          "numpy>=1.24",
          "pandas>=2.0",
          "scikit-learn>=1.3",
          "torch>=2.1; platform_system != 'Darwin'",
        ]

        [project.optional-dependencies]
        viz = ["matplotlib>=3.8", "seaborn"]

        [project.scripts]
        churn-train = "churn_predictor.train:main"

        [tool.setuptools.packages.find]
        where = ["src"]

        [tool.ruff]
        line-length = 100

        [tool.pytest.ini_options]
        testpaths = ["tests"]
        addopts = "-ra"

        [tool.coverage.run]
        source = ["churn_predictor"]
        branch = true
        """,
    )
    write(root, "README.md", "# churn-predictor\n\n`pip install -e .[viz]` then `pytest`.\n")
    write(root, ".gitignore", GITIGNORE)
    write(root, ".git/HEAD", "ref: refs/heads/main\n")
    write(root, "src/churn_predictor/__init__.py", '__version__ = "1.4.2"\n')
    write(
        root,
        "src/churn_predictor/model.py",
        """\
        import torch
        from torch import nn


        class ChurnNet(nn.Module):
            def __init__(self, features: int) -> None:
                super().__init__()
                self.linear = nn.Linear(features, 1)
        """,
    )
    write(root, "src/churn_predictor/train.py", "def main() -> None:\n    print('training')\n")
    write(root, "src/churn_predictor/io/__init__.py")
    write(root, "src/churn_predictor/io/loader.py", "import pandas as pd\n")
    write(
        root,
        "tests/conftest.py",
        "import pytest\n\n\n@pytest.fixture\ndef rows():\n    return []\n",
    )
    write(root, "tests/test_model.py", "def test_model(rows):\n    assert rows == []\n")
    write(
        root,
        "requirements-dev.txt",
        """\
        -e .[viz]
        pytest>=8
        pytest-cov  # coverage in CI
        ruff==0.4.4
        """,
    )
    notebook(root, "notebooks/exploration.ipynb", "import pandas as pd\n", "df = pd.read_csv(p)\n")
    checkpoint(root, "notebooks/exploration.ipynb")
    data_folder(root)
    virtualenv(root, ".venv")
    write(root, "build/lib/churn_predictor/__init__.py")
    write(root, "src/churn_predictor.egg-info/PKG-INFO", "Name: churn-predictor\n")


def flat_poetry(root: Path) -> None:
    """Poetry, flat layout, dist name differs from the package, tests inside the package,
    caret Python constraint, tensorflow in an optional poetry group."""
    write(
        root,
        "pyproject.toml",
        """\
        [tool.poetry]
        name = "scikit-learn-demo"
        version = "0.3.0"
        description = "Demo models"
        authors = ["Data Team <data@example.com>"]
        packages = [{ include = "skdemo" }]

        [tool.poetry.dependencies]
        python = "^3.10"
        numpy = "^1.26"
        scikit-learn = "^1.4"

        [tool.poetry.group.dev.dependencies]
        pytest = "^8.0"
        black = "^24.1"

        [tool.poetry.group.gpu]
        optional = true

        [tool.poetry.group.gpu.dependencies]
        tensorflow = { version = "^2.15", extras = ["and-cuda"] }

        [tool.black]
        line-length = 88

        [tool.isort]
        profile = "black"

        [build-system]
        requires = ["poetry-core>=1.0.0"]
        build-backend = "poetry.core.masonry.api"
        """,
    )
    write(
        root,
        "poetry.lock",
        '# This file is automatically @generated by Poetry\n[[package]]\nname = "numpy"\n',
    )
    write(root, "README.md", "# scikit-learn-demo\n")
    write(root, ".gitignore", GITIGNORE)
    write(root, ".flake8", "[flake8]\nmax-line-length = 88\n")
    write(root, "skdemo/__init__.py", "from skdemo.pipeline import build\n")
    write(root, "skdemo/pipeline.py", "import tensorflow as tf\n\ndef build():\n    return tf\n")
    write(root, "skdemo/tests/__init__.py")
    write(
        root,
        "skdemo/tests/test_pipeline.py",
        "import pytest\n\n\ndef test_build():\n    assert True\n",
    )
    write(root, "docs/conf.py", "project = 'skdemo'\n")
    write(root, "docs/__init__.py")
    write(root, "scripts/__init__.py")
    write(root, "scripts/train.py", "from skdemo import build\n")
    notebook(root, "notebooks/Model Comparison.ipynb", "import skdemo\n")
    checkpoint(root, "notebooks/Model Comparison.ipynb")
    data_folder(root)
    virtualenv(root, "venv")


def setup_py_only(root: Path) -> None:
    """setup.py alone (no pyproject): python_requires, jax[cuda12], unittest tests and a
    .python-version pin that the setup.py requirement takes precedence over."""
    write(
        root,
        "setup.py",
        """\
        import os

        from setuptools import find_packages, setup

        HERE = os.path.dirname(os.path.abspath(__file__))
        REQUIRED = [
            "numpy>=1.22",
            "jax[cuda12]>=0.4.20",
            "optax",
        ]

        with open(os.path.join(HERE, "README.md")) as fh:
            long_description = fh.read()

        setup(
            name="jax-forecast",
            version="2.0.1",
            description="Time-series forecasting with JAX",
            long_description=long_description,
            packages=find_packages(exclude=["tests", "tests.*"]),
            python_requires=">=3.9",
            install_requires=REQUIRED,
            extras_require={"docs": ["sphinx>=7"]},
        )
        """,
    )
    write(root, ".python-version", "3.10.4\n")
    write(root, "README.md", "# jax-forecast\n\nRun `python -m unittest discover`.\n")
    write(root, "MANIFEST.in", "include README.md\n")
    write(root, ".gitignore", GITIGNORE)
    write(root, "forecast/__init__.py")
    write(root, "forecast/models/__init__.py")
    write(root, "forecast/models/rnn.py", "import jax.numpy as jnp\n")
    write(root, "tests/__init__.py")
    write(
        root,
        "tests/test_rnn.py",
        """\
        import unittest

        from forecast.models import rnn


        class TestRnn(unittest.TestCase):
            def test_module(self):
                self.assertIsNotNone(rnn)


        if __name__ == "__main__":
            unittest.main()
        """,
    )
    data_folder(root)
    virtualenv(root, "env")


def subfolder_project(root: Path) -> None:
    """A monorepo: README and a frontend at the top, the Python project in ml/ (pdm, src layout),
    notebooks whose names hold spaces and parentheses."""
    write(root, "README.md", "# Fraud platform\n\nThe model lives in `ml/`.\n")
    write(root, ".gitignore", GITIGNORE)
    write(root, "docs/architecture.md", "# Architecture\n")
    write(root, "frontend/package.json", '{"name": "fraud-ui", "version": "1.0.0"}\n')
    write(root, "frontend/node_modules/node-gyp/gyp/pylib/gyp/__init__.py")
    write(root, "frontend/node_modules/node-gyp/gyp/setup.py", "from setuptools import setup\n")
    write(
        root,
        "ml/pyproject.toml",
        """\
        [project]
        name = "fraud-detection"
        version = "0.9.0"
        requires-python = ">=3.11"
        dependencies = ["xgboost>=2", "polars>=0.20"]

        [tool.pdm.dev-dependencies]
        test = ["pytest>=8", "pytest-xdist"]

        [build-system]
        requires = ["pdm-backend"]
        build-backend = "pdm.backend"
        """,
    )
    write(root, "ml/pdm.lock", "# pdm lock\n")
    write(root, "ml/mypy.ini", "[mypy]\nstrict = True\n")
    write(root, "ml/src/fraud/__init__.py")
    write(root, "ml/src/fraud/train.py", "import xgboost\n")
    write(
        root,
        "ml/tests/test_train.py",
        "from fraud import train\n\ndef test_train():\n    assert train\n",
    )
    notebook(root, "ml/notebooks/EDA v2 (final).ipynb", "import polars as pl\n")
    notebook(root, "ml/notebooks/Feature Importance.ipynb")
    checkpoint(root, "ml/notebooks/EDA v2 (final).ipynb")
    data_folder(root, "ml/")
    virtualenv(root, "ml/.venv")


def package_named_src(root: Path) -> None:
    """A package literally named `src` (src/__init__.py): flat layout, package `src`; the
    version is computed in setup.py, the interpreter is pinned in .python-version."""
    write(
        root,
        "setup.py",
        """\
        from setuptools import find_packages, setup

        setup(
            name="legacy-scorer",
            version=open("VERSION").read().strip(),
            packages=find_packages(),
            install_requires=["onnxruntime-gpu==1.17.1", "numpy"],
        )
        """,
    )
    write(root, "VERSION", "3.2.0\n")
    write(root, ".python-version", "3.9\n")
    write(root, "setup.cfg", "[flake8]\nmax-line-length = 120\n\n[coverage:run]\nbranch = True\n")
    write(root, "requirements.txt", "-e .\nnumpy==1.26.4\n")
    write(root, "README.md", "# legacy-scorer\n")
    write(root, ".gitignore", GITIGNORE)
    write(root, "src/__init__.py")
    write(root, "src/score.py", "import onnxruntime as ort\n")
    write(root, "src/utils/__init__.py")
    write(
        root,
        "tests/test_score.py",
        "from src import score\n\n\ndef test_score():\n    assert score\n",
    )
    data_folder(root)
    virtualenv(root, ".venv")


def hatch_vcs_dynamic(root: Path) -> None:
    """hatchling + hatch-vcs (version from git tags), explicit wheel packages, a conda
    environment.yml that brings pytorch, and requires-python that excludes 3.11."""
    write(
        root,
        "pyproject.toml",
        """\
        [build-system]
        requires = ["hatchling", "hatch-vcs"]
        build-backend = "hatchling.build"

        [project]
        name = "vision-lab"
        dynamic = ["version"]
        requires-python = ">=3.12"
        dependencies = ["pillow>=10", "numpy"]

        [project.optional-dependencies]
        dev = ["mypy"]

        [tool.hatch.version]
        source = "vcs"

        [tool.hatch.build.targets.wheel]
        packages = ["src/vision_lab"]

        [tool.mypy]
        strict = true
        """,
    )
    write(
        root,
        "environment.yml",
        """\
        name: vision-lab
        channels:
          - pytorch
          - nvidia
          - conda-forge
        dependencies:
          - python=3.12
          - pytorch::pytorch>=2.2
          - pytorch-cuda=12.1
          - pip
          - pip:
            - timm==0.9.12
        """,
    )
    write(root, ".ruff.toml", "line-length = 100\n")
    write(root, "README.md", "# vision-lab\n\n`conda env create -f environment.yml`\n")
    write(root, ".gitignore", GITIGNORE)
    write(root, "src/vision_lab/__init__.py")
    write(root, "src/vision_lab/models/__init__.py")
    write(root, "src/vision_lab/models/resnet.py", "import torch\n")
    write(
        root,
        "tests/test_models.py",
        "import pytest\n\n\n@pytest.fixture\ndef size():\n    return 3\n\n\n"
        "def test_size(size):\n    assert size == 3\n",
    )
    notebook(root, "experiments/augment.ipynb", "import torch\n")
    checkpoint(root, "experiments/augment.ipynb")
    data_folder(root)
    virtualenv(root, ".venv")


def no_tests_cpu(root: Path) -> None:
    """A single-module project described by setup.cfg (setup.py is a shim): no tests, no GPU."""
    write(
        root,
        "setup.cfg",
        """\
        [metadata]
        name = csv-cleaner
        version = 0.2.0
        description = Clean CSV exports

        [options]
        py_modules = csv_cleaner
        python_requires = >=3.8
        install_requires =
            pandas>=1.5
            click

        [options.entry_points]
        console_scripts =
            csv-clean = csv_cleaner:main

        [isort]
        profile = black
        """,
    )
    write(root, "setup.py", "from setuptools import setup\n\nsetup()\n")
    write(root, "csv_cleaner.py", "import click\nimport pandas as pd\n\n\ndef main():\n    pass\n")
    write(root, "README.rst", "csv-cleaner\n===========\n")
    write(root, ".gitignore", GITIGNORE)
    data_folder(root)
    virtualenv(root, "env")


def requirements_only(root: Path) -> None:
    """No metadata at all: a package folder, requirements.txt including base.txt (with
    cupy-cuda12x), runtime.txt, and test files beside the code at the top level."""
    write(
        root,
        "requirements.txt",
        """\
        # runtime dependencies
        -r base.txt
        --extra-index-url https://pypi.nvidia.com
        scikit-image>=0.22  # image ops
        """,
    )
    write(
        root,
        "base.txt",
        """\
        numpy==1.26.4
        cupy-cuda12x==13.0.0 ; sys_platform == "linux"
        """,
    )
    write(root, "runtime.txt", "python-3.10.13\n")
    write(root, "README.md", "# gpu-kernels\n\n`pip install -r requirements.txt && pytest`\n")
    write(root, ".gitignore", GITIGNORE)
    write(root, "gpu_kernels/__init__.py")
    write(root, "gpu_kernels/ops.py", "import cupy as cp\n")
    write(root, "run_benchmark.py", "from gpu_kernels import ops\n")
    write(
        root,
        "test_ops.py",
        "import pytest\n\nfrom gpu_kernels import ops\n\n\ndef test_ops():\n    assert ops\n",
    )
    notebook(root, "Benchmarks.ipynb", "import cupy\n")
    checkpoint(root, "Benchmarks.ipynb")
    data_folder(root)
    virtualenv(root, ".venv")


LAYOUTS: dict[str, Callable[[Path], None]] = {
    "src_setuptools": src_setuptools,
    "flat_poetry": flat_poetry,
    "setup_py_only": setup_py_only,
    "subfolder_project": subfolder_project,
    "package_named_src": package_named_src,
    "hatch_vcs_dynamic": hatch_vcs_dynamic,
    "no_tests_cpu": no_tests_cpu,
    "requirements_only": requirements_only,
}
