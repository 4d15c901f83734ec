"""SW71x: variables and JSONata expressions (spec/variables.md 9, spec/jsonata.md).

A variable is available in a state when some state that can run before it, in its own scope or (for
a Parallel branch or a Map item run) before the owning state in an enclosing scope, assigns it. The
analysis follows transitions (``Next``, Choice targets, ``Default``, catchers), so it is a may-analysis:
it reports a reference only when no path at all assigns the variable first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from statewright.core.jsonata import JsonataSyntaxError, compile_expression
from statewright.lint.context import LintContext, StateRef
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import rule
from statewright.lint.rules._model import facts
from statewright.lint.rules._support import is_jsonata_expression, is_jsonata_state, list_items, quote

# Fields whose strings may read variables, in either language.
_READING_FIELDS = ("Arguments", "Output", "Assign", "Items", "ItemSelector", "Parameters", "ResultSelector",
                   "InputPath", "OutputPath", "ItemsPath", "SecondsPath", "TimestampPath", "TimeoutSecondsPath",
                   "HeartbeatSecondsPath", "ErrorPath", "CausePath", "Seconds", "Timestamp", "TimeoutSeconds",
                   "HeartbeatSeconds", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount",
                   "ToleratedFailurePercentage", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath",
                   "Error", "Cause", "ItemBatcher", "Credentials")
_VARIABLE = re.compile(r"(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()")
_BOUND = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\s*:=")
_PARAMETERS = re.compile(r"function\s*\(([^)]*)\)")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_RESERVED = frozenset({"states"})


def _strings(value: Any, pointer: str, key: str = "") -> Iterator[tuple[str, str, str]]:
    """(pointer, field, text) of every string at any depth of the field named ``key``.

    A stack, not recursion: Choice rules can nest deeper than Python's recursion limit.
    """
    stack: list[tuple[Any, str, str]] = [(value, pointer, key)]
    while stack:
        node, where, name = stack.pop()
        if isinstance(node, str):
            yield where, name, node
        elif isinstance(node, dict):
            for child, item in reversed(list(node.items())):
                if isinstance(child, str):
                    stack.append((item, f"{where}/{child.replace('~', '~0').replace('/', '~1')}", name))
        elif isinstance(node, list):
            for index in range(len(node) - 1, -1, -1):
                stack.append((node[index], f"{where}/{index}", name))


def _reading_strings(state: StateRef) -> Iterator[tuple[str, str, str]]:
    body = state.body
    for name in _READING_FIELDS:
        if name in body:
            yield from _strings(body[name], state.field_pointer(name), name)
    for field in ("Catch", "Choices"):
        for index, item in list_items(body.get(field)):
            for key in ("Condition", "Output", "Assign"):
                if key in item:
                    yield from _strings(item[key], state.field_pointer(field, index, key), f"{field}[{index}].{key}")


def referenced_variables(state: StateRef, key: str, text: str) -> set[str]:
    """The variables one string of ``state`` reads (JSONata expression, path or intrinsic call)."""
    if is_jsonata_state(state):
        if not is_jsonata_expression(text):
            return set()
        body = _QUOTED.sub("''", text[2:-2])
        local = set(_BOUND.findall(body))
        for parameters in _PARAMETERS.findall(body):
            local.update(name.strip().lstrip("$") for name in parameters.split(","))
        return {name for name in _VARIABLE.findall(body) if name not in local and name not in _RESERVED}
    # JSONPath states are not analysed yet: `$name` there is also checked at run time (States.Runtime).
    return set()


def _assigned(body: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for holder in (body, *(item for _, item in list_items(body.get("Catch"))),
                   *(item for _, item in list_items(body.get("Choices")))):
        assign = holder.get("Assign")
        if isinstance(assign, dict):
            names.update(key[:-2] if key.endswith(".$") else key for key in assign if isinstance(key, str))
    return names


def _available(context: LintContext) -> dict[str, set[str]]:
    """State pointer -> the variables some state that can run before it assigns.

    A forward data-flow fixpoint over each scope's transitions: what reaches a state is what reaches its
    predecessors plus what they assign. Sets only grow, so the worklist ends; the cost is about
    (states + transitions) x variables, where a reachability search per pair of states was cubic.
    """
    cached = context.memo.get("variables.available")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    found = facts(context)
    available: dict[str, set[str]] = {}
    # Scopes come outer first, so a nested scope finds its parent state's set already computed.
    for scope, refs in found.scopes:
        inherited: set[str] = set()
        if scope.parent_state is not None:
            inherited = available.get(scope.parent_state.pointer, set())
        successors = {
            name: [move.target for move in found.moves[ref.pointer] if move.target in refs]
            for name, ref in refs.items()
        }
        assigned = {name: _assigned(ref.body) for name, ref in refs.items()}
        reaching = {name: set(inherited) for name in refs}
        work = list(refs)
        while work:
            name = work.pop()
            flowing = reaching[name] | assigned[name]
            for target in successors[name]:
                if not flowing <= reaching[target]:
                    reaching[target] |= flowing
                    work.append(target)
        for name, ref in refs.items():
            available[ref.pointer] = reaching[name]
    context.memo["variables.available"] = available
    return available


@rule("SW711", "unassigned-variable", Severity.WARNING)
def unassigned_variable(context: LintContext) -> Iterator[Finding]:
    """A state reads a variable that no state that can run before it assigns.

    ## What it does
    Follows the transitions of every scope and reports `$name` in a JSONata expression of a JSONata
    state when no state on any path to the state (in its scope, or before the owning
    Parallel or Map state in an enclosing scope) has `name` in its `Assign`.

    ## Why is this bad?
    At run time the state fails with `States.QueryEvaluationError` (the expression returns nothing).
    Variables assigned inside a Map or Parallel branch are not visible after it.

    ## Example
    ```yaml
    Report: {Type: Pass, QueryLanguage: JSONata, Output: "{% $total %}", End: true}
    ```

    ## Use instead
    ```yaml
    Sum: {Type: Pass, QueryLanguage: JSONata, Assign: {total: "{% $sum($states.input.items) %}"}, Next: Report}
    Report: {Type: Pass, QueryLanguage: JSONata, Output: "{% $total %}", End: true}
    ```
    """
    available: dict[str, set[str]] | None = None  # computed only when some state reads a variable
    for state in facts(context).jsonata_states:  # JSONPath states are not analysed (see referenced_variables)
        for pointer, key, text in _reading_strings(state):
            names = referenced_variables(state, key, text)
            if not names:
                continue
            if available is None:
                available = _available(context)
            for name in sorted(names - available.get(state.pointer, set())):
                yield Finding(
                    f"Field '{key}' of state '{state.name}' reads variable '${name}', but no state that can run "
                    "before it assigns it.", pointer, state=state.name, field=key,
                )


@rule("SW712", "jsonata-syntax-error", Severity.ERROR)
def jsonata_syntax_error(context: LintContext) -> Iterator[Finding]:
    """A `{% %}` expression in a JSONata state is not valid JSONata.

    ## What it does
    Parses every `{% ... %}` string of every JSONata state with the engine that runs it and reports the
    engine's message and the position of the error inside the expression.

    ## Why is this bad?
    AWS rejects the definition; the state could never run.

    ## Example
    ```yaml
    Total: {Type: Pass, QueryLanguage: JSONata, Output: "{% $sum($states.input.items %}", End: true}
    ```

    ## Use instead
    ```yaml
    Total: {Type: Pass, QueryLanguage: JSONata, Output: "{% $sum($states.input.items) %}", End: true}
    ```
    """
    for state in facts(context).states:
        if not is_jsonata_state(state):
            continue
        for pointer, key, text in _reading_strings(state):
            if not is_jsonata_expression(text) or not text[2:-2].strip():
                continue  # empty expressions: SW704
            error = syntax_error(text)
            if error is not None:
                message, offset = error
                yield Finding(
                    f"Field '{key}' of state '{state.name}' has an invalid JSONata expression {quote(text)} "
                    f"(at character {offset + 1}): {message}", pointer, state=state.name, field=key, offset=offset,
                )


def syntax_error(text: str) -> tuple[str, int] | None:
    """(message, offset of the error inside ``text``) when the ``{% %}`` string does not parse."""
    body = text[2:-2]
    stripped = body.strip()
    try:
        compile_expression(stripped)
    except JsonataSyntaxError as exc:
        # The engine counts from the start of the stripped expression; the offset is in the whole string.
        lead = 2 + len(body) - len(body.lstrip())
        return exc.message, lead + max(0, min(exc.position, len(stripped)) - 1)
    return None
