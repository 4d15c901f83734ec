"""Lint rules: each is a small generator of findings, registered with a code, a name and its doc.

A rule's docstring is its documentation (``statewright lint --explain CODE`` and ``spec/lint-rules.md``
are generated from it), written in four sections as ruff does: ``What it does``, ``Why is this bad?``,
``Example`` and ``Use instead``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from statewright.lint.diagnostic import Finding, Severity

if TYPE_CHECKING:
    from statewright.lint.context import LintContext

Check = Callable[["LintContext"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    check: Check | None  # None for codes reported by the reader or the schema pass


RULES: dict[str, Rule] = {}


def _register(code: str, name: str, severity: Severity, doc: str, check: Check | None) -> Rule:
    if code in RULES:
        raise ValueError(f"lint rule code {code} registered twice ({RULES[code].name} and {name})")
    doc = inspect.cleandoc(doc or "")
    summary = doc.splitlines()[0] if doc else name
    found = Rule(code, name, severity, summary, doc, check)
    RULES[code] = found
    return found


def rule(code: str, name: str, severity: Severity = Severity.ERROR) -> Callable[[Check], Check]:
    """Register a semantic rule. The decorated generator receives a :class:`LintContext`."""

    def decorate(check: Check) -> Check:
        _register(code, name, severity, check.__doc__ or "", check)
        return check

    return decorate


def declare(code: str, name: str, severity: Severity, doc: str) -> Rule:
    """Register a code that is reported outside the rule engine (reader errors, schema pass)."""
    return _register(code, name, severity, doc, None)


def all_rules() -> list[Rule]:
    """Every rule, sorted by code, with the rule modules imported."""
    import statewright.lint.rules  # noqa: F401  (importing registers the rules)

    return sorted(RULES.values(), key=lambda r: r.code)
