"""The production-readiness audit (`pipelinekit audit`, the CI `audit` job): the checklist
expert code and infrastructure audits walk through, as checks with an id and a section (code
quality, tests, performance, GPU, packaging, cloud portability, CI/CD and versioning, security,
monitoring). `model` holds the check protocol and the results, `repo` what checks read (files,
parsed Python, git), one module per section holds its checks (`sec_*`), the tool adapters reuse
the field's tools (ruff, detect-secrets, pip-audit, repo-review, interrogate), `runner` runs
every check in parallel and times it, `scoring` turns findings into 0-100 scores, and one
module per report format (`fmt_*`) writes what people and CI systems read.
"""
