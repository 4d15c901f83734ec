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
    """The offending source line with a caret under the node, as ruff and rustc show it."""
    index = diagnostic.line - 1
    if not 0 <= index < len(source_lines):
        return []
    line = source_lines[index].rstrip("\r\n").expandtabs(1)
    gutter = str(diagnostic.line)
    start = max(diagnostic.column - 1, 0)
    if diagnostic.end_line == diagnostic.line and diagnostic.end_column > diagnostic.column:
        width = diagnostic.end_column - diagnostic.column
    else:
        width = max(len(line) - start, 1)
    carets = "^" * max(min(width, max(len(line) - start, 1)), 1)
    if color:
        carets = (_RED if diagnostic.is_error else _YELLOW) + carets + _RESET
    pad = " " * len(gutter)
    return [f"{pad} |", f"{gutter} | {line}", f"{pad} | {' ' * start}{carets}"]


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
    lines = []
    for d in diagnostics:
        level = "error" if d.is_error else "warning"
        props = (
            f"file={_github_escape(d.file or '<input>', property_value=True)},line={d.line},col={d.column},"
            f"endLine={d.end_line},endColumn={d.end_column},title={d.code}"
        )
        lines.append(f"::{level} {props}::{_github_escape(f'{d.code} {d.message}')}")
    return "\n".join(lines) + ("\n" if lines else "")


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    if not diagnostics:
        return f"All checks passed ({files} file{'s' if files != 1 else ''})."
    parts = [f"{errors} error{'s' if errors != 1 else ''}"]
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return f"Found {' and '.join(parts)} in {files} file{'s' if files != 1 else ''}."
