"""Runs the passes over one definition and turns findings into positioned diagnostics."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from statewright.lint import codes
from statewright.lint.context import LintContext
from statewright.lint.diagnostic import Diagnostic, Finding, Severity
from statewright.lint.placeholders import substitute
from statewright.lint.positions import SourceLines, inside_string, trim_end, value_at
from statewright.lint.registry import RULES, all_rules
from statewright.lint.schema_pass import schema_findings
from statewright.lint.suppressions import apply_suppressions, find_suppressions
from statewright.source import Document, SourceError, parse_source

INTERNAL_ERROR_CODE = "SW000"


def lint_document(
    document: Document,
    *,
    substitutions: Mapping[str, str] | None = None,
    select: Collection[str] | None = None,
    ignore: Collection[str] = (),
    inline_ignores: bool = False,
    workflow_type: str = "STANDARD",
) -> list[Diagnostic]:
    """Lint a parsed document; the result is sorted by position.

    ``inline_ignores`` honours ``# statewright: ignore[...]`` comments (``suppressions.py``): what
    ``statewright lint`` does. Off by default, so that ``statewright.load`` never passes a definition
    whose errors a comment hides.
    """
    value = document.value
    if substitutions:
        value = substitute(value, substitutions)
    if not isinstance(value, dict):
        message = "The definition must be an object with StartAt and States."
        found = [(codes.NOT_AN_OBJECT.code, Finding(message, ""))]
    else:
        context = LintContext(value, document, dict(substitutions or {}), workflow_type)
        found = [*schema_findings(context), *_rule_findings(context)]
    lines = SourceLines(document.text)
    if select is not None or ignore:
        # Decided once per code: a definition may have many findings but has few distinct codes.
        chosen = {code: _selected(code, select, ignore) for code in {code for code, _ in found}}
        found = [(code, finding) for code, finding in found if chosen[code]]
    diagnostics = [_position(document, lines, value, code, finding) for code, finding in found]
    if inline_ignores and document.format == "yaml":  # JSON has no comments
        diagnostics = apply_suppressions(diagnostics, find_suppressions(document.text))
    # dict.fromkeys drops duplicates in first-seen order (a set's order varies with string hashing), and the
    # pointer breaks ties of position, code and message: the same input gives the same order in every process.
    return sorted(dict.fromkeys(diagnostics), key=lambda d: (d.line, d.column, d.code, d.message, d.pointer))


def lint_source(
    source: str | bytes,
    *,
    filename: str | None = None,
    substitutions: Mapping[str, str] | None = None,
    select: Collection[str] | None = None,
    ignore: Collection[str] = (),
    inline_ignores: bool = False,
    workflow_type: str = "STANDARD",
) -> list[Diagnostic]:
    """Parse and lint definition text; a reader error becomes the only diagnostic.

    A reader error is reported whatever ``select`` and ``ignore`` say: a file that cannot be read was not
    checked at all, and dropping its only diagnostic would pass it as clean (spec/lint.md rule 12).
    """
    try:
        document = parse_source(source, filename=filename)
    except SourceError as error:
        return [source_error_diagnostic(error)]
    return lint_document(
        document, substitutions=substitutions, select=select, ignore=ignore, inline_ignores=inline_ignores,
        workflow_type=workflow_type,
    )


def source_error_diagnostic(error: SourceError) -> Diagnostic:
    span = error.span
    return Diagnostic(
        error.code, Severity.ERROR, error.message, "", error.filename,
        span.line, span.column, span.end_line, span.end_column,
    )


def _rule_findings(context: LintContext) -> Iterable[tuple[str, Finding]]:
    for rule in all_rules():
        if rule.check is None:
            continue
        try:
            for finding in rule.check(context):
                yield rule.code, finding
        except Exception as exc:  # a rule bug must not hide the other diagnostics or print a traceback
            yield INTERNAL_ERROR_CODE, Finding(
                f"Internal error in lint rule {rule.code} ({rule.name}): {type(exc).__name__}: {exc}. "
                "Please report it with the definition.",
                "",
            )


def _selected(code: str, select: Collection[str] | None, ignore: Collection[str]) -> bool:
    if any(code.startswith(prefix) for prefix in ignore):
        return False
    return select is None or any(code.startswith(prefix) for prefix in select)


def _position(document: Document, lines: SourceLines, value: Any, code: str, finding: Finding) -> Diagnostic:
    if finding.at_key:
        span = document.key_span(finding.pointer)
    else:
        span = document.span(finding.pointer)
        if finding.offset is not None:
            span = inside_string(lines, span, value_at(value, finding.pointer), finding.offset)
    if span.end_line > span.line:
        span = trim_end(lines, span, value_at(value, finding.pointer))
    registered = RULES.get(code)
    severity = finding.severity or (registered.severity if registered else Severity.ERROR)
    return Diagnostic(
        code, severity, finding.message, finding.pointer, document.filename,
        span.line, span.column, span.end_line, span.end_column, finding.state, finding.field,
    )


def lint_value(value: Any, **options: Any) -> list[Diagnostic]:
    """Lint an already decoded definition (a dict); positions are unknown (1:1)."""
    document = Document(value=value, text="", filename=None, format="json")
    return lint_document(document, **options)
