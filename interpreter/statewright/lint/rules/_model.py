"""What several rules read from each state, computed once per definition: transitions, Choice rules,
retriers and catchers.

Thirty-odd rules each walking every state would rebuild the same lists thirty times; a 1,000-state
definition must lint in a few milliseconds, so the walk happens once and the rules share it. The
records are NamedTuples rather than frozen dataclasses because thousands are built per definition
and a frozen dataclass is several times slower to construct.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from statewright.lint.context import JSONATA, LintContext, Scope, StateRef
from statewright.lint.rules._support import has_placeholder


class Transition(NamedTuple):
    """A named target a state can move to. The pointer is built only when a finding needs it."""

    state: StateRef
    path: tuple[str | int, ...]  # from the state: ("Next",), ("Choices", 0, "Next"), ("Catch", 1, "Next")
    target: str

    @property
    def pointer(self) -> str:
        return self.state.field_pointer(*self.path)

    @property
    def field(self) -> str:
        """As shown in messages: ``Next``, ``Default``, ``Choices[1].Next``, ``Catch[0].Next``."""
        if len(self.path) == 1:
            return str(self.path[0])
        return f"{self.path[0]}[{self.path[1]}].{self.path[2]}"


class ChoiceRule(NamedTuple):
    """One rule of a Choice state, top-level or nested in And/Or/Not."""

    body: dict[str, Any]
    pointer: str
    label: str  # "Choices[0]", "Choices[0].And[1]", "Choices[2].Not"
    nested: bool


class Handler(NamedTuple):
    """One retrier (``Retry``) or catcher (``Catch``). The pointer is built only when a finding needs it."""

    field: str
    index: int
    count: int  # how many entries the field holds
    body: dict[str, Any]
    state: StateRef

    @property
    def pointer(self) -> str:
        return self.state.field_pointer(self.field, self.index)

    @property
    def label(self) -> str:
        return f"{self.field}[{self.index}]"

    def error_names(self) -> list[tuple[int, str]]:
        names = self.body.get("ErrorEquals")
        return [(i, n) for i, n in enumerate(names) if isinstance(n, str)] if isinstance(names, list) else []


@dataclass(slots=True)
class Facts:
    """Every state of a definition with what the rules read from it, keyed by the state's pointer."""

    states: list[StateRef] = field(default_factory=list)
    scopes: list[tuple[Scope, dict[str, StateRef]]] = field(default_factory=list)
    moves: dict[str, list[Transition]] = field(default_factory=dict)
    rules: dict[str, list[ChoiceRule]] = field(default_factory=dict)
    handlers: dict[str, list[Handler]] = field(default_factory=dict)
    # Filled on first use by statewright.lint.rules.dataflow.dollar_keys (three rules read it).
    dollar_keys: dict[str, list[tuple[tuple[str | int, ...], str, str, Any]]] = field(default_factory=dict)
    # The targets of each state's moves that are states of its own scope, in order (the graph rules).
    successors: dict[str, list[str]] = field(default_factory=dict)
    # Pointers of the scopes where some transition target holds a deployment placeholder.
    placeholder_scopes: set[str] = field(default_factory=set)
    # Filled on first use by statewright.lint.rules.variables.expression_strings (SW704, SW711, SW712).
    strings: dict[str, list[tuple[tuple[str | int, ...], str, str]]] = field(default_factory=dict)
    # Scope pointer -> the names reached from its StartAt (statewright.lint.rules.graph, on first use).
    reached: dict[str, set[str]] = field(default_factory=dict)
    _jsonpath_states: list[StateRef] | None = None
    _jsonata_states: list[StateRef] | None = None

    @property
    def jsonpath_states(self) -> list[StateRef]:
        if self._jsonpath_states is None:
            self._jsonpath_states = [state for state in self.states if state.query_language != JSONATA]
        return self._jsonpath_states

    @property
    def jsonata_states(self) -> list[StateRef]:
        if self._jsonata_states is None:
            self._jsonata_states = [state for state in self.states if state.query_language == JSONATA]
        return self._jsonata_states


_NO_RULES: list[ChoiceRule] = []  # shared by every state that is not a Choice: rules only read these lists
_NO_HANDLERS: list[Handler] = []


def facts(context: LintContext) -> Facts:
    """The scopes, transitions, Choice rules and handlers of every state, computed once per lint run."""
    cached = context.memo.get("facts")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    found = Facts()
    states, moves, rules, handler_lists = found.states, found.moves, found.rules, found.handlers
    successors = found.successors
    for scope in context.scopes:
        refs = {state.name: state for state in context.states_of(scope)}
        found.scopes.append((scope, refs))
        placeholder = False
        for state in refs.values():
            states.append(state)
            pointer, body = state.pointer, state.body
            if state.type != "Choice" and "Catch" not in body:
                # transitions(), inlined for the usual state: a Next at most, no Choice rules.
                target = body.get("Next")
                if isinstance(target, str):
                    moves[pointer] = [_tuple_new(Transition, (state, _NEXT, target))]
                    successors[pointer] = [target] if target in refs else []
                    if not placeholder and "${" in target and has_placeholder(target):
                        placeholder = True
                else:
                    moves[pointer] = []
                    successors[pointer] = []
                rules[pointer] = _NO_RULES
            else:
                found_moves = moves[pointer] = transitions(state)
                successors[pointer] = [move[2] for move in found_moves if move[2] in refs]
                if not placeholder:
                    for move in found_moves:
                        if "${" in move.target and has_placeholder(move.target):
                            placeholder = True
                rules[pointer] = choice_rules(state) if state.type == "Choice" else _NO_RULES
            handler_lists[pointer] = handlers(state) if "Retry" in body or "Catch" in body else _NO_HANDLERS
        if placeholder:
            found.placeholder_scopes.add(scope.pointer)
    context.memo["facts"] = found
    return found


_tuple_new = tuple.__new__  # builds a NamedTuple without its Python-level __new__ (thousands per run)
_NEXT = ("Next",)
_DEFAULT = ("Default",)


def transitions(state: StateRef) -> list[Transition]:
    """Every named target a state can move to (string values only; the schema reports other types)."""
    body = state.body
    target = body.get("Next")
    if state.type != "Choice" and "Catch" not in body:  # most states: Next at most
        return [_tuple_new(Transition, (state, _NEXT, target))] if isinstance(target, str) else []
    found: list[Transition] = []
    if isinstance(target, str):
        found.append(_tuple_new(Transition, (state, _NEXT, target)))
    if state.type == "Choice":
        choices = body.get("Choices")
        if isinstance(choices, list):
            for index, choice in enumerate(choices):
                if isinstance(choice, dict):
                    target = choice.get("Next")
                    if isinstance(target, str):
                        found.append(_tuple_new(Transition, (state, ("Choices", index, "Next"), target)))
        target = body.get("Default")
        if isinstance(target, str):
            found.append(_tuple_new(Transition, (state, _DEFAULT, target)))
    catchers = body.get("Catch")
    if isinstance(catchers, list):
        for index, catcher in enumerate(catchers):
            if isinstance(catcher, dict):
                target = catcher.get("Next")
                if isinstance(target, str):
                    found.append(_tuple_new(Transition, (state, ("Catch", index, "Next"), target)))
    return found


def choice_rules(state: StateRef) -> list[ChoiceRule]:
    """Every rule of a Choice state, depth-first; nothing for other states or unreadable shapes."""
    choices = state.body.get("Choices") if state.type == "Choice" else None
    if not isinstance(choices, list):
        return []
    found: list[ChoiceRule] = []
    base = state.field_pointer("Choices")
    stack = [
        _tuple_new(ChoiceRule, (body, f"{base}/{index}", f"Choices[{index}]", False))
        for index, body in reversed(list(enumerate(choices)))
        if isinstance(body, dict)
    ]
    while stack:  # iterative: a deeply nested rule must not exhaust Python's recursion limit
        current = stack.pop()
        found.append(current)
        body = current.body
        if "And" not in body and "Or" not in body and "Not" not in body:
            continue  # a comparison: no nested rules (most rules)
        children: list[ChoiceRule] = []
        for key in ("And", "Or"):
            items = body.get(key)
            if isinstance(items, list):
                for index, item in enumerate(items):
                    if isinstance(item, dict):
                        children.append(_tuple_new(ChoiceRule, (item, f"{current.pointer}/{key}/{index}",
                                                                f"{current.label}.{key}[{index}]", True)))
        negated = body.get("Not")
        if isinstance(negated, dict):
            children.append(_tuple_new(ChoiceRule, (negated, f"{current.pointer}/Not", f"{current.label}.Not", True)))
        stack.extend(reversed(children))
    return found


def handlers(state: StateRef) -> list[Handler]:
    found: list[Handler] = []
    for name in ("Retry", "Catch"):
        entries = state.body.get(name)
        if isinstance(entries, list):
            count = len(entries)
            for index, body in enumerate(entries):
                if isinstance(body, dict):
                    found.append(_tuple_new(Handler, (name, index, count, body, state)))
    return found
