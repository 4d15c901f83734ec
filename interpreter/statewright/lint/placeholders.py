"""Deployment placeholders (``${Name}``) and their substitution (``statewright lint --substitute``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from statewright.lint.context import PLACEHOLDER


def substitute(value: Any, values: Mapping[str, str]) -> Any:
    """Replace ``${Name}`` in every string with ``values[Name]``; unknown names stay as they are.

    A string that is exactly one placeholder takes the JSON type of its replacement when the
    replacement is a JSON number, boolean or null (``"${Timeout}"`` with ``Timeout=30`` becomes ``30``),
    as CloudFormation's DefinitionSubstitutions produce in the final definition text.
    """
    if isinstance(value, str):
        return _substitute_string(value, values)
    if isinstance(value, list):
        return [substitute(item, values) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, values) for key, item in value.items()}
    return value


def _substitute_string(text: str, values: Mapping[str, str]) -> Any:
    if "${" not in text:
        return text
    whole = PLACEHOLDER.fullmatch(text)
    if whole and text[2:-1] in values:
        replacement = values[text[2:-1]]
        try:
            typed = json.loads(replacement)
        except ValueError:
            return replacement
        return typed if isinstance(typed, (int, float, bool)) or typed is None else replacement
    return PLACEHOLDER.sub(lambda m: values.get(m.group(0)[2:-1], m.group(0)), text)


def parse_substitutions(items: list[str]) -> dict[str, str]:
    """``["Key=Value", ...]`` to a dict; raises ValueError naming the bad item."""
    result: dict[str, str] = {}
    for item in items:
        key, sep, val = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--substitute expects KEY=VALUE, got {item!r}")
        result[key] = val
    return result
