"""Run unittest discovery and write a JUnit XML report.

unittest has no JUnit output of its own, and repositories that use only unittest should not
need pytest installed to get test reports in Jenkins and GitLab. The test stage runs this file
in the project's interpreter, which need not have pipelinekit installed, so it uses the
standard library only and stays compatible with Python 3.10. Usable by hand too:
`python -m pipelinekit.stages.unittest_junit [--junitxml PATH] [DIR ...]`.

Exit codes follow pytest's so the test stage treats both runners alike: 0 all passed,
1 some failed, 2 usage error (argparse), 5 no tests ran.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import sys
import tempfile
import time
import traceback
import unittest
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast

Outcome = Literal["passed", "failed", "error", "skipped"]
ExcInfo = tuple[type[BaseException], BaseException, TracebackType]
OptExcInfo = ExcInfo | tuple[None, None, None]

EXIT_OK = 0
EXIT_TESTS_FAILED = 1
EXIT_NO_TESTS = 5

DEFAULT_REPORT = ".pipelinekit/reports/junit.xml"

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold at all; ElementTree would write them and break parsers."""


@dataclass
class CaseRecord:
    """One JUnit <testcase>: a test (or subtest, or class/module fixture) and its outcome."""

    classname: str
    name: str
    outcome: Outcome
    seconds: float
    message: str = ""
    kind: str = ""
    text: str = ""


def split_id(test: unittest.TestCase) -> tuple[str, str]:
    """JUnit classname and name for a test: `pkg.mod.Class`, `test_method [subtest]`.

    Subtests wrap their parent case in `test_case`; fixture errors (setUpClass, a module that
    fails to import) are not TestCases of a user class and keep their whole id as the name.
    """
    test_id = test.id()
    case = getattr(test, "test_case", test)
    cls = type(case)
    classname = f"{cls.__module__}.{cls.__qualname__}"
    if test_id.startswith(classname + "."):
        return classname, test_id[len(classname) + 1 :]
    return "", test_id


def _format_traceback(err: ExcInfo) -> str:
    """The traceback without unittest's own leading frames (marked by `__unittest`, the
    same mark unittest uses when it prints failures)."""
    tb: TracebackType | None = err[2]
    while tb is not None and "__unittest" in tb.tb_frame.f_globals:
        tb = tb.tb_next
    return "".join(traceback.format_exception(err[0], err[1], tb))


class JUnitResult(unittest.TextTestResult):
    """A TextTestResult that also records every outcome with its duration."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Pass everything through: Python 3.12 adds a `durations` keyword.
        super().__init__(*args, **kwargs)
        self.records: list[CaseRecord] = []
        self._started: dict[str, float] = {}

    def startTest(self, test: unittest.TestCase) -> None:
        self._started[test.id()] = time.perf_counter()
        super().startTest(test)

    def _elapsed(self, test: unittest.TestCase) -> float:
        case = getattr(test, "test_case", test)
        started = self._started.get(case.id())
        return time.perf_counter() - started if started is not None else 0.0

    def _record(
        self,
        test: unittest.TestCase,
        outcome: Outcome,
        err: OptExcInfo | None = None,
        message: str = "",
    ) -> None:
        classname, name = split_id(test)
        kind, text = "", ""
        if err is not None and err[0] is not None:
            kind = err[0].__name__
            message = f"{kind}: {err[1]}".strip()
            text = _format_traceback(err)
        self.records.append(
            CaseRecord(classname, name, outcome, self._elapsed(test), message, kind, text)
        )

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        self._record(test, "passed")

    def addFailure(self, test: unittest.TestCase, err: OptExcInfo) -> None:
        super().addFailure(test, err)
        self._record(test, "failed", err)

    def addError(self, test: unittest.TestCase, err: OptExcInfo) -> None:
        super().addError(test, err)
        self._record(test, "error", err)

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        super().addSkip(test, reason)
        self._record(test, "skipped", message=reason)

    def addExpectedFailure(self, test: unittest.TestCase, err: OptExcInfo) -> None:
        super().addExpectedFailure(test, err)
        self._record(test, "skipped", message="expected failure")

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        # unittest counts an unexpected success as unsuccessful; so does the report.
        super().addUnexpectedSuccess(test)
        self._record(test, "failed", message="unexpected success of a test marked expectedFailure")

    def addSubTest(
        self, test: unittest.TestCase, subtest: unittest.TestCase, err: OptExcInfo | None
    ) -> None:
        # Only failing subtests are reported: a passing one is covered by its parent test.
        super().addSubTest(test, subtest, err)
        if err is not None:
            failed = err[0] is not None and issubclass(err[0], test.failureException)
            self._record(subtest, "failed" if failed else "error", err)


def build_xml(
    records: Sequence[CaseRecord], seconds: float, suite_name: str = "unittest"
) -> ET.Element:
    """The JUnit document: <testsuites><testsuite><testcase>..., xunit2-shaped.

    ElementTree escapes markup; characters XML 1.0 forbids (e.g. ANSI escapes in messages)
    are replaced here because no escaping can represent them.
    """
    counts = {o: sum(1 for r in records if r.outcome == o) for o in ("failed", "error", "skipped")}
    attrs = {
        "name": suite_name,
        "tests": str(len(records)),
        "failures": str(counts["failed"]),
        "errors": str(counts["error"]),
        "skipped": str(counts["skipped"]),
        "time": f"{seconds:.3f}",
    }
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            **attrs,
            # timezone.utc, not datetime.UTC: this file must run on Python 3.10.
            "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),  # noqa: UP017
            "hostname": socket.gethostname(),
        },
    )
    for r in records:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": _clean(r.classname), "name": _clean(r.name), "time": f"{r.seconds:.3f}"},
        )
        tag = {"failed": "failure", "error": "error", "skipped": "skipped"}.get(r.outcome)
        if tag is None:
            continue
        child = ET.SubElement(case, tag, {"message": _clean(r.message)})
        if r.kind:
            child.set("type", r.kind)
        if r.text:
            child.text = _clean(r.text)
    return root


def _clean(text: str) -> str:
    return _ILLEGAL_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def write_xml(root: ET.Element, path: Path) -> None:
    """Write atomically: CI must never pick up a half-written report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            ET.ElementTree(root).write(fh, encoding="utf-8", xml_declaration=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def discover(
    dirs: Sequence[str],
    pattern: str = "test*.py",
    top_level_dir: str | None = None,
    name_patterns: Sequence[str] = (),
) -> unittest.TestSuite:
    """One suite from every folder. A fresh loader per folder: a loader remembers the first
    folder's top-level directory and would resolve later folders against it."""
    suite = unittest.TestSuite()
    for start in dirs or ["."]:
        loader = unittest.TestLoader()
        # Same meaning as `python -m unittest -k`: fnmatch, or substring without wildcards.
        loader.testNamePatterns = [p if "*" in p else f"*{p}*" for p in name_patterns] or None
        suite.addTests(loader.discover(start, pattern, top_level_dir))
    return suite


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipelinekit.stages.unittest_junit",
        description="Discover and run unittest tests; write a JUnit XML report.",
    )
    parser.add_argument("dirs", nargs="*", help="start folders for discovery (default: .)")
    parser.add_argument("--junitxml", default=DEFAULT_REPORT, help="where to write the report")
    parser.add_argument("-p", "--pattern", default="test*.py", help="test file pattern")
    parser.add_argument("-t", "--top-level-directory", default=None, dest="top_level")
    parser.add_argument(
        "-k", action="append", default=[], dest="name_patterns", help="only matching tests"
    )
    parser.add_argument("-f", "--failfast", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_const", const=2, default=1)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    suite = discover(args.dirs, args.pattern, args.top_level, args.name_patterns)
    runner = unittest.TextTestRunner(
        stream=sys.stderr, verbosity=args.verbose, failfast=args.failfast, resultclass=JUnitResult
    )
    started = time.perf_counter()
    result = cast(JUnitResult, runner.run(suite))
    write_xml(build_xml(result.records, time.perf_counter() - started), Path(args.junitxml))
    if not result.records:
        return EXIT_NO_TESTS
    return EXIT_OK if result.wasSuccessful() else EXIT_TESTS_FAILED


if __name__ == "__main__":
    sys.exit(main())
