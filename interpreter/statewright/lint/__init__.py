"""The linter: reader errors, the JSON Schema pass, and semantic rules, as positioned diagnostics."""

from statewright.lint.diagnostic import Diagnostic, Finding, Severity
from statewright.lint.engine import lint_document, lint_source, lint_value
from statewright.lint.registry import Rule, all_rules

__all__ = ["Diagnostic", "Finding", "Rule", "Severity", "all_rules", "lint_document", "lint_source", "lint_value"]
