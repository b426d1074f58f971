"""What pipelinekit adopted from the repository, one line per stage, for `init` and `plan`:
the tools it runs and at which version, the configuration they read, the test command and
environment, the coverage gate. Pure: facts, config and the planned environment in, text out.
"""

from __future__ import annotations

import shlex

from pipelinekit.config.models import Config
from pipelinekit.detect.facts import ProjectFacts
from pipelinekit.env.model import EnvSpec
from pipelinekit.stages.lint_pylint import wanted


def adopted(facts: ProjectFacts, config: Config, env: EnvSpec) -> tuple[str, ...]:
    lines: list[str] = []
    if config.lint.enabled:
        lines.append("lint: " + _lint(facts, config))
    if config.test.enabled and (config.test.framework or facts.tests.framework):
        lines.append("test: " + _test(facts, config, env))
        if config.coverage.enabled:
            lines.append("coverage: " + _coverage(config))
    return tuple(lines)


def _lint(facts: ProjectFacts, config: Config) -> str:
    pin = facts.tool_pins.get("ruff")
    ruff = f"ruff {pin} (the repository's pin)" if pin else "ruff (pipelinekit's, pinned with it)"
    if "ruff" in facts.tool_configs:
        rules = "its ruff configuration"
    elif facts.ruff_settings_from:
        rules = f"its {facts.ruff_settings_from} as ruff settings"
    else:
        rules = "ruff's default rules"
    setting = config.lint.format_check
    if setting is False:
        fmt = "no format check (configured)"
    elif facts.formatter or setting:
        tool = facts.formatter or "ruff"
        version = facts.tool_pins.get(tool)
        fmt = f"format checked by {tool}" + (f" {version}" if version else "")
    else:
        fmt = "no format check (the repository uses no formatter)"
    critical = "code that cannot run always fails"
    also = "; pylint itself, in the project's environment" if wanted(config, facts) else ""
    return (
        f"{ruff} with {rules}{also}; {fmt}; debt in pipelinekit-baseline.json does not fail; "
        f"{critical}"
    )


def _test(facts: ProjectFacts, config: Config, env: EnvSpec) -> str:
    runner = config.test.framework or facts.tests.framework or "pytest"
    where = f"Python {env.python}" + (f" from {env.python_from}" if env.python_from else "")
    parts = [where]
    if env.lock is not None:
        parts.append(f"locked by {env.lock.path}")
    named = sorted({s.name for s in env.sources if s.name and s.kind != "setup"})
    if named:
        parts.append("with " + ", ".join(named))
    if not env.install_project:
        parts.append("from the source tree")
    text = f"{runner} in the project's own environment ({'; '.join(parts)})"
    if facts.tests.command_from and facts.tests.args and not config.test.args:
        text += f", {shlex.join(facts.tests.args)} as {facts.tests.command_from} runs it"
    return text


def _coverage(config: Config) -> str:
    if config.coverage.threshold is not None:
        return f"threshold {config.coverage.threshold:g}% ([tool.pipelinekit.coverage])"
    return (
        "the repository's own fail_under or --cov-fail-under when it sets one, else the "
        f"baseline floor less {config.coverage.tolerance:g} points, else not gated"
    )
