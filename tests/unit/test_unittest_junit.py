"""unittest_junit: discovery, per-test outcomes and the JUnit XML it writes, read back."""

from __future__ import annotations

import os
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelinekit.stages import unittest_junit as uj
from tests.repo_factory import write_files as write

EVERYTHING = """\
import unittest


class Everything(unittest.TestCase):
    def test_passes(self):
        self.assertTrue(True)

    def test_fails(self):
        self.assertEqual(1, 2)

    def test_errors(self):
        raise KeyError("missing")

    @unittest.skip("not today")
    def test_skipped(self):
        pass

    @unittest.expectedFailure
    def test_expected_failure(self):
        self.assertEqual(1, 2)

    @unittest.expectedFailure
    def test_unexpected_success(self):
        pass

    def test_subtests(self):
        for i in range(3):
            with self.subTest(i=i):
                self.assertLess(i, 1)

    def test_subtest_error(self):
        with self.subTest("boom"):
            raise ValueError("in a subtest")
"""


@pytest.fixture(autouse=True)
def isolated_imports() -> Iterator[None]:
    """Discovery imports test modules in this process; forget them after each test so that
    the next test's modules of the same name come from its own folder."""
    modules, path = set(sys.modules), list(sys.path)
    yield
    for name in set(sys.modules) - modules:
        del sys.modules[name]
    sys.path[:] = path


def run_main(tmp_path: Path, *args: str) -> tuple[int, ET.Element]:
    report = tmp_path / "out" / "junit.xml"
    code = uj.main(["--junitxml", str(report), *args])
    return code, ET.parse(report).getroot()


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name", ""): c for c in root.iter("testcase")}


def outcome(case: ET.Element) -> str:
    tags = [child.tag for child in case]
    return tags[0] if tags else "passed"


def test_every_outcome_is_recorded(tmp_path: Path) -> None:
    write(tmp_path, {"suite1/test_everything.py": EVERYTHING})
    code, root = run_main(tmp_path, str(tmp_path / "suite1"))
    assert code == uj.EXIT_TESTS_FAILED

    found = cases(root)
    assert {name: outcome(case) for name, case in found.items()} == {
        "test_passes": "passed",
        "test_fails": "failure",
        "test_errors": "error",
        "test_skipped": "skipped",
        "test_expected_failure": "skipped",
        "test_unexpected_success": "failure",
        "test_subtests (i=1)": "failure",
        "test_subtests (i=2)": "failure",
        "test_subtest_error [boom]": "error",
    }
    assert {c.get("classname") for c in found.values()} == {"test_everything.Everything"}

    failure = found["test_fails"].find("failure")
    assert failure is not None
    assert failure.get("message") == "AssertionError: 1 != 2"
    assert failure.get("type") == "AssertionError"
    assert failure.text is not None
    assert 'test_everything.py", line 9, in test_fails' in failure.text
    assert "unittest/case.py" not in failure.text  # unittest's own frames are trimmed

    error = found["test_errors"].find("error")
    assert error is not None and error.get("message") == "KeyError: 'missing'"
    skipped = found["test_skipped"].find("skipped")
    assert skipped is not None and skipped.get("message") == "not today"

    suite = root.find("testsuite")
    assert suite is not None
    assert root.tag == "testsuites"
    for element in (root, suite):
        assert element.get("tests") == "9"
        assert element.get("failures") == "4"
        assert element.get("errors") == "2"
        assert element.get("skipped") == "2"
    assert suite.get("timestamp")
    assert all(float(c.get("time", "-1")) >= 0 for c in found.values())


def test_all_passing_exits_zero(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "t2/test_ok.py": "import unittest\n\nclass T(unittest.TestCase):\n"
            "    def test_a(self):\n        pass\n"
        },
    )
    code, root = run_main(tmp_path, str(tmp_path / "t2"))
    assert code == uj.EXIT_OK
    assert list(cases(root)) == ["test_a"]


def test_no_tests_exits_five_with_an_empty_report(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, root = run_main(tmp_path, str(tmp_path / "empty"))
    assert code == uj.EXIT_NO_TESTS
    assert root.get("tests") == "0"
    assert cases(root) == {}


def test_fixture_and_import_errors_become_error_cases(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "t3/test_broken_import.py": "import no_such_module_here\n",
            "t3/test_setup_class.py": """\
                import unittest


                class Fixture(unittest.TestCase):
                    @classmethod
                    def setUpClass(cls):
                        raise RuntimeError("database down")

                    def test_never_runs(self):
                        pass
                """,
        },
    )
    code, root = run_main(tmp_path, str(tmp_path / "t3"))
    assert code == uj.EXIT_TESTS_FAILED
    found = cases(root)
    setup = found["setUpClass (test_setup_class.Fixture)"]
    assert setup.get("classname") == ""
    err = setup.find("error")
    assert err is not None and err.get("message") == "RuntimeError: database down"
    imported = found["test_broken_import"]
    assert imported.get("classname") == "unittest.loader._FailedTest"
    err = imported.find("error")
    assert err is not None
    assert "No module named 'no_such_module_here'" in (err.get("message") or "")


def test_several_folders_each_with_their_own_top_level(tmp_path: Path) -> None:
    test = "import unittest\n\nclass T(unittest.TestCase):\n    def test_{n}(self):\n        pass\n"
    write(
        tmp_path,
        {"a/test_alpha.py": test.format(n="alpha"), "b/test_beta.py": test.format(n="beta")},
    )
    code, root = run_main(tmp_path, str(tmp_path / "a"), str(tmp_path / "b"))
    assert code == uj.EXIT_OK
    assert {(c.get("classname"), name) for name, c in cases(root).items()} == {
        ("test_alpha.T", "test_alpha"),
        ("test_beta.T", "test_beta"),
    }


def test_name_pattern_and_file_pattern_filter(tmp_path: Path) -> None:
    write(tmp_path, {"t4/check_everything.py": EVERYTHING.replace("Everything", "Filtered")})
    code, root = run_main(
        tmp_path, "-p", "check_*.py", "-k", "passes", "-k", "*skip*", str(tmp_path / "t4")
    )
    assert code == uj.EXIT_OK
    assert sorted(cases(root)) == ["test_passes", "test_skipped"]


def test_characters_xml_cannot_hold_are_escaped(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "t5/test_ansi.py": """\
                import unittest


                class Ansi(unittest.TestCase):
                    def test_colour(self):
                        self.fail("\\x1b[31mred <b>&amp;\\x00")
                """
        },
    )
    code, root = run_main(tmp_path, str(tmp_path / "t5"))
    assert code == uj.EXIT_TESTS_FAILED
    failure = cases(root)["test_colour"].find("failure")
    assert failure is not None
    assert failure.get("message") == "AssertionError: \\x1b[31mred <b>&amp;\\x00"


def test_bad_arguments_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        uj.main(["--no-such-flag"])
    assert info.value.code == 2
    assert "unrecognized arguments: --no-such-flag" in capsys.readouterr().err


def test_failed_write_leaves_no_partial_report(tmp_path: Path) -> None:
    target = tmp_path / "junit.xml"
    uj.write_xml(uj.build_xml([], 0.0), target)
    bad = ET.Element("testsuites", {"tests": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        uj.write_xml(bad, target)
    assert ET.parse(target).getroot().get("tests") == "0"
    assert [p.name for p in tmp_path.iterdir()] == ["junit.xml"]


def test_split_id_for_plain_tests_and_subtests() -> None:
    class Sample(unittest.TestCase):
        def test_it(self) -> None:
            pass

    case = Sample("test_it")
    module_class = f"{__name__}.{Sample.__qualname__}"
    assert uj.split_id(case) == (module_class, "test_it")
    holder = unittest.suite._ErrorHolder("setUpModule (pkg.mod)")  # type: ignore[attr-defined]
    assert uj.split_id(holder) == ("", "setUpModule (pkg.mod)")


def test_runs_as_a_module_in_a_subprocess(tmp_path: Path) -> None:
    """The documented command line: `python -m pipelinekit.stages.unittest_junit DIR`."""
    write(
        tmp_path,
        {
            "tests/test_cli.py": "import unittest\n\nclass T(unittest.TestCase):\n"
            "    def test_a(self):\n        self.assertEqual(2, 3)\n"
        },
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pipelinekit.stages.unittest_junit", "tests"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ},
        check=False,
    )
    assert proc.returncode == uj.EXIT_TESTS_FAILED
    assert "FAILED (failures=1)" in proc.stderr
    root = ET.parse(tmp_path / uj.DEFAULT_REPORT).getroot()
    assert outcome(cases(root)["test_a"]) == "failure"
