"""detect-secrets' scan with a line prefilter: the same plugins, filters and results as
`detect-secrets scan --no-verify FILES`, in a fraction of its time. (Without `--no-verify`
detect-secrets sends the tokens it finds to Slack, Stripe, IBM... and drops those they reject;
the audit makes no network calls.)

detect-secrets runs every line through its 27 plugins and their filters by dependency
injection, ~0.2 ms a line: 118 s of CPU for scipy's 560,000 lines. Yet a plugin can only report
a line its own pattern matches: a regex detector its deny-list, the keyword detector one of its
keywords, an entropy detector a quoted run of its charset long enough to exceed its limit
(the Shannon entropy of n characters is at most log2 n). Those patterns, run over the whole file
text at C speed, name the candidate lines; only those go through detect-secrets' own per-line
steps, with the whole file as their context (the allow-list pragma on the previous line, the
verifiers' neighbouring lines). A plugin this module does not know turns the prefilter off for
the file, and a detect-secrets without the per-line steps used here scans with its own
`scan_file`: never fewer results than the real scan.

Run as `python -m pipelinekit.audit.secrets_scan < FILES` (NUL-separated paths relative to the
working directory): prints detect-secrets' baseline JSON (`{"results": {path: [secret]}}`).
Files are scanned by a process per core, like detect-secrets itself.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import multiprocessing
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from detect_secrets.core import scan as ds_scan
from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.core.secrets_collection import SecretsCollection
from detect_secrets.plugins import keyword
from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.settings import default_settings, get_plugins, get_settings
from detect_secrets.util.code_snippet import get_code_snippet
from detect_secrets.util.path import get_relative_path

SELF_FILTERING = (JwtTokenDetector,)
"""Regex detectors whose own analyze_string only drops deny-list matches (checked by reading
them); any other override of the deny-list scan (analyze_string, analyze_line) makes a plugin
unknown."""

UNANCHORED = re.compile(r"\\[AZz]")
"""`\\A`, `\\Z`: line-start and line-end in detect-secrets' per-line scan, but text start and end
over a whole file; a deny-list using them is not prefiltered."""


@dataclass(frozen=True)
class Needle:
    """A pattern to find candidate lines with; `lowercase` is the same pattern without
    IGNORECASE, for ASCII text lowered first (16x faster on scipy: Python's re gives up its
    first-character skip under IGNORECASE)."""

    pattern: re.Pattern[str]
    lowercase: re.Pattern[str] | None = None


INTERNALS = all(
    hasattr(ds_scan, name) for name in ("_is_filtered_out", "_scan_line", "_get_lines_from_file")
)
"""The per-line steps of detect-secrets' scan this module runs (1.5's); a release without them
is scanned by its own `scan_file`, every line."""


def plugin_patterns() -> list[Needle] | None:
    """Needles whose matches cover every line any active plugin can report; None when a
    plugin is not one of the kinds above (scan every line then)."""
    patterns: list[Needle] = []
    for plugin in get_plugins():
        if isinstance(plugin, keyword.KeywordDetector):
            words = "|".join(keyword.DENYLIST)
            patterns.append(Needle(re.compile(words, re.IGNORECASE), re.compile(words.lower())))
        elif isinstance(plugin, HighEntropyStringsPlugin):
            # Entropy > limit needs more than 2**limit distinct characters, so at least
            # floor(2**limit) + 1 of them.
            shortest = math.floor(2**plugin.entropy_limit) + 1
            charset = re.escape(plugin.charset)
            patterns.append(Needle(re.compile(rf"(['\"])[{charset}]{{{shortest},}}\1")))
        elif (
            isinstance(plugin, RegexBasedDetector)
            and type(plugin).analyze_line is BasePlugin.analyze_line
            and (
                type(plugin).analyze_string is RegexBasedDetector.analyze_string
                or isinstance(plugin, SELF_FILTERING)
            )
        ):
            for regex in plugin.denylist:
                if UNANCHORED.search(regex.pattern):
                    return None
                # MULTILINE: `^` and `$` keep meaning line start and end over the whole text.
                patterns.append(Needle(re.compile(regex.pattern, regex.flags | re.MULTILINE)))
        else:
            return None
    return patterns


def candidate_lines(lines: list[str], needles: list[Needle]) -> list[int]:
    """1-based numbers of the lines some needle matches (every line a match spans)."""
    # detect-secrets scans each line right-stripped: `$` must meet the same end of line.
    stripped = [line.rstrip() for line in lines]
    text = "\n".join(stripped)
    # For ASCII text lower() changes A-Z only, and IGNORECASE matches exactly that.
    lowered = text.lower() if text.isascii() else None
    # Where each line starts, from the lines' lengths: a transformed line may hold newlines
    # of its own (a YAML block scalar's value), so the text's newlines do not count lines.
    starts = list(itertools.accumulate((len(line) + 1 for line in stripped[:-1]), initial=0))
    numbers: set[int] = set()
    for needle in needles:
        if needle.lowercase is not None and lowered is not None:
            matches = needle.lowercase.finditer(lowered)
        else:
            matches = needle.pattern.finditer(text)
        for match in matches:
            first = bisect.bisect_right(starts, match.start())
            last = bisect.bisect_right(starts, max(match.end() - 1, match.start()))
            numbers.update(range(first, last + 1))
    return sorted(numbers)


def scan_lines(filename: str, lines: list[str], numbers: list[int]) -> Iterator[PotentialSecret]:
    """detect-secrets' per-line scan (`core.scan._process_line_based_plugins`) on the given
    lines, each with the whole file around it as its context."""
    for number in numbers:
        line = lines[number - 1].rstrip()
        context = get_code_snippet(lines=lines, line_number=number)
        if ds_scan._is_filtered_out(
            required_filter_parameters=["line"], filename=filename, line=line, context=context
        ):
            continue
        for plugin in get_plugins():
            for secret in ds_scan._scan_line(
                plugin=plugin, filename=filename, line=line, line_number=number, context=context
            ):
                if not ds_scan._is_filtered_out(
                    required_filter_parameters=["context"],
                    filename=secret.filename,
                    secret=secret.secret_value,
                    plugin=plugin,
                    line=line,
                    context=context,
                ):
                    yield secret


def scan_file(filename: str) -> list[PotentialSecret]:
    """`detect_secrets.core.scan.scan_file`, through the prefilter."""
    if not INTERNALS:
        return list(ds_scan.scan_file(filename))
    if ds_scan._is_filtered_out(required_filter_parameters=["filename"], filename=filename):
        return []
    patterns = plugin_patterns()
    found: list[PotentialSecret] = []
    try:
        # The plain lines first; a config file's eagerly transformed lines only when those
        # held nothing (detect-secrets' order).
        for lines in ds_scan._get_lines_from_file(filename):
            numbers = (
                candidate_lines(lines, patterns)
                if patterns is not None
                else list(range(1, len(lines) + 1))
            )
            found.extend(scan_lines(filename, lines, numbers))
            if found:
                break
    except OSError:
        return []
    return found


def _init_worker(settings: dict[str, Any]) -> None:
    from detect_secrets.settings import configure_settings_from_baseline

    configure_settings_from_baseline(settings)


def scan_files(filenames: list[str], processes: int) -> dict[str, Any]:
    """detect-secrets' default plugins and filters over the files; its baseline JSON."""
    collection = SecretsCollection(root=".")
    with default_settings():
        if processes <= 1 or len(filenames) < 2:
            results = map(scan_file, filenames)
            for secrets in results:
                for secret in secrets:
                    collection[secret.filename].add(secret)
        else:
            with multiprocessing.Pool(
                processes, initializer=_init_worker, initargs=(get_settings().json(),)
            ) as pool:
                for secrets in pool.imap_unordered(scan_file, filenames, chunksize=8):
                    for secret in secrets:
                        collection[secret.filename].add(secret)
        return {"results": collection.json()}


def main() -> None:
    # detect-secrets scans a file under its real path and skips links leaving the directory.
    here = os.getcwd()
    named = (get_relative_path(root=here, path=name) for name in sys.stdin.read().split("\0"))
    filenames = list(dict.fromkeys(name for name in named if name))
    processes = int(os.environ.get("PIPELINEKIT_SECRETS_PROCESSES") or os.cpu_count() or 1)
    json.dump(scan_files(filenames, processes), sys.stdout)


if __name__ == "__main__":
    main()
