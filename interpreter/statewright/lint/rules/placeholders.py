"""SW8xx: deployment placeholders (``${Name}``) where the linter would check syntax or a type.

The other rules skip such values, so a definition with placeholders never gets an error for them;
this rule says, as a warning, what was left unchecked. ``statewright lint --substitute`` fills them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from statewright.lint.context import LintContext, StateRef
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import rule
from statewright.lint.rules._model import Facts, facts
from statewright.lint.rules._support import PATH_FIELDS, PATH_OR_INTRINSIC_FIELDS, has_placeholder
from statewright.lint.rules.choice import PATH_OPERATORS, TIMESTAMP_OPERATORS
from statewright.lint.rules.dataflow import dollar_keys, result_paths


def _checked_values(state: StateRef, known: Facts) -> Iterator[tuple[str | tuple[str, ...], str, Any]]:
    """(where, field, value) of every string whose syntax another rule checks.

    ``where`` is a pointer, or a path from the state turned into one only for a finding: placeholders
    are rare, and building thousands of pointers nobody reads would be most of this rule's cost.
    Placeholders where a number or a boolean stands are the schema pass's (SW801), not repeated here.
    """
    body = state.body
    for name in (*PATH_FIELDS, *PATH_OR_INTRINSIC_FIELDS, "Timestamp"):
        if name in body:
            yield (name,), name, body[name]
    yield from result_paths(state)
    for path, field, key, value in dollar_keys(state, known):
        yield path, f"{field} '{key}'", value
    for move in known.moves[state.pointer]:
        yield move.path, move.field, move.target  # type: ignore[misc]
    for choice in known.rules[state.pointer]:
        for key, value in choice.body.items():
            if key == "Variable" or key in PATH_OPERATORS or key in TIMESTAMP_OPERATORS:
                yield f"{choice.pointer}/{key}", f"{choice.label}.{key}", value


@rule("SW802", "placeholder-not-checked", Severity.WARNING)
def placeholder_not_checked(context: LintContext) -> Iterator[Finding]:
    """A deployment placeholder (`${Name}`) stands where the syntax of a path, a state name or a timestamp is checked.

    ## What it does
    Notes values holding a placeholder from SAM, CloudFormation `DefinitionSubstitutions`, CDK
    (`${Token[TOKEN.12]}`) or Terraform `templatefile` in fields whose syntax or type the linter
    checks: paths, `ResultPath`, `.$` values, `StartAt` and transition targets, `Timestamp` and
    the timestamp and path operands of Choice rules. Placeholders in plain string fields (`Resource`,
    `Parameters` values) are not reported; where a number or boolean stands, SW801 reports them.

    ## Why is this bad?
    It is not: the value is filled in at deploy time. But the linter cannot check it, so a mistake in
    the substituted value shows up only when AWS rejects the deployment.

    ## Example
    ```yaml
    Pause: {Type: Wait, Timestamp: "${ReleaseTime}", Next: Publish}
    ```

    ## Use instead
    Lint with the values: `statewright lint --substitute ReleaseTime=2025-01-01T00:00:00Z workflow.yaml`.
    """
    text = context.document.text if context.document is not None else ""
    if text and "${" not in text:
        return  # the source has no placeholder at all: skip the walk (most definitions)
    for scope in context.scopes:
        if has_placeholder(scope.start_at):
            yield Finding(
                f"StartAt {scope.start_at!r} holds a deployment placeholder, so the linter cannot check the "
                "state it names; lint with --substitute to check it.",
                f"{scope.pointer}/StartAt", field="StartAt",
            )
    known = facts(context)
    for state in known.states:
        for where, field, value in _checked_values(state, known):
            if has_placeholder(value):
                pointer = where if isinstance(where, str) else state.field_pointer(*where)
                yield Finding(
                    f"Field '{field}' of state '{state.name}' holds the deployment placeholder {value!r}, so it is "
                    "not checked; lint with --substitute to check it.",
                    pointer, state=state.name, field=field,
                )
