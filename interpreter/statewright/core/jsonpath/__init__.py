"""JSONPath as the Amazon States Language uses it: paths, reference paths, context and variable roots.

AWS evaluates paths with Jayway JsonPath; this package follows Jayway's syntax and AWS's rule on
top of it: a *definite* path (names and indexes only) that matches nothing is an error
(:class:`PathNotFound`), an *indefinite* one (wildcards, slices, filters, deep scan, unions) yields a
list, possibly empty.

    parse_path(text) -> JsonPath            # raises PathSyntaxError(message, column); cached
    JsonPath.root        -> "input" | "context" | "variable"   ($, $$, $name)
    JsonPath.variable    -> str | None      # the variable name for $name roots
    JsonPath.is_reference -> bool           # only .name / ['name'] / [index] steps (a Reference Path)
    JsonPath.is_definite  -> bool           # selects at most one node
    JsonPath.find(value) -> list            # every match
    JsonPath.get(value)  -> Any             # the match of a definite path; raises PathNotFound
    JsonPath.resolve(input, context, variables) -> Any   # get/find against the document the root names
    set_reference_path(document, path, value) -> new document   # ResultPath
"""

from statewright.core.jsonpath.errors import PathNotFound, PathSyntaxError, UndefinedVariable
from statewright.core.jsonpath.filters import json_equal, json_key
from statewright.core.jsonpath.path import JsonPath, parse_path
from statewright.core.jsonpath.reference import set_reference_path

__all__ = [
    "JsonPath",
    "PathNotFound",
    "PathSyntaxError",
    "UndefinedVariable",
    "json_equal",
    "json_key",
    "parse_path",
    "set_reference_path",
]
