"""sonar-project.properties renderer. Pure: the model's SonarSpec in, text out.

Values are escaped as java.util.Properties reads them, so a name with `=`, `:`, `#`,
backslashes or newlines cannot add or change a property.
"""

from __future__ import annotations

from pipelinekit.generated import with_header
from pipelinekit.pipeline import SonarSpec


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


def render_sonar_properties(spec: SonarSpec, *, source: str) -> str:
    props: list[tuple[str, str]] = [
        ("sonar.projectKey", spec.project_key),
        ("sonar.projectName", spec.project_name),
    ]
    if spec.organization:
        props.append(("sonar.organization", spec.organization))
    if spec.host_url:
        props.append(("sonar.host.url", spec.host_url))
    props += [
        ("sonar.sources", ",".join(spec.sources)),
        ("sonar.python.version", spec.python_version),
        ("sonar.sourceEncoding", "UTF-8"),
        ("sonar.exclusions", "**/.pipelinekit/**,**/.venv/**,**/build/**,**/dist/**"),
    ]
    if spec.tests:
        props.append(("sonar.tests", ",".join(spec.tests)))
        props.append(("sonar.test.inclusions", "**/test_*.py,**/*_test.py,**/tests/**/*.py"))
    props += [
        ("sonar.python.xunit.reportPath", spec.junit_path),
        ("sonar.python.coverage.reportPaths", spec.coverage_path),
    ]
    body = "".join(f"{escape_property(k, key=True)}={escape_property(v)}\n" for k, v in props)
    return with_header(body, comment="#", source=source)
