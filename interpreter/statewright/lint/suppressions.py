"""Suppression comments in YAML definitions, as ruff's ``# noqa`` (spec/lint.md, "Suppression comments").

``# statewright: ignore[SW306]`` (codes comma-separated) at the end of a line drops those codes' diagnostics
on that line; a bare ``# statewright: ignore`` drops every code on it. ``# statewright: ignore-file[SW306]``
anywhere in the file drops the codes everywhere in it (bare: every code). The line of a diagnostic is the
line of its ``file:line:col``. Codes are matched exactly, not as prefixes, as ``# noqa`` matches them.
JSON has no comments, so a JSON definition has no suppressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from statewright.lint.diagnostic import Diagnostic

_MARKER = "statewright:"
# A comment starts with '#' at the start of a line or after whitespace (YAML 1.2, 6.6). Only the comments
# that hold the marker are looked at; a '#' inside a quoted string preceded by a space would also match,
# which is harmless: it can only hide a diagnostic on a line that already says "statewright: ignore".
# Compiled on first use (re's cache), like the class below is plain: the engine imports this module in every
# process, and almost no definition has a suppression comment.
_DIRECTIVE = r"(?i)(?:^|(?<=\s))#\s*statewright:\s*(?P<kind>ignore-file|ignore)(?![\w-])(?:\[(?P<codes>[^\]]*)\])?"
EVERY_CODE = None


class Suppressions:
    """What the comments of one file suppress. ``None`` in place of a set of codes means every code."""

    __slots__ = ("file", "lines")

    def __init__(self) -> None:
        self.lines: dict[int, set[str] | None] = {}
        self.file: set[str] | None = set()

    def hides(self, diagnostic: Diagnostic) -> bool:
        if self.file is EVERY_CODE or diagnostic.code in self.file:
            return True
        if diagnostic.line not in self.lines:
            return False
        codes = self.lines[diagnostic.line]
        return codes is EVERY_CODE or diagnostic.code in codes


def find_suppressions(text: str) -> Suppressions | None:
    """The suppression comments of a YAML text; ``None`` when it has none (the usual case, found fast)."""
    if _MARKER not in text.lower():
        return None
    found = Suppressions()
    for number, line in enumerate(text.splitlines(), start=1):
        if _MARKER not in line.lower():
            continue
        for match in re.finditer(_DIRECTIVE, line):
            codes = _codes(match.group("codes"))
            if match.group("kind").lower() == "ignore-file":
                found.file = _merge(found.file, codes)
            else:
                found.lines[number] = _merge(found.lines.get(number, set()), codes)
    return found


def apply_suppressions(diagnostics: Iterable[Diagnostic], suppressions: Suppressions | None) -> list[Diagnostic]:
    if suppressions is None:
        return list(diagnostics)
    return [d for d in diagnostics if not suppressions.hides(d)]


def _codes(listed: str | None) -> set[str] | None:
    if listed is None:
        return EVERY_CODE
    return {code.strip().upper() for code in listed.split(",") if code.strip()}


def _merge(before: set[str] | None, codes: set[str] | None) -> set[str] | None:
    if before is EVERY_CODE or codes is EVERY_CODE:
        return EVERY_CODE
    return before | codes
