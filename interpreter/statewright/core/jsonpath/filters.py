"""Filter expressions (``[?(@.price < 10 && @.isbn)]``) and the path functions (``.length()``).

Semantics follow Jayway JsonPath, which AWS uses: a relative path that matches nothing makes a
comparison false (and ``!=`` too); ``==`` between a number and a numeric string compares the numbers;
``<``/``>`` only compare two numbers or two strings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from statewright.core.jsonpath.steps import Step

if TYPE_CHECKING:
    from statewright.core.jsonpath.path import JsonPath


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numbers(value: Any) -> list[float]:
    items = value if isinstance(value, list) else [value]
    return [float(item) for item in items if _is_number(item)]


def _stddev(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def _length(value: Any) -> Any:
    return len(value) if isinstance(value, list | dict | str) else MISSING


def _aggregate(reduce: Callable[[list[float]], float]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        numbers = _numbers(value)
        return reduce(numbers) if numbers else MISSING

    return apply


# Jayway's argument-free functions; they apply to the whole result of the path before them.
FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "length": _length,
    "size": _length,
    "min": _aggregate(min),
    "max": _aggregate(max),
    "sum": _aggregate(lambda v: float(sum(v))),
    "avg": _aggregate(lambda v: sum(v) / len(v)),
    "stddev": _aggregate(_stddev),
    "keys": lambda value: list(value) if isinstance(value, dict) else MISSING,
    "first": lambda value: value[0] if isinstance(value, list) and value else MISSING,
    "last": lambda value: value[-1] if isinstance(value, list) and value else MISSING,
}


# ---------------------------------------------------------------------------------------------- operands


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any

    def evaluate(self, node: Any, root: Any) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class Regex:
    pattern: re.Pattern[str]

    def evaluate(self, node: Any, root: Any) -> Any:
        return self.pattern


@dataclass(frozen=True, slots=True)
class RelativePath:
    """``@...``: evaluated against the element under test. Indefinite ones yield a list."""

    steps: tuple[Step, ...]
    definite: bool
    function: str | None = None

    def evaluate(self, node: Any, root: Any) -> Any:
        nodes = [node]
        for step in self.steps:
            nodes = step.select(nodes, root)
        value = (nodes[0] if nodes else MISSING) if self.definite else nodes
        if self.function is not None and value is not MISSING:
            value = FUNCTIONS[self.function](value)
        return value


@dataclass(frozen=True, slots=True)
class AbsolutePath:
    """``$...`` inside a filter: evaluated against the document the whole path started from."""

    path: JsonPath

    def evaluate(self, node: Any, root: Any) -> Any:
        found = self.path.find(root)
        if self.path.is_definite:
            return found[0] if found else MISSING
        return found


Operand = Literal | Regex | RelativePath | AbsolutePath


# ---------------------------------------------------------------------------------------------- comparisons


def _as_decimal(value: Any) -> Decimal | None:
    if _is_number(value):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def json_key(value: Any) -> Any:
    """A hashable stand-in for a JSON value: equal keys for equal values, where booleans are not
    numbers (Python's ``True == 1``) and ``1`` equals ``1.0``; object member order does not matter."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if value is None:
        return ("z",)
    if isinstance(value, list):
        return ("l", tuple(json_key(item) for item in value))
    if isinstance(value, dict):
        return ("o", frozenset((key, json_key(item)) for key, item in value.items()))
    return ("?", repr(value))


def json_equal(left: Any, right: Any) -> bool:
    """Equality of JSON values: booleans are not numbers, and 1 equals 1.0."""
    if left.__class__ is right.__class__ and left.__class__ in (str, int, float):
        return bool(left == right)
    return bool(json_key(left) == json_key(right))


def _equal(left: Any, right: Any) -> bool:
    if _is_number(left) != _is_number(right) and isinstance(left, str) != isinstance(right, str):
        # Jayway compares a number with a numeric string by value.
        a, b = _as_decimal(left), _as_decimal(right)
        return a is not None and b is not None and a == b
    return json_equal(left, right)


def _ordered(left: Any, right: Any, compare: Callable[[Any, Any], bool]) -> bool:
    if _is_number(left) and _is_number(right):
        return compare(left, right)
    if isinstance(left, str) and isinstance(right, str):
        return compare(left, right)
    return False


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    if isinstance(container, list):
        return any(json_equal(element, item) for element in container)
    return False


def _as_list(value: Any) -> list[Any] | None:
    return value if isinstance(value, list) else None


def _in(left: Any, right: Any) -> bool:
    items = _as_list(right)
    return items is not None and any(_equal(left, item) for item in items)


def _subset(left: Any, right: Any) -> bool:
    a, b = _as_list(left), _as_list(right)
    return a is not None and b is not None and all(_in(item, b) for item in a)


def _any_of(left: Any, right: Any) -> bool:
    a, b = _as_list(left), _as_list(right)
    return a is not None and b is not None and any(_in(item, b) for item in a)


def _none_of(left: Any, right: Any) -> bool:
    a, b = _as_list(left), _as_list(right)
    return a is not None and b is not None and not any(_in(item, b) for item in a)


def _matches(left: Any, right: Any) -> bool:
    return isinstance(left, str) and isinstance(right, re.Pattern) and right.fullmatch(left) is not None


def _size(left: Any, right: Any) -> bool:
    return isinstance(left, list | str) and _is_number(right) and len(left) == right


def _empty(left: Any, right: Any) -> bool:
    return isinstance(left, list | str) and isinstance(right, bool) and (len(left) == 0) == right


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equal,
    "!=": lambda a, b: not _equal(a, b),
    "<": lambda a, b: _ordered(a, b, lambda x, y: x < y),
    "<=": lambda a, b: _ordered(a, b, lambda x, y: x <= y),
    ">": lambda a, b: _ordered(a, b, lambda x, y: x > y),
    ">=": lambda a, b: _ordered(a, b, lambda x, y: x >= y),
    "=~": _matches,
    "in": _in,
    "nin": lambda a, b: isinstance(b, list) and not _in(a, b),
    "contains": _contains,
    "subsetof": _subset,
    "anyof": _any_of,
    "noneof": _none_of,
    "size": _size,
    "empty": _empty,
}
WORD_OPERATORS = ("subsetof", "contains", "noneof", "anyof", "empty", "size", "nin", "in")
SYMBOL_OPERATORS = ("==", "!=", "<=", ">=", "=~", "<", ">")


# ---------------------------------------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Compare:
    left: Operand
    op: str
    right: Operand
    _apply: Callable[[Any, Any], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_apply", OPERATORS[self.op])

    def test(self, node: Any, root: Any) -> bool:
        left = self.left.evaluate(node, root)
        right = self.right.evaluate(node, root)
        if left is MISSING or right is MISSING:
            return False
        return self._apply(left, right)


@dataclass(frozen=True, slots=True)
class Exists:
    """``[?(@.isbn)]``: the relative path selects something (a null member counts)."""

    operand: Operand

    def test(self, node: Any, root: Any) -> bool:
        value = self.operand.evaluate(node, root)
        if value is MISSING:
            return False
        if isinstance(self.operand, RelativePath | AbsolutePath) and not _definite(self.operand):
            return bool(value)
        if isinstance(self.operand, Literal):
            return bool(value)
        return True


def _definite(operand: RelativePath | AbsolutePath) -> bool:
    return operand.definite if isinstance(operand, RelativePath) else operand.path.is_definite


@dataclass(frozen=True, slots=True)
class Not:
    inner: Expr

    def test(self, node: Any, root: Any) -> bool:
        return not self.inner.test(node, root)


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Expr, ...]

    def test(self, node: Any, root: Any) -> bool:
        return all(part.test(node, root) for part in self.parts)


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Expr, ...]

    def test(self, node: Any, root: Any) -> bool:
        return any(part.test(node, root) for part in self.parts)


Expr = Compare | Exists | Not | And | Or
