"""The comparison operators of JSONPath Choice rules, each compiled to its own closure (spec/choice.md)."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from statewright.core.choice.paths import (
    LOOKUP_ERRORS,
    ChoiceRuleError,
    Test,
    missing,
    parse_rule_path,
    resolver,
    single_key,
)
from statewright.core.jsonpath import JsonPath
from statewright.core.timestamps import parse_timestamp_ns

_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
_KINDS = ("String", "Numeric", "Boolean", "Timestamp")
_TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
NOT_OPERATORS = frozenset({"Variable", "Next", "Comment", "Assign", "Output"})


def _operator_names() -> frozenset[str]:
    names = {"StringMatches", *_TYPE_TESTS}
    for kind in _KINDS:
        for comparison in _COMPARATORS:
            if kind == "Boolean" and comparison != "Equals":
                continue
            names.add(kind + comparison)
            names.add(kind + comparison + "Path")
    return frozenset(names)


OPERATORS: frozenset[str] = _operator_names()
"""Every comparison operator a JSONPath Choice rule may use."""


def compile_comparison(name: str, variable: JsonPath, operand: Any) -> Test:
    """Compile ``{"Variable": ..., name: operand}``; ``variable`` is already parsed."""
    if name in _TYPE_TESTS:
        if not isinstance(operand, bool):
            raise ChoiceRuleError(f"'{name}' takes true or false, not {operand!r}")
        return _type_test(name, variable, operand)
    if name == "StringMatches":
        if not isinstance(operand, str):
            raise ChoiceRuleError(f"'StringMatches' takes a string pattern, not {operand!r}")
        return _string_matches(variable, operand)
    kind = next(k for k in _KINDS if name.startswith(k))
    rest = name[len(kind):]
    if rest.endswith("Path"):
        other = parse_rule_path(operand, name)
        return _against_path(kind, _COMPARATORS[rest[:-4]], variable, other)
    return _against_literal(kind, _COMPARATORS[rest], variable, _literal(kind, name, operand))


def _literal(kind: str, name: str, operand: Any) -> Any:
    """The operand converted to the form values are compared in (checked once, here)."""
    if kind == "String" and operand.__class__ is str:
        return _utf16_key(operand)
    if kind == "Numeric" and operand.__class__ in (int, float):
        return operand
    if kind == "Boolean" and operand.__class__ is bool:
        return operand
    if kind == "Timestamp":
        nanos = parse_timestamp_ns(operand)
        if nanos is not None:
            return nanos
        raise ChoiceRuleError(f"'{name}' takes a timestamp string, not {operand!r}")
    raise ChoiceRuleError(f"'{name}' takes a {kind.lower()} operand, not {operand!r}")


def _utf16_key(text: str) -> str | bytes:
    # Java orders strings by UTF-16 code units; Python by code points. The two agree on ASCII and on
    # anything made only of BMP characters, but not once a character above U+FFFF (a surrogate
    # pair in UTF-16) meets one in U+E000-U+FFFF. Big-endian UTF-16 bytes order like code units.
    return text if text.isascii() else text.encode("utf-16-be", "surrogatepass")


def _string_order(value: str, key: str | bytes) -> tuple[Any, Any]:
    """The pair to compare for a string value against a literal's key (same types on both sides)."""
    if key.__class__ is str and value.isascii():
        return value, key
    if key.__class__ is str:
        key = key.encode("utf-16-be")  # type: ignore[union-attr]
    return value.encode("utf-16-be", "surrogatepass"), key


def _against_literal(kind: str, compare: Callable[[Any, Any], bool], variable: JsonPath, operand: Any) -> Test:
    read = resolver(variable)
    key = single_key(variable)  # `$.name`: read inline from an object, without the reader's call
    if kind == "Numeric":

        def numeric(i: Any, c: Any = None, v: Any = None) -> bool:
            try:
                x = i[key] if key is not None and i.__class__ is dict else read(i, c, v)
            except LOOKUP_ERRORS:
                raise missing(variable) from None
            return (x.__class__ is int or x.__class__ is float) and compare(x, operand)

        return numeric
    if kind == "Boolean":

        def boolean(i: Any, c: Any = None, v: Any = None) -> bool:
            try:
                x = read(i, c, v)
            except LOOKUP_ERRORS:
                raise missing(variable) from None
            return x is operand

        return boolean
    if kind == "Timestamp":

        def timestamp(i: Any, c: Any = None, v: Any = None) -> bool:
            try:
                x = read(i, c, v)
            except LOOKUP_ERRORS:
                raise missing(variable) from None
            nanos = parse_timestamp_ns(x)
            return nanos is not None and compare(nanos, operand)

        return timestamp
    if compare is operator.eq:
        text = operand if operand.__class__ is str else operand.decode("utf-16-be", "surrogatepass")

        def string_equals(i: Any, c: Any = None, v: Any = None) -> bool:
            try:
                x = read(i, c, v)
            except LOOKUP_ERRORS:
                raise missing(variable) from None
            return x.__class__ is str and x == text

        return string_equals

    def string_order(i: Any, c: Any = None, v: Any = None) -> bool:
        try:
            x = read(i, c, v)
        except LOOKUP_ERRORS:
            raise missing(variable) from None
        return x.__class__ is str and compare(*_string_order(x, operand))

    return string_order


def _typed(kind: str, value: Any) -> Any:
    """A value in comparable form when it has ``kind``'s type, else ``None``."""
    cls = value.__class__
    if kind == "Numeric":
        return value if cls is int or cls is float else None
    if kind == "String":
        return value if cls is str else None
    if kind == "Boolean":
        return value if cls is bool else None
    return parse_timestamp_ns(value)


def _against_path(kind: str, compare: Callable[[Any, Any], bool], variable: JsonPath, other: JsonPath) -> Test:
    read, read_other = resolver(variable), resolver(other)
    key, other_key = single_key(variable), single_key(other)  # `$.name`s: read inline from an object
    if kind == "Numeric":  # the common *Path form (counters against limits), without _typed

        def numeric_path(i: Any, c: Any = None, v: Any = None) -> bool:
            is_dict = i.__class__ is dict
            try:
                x = i[key] if key is not None and is_dict else read(i, c, v)
            except LOOKUP_ERRORS:
                raise missing(variable) from None
            try:
                y = i[other_key] if other_key is not None and is_dict else read_other(i, c, v)
            except LOOKUP_ERRORS:
                raise missing(other) from None
            return (
                (x.__class__ is int or x.__class__ is float)
                and (y.__class__ is int or y.__class__ is float)
                and compare(x, y)
            )

        return numeric_path
    # Equality of strings needs no UTF-16 keys: equal code points are equal code units.
    ordered_strings = kind == "String" and compare is not operator.eq

    def against_path(i: Any, c: Any = None, v: Any = None) -> bool:
        try:
            x = read(i, c, v)
        except LOOKUP_ERRORS:
            raise missing(variable) from None
        try:
            y = read_other(i, c, v)
        except LOOKUP_ERRORS:
            raise missing(other) from None
        left, right = _typed(kind, x), _typed(kind, y)
        if left is None or right is None:
            return False
        if ordered_strings:
            return compare(*_string_order(left, _utf16_key(right)))
        return compare(left, right)

    return against_path


# ---------------------------------------------------------------------------------------------
# Type tests and StringMatches


def _is_number(x: Any) -> bool:
    return x.__class__ is int or x.__class__ is float


_TYPE_PREDICATES: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda x: x is None,
    "IsNumeric": _is_number,
    "IsString": lambda x: x.__class__ is str,
    "IsBoolean": lambda x: x.__class__ is bool,
    "IsTimestamp": lambda x: parse_timestamp_ns(x) is not None,
}


def _type_test(name: str, variable: JsonPath, expected: bool) -> Test:
    read = resolver(variable)
    if name == "IsPresent":
        indefinite = not variable.is_definite

        def is_present(i: Any, c: Any = None, v: Any = None) -> bool:
            try:
                found = read(i, c, v)
            except LOOKUP_ERRORS:
                return not expected
            # An indefinite path yields a list; matching nothing there is "not present" too.
            return (not indefinite or bool(found)) is expected

        return is_present
    predicate = _TYPE_PREDICATES[name]

    def type_test(i: Any, c: Any = None, v: Any = None) -> bool:
        try:
            x = read(i, c, v)
        except LOOKUP_ERRORS:
            raise missing(variable) from None
        return predicate(x) is expected

    return type_test


def compile_string_pattern(pattern: str) -> re.Pattern[str]:
    """The regular expression for a ``StringMatches`` pattern.

    ``*`` matches any run of characters (including none and newlines); ``\\*`` is a literal ``*``
    and ``\\\\`` a literal ``\\``; a backslash before any other character stands for itself.
    """
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern) and pattern[index + 1] in "*\\":
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        index += 1
    return re.compile("".join(parts), re.DOTALL)


def _string_matches(variable: JsonPath, pattern: str) -> Test:
    read = resolver(variable)
    fullmatch = compile_string_pattern(pattern).fullmatch

    def string_matches(i: Any, c: Any = None, v: Any = None) -> bool:
        try:
            x = read(i, c, v)
        except LOOKUP_ERRORS:
            raise missing(variable) from None
        return x.__class__ is str and fullmatch(x) is not None

    return string_matches
