"""SW4xx: data-flow syntax in JSONPath states (spec/data-flow.md): paths, reference paths, `.$` values.

JSONata states have none of these fields (SW701 reports them); keys ending in `.$` are plain keys
there, which AWS accepts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from statewright.core.jsonpath import is_plain_path
from statewright.lint.context import LintContext, StateRef
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import rule
from statewright.lint.rules._model import ChoiceRule, Facts, facts
from statewright.lint.rules._support import (
    PATH_FIELDS,
    PATH_OR_INTRINSIC_FIELDS,
    TEMPLATE_FIELDS,
    Problem,
    broken_filter,
    has_placeholder,
    path_error,
    path_or_intrinsic_error,
    quote,
)
from statewright.lint.rules.choice import PATH_OPERATORS


def _jsonpath_states(context: LintContext) -> list[StateRef]:
    return facts(context).jsonpath_states


_PATH_SET = frozenset(PATH_FIELDS)
_PATH_ORDER = {name: index for index, name in enumerate(PATH_FIELDS)}


def _path_fields(state: StateRef, choices: list[ChoiceRule]) -> Iterator[tuple[tuple[str, ...] | str, str, Any, bool]]:
    """(path from the state or pointer, field label, value, also an intrinsic?) for every path-valued field."""
    body = state.body
    present = [name for name in body if name in _PATH_SET]
    if len(present) > 1:
        present.sort(key=_PATH_ORDER.__getitem__)
    for name in present:  # PATH_FIELDS, in their order: a state has few of them
        yield (name,), name, body[name], False
    if state.type == "Fail":
        for name in PATH_OR_INTRINSIC_FIELDS:
            if name in body:
                yield (name,), name, body[name], True
    reader = body.get("ItemReader")
    if isinstance(reader, dict) and isinstance(reader.get("ReaderConfig"), dict):
        config = reader["ReaderConfig"]
        if "MaxItemsPath" in config:
            yield ("ItemReader", "ReaderConfig", "MaxItemsPath"), \
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
        choices = known.rules[state.pointer]
        if not choices and _PATH_SET.isdisjoint(state.body) and "ItemReader" not in state.body \
                and state.type != "Fail":
            continue  # no path field at all (_path_fields would find nothing)
        for where, field, value, intrinsic_allowed in _path_fields(state, choices):
            if not isinstance(value, str) or has_placeholder(value):
                continue  # null or another type: the schema pass says what is allowed
            problem = path_or_intrinsic_error(value) if intrinsic_allowed else path_error(value)
            if problem:
                kind = "a path or an intrinsic function call" if intrinsic_allowed else "a path"
                yield Finding(
                    f"Field '{field}' of state '{state.name}' must be {kind}; {quote(value)} is not: {problem}.",
                    where if isinstance(where, str) else state.field_pointer(*where), state=state.name, field=field,
                    offset=problem.offset,
                )


def result_paths(state: StateRef) -> Iterator[tuple[tuple[str | int, ...], str, Any]]:
    """(path from the state, field, value) of the state's and its catchers' ResultPath."""
    body = state.body
    if "ResultPath" in body:
        yield ("ResultPath",), "ResultPath", body["ResultPath"]
    catchers = body.get("Catch")
    if isinstance(catchers, list):
        for index, catcher in enumerate(catchers):
            if isinstance(catcher, dict) and "ResultPath" in catcher:
                yield ("Catch", index, "ResultPath"), f"Catch[{index}].ResultPath", catcher["ResultPath"]


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
        body = state.body
        if "Catch" not in body:  # result_paths, for the usual state: its own ResultPath at most
            value = body.get("ResultPath")
            if not isinstance(value, str) or (is_plain_path(value) and not value.startswith("$$")):
                continue  # absent, null (or another type: the schema's), or a plain Reference Path
            candidates: Iterable[tuple[tuple[str | int, ...], str, Any]] = ((("ResultPath",), "ResultPath", value),)
        else:
            candidates = result_paths(state)
        for path, field, value in candidates:
            if not isinstance(value, str) or has_placeholder(value):
                continue
            problem = path_error(value, reference=True)
            if problem is None and value.startswith("$$"):
                problem = Problem("a ResultPath writes into the state's input; the context object '$$' is read-only")
            if problem:
                yield Finding(
                    f"Field '{field}' of state '{state.name}' must be a Reference Path or null; {quote(value)} "
                    f"is not: {problem}.",
                    state.field_pointer(*path), state=state.name, field=field, offset=problem.offset,
                )


def dollar_keys(state: StateRef, known: Facts) -> list[tuple[tuple[str | int, ...], str, str, Any]]:
    """(path from the state, field, key, value) of every key ending in '.$' inside the state's payload
    templates, in document order. The path becomes a pointer (``state.field_pointer(*path)``) only for a
    finding: building one for each of thousands of keys would be most of the rules' cost."""
    found = known.dollar_keys.get(state.pointer)
    if found is None:
        found = []
        body = state.body
        # _templates, unrolled: the template fields the state has (a state has few keys), in their order.
        present = [] if _TEMPLATE_SET.isdisjoint(body) else [name for name in body if name in _TEMPLATE_SET]
        if len(present) > 1:
            present.sort(key=_TEMPLATE_ORDER.__getitem__)
        for name in present:
            template = body[name]
            if isinstance(template, _CONTAINERS):
                _collect_dollar_keys(template, (name,), name, found)
        for key in ("Catch", "Choices"):
            if key in body and (key == "Catch" or state.type == "Choice"):
                items = body[key]
                if isinstance(items, list):
                    for index, item in enumerate(items):
                        if isinstance(item, dict) and "Assign" in item and isinstance(item["Assign"], _CONTAINERS):
                            _collect_dollar_keys(item["Assign"], (key, index, "Assign"), f"{key}[{index}].Assign",
                                                 found)
        known.dollar_keys[state.pointer] = found
    return found


_CONTAINERS = (dict, list)
_TEMPLATE_SET = frozenset(TEMPLATE_FIELDS)
_TEMPLATE_ORDER = {name: index for index, name in enumerate(TEMPLATE_FIELDS)}


def _collect_dollar_keys(value: Any, path: tuple[str | int, ...], field: str,
                         found: list[tuple[tuple[str | int, ...], str, str, Any]]) -> None:
    # Object keys that are strings, at any depth (through objects and arrays), in document order.
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                continue
            if key.endswith(".$"):
                found.append(((*path, key), field, key, item))
            if isinstance(item, _CONTAINERS):
                _collect_dollar_keys(item, (*path, key), field, found)
    else:
        for index, item in enumerate(value):
            if isinstance(item, _CONTAINERS):
                _collect_dollar_keys(item, (*path, index), field, found)


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
        for path, field, key, value in dollar_keys(state, known):
            if not isinstance(value, str) or has_placeholder(value):
                continue
            problem = path_or_intrinsic_error(value)
            if problem:
                yield Finding(
                    f"The value of '{key}' in field '{field}' of state '{state.name}' must be a path or an "
                    f"intrinsic function call; {quote(value)} is not: {problem}.",
                    state.field_pointer(*path), state=state.name, field=field, offset=problem.offset,
                )


@rule("SW405", "filter-fails-at-run-time", Severity.WARNING)
def filter_fails_at_run_time(context: LintContext) -> Iterator[Finding]:
    """A path's filter cannot be compiled, so the state fails when it evaluates the path.

    ## What it does
    Finds filters (`[?(...)]`) in path fields and `.$` values that Jayway JsonPath, which AWS evaluates
    paths with, cannot compile although their brackets close: an unquoted word as a value
    (`[?(@.status == PAID)]`), a missing operand, a stray character.

    ## Why is this bad?
    AWS creates the machine (it only checks where the filter ends), and the state fails with
    `States.Runtime` each time it evaluates the path. A warning, not an error, because the machine deploys.

    ## Example
    ```yaml
    Parameters:
      paid.$: $.lines[?(@.type == PAID)]
    ```

    ## Use instead
    Quote the word:
    ```yaml
    Parameters:
      paid.$: $.lines[?(@.type == 'PAID')]
    ```
    """
    known = facts(context)
    for state in known.jsonpath_states:
        fields = [(where, field, value) for where, field, value, _ in _path_fields(state, known.rules[state.pointer])]
        fields += [(path, f"{field}.{key}", value) for path, field, key, value in dollar_keys(state, known)]
        for where, field, value in fields:
            problem = broken_filter(value) if isinstance(value, str) and not has_placeholder(value) else None
            if problem:
                yield Finding(f"Field '{field}' of state '{state.name}': {problem}; the state will fail with "
                              "States.Runtime when it evaluates the path.",
                              where if isinstance(where, str) else state.field_pointer(*where), state=state.name,
                              field=field, offset=problem.offset)


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
        for path, field, key, value in dollar_keys(state, known):
            if not isinstance(value, str):
                yield Finding(
                    f"Key '{key}' in field '{field}' of state '{state.name}' ends in '.$', so its value must be a "
                    f"path or intrinsic string, not {quote(value)}; remove '.$' for a literal value.",
                    state.field_pointer(*path), state=state.name, field=field,
                )
