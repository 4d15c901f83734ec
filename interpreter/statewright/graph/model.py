"""The graph of a definition, as the console and ``statewright graph`` draw it.

Every state is a :class:`Node` with an id unique in the whole definition (``Outer/0/Inner`` for a state in
a Parallel's first branch, ``Each/Inner`` in a Map's body). Edges carry what a reader of a picture wants to
see: a Choice rule's condition, ``Default``, a Catch's error names (``kind="catch"``), a state's ``End``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

END = "(end)"
"""The id of a scope's end: the target of the edges of states with ``End: true`` (and Succeed states)."""

# Longest suffix first: NumericGreaterThanEquals is ">=", not "==".
_COMPARATORS = {"GreaterThanEquals": ">=", "LessThanEquals": "<=", "GreaterThan": ">", "LessThan": "<",
                "Equals": "=="}


@dataclass
class Scope:
    """A ``{StartAt, States}`` object: the top level, one Parallel branch, or a Map body."""

    id: str
    start: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


@dataclass
class Node:
    """One state. ``scopes``: a Parallel's branches or a Map's body, drawn inside it."""

    id: str
    name: str
    type: str
    scopes: list[Scope] = field(default_factory=list)
    comment: str | None = None


@dataclass(frozen=True)
class Edge:
    """A transition. ``kind``: ``next``, ``choice``, ``default``, ``catch`` or ``end``."""

    source: str
    target: str
    kind: str = "next"
    label: str | None = None


Graph = Scope


def build_graph(definition: Mapping[str, Any]) -> Scope:
    """The graph of a (parsed) definition; states it cannot read are drawn as they are named, never raised."""
    return _scope(definition, "")


def _scope(definition: Mapping[str, Any], prefix: str) -> Scope:
    states = definition.get("States") if isinstance(definition.get("States"), Mapping) else {}
    scope = Scope(prefix or "(top)", _qualified(prefix, str(definition.get("StartAt", ""))))
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        node_id = _qualified(prefix, name)
        node = Node(node_id, name, str(state.get("Type", "?")), comment=state.get("Comment"))
        if node.type == "Parallel":
            for index, branch in enumerate(state.get("Branches") or []):
                if isinstance(branch, Mapping):
                    node.scopes.append(_scope(branch, f"{node_id}/{index}"))
        elif node.type == "Map":
            body = state.get("ItemProcessor") or state.get("Iterator")
            if isinstance(body, Mapping):
                node.scopes.append(_scope(body, node_id))
        scope.nodes.append(node)
        scope.edges.extend(_edges(node_id, node.type, state, prefix))
    return scope


def _edges(node_id: str, kind: str, state: Mapping[str, Any], prefix: str) -> list[Edge]:
    edges: list[Edge] = []
    if kind == "Choice":
        for rule in state.get("Choices") or []:
            if isinstance(rule, Mapping) and isinstance(rule.get("Next"), str):
                edges.append(Edge(node_id, _qualified(prefix, rule["Next"]), "choice", describe_rule(rule)))
        if isinstance(state.get("Default"), str):
            edges.append(Edge(node_id, _qualified(prefix, state["Default"]), "default", "Default"))
    elif isinstance(state.get("Next"), str):
        edges.append(Edge(node_id, _qualified(prefix, state["Next"]), "next"))
    if state.get("End") is True or kind == "Succeed":
        edges.append(Edge(node_id, _qualified(prefix, END), "end"))
    for catcher in state.get("Catch") or []:
        if isinstance(catcher, Mapping) and isinstance(catcher.get("Next"), str):
            errors = ", ".join(str(error) for error in catcher.get("ErrorEquals") or [])
            edges.append(Edge(node_id, _qualified(prefix, catcher["Next"]), "catch", errors or None))
    return edges


def describe_rule(rule: Mapping[str, Any], limit: int = 60) -> str:
    """A Choice rule in a few words: ``$.amount > 100``, ``$.ok == true``, ``Not($.x is present)``; the
    JSONata ``Condition`` as written. Long texts are cut with an ellipsis."""
    text = _rule_text(rule)
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _rule_text(rule: Mapping[str, Any]) -> str:
    condition = rule.get("Condition")
    if isinstance(condition, str):
        return condition.removeprefix("{%").removesuffix("%}").strip()
    for combinator in ("And", "Or"):
        if isinstance(rule.get(combinator), list):
            word = " and " if combinator == "And" else " or "
            return "(" + word.join(_rule_text(inner) for inner in rule[combinator] if isinstance(inner, Mapping)) + ")"
    if isinstance(rule.get("Not"), Mapping):
        return f"not {_rule_text(rule['Not'])}"
    variable = str(rule.get("Variable", "?"))
    for key, value in rule.items():
        if key in ("Variable", "Next", "Comment", "Assign", "Output"):
            continue
        operator, literal = _operator(key, value)
        return f"{variable} {operator} {literal}".strip()
    return variable


def _operator(key: str, value: Any) -> tuple[str, str]:
    path = key.endswith("Path")
    base = key[:-4] if path else key
    literal = str(value) if path else json.dumps(value, ensure_ascii=False)
    if base.startswith("Is"):
        word = {"IsPresent": "is present", "IsNull": "is null", "IsNumeric": "is numeric",
                "IsString": "is string", "IsBoolean": "is boolean", "IsTimestamp": "is timestamp"}.get(base, base)
        return (word if value is True else f"not {word}"), ""
    if base == "StringMatches":
        return "matches", literal
    for suffix, symbol in _COMPARATORS.items():
        if base.endswith(suffix):
            return symbol, literal
    return base, literal


def _qualified(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name
