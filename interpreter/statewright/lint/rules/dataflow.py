"""SW4xx: data-flow syntax in JSONPath states (spec/data-flow.md): paths, reference paths, `.$` values.

JSONata states have none of these fields (SW701 reports them); keys ending in `.$` are plain keys
there, which AWS accepts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from statewright.lint.context import LintContext, StateRef
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import rule
from statewright.lint.rules._model import ChoiceRule, Facts, facts
from statewright.lint.rules._support import (
    PATH_FIELDS,
    PATH_OR_INTRINSIC_FIELDS,
    TEMPLATE_FIELDS,
    has_placeholder,
    list_items,
    path_error,
    path_or_intrinsic_error,
    quote,
    walk_templates,
)
from statewright.lint.rules.choice import PATH_OPERATORS


def _jsonpath_states(context: LintContext) -> list[StateRef]:
    return facts(context).jsonpath_states


def _path_fields(state: StateRef, choices: list[ChoiceRule]) -> Iterator[tuple[str, str, Any, bool]]:
    """(pointer, field label, value, also an intrinsic?) for every path-valued field of a state."""
    body = state.body
    for name in PATH_FIELDS:
        if name in body:
            yield state.field_pointer(name), name, body[name], False
    if state.type == "Fail":
        for name in PATH_OR_INTRINSIC_FIELDS:
            if name in body:
                yield state.field_pointer(name), name, body[name], True
    reader = body.get("ItemReader")
    if isinstance(reader, dict) and isinstance(reader.get("ReaderConfig"), dict):
        config = reader["ReaderConfig"]
        if "MaxItemsPath" in config:
            yield state.field_pointer("ItemReader", "ReaderConfig", "MaxItemsPath"), \
                "ItemReader.ReaderConfig.MaxItemsPath", config["MaxItemsPath"], False
    for choice in choices:
        for key, value in choice.body.items():
            if key == "Variable" or key in PATH_OPERATORS:
                yield f"{choice.pointer}/{key}", f"{choice.label}.{key}", value, False


@rule("SW401", "invalid-path", Severity.ERROR)
def invalid_path(context: LintContext) -> Iterator[Finding]:
    """A path field (`InputPath`, `OutputPath`, `ItemsPath`, `*Path`, a Choice `Variable`) is not a valid path.

    ## What it does
    Parses every path-valued field of JSONPath states: `InputPath`, `OutputPath`, `ItemsPath`,
    `SecondsPath`, `TimestampPath`, `TimeoutSecondsPath`, `HeartbeatSecondsPath`,
    `MaxConcurrencyPath`, `ToleratedFailure*Path`, Fail's `ErrorPath`/`CausePath` (which may also be
    an intrinsic call), Choice rules' `Variable` and `*Path` operators. A path starts with `$`
    (input), `$$` (context object) or `$name` (a variable).

    ## Why is this bad?
    AWS rejects the definition.

    ## Example
    ```yaml
    InputPath: $.orders[
    ```

    ## Use instead
    ```yaml
    InputPath: $.orders[0]
    ```
    """
    known = facts(context)
    for state in known.jsonpath_states:
        for pointer, field, value, intrinsic_allowed in _path_fields(state, known.rules[state.pointer]):
            if not isinstance(value, str) or has_placeholder(value):
                continue  # null or another type: the schema pass says what is allowed
            problem = path_or_intrinsic_error(value) if intrinsic_allowed else path_error(value)
            if problem:
                kind = "a path or an intrinsic function call" if intrinsic_allowed else "a path"
                yield Finding(
                    f"Field '{field}' of state '{state.name}' must be {kind}; {quote(value)} is not: {problem}.",
                    pointer, state=state.name, field=field,
                )


def result_paths(state: StateRef) -> Iterator[tuple[str, str, Any]]:
    if "ResultPath" in state.body:
        yield state.field_pointer("ResultPath"), "ResultPath", state.body["ResultPath"]
    for index, catcher in list_items(state.body.get("Catch")):
        if "ResultPath" in catcher:
            yield state.field_pointer("Catch", index, "ResultPath"), f"Catch[{index}].ResultPath", \
                catcher["ResultPath"]


@rule("SW402", "invalid-result-path", Severity.ERROR)
def invalid_result_path(context: LintContext) -> Iterator[Finding]:
    """`ResultPath` is not a Reference Path.

    ## What it does
    Checks `ResultPath` of states and catchers: `null` (discard the result) or a Reference Path,
    a path of `.name`, `['name']` and `[index]` steps only, starting at `$`.

    ## Why is this bad?
    AWS rejects the definition: a result can only be written to one definite place.

    ## Example
    ```yaml
    ResultPath: $.items[*].result
    ```

    ## Use instead
    ```yaml
    ResultPath: $.result
    ```
    """
    for state in _jsonpath_states(context):
        for pointer, field, value in result_paths(state):
            if not isinstance(value, str) or has_placeholder(value):
                continue
            problem = path_error(value, reference=True)
            if problem is None and value.startswith("$$"):
                problem = "a ResultPath writes into the state's input; the context object '$$' is read-only"
            if problem:
                yield Finding(
                    f"Field '{field}' of state '{state.name}' must be a Reference Path or null; {quote(value)} "
                    f"is not: {problem}.",
                    pointer, state=state.name, field=field,
                )


def _templates(state: StateRef) -> Iterator[tuple[str, str, Any]]:
    """(pointer, field, value) of every payload template of a state."""
    body = state.body
    for name in TEMPLATE_FIELDS:
        if name in body:
            yield state.field_pointer(name), name, body[name]
    for index, catcher in list_items(body.get("Catch")):
        if "Assign" in catcher:
            yield state.field_pointer("Catch", index, "Assign"), f"Catch[{index}].Assign", catcher["Assign"]
    if state.type == "Choice":
        for index, choice in list_items(body.get("Choices")):
            if "Assign" in choice:
                yield state.field_pointer("Choices", index, "Assign"), f"Choices[{index}].Assign", choice["Assign"]


def dollar_keys(state: StateRef, known: Facts) -> list[tuple[str, str, str, Any]]:
    """(pointer, field, key, value) of every key ending in '.$' inside the state's payload templates."""
    found = known.dollar_keys.get(state.pointer)
    if found is None:
        found = [
            (pointer, field, key, value)
            for template_pointer, field, template in _templates(state)
            for pointer, key, value in walk_templates(template, template_pointer)
            if key.endswith(".$")
        ]
        known.dollar_keys[state.pointer] = found
    return found


@rule("SW403", "invalid-dollar-value", Severity.ERROR)
def invalid_dollar_value(context: LintContext) -> Iterator[Finding]:
    """The value of a key ending in `.$` is neither a valid path nor a valid intrinsic function call.

    ## What it does
    In `Parameters`, `ResultSelector`, `ItemSelector`, `Credentials`, `Assign`, `ItemReader`,
    `ResultWriter` and `ItemBatcher` of JSONPath states, at any depth, parses the value of every key
    ending in `.$` as a path or as an intrinsic call (`States.Format(...)`): names, argument counts,
    quoting and escapes. Inside an intrinsic's single-quoted strings only `\\'`, `\\{`, `\\}` and
    `\\\\` are escapes; `\\"` is not.

    ## Why is this bad?
    AWS rejects the definition ("must be a valid JSONPath or a valid intrinsic function call").

    ## Example
    ```yaml
    Parameters:
      greeting.$: States.Format('He said, \\"Hi, {}!\\"', $.name)
    ```

    ## Use instead
    ```yaml
    Parameters:
      greeting.$: States.Format('He said, "Hi, {}!"', $.name)
    ```
    """
    known = facts(context)
    for state in known.jsonpath_states:
        for pointer, field, key, value in dollar_keys(state, known):
            if not isinstance(value, str) or has_placeholder(value):
                continue
            problem = path_or_intrinsic_error(value)
            if problem:
                yield Finding(
                    f"The value of '{key}' in field '{field}' of state '{state.name}' must be a path or an "
                    f"intrinsic function call; {quote(value)} is not: {problem}.",
                    pointer, state=state.name, field=field,
                )


@rule("SW404", "dollar-key-not-string", Severity.ERROR)
def dollar_key_not_string(context: LintContext) -> Iterator[Finding]:
    """A key ending in `.$` has a value that is not a string.

    ## What it does
    Reports keys ending in `.$` in the payload templates of JSONPath states whose value is a number,
    boolean, null, object or array.

    ## Why is this bad?
    The `.$` suffix says "the value is a path or intrinsic to evaluate", which must be a string;
    AWS rejects the definition. Drop the suffix to pass a literal value.

    ## Example
    ```yaml
    Parameters:
      limit.$: 10
    ```

    ## Use instead
    ```yaml
    Parameters:
      limit: 10
    ```
    """
    known = facts(context)
    for state in known.jsonpath_states:
        for pointer, field, key, value in dollar_keys(state, known):
            if not isinstance(value, str):
                yield Finding(
                    f"Key '{key}' in field '{field}' of state '{state.name}' ends in '.$', so its value must be a "
                    f"path or intrinsic string, not {quote(value)}; remove '.$' for a literal value.",
                    pointer, state=state.name, field=field,
                )
