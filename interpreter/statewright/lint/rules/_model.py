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

from statewright.lint.context import LintContext, Scope, StateRef
from statewright.lint.rules._support import is_jsonata_state, list_items


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
    """One retrier (``Retry``) or catcher (``Catch``)."""

    field: str
    index: int
    count: int  # how many entries the field holds
    body: dict[str, Any]
    pointer: str

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
    dollar_keys: dict[str, list[tuple[str, str, str, Any]]] = field(default_factory=dict)

    @property
    def jsonpath_states(self) -> list[StateRef]:
        return [state for state in self.states if not is_jsonata_state(state)]

    @property
    def jsonata_states(self) -> list[StateRef]:
        return [state for state in self.states if is_jsonata_state(state)]


def facts(context: LintContext) -> Facts:
    """The scopes, transitions, Choice rules and handlers of every state, computed once per lint run."""
    cached = context.memo.get("facts")
    if cached is not None:
        return cached
    found = Facts()
    for scope in context.scopes:
        refs = {state.name: state for state in context.states_of(scope)}
        found.scopes.append((scope, refs))
        for state in refs.values():
            found.states.append(state)
            found.moves[state.pointer] = transitions(state)
            found.rules[state.pointer] = choice_rules(state)
            found.handlers[state.pointer] = handlers(state)
    context.memo["facts"] = found
    return found


def transitions(state: StateRef) -> list[Transition]:
    """Every named target a state can move to (string values only; the schema reports other types)."""
    body = state.body
    found: list[Transition] = []
    if isinstance(body.get("Next"), str):
        found.append(Transition(state, ("Next",), body["Next"]))
    if state.type == "Choice":
        for index, choice in list_items(body.get("Choices")):
            if isinstance(choice.get("Next"), str):
                found.append(Transition(state, ("Choices", index, "Next"), choice["Next"]))
        if isinstance(body.get("Default"), str):
            found.append(Transition(state, ("Default",), body["Default"]))
    if "Catch" in body:
        for index, catcher in list_items(body["Catch"]):
            if isinstance(catcher.get("Next"), str):
                found.append(Transition(state, ("Catch", index, "Next"), catcher["Next"]))
    return found


def choice_rules(state: StateRef) -> list[ChoiceRule]:
    """Every rule of a Choice state, depth-first; nothing for other states or unreadable shapes."""
    if state.type != "Choice":
        return []
    found: list[ChoiceRule] = []
    stack = [
        ChoiceRule(body, state.field_pointer("Choices", index), f"Choices[{index}]", False)
        for index, body in reversed(list(list_items(state.body.get("Choices"))))
    ]
    while stack:  # iterative: a deeply nested rule must not exhaust Python's recursion limit
        current = stack.pop()
        found.append(current)
        children: list[ChoiceRule] = []
        for key in ("And", "Or"):
            for index, body in list_items(current.body.get(key)):
                children.append(ChoiceRule(body, f"{current.pointer}/{key}/{index}",
                                           f"{current.label}.{key}[{index}]", True))
        if isinstance(current.body.get("Not"), dict):
            children.append(ChoiceRule(current.body["Not"], f"{current.pointer}/Not", f"{current.label}.Not", True))
        stack.extend(reversed(children))
    return found


def handlers(state: StateRef) -> list[Handler]:
    found: list[Handler] = []
    for name in ("Retry", "Catch"):
        entries = state.body.get(name)
        if isinstance(entries, list):
            for index, body in list_items(entries):
                found.append(Handler(name, index, len(entries), body, state.field_pointer(name, index)))
    return found
