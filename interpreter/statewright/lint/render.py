"""Renderers for diagnostics: ruff-style text, JSON, and GitHub Actions annotations."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from statewright.lint.diagnostic import Diagnostic, Severity

FORMATS = ("full", "concise", "json", "github")

_RED, _YELLOW, _BOLD, _DIM, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[2m", "\033[0m"


def headline(diagnostic: Diagnostic, *, color: bool = False) -> str:
    """``path:line:col: SW123 message (state 'X', field 'Y')``."""
    where = f"{diagnostic.file or '<input>'}:{diagnostic.line}:{diagnostic.column}"
    code = diagnostic.code
    if diagnostic.severity is Severity.WARNING:
        code = f"{code} [warning]"
    context = []
    if diagnostic.state is not None:
        context.append(f"state '{diagnostic.state}'")
    if diagnostic.field is not None:
        context.append(f"field '{diagnostic.field}'")
    suffix = f" ({', '.join(context)})" if context else ""
    if color:
        tint = _RED if diagnostic.is_error else _YELLOW
        head = f"{_BOLD}{where}{_RESET}: {tint}{_BOLD}{code}{_RESET}"
        return f"{head} {diagnostic.message}{_DIM}{suffix}{_RESET}"
    return f"{where}: {code} {diagnostic.message}{suffix}"


def excerpt(diagnostic: Diagnostic, source_lines: Sequence[str], *, color: bool = False) -> list[str]:
    """The offending source line with a caret under the node, as ruff and rustc show it.

    Columns count characters; the caret line counts terminal cells, so that it stays under the node on
    a line with wide (CJK) characters, which take two cells each.
    """
    index = diagnostic.line - 1
    if not 0 <= index < len(source_lines):
        return []
    line = source_lines[index].rstrip("\r\n").expandtabs(1)
    gutter = str(diagnostic.line)
    start = min(max(diagnostic.column - 1, 0), len(line))
    if diagnostic.end_line == diagnostic.line and diagnostic.end_column > diagnostic.column:
        end = min(diagnostic.end_column - 1, len(line))
    else:
        end = len(line)  # a node over several lines: underline the rest of its first line
    carets = "^" * max(display_width(line[start:end]), 1)
    if color:
        carets = (_RED if diagnostic.is_error else _YELLOW) + carets + _RESET
    pad = " " * len(gutter)
    return [f"{pad} |", f"{gutter} | {line}", f"{pad} | {' ' * display_width(line[:start])}{carets}"]


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: two for East Asian wide and fullwidth characters, none for combining
    marks, one for the rest."""
    if text.isascii():
        return len(text)
    import unicodedata  # only for lines that are not ASCII

    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )


def render_text(
    diagnostics: Iterable[Diagnostic],
    sources: dict[str | None, list[str]],
    *,
    full: bool = True,
    color: bool = False,
) -> str:
    out: list[str] = []
    for diagnostic in diagnostics:
        out.append(headline(diagnostic, color=color))
        if full:
            out.extend(excerpt(diagnostic, sources.get(diagnostic.file, []), color=color))
            out.append("")
    return "\n".join(out).rstrip("\n") + ("\n" if out else "")


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([d.to_dict() for d in diagnostics], indent=2, ensure_ascii=False) + "\n"


def _github_escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands, one per diagnostic.

    GitHub's ``endColumn`` is inclusive (the toolkit defaults it to ``col`` for one character) and
    columns are only allowed when the annotation is on one line; a node over several lines gets
    ``line`` and ``endLine`` only.
    """
    lines = []
    for d in diagnostics:
        level = "error" if d.is_error else "warning"
        if d.end_line > d.line:
            where = f"line={d.line},endLine={d.end_line}"
        else:
            last = max(d.end_column - 1, d.column)  # the span's end is exclusive
            where = f"line={d.line},endLine={d.line},col={d.column},endColumn={last}"
        props = f"file={_github_escape(d.file or '<input>', property_value=True)},{where},title={d.code}"
        lines.append(f"::{level} {props}::{_github_escape(f'{d.code} {d.message}')}")
    return "\n".join(lines) + ("\n" if lines else "")


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """``Found 2 errors and 1 warning in 1 of 11 files.``: how many files have findings, of how many."""
    if not diagnostics:
        return f"All checks passed ({_count(files, 'file')})."
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    parts = [_count(errors, "error")]
    if warnings:
        parts.append(_count(warnings, "warning"))
    with_findings = len({d.file for d in diagnostics})
    where = _count(files, "file") if with_findings == files else f"{with_findings} of {_count(files, 'file')}"
    return f"Found {' and '.join(parts)} in {where}."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
