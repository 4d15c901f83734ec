"""JSONPath as the Amazon States Language uses it: paths, reference paths, context and variable roots.

AWS evaluates paths with Jayway JsonPath; this package follows Jayway's syntax and AWS's rule on
top of it: a *definite* path (names and indexes only) that matches nothing is an error
(:class:`PathNotFound`), an *indefinite* one (wildcards, slices, filters, deep scan, unions) yields a
list, possibly empty.

    parse_path(text) -> JsonPath            # raises PathSyntaxError(message, column); cached
    is_plain_path(text) -> bool             # only .name / [index] steps: valid, a Reference Path
    JsonPath.root        -> "input" | "context" | "variable"   ($, $$, $name)
    JsonPath.variable    -> str | None      # the variable name for $name roots
    JsonPath.is_reference -> bool           # only .name / ['name'] / [index] steps (a Reference Path)
    JsonPath.is_definite  -> bool           # selects at most one node
    JsonPath.find(value) -> list            # every match
    JsonPath.get(value)  -> Any             # the match of a definite path; raises PathNotFound
    JsonPath.resolve(input, context, variables) -> Any   # get/find against the document the root names
    set_reference_path(document, path, value) -> new document   # ResultPath
"""

from typing import Any

from statewright.core.jsonpath.errors import PathNotFound, PathSyntaxError, UndefinedVariable
from statewright.core.jsonpath.path import JsonPath, is_plain_path, parse_path
from statewright.core.jsonpath.reference import set_reference_path

# json_equal and json_key live with the filters, imported on first use (see __getattr__): a path without a
# filter never needs them, and importing them costs more than parsing a hundred paths.


def __getattr__(name: str) -> Any:
    if name in ("json_equal", "json_key"):
        from statewright.core.jsonpath import filters

        return getattr(filters, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "JsonPath",
    "PathNotFound",
    "PathSyntaxError",
    "UndefinedVariable",
    "is_plain_path",
    "json_equal",
    "json_key",
    "parse_path",
    "set_reference_path",
]
