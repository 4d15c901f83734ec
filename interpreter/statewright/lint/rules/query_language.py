"""SW7xx: JSONPath and JSONata (spec/query-language.md): each state uses its own language's fields.

A state's language is its own ``QueryLanguage`` or else the machine's (JSONPath by default). ``Assign``
and ``ItemSelector`` exist in both languages.
"""

from __future__ import annotations

from collections.abc import Iterator

from statewright.lint.context import JSONATA, JSONPATH, LintContext, StateRef
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import rule
from statewright.lint.rules._model import ChoiceRule, facts
from statewright.lint.rules._support import (
    NUMERIC_FIELDS,
    PATH_FIELDS,
    PATH_OR_INTRINSIC_FIELDS,
    is_jsonata_expression,
    is_jsonata_state,
    jsonata_body,
    list_items,
    quote,
)
from statewright.lint.rules.variables import expression_strings

JSONPATH_ONLY = ("Parameters", "ResultSelector", "ResultPath", *PATH_FIELDS, *PATH_OR_INTRINSIC_FIELDS)
JSONATA_ONLY = ("Arguments", "Output", "Items")
_NUMERIC_SET = frozenset(NUMERIC_FIELDS)
# Fields whose strings a JSONata state evaluates when they are {% %} expressions.
JSONATA_TEMPLATES = ("Arguments", "Output", "Assign", "Items", "ItemSelector")


def _misplaced(state: StateRef, choices: list[ChoiceRule]) -> Iterator[tuple[str, str]]:
    """(pointer, field) of every field that belongs to the other query language."""
    body = state.body
    if is_jsonata_state(state):
        for name in JSONPATH_ONLY:
            if name in body:
                yield state.field_pointer(name), name
        for index, catcher in list_items(body.get("Catch")):
            if "ResultPath" in catcher:
                yield state.field_pointer("Catch", index, "ResultPath"), f"Catch[{index}].ResultPath"
        for choice in choices:
            for key in choice.body:
                if key not in ("Condition", "Next", "Assign", "Output", "Comment"):
                    yield f"{choice.pointer}/{key}", f"{choice.label}.{key}"
    else:
        for name in JSONATA_ONLY:
            if name in body:
                yield state.field_pointer(name), name
        for index, catcher in list_items(body.get("Catch")):
            if "Output" in catcher:
                yield state.field_pointer("Catch", index, "Output"), f"Catch[{index}].Output"
        for choice in choices:
            for key in ("Condition", "Output"):
                if key in choice.body:
                    yield f"{choice.pointer}/{key}", f"{choice.label}.{key}"


@rule("SW701", "jsonpath-field-in-jsonata-state", Severity.ERROR)
def jsonpath_field_in_jsonata_state(context: LintContext) -> Iterator[Finding]:
    """A JSONata state uses a JSONPath-only field (`InputPath`, `Parameters`, `ResultPath`, `*Path`, `Variable`, ...).

    ## What it does
    Reports `InputPath`, `OutputPath`, `Parameters`, `ResultSelector`, `ResultPath`, `ItemsPath` and
    the `*Path` fields on states whose query language is JSONata, and Choice rules with `Variable` or
    comparison operators instead of `Condition`.

    ## Why is this bad?
    AWS rejects the definition. In JSONata, `Arguments` replaces `Parameters`, `Output` replaces
    `ResultSelector`/`ResultPath`/`OutputPath`, `Items` replaces `ItemsPath`, and `{% %}` expressions
    replace the `*Path` fields.

    ## Example
    ```yaml
    QueryLanguage: JSONata
    ...
      Load: {Type: Pass, InputPath: $.order, End: true}
    ```

    ## Use instead
    ```yaml
      Load: {Type: Pass, Output: "{% $states.input.order %}", End: true}
    ```
    """
    known = facts(context)
    for state in known.jsonata_states:
        for pointer, field in _misplaced(state, known.rules[state.pointer]):
            yield Finding(
                f"Field '{field}' of state '{state.name}' is JSONPath-only, but the state's query language is "
                "JSONata.",
                pointer, state=state.name, field=field, at_key=True,
            )


@rule("SW702", "jsonata-field-in-jsonpath-state", Severity.ERROR)
def jsonata_field_in_jsonpath_state(context: LintContext) -> Iterator[Finding]:
    """A JSONPath state uses a JSONata-only field (`Arguments`, `Output`, `Items`, `Condition`) or a `{% %}` value.

    ## What it does
    Reports `Arguments`, `Output`, `Items`, Choice rules' `Condition` and catchers' `Output` on states
    whose query language is JSONPath (the default), and `{% ... %}` strings where a number stands
    (`Seconds`, `TimeoutSeconds`, `MaxConcurrency`, ...).

    ## Why is this bad?
    AWS rejects the definition. Set `QueryLanguage: JSONata` on the state or the machine.

    ## Example
    ```yaml
    Load: {Type: Pass, Output: "{% $states.input.order %}", End: true}
    ```

    ## Use instead
    ```yaml
    Load: {Type: Pass, QueryLanguage: JSONata, Output: "{% $states.input.order %}", End: true}
    ```
    """
    known = facts(context)
    for state in known.jsonpath_states:
        body = state.body
        choices = known.rules[state.pointer]
        if choices or "Catch" in body or "Arguments" in body or "Output" in body or "Items" in body:
            for pointer, field in _misplaced(state, choices):
                yield Finding(
                    f"Field '{field}' of state '{state.name}' is JSONata-only, but the state's query language is "
                    "JSONPath; set QueryLanguage: JSONata.",
                    pointer, state=state.name, field=field, at_key=True,
                )
        if _NUMERIC_SET.isdisjoint(body):
            continue
        for name in NUMERIC_FIELDS:
            value = body.get(name)
            if isinstance(value, str) and is_jsonata_expression(value):
                yield Finding(
                    f"Field '{name}' of state '{state.name}' is a JSONata expression, but the state's query "
                    f"language is JSONPath; use a number or '{name}Path'.",
                    state.field_pointer(name), state=state.name, field=name,
                )


@rule("SW703", "query-language-downgrade", Severity.ERROR)
def query_language_downgrade(context: LintContext) -> Iterator[Finding]:
    """A state sets `QueryLanguage: JSONPath` in a machine whose top-level `QueryLanguage` is JSONata.

    ## What it does
    Reports states (nested ones included) that ask for JSONPath when the whole machine is JSONata.
    A JSONPath machine may hold JSONata states, and states inside them may go back to JSONPath.

    ## Why is this bad?
    AWS rejects the definition: JSONata at the top means the whole machine is JSONata.

    ## Example
    ```yaml
    QueryLanguage: JSONata
    StartAt: Old
    States:
      Old: {Type: Pass, QueryLanguage: JSONPath, End: true}
    ```

    ## Use instead
    ```yaml
    StartAt: Old
    States:
      Old: {Type: Pass, End: true}
    ```
    """
    if context.top_query_language != JSONATA:
        return
    for state in facts(context).states:
        if state.body.get("QueryLanguage") == JSONPATH:
            yield Finding(
                f"State '{state.name}' sets QueryLanguage 'JSONPath', but the state machine's QueryLanguage is "
                "'JSONata'; a state cannot go back to JSONPath.",
                state.field_pointer("QueryLanguage"), state=state.name, field="QueryLanguage",
            )


# The fields whose strings a JSONata state evaluates, at the top of a state; and in catchers and Choice
# rules, Output, Assign and Condition, at any depth (inside arrays too).
_EXPRESSION_FIELDS = frozenset({*JSONATA_TEMPLATES, *NUMERIC_FIELDS, "Timestamp", "Catch", "Choices"})


@rule("SW704", "empty-jsonata-expression", Severity.ERROR)
def empty_jsonata_expression(context: LintContext) -> Iterator[Finding]:
    """A JSONata state has a `{% %}` expression with nothing inside.

    ## What it does
    In JSONata states, reports `{% %}` (or `{%   %}`) in `Arguments`, `Output`, `Assign`, `Items`,
    `ItemSelector`, Choice conditions and the fields that may be computed (`Seconds`, `Timestamp`,
    `TimeoutSeconds`, `MaxConcurrency`, ...), at any depth.

    ## Why is this bad?
    AWS rejects the definition: an empty expression has no value.

    ## Example
    ```yaml
    Pause: {Type: Wait, Seconds: "{% %}", Next: Go}
    ```

    ## Use instead
    ```yaml
    Pause: {Type: Wait, Seconds: "{% $states.input.delay %}", Next: Go}
    ```
    """
    known = facts(context)
    for state in known.jsonata_states:
        # The expressions the variable rules collect hold these fields' ones, at any depth and in arrays
        # too; error names in ErrorEquals are names, never evaluated.
        for path, field, text in expression_strings(state, known):
            if not jsonata_body(text) and path[0] in _EXPRESSION_FIELDS and "ErrorEquals" not in path:
                yield Finding(
                    f"Field '{field}' of state '{state.name}' has an empty JSONata expression {quote(text)}.",
                    state.field_pointer(*path), state=state.name, field=field,
                )
