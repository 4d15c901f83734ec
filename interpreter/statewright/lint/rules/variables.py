"""SW71x: variables and JSONata expressions (spec/variables.md 9, spec/jsonata.md).

A variable is available in a state when some state that can run before it, in its own scope or (for
a Parallel branch or a Map item run) before the owning state in an enclosing scope, assigns it. The
analysis follows transitions (``Next``, Choice targets, ``Default``, catchers), so it is a may-analysis:
it reports a reference only when no path at all assigns the variable first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

from statewright.lint.context import LintContext, StateRef
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import rule
from statewright.lint.rules._model import Facts, facts
from statewright.lint.rules._support import is_jsonata_expression, is_jsonata_state, list_items, quote

# Fields whose strings may read variables, in either language.
_READING_FIELDS = ("Arguments", "Output", "Assign", "Items", "ItemSelector", "Parameters", "ResultSelector",
                   "InputPath", "OutputPath", "ItemsPath", "SecondsPath", "TimestampPath", "TimeoutSecondsPath",
                   "HeartbeatSecondsPath", "ErrorPath", "CausePath", "Seconds", "Timestamp", "TimeoutSeconds",
                   "HeartbeatSeconds", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount",
                   "ToleratedFailurePercentage", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath",
                   "Error", "Cause", "ItemBatcher", "Credentials")
_READING_SET = frozenset(_READING_FIELDS)
_READING_ORDER = {name: index for index, name in enumerate(_READING_FIELDS)}
# Patterns, compiled on first use (_patterns): only JSONata expressions are read with them.
_VARIABLE = r"(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()"
_BOUND = r"\$([A-Za-z_][A-Za-z0-9_]*)\s*:="
_PARAMETERS = r"function\s*\(([^)]*)\)"
_QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
_RESERVED = frozenset({"states"})


Where = tuple[str | int, ...]


def expression_strings(state: StateRef, known: Facts) -> list[tuple[Where, str, str]]:
    """(path from the state, field, text) of every ``{% %}`` string, at any depth, of the fields that may
    read variables, in document order; computed once per state (SW704, SW711 and SW712 read them). The
    path becomes a pointer (``state.field_pointer(*path)``) only for a finding."""
    found = known.strings.get(state.pointer)
    if found is None:
        found = []
        body = state.body
        # The reading fields the state has (a state has few keys), in the order of _READING_FIELDS.
        present = [name for name in body if name in _READING_SET]
        if len(present) > 1:
            present.sort(key=_READING_ORDER.__getitem__)
        for name in present:
            _collect_strings(body[name], (name,), name, found)
        for field in ("Catch", "Choices"):
            items = body.get(field)
            if isinstance(items, list):
                for index, item in enumerate(items):
                    if isinstance(item, dict):
                        for key in ("Condition", "Output", "Assign"):
                            if key in item:
                                _collect_strings(item[key], (field, index, key), f"{field}[{index}].{key}", found)
        found = known.strings[state.pointer] = [entry for entry in found if is_jsonata_expression(entry[2])]
    return found


_CONTAINERS = (dict, list)
_NODES = (str, dict, list)


def _collect_strings(value: Any, path: Where, field: str, found: list[tuple[Where, str, str]], depth: int = 0) -> None:
    """Every string under ``value``, in document order (recursion, then a stack past 100 levels)."""
    if isinstance(value, str):
        found.append((path, field, value))
    elif depth > 100:
        _collect_deep_strings(value, path, field, found)
    elif isinstance(value, dict):
        for child, item in value.items():
            if isinstance(child, str):
                if isinstance(item, str):
                    found.append(((*path, child), field, item))
                elif isinstance(item, _CONTAINERS):
                    _collect_strings(item, (*path, child), field, found, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                found.append(((*path, index), field, item))
            elif isinstance(item, _CONTAINERS):
                _collect_strings(item, (*path, index), field, found, depth + 1)


def _collect_deep_strings(value: Any, path: Where, field: str, found: list[tuple[Where, str, str]]) -> None:
    """As _collect_strings, with a stack: a value can nest deeper than Python's recursion limit."""
    stack: list[tuple[Any, Where]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            found.append((where, field, node))
        elif isinstance(node, dict):
            for child, item in reversed(list(node.items())):
                if isinstance(child, str) and isinstance(item, _NODES):
                    stack.append((item, (*where, child)))
        elif isinstance(node, list):
            for index in range(len(node) - 1, -1, -1):
                item = node[index]
                if isinstance(item, _NODES):
                    stack.append((item, (*where, index)))


def referenced_variables(state: StateRef, key: str, text: str) -> set[str]:
    """The variables one string of ``state`` reads (JSONata expression, path or intrinsic call)."""
    if is_jsonata_state(state):
        if not is_jsonata_expression(text):
            return set()
        return set(_expression_variables(text))
    # JSONPath states are not analysed yet: `$name` there is also checked at run time (States.Runtime).
    return set()


@lru_cache(maxsize=16384)
def _expression_variables(text: str) -> frozenset[str]:
    """The free variables of one ``{% %}`` expression (a pure function of its text: cached)."""
    quoted, bound, parameters_of, variable = _patterns()
    body = quoted.sub("''", text[2:-2])
    local = set(bound.findall(body))
    for parameters in parameters_of.findall(body):
        local.update(name.strip().lstrip("$") for name in parameters.split(","))
    return frozenset(name for name in variable.findall(body) if name not in local and name not in _RESERVED)


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    return re.compile(_QUOTED), re.compile(_BOUND), re.compile(_PARAMETERS), re.compile(_VARIABLE)


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
        # Popped in the order of the flow (from StartAt, breadth-first, then the states it does not
        # reach): what a state passes on is then mostly complete when it is first passed on. The result
        # does not depend on the order (sets only grow to the same fixpoint); the work does: popped
        # backwards, a 1,000-state chain re-propagated every set down the rest of the chain.
        work = _flow_order(scope.start_at, refs, successors)
        work.reverse()
        pending = set(work)
        while work:
            name = work.pop()
            pending.discard(name)
            flowing = reaching[name] | assigned[name]
            for target in successors[name]:
                if not flowing <= reaching[target]:
                    reaching[target] |= flowing
                    if target not in pending:
                        pending.add(target)
                        work.append(target)
        for name, ref in refs.items():
            available[ref.pointer] = reaching[name]
    context.memo["variables.available"] = available
    return available


def _flow_order(start: str | None, refs: dict[str, StateRef], successors: dict[str, list[str]]) -> list[str]:
    """The names of ``refs`` breadth-first from ``start``, then the rest in document order."""
    order: list[str] = []
    seen: set[str] = set()
    if start in refs:
        order.append(start)
        seen.add(start)
        for name in order:  # grows while iterated: breadth-first
            for target in successors[name]:
                if target not in seen:
                    seen.add(target)
                    order.append(target)
    order.extend(name for name in refs if name not in seen)
    return order


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
    known = facts(context)
    for state in known.jsonata_states:  # JSONPath states are not analysed (see referenced_variables)
        for path, key, text in expression_strings(state, known):  # variables are read in {% %} only
            names = _expression_variables(text)
            if not names:
                continue
            if available is None:
                available = _available(context)
            for name in sorted(names - available.get(state.pointer, set())):
                yield Finding(
                    f"Field '{key}' of state '{state.name}' reads variable '${name}', but no state that can run "
                    "before it assigns it.", state.field_pointer(*path), state=state.name, field=key,
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
    known = facts(context)
    for state in known.jsonata_states:
        for path, key, text in expression_strings(state, known):
            if not text[2:-2].strip():
                continue  # empty expressions: SW704
            error = syntax_error(text)
            if error is not None:
                message, offset = error
                yield Finding(
                    f"Field '{key}' of state '{state.name}' has an invalid JSONata expression {quote(text)} "
                    f"(at character {offset + 1}): {message}", state.field_pointer(*path), state=state.name,
                    field=key, offset=offset,
                )


@lru_cache(maxsize=16384)  # a pure function of the text; definitions repeat their expressions
def syntax_error(text: str) -> tuple[str, int] | None:
    """(message, offset of the error inside ``text``) when the ``{% %}`` string does not parse."""
    # Imported here: the JSONata engine costs ~20 ms to import, and most definitions have no JSONata state.
    from statewright.core.jsonata import JsonataSyntaxError, compile_expression

    body = text[2:-2]
    stripped = body.strip()
    try:
        compile_expression(stripped)
    except JsonataSyntaxError as exc:
        # The engine counts from the start of the stripped expression; the offset is in the whole string.
        lead = 2 + len(body) - len(body.lstrip())
        return exc.message, lead + max(0, min(exc.position, len(stripped)) - 1)
    return None
