"""The executable model: a definition compiled once into linked, frozen state objects.

    compile_machine(definition) -> Machine     # definition already lint-clean
    Machine.start                               # the compiled StartAt state
    Machine.states                              # top-level states by name
    Machine.timeout_seconds                     # top-level TimeoutSeconds, or None

A Machine is immutable and shared by every execution of the definition: nothing in it changes while
executions run, and nothing is parsed or compiled per transition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from statewright.core.model.compiler import CompiledScope, ScopeCompiler, UnsupportedDefinition
from statewright.core.states import State

__all__ = ["CompiledScope", "Machine", "UnsupportedDefinition", "compile_machine"]


@dataclass(frozen=True, slots=True)
class Machine:
    """A compiled state machine.

    Attributes:
        start: the compiled ``StartAt`` state.
        states: the top-level states by name (read-only).
        timeout_seconds: the top-level ``TimeoutSeconds``, or ``None``.
        query_language: the top-level ``QueryLanguage`` (``JSONPath`` by default).
        definition: the definition it was compiled from (not copied; treat as read-only).
    """

    start: State
    states: Mapping[str, State]
    timeout_seconds: float | None
    query_language: str
    definition: Mapping[str, Any] = field(repr=False, compare=False)
    # Some state evaluates JSONata (whose $now/$random read the execution's time and seed): executions
    # of a JSONPath-only machine skip handing those over before every decision.
    uses_jsonata: bool = field(default=True, repr=False, compare=False)


def compile_machine(definition: dict[str, Any]) -> Machine:
    """Compile a lint-clean definition (a decoded JSON object) into a :class:`Machine`.

    Raises:
        UnsupportedDefinition: reserved for a feature the interpreter cannot run (none today).
    """
    language = definition.get("QueryLanguage", "JSONPath")
    scope = ScopeCompiler(language).compile(definition)
    return Machine(
        start=scope.start,
        states=MappingProxyType(scope.states),
        timeout_seconds=definition.get("TimeoutSeconds"),
        query_language=language,
        definition=definition,
        uses_jsonata=_mentions_jsonata(definition),
    )


def _mentions_jsonata(value: Any) -> bool:
    """Whether any ``QueryLanguage`` in the definition, at any depth, is JSONata."""
    if isinstance(value, dict):
        if value.get("QueryLanguage") == "JSONata":
            return True
        return any(_mentions_jsonata(item) for item in value.values() if isinstance(item, dict | list))
    if isinstance(value, list):
        return any(_mentions_jsonata(item) for item in value if isinstance(item, dict | list))
    return False
