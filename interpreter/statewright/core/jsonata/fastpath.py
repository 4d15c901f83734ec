"""A Python fast path for the simplest JSONata expressions (spec/jsonata.md, "Speed").

Most expressions in real definitions are a variable or a path into ``$states`` (``$states.input.id``,
``$order.total``), a literal, or such terms joined with ``&``. Calling the engine for them costs a
conversion of every bound value into the engine's representation and back (about 5-20 us); reading a few
dict keys costs well under 1 us. :func:`compile_fast` recognises exactly that subset and returns a
function; anything else (and, at run time, any value the fast path does not handle with certainty, such
as a path stepping through an array) is left to the engine, which stays the reference semantics.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

FALLBACK: Any = object()
"""Returned by a fast function when the engine must evaluate the expression instead."""

MISSING: Any = object()
"""A path that names nothing (the engine's ``undefined``); the caller maps it to its sentinel."""

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH = re.compile(rf"\$({_NAME})((?:\.{_NAME})*)")
_STRING = re.compile(r"'([^'\\]*)'|\"([^\"\\]*)\"")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)")

FastFunction = Callable[[Mapping[str, Any], Mapping[str, Any] | None], Any]


def compile_fast(text: str) -> FastFunction | None:
    """A Python function for ``text`` when it is in the fast subset, else ``None``."""
    terms = _split_concatenation(text)
    if terms is None:
        return None
    compiled = [_term(term.strip()) for term in terms]
    if any(term is None for term in compiled):
        return None
    if len(compiled) == 1:
        return compiled[0]
    return _concatenation(compiled)  # type: ignore[arg-type]


def _split_concatenation(text: str) -> list[str] | None:
    # Quotes may hold '&'; only split outside them. Anything with other operators is not ours.
    parts, current, quote = [], [], ""
    for char in text:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char == "&":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if quote:
        return None
    parts.append("".join(current))
    return parts


def _term(term: str) -> FastFunction | None:
    match = _PATH.fullmatch(term)
    if match:
        root = match.group(1)
        keys = tuple(key for key in match.group(2).split(".") if key)
        return _path(root, keys)
    match = _STRING.fullmatch(term)
    if match:
        literal = match.group(1) if match.group(1) is not None else match.group(2)
        return lambda states, variables: literal
    if _NUMBER.fullmatch(term) and len(term) < 16:
        number = int(term)
        return lambda states, variables: number
    return None


def _path(root: str, keys: tuple[str, ...]) -> FastFunction | None:
    if root in ("", "states") and not keys:
        return None  # `$states` alone: rare, and its shape is the engine's business
    if root != "states" and root in ("now", "millis", "random", "uuid"):
        return None

    if root == "states" and len(keys) == 2:
        return _states_path(keys[0], keys[1])

    def evaluate(states: Mapping[str, Any], variables: Mapping[str, Any] | None) -> Any:
        if root == "states":
            value: Any = states
        elif variables is not None and root in variables:
            value = variables[root]
        else:
            return FALLBACK  # an unset variable, or a built-in function's name: the engine decides
        for key in keys:
            if value.__class__ is not dict:
                # Paths through arrays map over the items (and flatten): the engine's job.
                return FALLBACK if value.__class__ is list else MISSING
            value = value.get(key, MISSING)
            if value is MISSING:
                return MISSING
        if value.__class__ is list or value.__class__ is float:
            return FALLBACK  # sequences and number formatting follow the engine exactly
        return value

    return evaluate


def _states_path(first: str, second: str) -> FastFunction:
    # `$states.input.x`, the most common expression of all, without the general loop.
    def evaluate(states: Mapping[str, Any], variables: Mapping[str, Any] | None) -> Any:
        value = states.get(first, MISSING)
        if value.__class__ is not dict:
            return FALLBACK if value.__class__ is list else MISSING
        value = value.get(second, MISSING)
        if value.__class__ is list or value.__class__ is float:
            return FALLBACK
        return value

    return evaluate


def _concatenation(terms: list[FastFunction]) -> FastFunction:
    def evaluate(states: Mapping[str, Any], variables: Mapping[str, Any] | None) -> Any:
        pieces = []
        for term in terms:
            value = term(states, variables)
            if value is FALLBACK:
                return FALLBACK
            if value is MISSING:
                continue  # JSONata's & treats undefined as the empty string
            cls = value.__class__
            if cls is str:
                pieces.append(value)
            elif cls is int:
                pieces.append(str(value))
            else:
                return FALLBACK  # $string() of booleans, null, objects: the engine formats them
        return "".join(pieces)

    return evaluate
