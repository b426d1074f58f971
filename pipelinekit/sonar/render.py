"""sonar-project.properties renderer. Pure: the model's SonarSpec in, text out.

Values are escaped as java.util.Properties reads them, so a name with `=`, `:`, `#`,
backslashes or newlines cannot add or change a property.
"""

from __future__ import annotations

from pipelinekit.plan.model import SonarSpec
from pipelinekit.render.header import with_header
from pipelinekit.util.redact import without_credentials


def escape_property(value: str, *, key: bool = False) -> str:
    out = []
    for index, char in enumerate(value):
        if char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif char in "=:#!" or (char == " " and (key or index == 0)):
            out.append("\\" + char)
        elif ord(char) > 0x7E or ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


ALWAYS_EXCLUDED = ("**/.pipelinekit/**", "**/.venv/**", "**/build/**", "**/dist/**")
TEST_FILES = ("**/test_*.py", "**/*_test.py", "**/tests/**/*.py")
"""`sonar.test.inclusions`: within the test folders, what the scanner indexes as test code."""


def overlapping_tests(sources: tuple[str, ...], tests: tuple[str, ...]) -> list[str]:
    """`sonar.exclusions` patterns that keep test files out of the main sources.

    The scanner refuses to index a file as both main and test code ("can't be indexed twice"),
    which is what a flat layout (`sources=.`) or tests inside the package would do. A test
    folder below a source folder is excluded whole; one that is a source folder itself (test
    modules beside the code) loses only its test files, by the same patterns that include them
    as tests.
    """
    patterns: list[str] = []
    for test in tests:
        for src in sources:
            if test == src:
                prefix = "" if test == "." else f"{test}/"
                patterns += [prefix + pattern for pattern in TEST_FILES]
                break
            if src == "." or test.startswith(f"{src}/"):
                patterns.append(f"{test}/**")
                break
    return patterns


def render_sonar_properties(spec: SonarSpec, *, source: str) -> str:
    props: list[tuple[str, str]] = [
        ("sonar.projectKey", spec.project_key),
        ("sonar.projectName", spec.project_name),
    ]
    if spec.organization:
        props.append(("sonar.organization", spec.organization))
    if spec.host_url:
        props.append(("sonar.host.url", without_credentials(spec.host_url)))
    props += [
        ("sonar.sources", ",".join(spec.sources)),
        ("sonar.python.version", spec.python_version),
        ("sonar.sourceEncoding", "UTF-8"),
        (
            "sonar.exclusions",
            ",".join([*ALWAYS_EXCLUDED, *overlapping_tests(spec.sources, spec.tests)]),
        ),
    ]
    if spec.tests:
        props.append(("sonar.tests", ",".join(spec.tests)))
        props.append(("sonar.test.inclusions", ",".join(TEST_FILES)))
    props += [
        ("sonar.python.xunit.reportPath", spec.junit_path),
        ("sonar.python.coverage.reportPaths", spec.coverage_path),
    ]
    body = "".join(f"{escape_property(k, key=True)}={escape_property(v)}\n" for k, v in props)
    return with_header(body, comment="#", source=source)
