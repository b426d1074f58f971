"""Report file names, shared by the stages that write them and the planner that wires them
into CI (GitLab `artifacts:reports`, Jenkins junit/recordIssues), so the two never disagree.
Paths are relative to the project's reports folder `<project>/.pipelinekit/reports/`."""

from __future__ import annotations

REPORTS_DIR = ".pipelinekit/reports"
JUNIT = "junit.xml"
CODEQUALITY = "codequality.json"
SARIF = "ruff.sarif"
COBERTURA = "coverage.xml"
SONAR_GATE = "sonar-qualitygate.json"
IMAGE = "image.json"
AUDIT_SARIF = "audit.sarif"
AUDIT_CODEQUALITY = "audit-codequality.json"
AUDIT_JSON = "audit.json"
AUDIT_HTML = "audit.html"
