"""What a lint rule sees: the definition, its scopes and states, and helpers that keep rules short.

Rules run even when the schema pass found problems, so nothing here trusts the shape of the value:
every accessor checks types and yields nothing for what it cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from statewright.source.document import Document

JSONPATH = "JSONPath"
JSONATA = "JSONata"

# Deployment placeholders: ${LambdaArn} (SAM, CloudFormation DefinitionSubstitutions, Terraform
# templatefile), ${Token[TOKEN.12]} (CDK). They stand for values filled in at deploy time.
PLACEHOLDER = re.compile(r"\$\{[^{}\s]+\}")


@dataclass(frozen=True, slots=True)
class Scope:
    """A set of states with its own StartAt: the machine itself, a Parallel branch, a Map's processor.

    Attributes:
        pointer: JSON Pointer of the object holding ``StartAt`` and ``States``.
        start_at: the StartAt value if it is a string.
        states: name -> body for every state whose body is an object.
        parent_state: the Parallel or Map state owning this scope (``None`` for the machine).
        kind: ``"machine"``, ``"branch"`` or ``"map"``.
    """

    pointer: str
    start_at: str | None
    states: Mapping[str, dict[str, Any]]
    parent_state: StateRef | None
    kind: str


def escape_token(token: str | int) -> str:
    """One JSON Pointer reference token, escaped (RFC 6901); as ``escape_pointer_token``, without the work
    for the usual token that has neither ``~`` nor ``/``."""
    text = token if token.__class__ is str else str(token)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


# Not frozen: a frozen dataclass is four times slower to build, and a lint run builds one per state.
# Rules treat it as read-only.
@dataclass(slots=True)
class StateRef:
    """One state as a rule sees it (read-only)."""

    name: str
    pointer: str
    body: dict[str, Any]
    scope: Scope
    query_language: str
    type: str | None  # the Type field when it is a string

    def field_pointer(self, *fields: str | int) -> str:
        pointer = self.pointer
        for token in fields:
            pointer += "/" + escape_token(token)
        return pointer


@dataclass
class LintContext:  # no slots: cached_property needs an instance __dict__
    """The definition under lint.

    Attributes:
        definition: the decoded value (normally a dict; rules must not assume it).
        document: positions, for rules that need to look at the text (rarely).
        substitutions: deployment placeholder values given with ``--substitute``, already applied.
        workflow_type: ``"STANDARD"`` or ``"EXPRESS"``: AWS refuses some definitions for EXPRESS machines only.
        memo: a place for rules to keep what they compute once per run and share.
    """

    definition: Any
    document: Document | None = None
    substitutions: Mapping[str, str] = field(default_factory=dict)
    workflow_type: str = "STANDARD"
    # Per-run results that several rules share (e.g. the transition graph), computed once per lint.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def top_query_language(self) -> str:
        if isinstance(self.definition, dict) and self.definition.get("QueryLanguage") == JSONATA:
            return JSONATA
        return JSONPATH

    @cached_property
    def scopes(self) -> list[Scope]:
        """Every scope, the machine first, then nested ones depth-first."""
        found: list[Scope] = []
        self.memo["_refs"] = {}
        if isinstance(self.definition, dict):
            self._collect_scopes(self.definition, "", None, "machine", found)
        return found

    def states(self) -> Iterator[StateRef]:
        """Every state in every scope."""
        for scope in self.scopes:
            yield from self._refs[scope.pointer]

    def states_of(self, scope: Scope) -> Iterator[StateRef]:
        return iter(self._refs[scope.pointer])

    @cached_property
    def _refs(self) -> dict[str, list[StateRef]]:
        # Built once while collecting scopes: thirty rules walk the states, and a 1,000-state
        # definition must not have its StateRefs rebuilt for each of them.
        self.scopes  # noqa: B018 (fills the dictionary as a side effect)
        return self.memo["_refs"]

    def _collect_scopes(
        self, holder: dict[str, Any], pointer: str, parent: StateRef | None, kind: str, found: list[Scope]
    ) -> None:
        raw_states = holder.get("States")
        states = (
            {name: body for name, body in raw_states.items() if isinstance(body, dict)}
            if isinstance(raw_states, dict)
            else {}
        )
        start_at = holder.get("StartAt")
        scope = Scope(pointer, start_at if isinstance(start_at, str) else None, states, parent, kind)
        found.append(scope)
        refs: list[StateRef] = []
        self.memo["_refs"][pointer] = refs
        top_language = self.top_query_language
        prefix = f"{pointer}/States/"
        nesting: list[StateRef] = []
        for name, body in states.items():  # one StateRef per state, built once per lint run
            language = body.get("QueryLanguage")
            if language != JSONPATH and language != JSONATA:
                language = top_language
            state_type = body.get("Type")
            if not isinstance(state_type, str):
                state_type = None
            elif state_type == "Parallel" or state_type == "Map":
                nesting.append(ref := StateRef(name, prefix + escape_token(name), body, scope, language, state_type))
                refs.append(ref)
                continue
            refs.append(StateRef(name, prefix + escape_token(name), body, scope, language, state_type))
        for ref in nesting:
            for child_pointer, child, child_kind in nested_machines(ref):
                self._collect_scopes(child, child_pointer, ref, child_kind, found)

    def is_placeholder(self, value: Any) -> bool:
        """True for a string holding a deployment placeholder such as ``${LambdaArn}``."""
        return isinstance(value, str) and PLACEHOLDER.search(value) is not None


def nested_machines(state: StateRef) -> Iterator[tuple[str, dict[str, Any], str]]:
    """The scopes a Parallel or Map state holds: (pointer, object with StartAt/States, kind)."""
    body = state.body
    if state.type == "Parallel" and isinstance(body.get("Branches"), list):
        for index, branch in enumerate(body["Branches"]):
            if isinstance(branch, dict):
                yield state.field_pointer("Branches", index), branch, "branch"
    elif state.type == "Map":
        for key in ("ItemProcessor", "Iterator"):
            processor = body.get(key)
            if isinstance(processor, dict):
                yield state.field_pointer(key), processor, "map"
