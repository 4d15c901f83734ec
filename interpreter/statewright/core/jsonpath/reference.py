"""Writing through a Reference Path: how ``ResultPath`` places a result into the state input."""

from __future__ import annotations

import json
from typing import Any

from statewright.core.errors import ErrorName, StatesError
from statewright.core.jsonpath.path import JsonPath, parse_path
from statewright.core.jsonpath.steps import Index, Name

_ABSENT: Any = object()


def set_reference_path(document: Any, path: JsonPath | str, value: Any) -> Any:
    """A new document with ``value`` placed at ``path`` (``$`` replaces the whole document).

    Missing objects along the path are created. Only the containers on the path are copied (shallowly):
    the rest of the new document shares nodes with ``document``, which is never modified.

    Raises:
        ValueError: the path is not an input-rooted Reference Path (a definition error, caught by lint).
        StatesError: ``States.ResultPathMatchFailure`` when a step meets a value it cannot step into
            (a name on a non-object, an index on a non-array or past its end).
    """
    if isinstance(path, str):
        path = parse_path(path)
    if path.root != "input" or not path.is_reference:
        raise ValueError(f"'{path.text}' is not a Reference Path into the state input")
    return _place(document, path, 0, value)


def _place(node: Any, path: JsonPath, depth: int, value: Any) -> Any:
    if depth == len(path.steps):
        return value
    step = path.steps[depth]
    if isinstance(step, Name):
        if not isinstance(node, dict):
            raise _mismatch(path, step.name, node)
        copy = dict(node)
        child = node.get(step.name, _ABSENT)
        copy[step.name] = _place({} if child is _ABSENT else child, path, depth + 1, value)
        return copy
    assert isinstance(step, Index)
    if not isinstance(node, list) or not -len(node) <= step.index < len(node):
        raise _mismatch(path, str(step.index), node)
    copy_list = list(node)
    copy_list[step.index] = _place(node[step.index], path, depth + 1, value)
    return copy_list


def _mismatch(path: JsonPath, step: str, node: Any) -> StatesError:
    shown = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
    if len(shown) > 200:
        shown = shown[:197] + "..."
    return StatesError(
        ErrorName.RESULT_PATH_MATCH_FAILURE,
        f"Unable to apply step \"{step}\" to input {shown} (ResultPath '{path.text}')",
    )
