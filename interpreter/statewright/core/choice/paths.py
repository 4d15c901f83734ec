"""Reading a Choice rule's paths: compiled once into small readers, missing values as AWS reports them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from statewright.core.errors import ErrorName, StatesError
from statewright.core.jsonpath import JsonPath, PathNotFound, PathSyntaxError, parse_path
from statewright.core.jsonpath.steps import Name

Test = Callable[..., bool]
"""A compiled condition: ``test(input, context=None, variables=None) -> bool``."""

Resolver = Callable[[Any, Any, Any], Any]

# What reading a path may raise when it matches nothing: PathNotFound from JsonPath, and the plain
# lookup errors of the inlined object-member reads below ("a" on a list or string is a TypeError).
LOOKUP_ERRORS = (PathNotFound, KeyError, TypeError)


class ChoiceRuleError(ValueError):
    """A Choice rule that cannot be compiled (a definition error; lint reports these first)."""


def parse_rule_path(text: Any, field_name: str) -> JsonPath:
    if not isinstance(text, str):
        raise ChoiceRuleError(f"'{field_name}' must be a path string, not {text!r}")
    try:
        return parse_path(text)
    except PathSyntaxError as exc:
        raise ChoiceRuleError(f"'{field_name}' is not a valid path: {exc}") from None


def resolver(path: JsonPath) -> Resolver:
    """A function reading the path's value from (input, context, variables).

    It raises one of ``LOOKUP_ERRORS`` when the path matches nothing. ``$.a.b`` paths (object
    members only, the usual Choice variable) are read inline: that is most of a rule's cost.
    """
    if path.root == "input":
        if path.function is None and all(step.__class__ is Name for step in path.steps):
            keys = tuple(step.name for step in path.steps)  # type: ignore[attr-defined]
            get = path.get  # any other container (a Mapping that is not a dict): the general reader
            if len(keys) == 1:
                (key,) = keys
                return lambda i, c, v: i[key] if i.__class__ is dict else get(i)
            if len(keys) == 2:
                first, second = keys
                return lambda i, c, v: (
                    i[first][second] if i.__class__ is dict and i[first].__class__ is dict else get(i)
                )
            return lambda i, c, v: _members(i, keys, path)
        read = path.get if path.is_definite else path.find
        return lambda i, c, v: read(i)
    if path.root == "context":
        read = path.get if path.is_definite else path.find

        def from_context(i: Any, c: Any, v: Any) -> Any:
            return read(c() if callable(c) else c)

        return from_context
    resolve = path.resolve
    return lambda i, c, v: resolve(i, None, v)


def single_key(path: JsonPath) -> str | None:
    """``name`` for a path ``$.name`` of the input (one object member, no function), else ``None``: such a
    path is read as ``input[name]`` when the input is an object, as :func:`resolver`'s reader does."""
    if path.root == "input" and path.function is None and len(path.steps) == 1 and path.steps[0].__class__ is Name:
        return path.steps[0].name  # type: ignore[attr-defined, no-any-return]
    return None


def _members(value: Any, keys: tuple[str, ...], path: JsonPath) -> Any:
    document = value
    for key in keys:
        if value.__class__ is not dict:
            return path.get(document)
        value = value[key]
    return value


def missing(path: JsonPath) -> StatesError:
    # AWS's wording; the interpreter prefixes "An error occurred while executing the state ...".
    return StatesError(
        ErrorName.RUNTIME,
        f"Invalid path '{path.text}': The choice state's condition path references an invalid value.",
    )

