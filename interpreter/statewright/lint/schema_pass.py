"""The JSON Schema pass (placeholder until the schema work lands)."""

from collections.abc import Iterator

from statewright.lint.context import LintContext
from statewright.lint.diagnostic import Finding


def schema_findings(context: LintContext) -> Iterator[tuple[str, Finding]]:
    return iter(())
