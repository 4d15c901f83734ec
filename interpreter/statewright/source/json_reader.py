"""JSON text to a plain value, with positions computed lazily.

The fast path is the standard library's C decoder. Duplicate keys are caught with a hook, and the
non-JSON constants ``NaN``/``Infinity`` (which ``json`` accepts by default) and ``1e999`` with the hooks
of :mod:`statewright.source.strict_json`, the rule every JSON reader shares. Nesting is checked on
the decoded value, level by level, which costs about a millisecond for 1,000 states (a regex bracket
count over the text costs five); nesting deeper than the interpreter's recursion limit makes the
decoder raise ``RecursionError`` first, which is reported the same way. Positions come from
:mod:`statewright.source.json_positions`, only when something asks for one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from statewright.source.document import SourceError, Span
from statewright.source.errors import (
    DUPLICATE_KEY,
    NESTING_TOO_DEEP,
    SYNTAX_ERROR,
    error_at,
    span_at,
)
from statewright.source.json_positions import NON_JSON_CONSTANTS, JsonLocator, JsonProblems, scan_problems
from statewright.source.limits import MAX_DEPTH
from statewright.source.strict_json import NonFiniteNumber, finite_float, reject_constant

Locate = Callable[[str], "tuple[Span, Span | None] | None"]

_LONG_NUMBER = re.compile(r"\d{1000,}")


class _DuplicateKeyError(Exception):
    pass


def read_json(text: str, filename: str | None) -> tuple[Any, Locate]:
    """Decode JSON text; returns the value and a pointer -> (value span, key span) function.

    Raises:
        SourceError: SW001 syntax, SW002 duplicate key, SW005 nesting too deep.
    """
    try:
        value = json.loads(
            text, object_pairs_hook=_unique_object, parse_constant=reject_constant, parse_float=finite_float
        )
    except json.JSONDecodeError as error:
        raise _syntax_error(text, error, filename) from None
    except _DuplicateKeyError:
        raise _duplicate_key(text, filename) from None
    except NonFiniteNumber as error:
        raise _non_json_constant(text, error, filename) from None
    except RecursionError:
        raise _too_deep(text, filename) from None
    except ValueError as error:  # int() refusing a number with thousands of digits
        raise _number_error(text, error, filename) from None
    if _too_deep_value(value, text):
        raise _too_deep(text, filename)
    return value, JsonLocator(text).locate


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKeyError
    return result


def _too_deep_value(value: Any, text: str) -> bool:
    """Whether objects and arrays nest deeper than MAX_DEPTH, walking one level at a time."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:  # too few brackets to nest that deep
        return False
    level = [value]
    for _ in range(MAX_DEPTH):
        deeper = []
        for node in level:
            for child in node.values() if type(node) is dict else node:
                kind = type(child)
                if kind is dict or kind is list:
                    deeper.append(child)
        if not deeper:
            return False
        level = deeper
    return True


def _scan(text: str) -> JsonProblems:
    return scan_problems(text, MAX_DEPTH)


def _too_deep(text: str, filename: str | None) -> SourceError:
    offset = _scan(text).too_deep
    message = f"Objects and arrays are nested more than {MAX_DEPTH} levels deep."
    if offset is None:
        return SourceError(message, NESTING_TOO_DEEP, filename=filename)
    return error_at(text, offset, message, NESTING_TOO_DEEP, filename)


def _duplicate_key(text: str, filename: str | None) -> SourceError:
    found = _scan(text).duplicate
    if found is None:  # cannot happen for text json accepted up to the duplicate; stay positioned at 1:1
        return SourceError("An object has a duplicate key.", DUPLICATE_KEY, filename=filename)
    offset, length, key, first = found
    first_line = text.count("\n", 0, first) + 1
    message = f"Duplicate key {key!r} in this object (first at line {first_line})."
    return SourceError(message, DUPLICATE_KEY, span_at(text, offset, length), filename)


def _non_json_constant(text: str, error: NonFiniteNumber, filename: str | None) -> SourceError:
    found = _scan(text).constant
    offset, name = found if found is not None else (0, error.token)
    if name in NON_JSON_CONSTANTS:
        message = f"{name} is not valid JSON; write a number, or a string such as \"{name}\"."
    else:
        message = f"The number {name} is too large to represent (it overflows to infinity)."
    return SourceError(message, SYNTAX_ERROR, span_at(text, offset, len(name)), filename)


def _number_error(text: str, error: ValueError, filename: str | None) -> SourceError:
    match = _LONG_NUMBER.search(text)
    offset = match.start() if match else 0
    return error_at(text, offset, f"Invalid JSON number: {error}.", SYNTAX_ERROR, filename)


def _syntax_error(text: str, error: json.JSONDecodeError, filename: str | None) -> SourceError:
    message = f"Invalid JSON: {error.msg[:1].lower()}{error.msg[1:]}{_hint(text, error)}."
    return SourceError(message, SYNTAX_ERROR, span_at(text, error.pos), filename)


def _hint(text: str, error: json.JSONDecodeError) -> str:
    """A short hint for the mistakes people make most when hand-writing JSON."""
    before = text[: error.pos].rstrip()[-1:]
    here = text[error.pos : error.pos + 1]
    if before == "," and here in ("}", "]"):
        return " (a trailing comma before the closing bracket)"
    if here == "'":
        return " (JSON strings use double quotes)"
    if here in ("/", "#"):
        return " (JSON has no comments; use a Comment field, or write the definition in YAML)"
    if error.msg.startswith("Extra data"):
        return " (text after the end of the top-level value)"
    return ""
