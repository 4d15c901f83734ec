"""What a YAML scalar means: the YAML 1.2 core schema, restricted to values JSON can hold.

PyYAML resolves plain scalars by YAML 1.1, where ``On``, ``Off``, ``Yes``, ``No``, ``y`` and ``n`` are
booleans and ``010`` is octal. People name states and keys that way and expect strings, so we resolve
by the core schema instead (YAML 1.2.2, section 10.3.2): only ``true``/``false`` in three spellings are
booleans, ``null``/``~``/empty are null, and numbers look like numbers.
"""

from __future__ import annotations

import math
import re
from typing import Any

TAG_PREFIX = "tag:yaml.org,2002:"
STR_TAG = TAG_PREFIX + "str"
MAP_TAGS = frozenset({None, "!", TAG_PREFIX + "map"})
SEQ_TAGS = frozenset({None, "!", TAG_PREFIX + "seq"})
SCALAR_TAGS = frozenset({"!", *(TAG_PREFIX + name for name in ("str", "int", "float", "bool", "null"))})

_MISSING = object()
_CONSTANTS: dict[str, Any] = {
    **dict.fromkeys(("null", "Null", "NULL", "~", ""), None),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
# A plain scalar can only be a number if it starts with one of these; everything else is a string
# after one set lookup, which is what keeps resolution cheap for the common case.
_NUMBER_START = frozenset("0123456789+-.")
_DECIMAL = re.compile(r"[-+]?[0-9]+")
_OCTAL = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


class ScalarError(Exception):
    """A scalar that has no JSON value; the message says why."""


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar by the core schema."""
    constant = _CONSTANTS.get(text, _MISSING)
    if constant is not _MISSING:
        return constant
    if text[0] not in _NUMBER_START:
        return text
    number = _number(text)
    return text if number is None else number


def resolve_tagged(tag: str, text: str) -> Any:
    """The value of a scalar with an explicit standard tag (``!!int 5``); ``tag`` is in SCALAR_TAGS."""
    name = tag.removeprefix(TAG_PREFIX)
    if name in ("str", "!"):
        return text
    value = resolve_plain(text) if text else None
    expected = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}[name]
    if not isinstance(value, expected) or (name != "bool" and isinstance(value, bool)):
        raise ScalarError(f"The value {text!r} is not a valid !!{name}.")
    return float(value) if name == "float" else value


def _number(text: str) -> int | float | None:
    try:
        if _DECIMAL.fullmatch(text):
            return int(text)
        if _OCTAL.fullmatch(text):
            return int(text[2:], 8)
        if _HEX.fullmatch(text):
            return int(text[2:], 16)
    except ValueError as error:  # more digits than int() converts (CPython's limit)
        raise ScalarError(f"The number {text[:20]}... is too long: {error}.") from None
    if _FLOAT.fullmatch(text):
        value = float(text)
        if math.isinf(value):
            raise ScalarError(f"The number {text} is too large for JSON.")
        return value
    if _SPECIAL_FLOAT.fullmatch(text):
        raise ScalarError(f"{text} is not representable in JSON; quote it to make it a string.")
    return None


def unknown_tag_message(tag: str | None, text: str | None) -> str:
    """Explain why a tag such as ``!Ref`` or ``!GetAtt`` cannot stand in a definition, and what to write."""
    if tag is not None and tag.startswith(TAG_PREFIX):  # !!binary, !!timestamp, !!set, ...
        short = "!!" + tag.removeprefix(TAG_PREFIX)
        return f"The YAML tag '{short}' has no JSON equivalent; write the value as plain JSON data."
    name = "".join(ch for ch in (text or "") if ch.isalnum() or ch == "_")[:40]
    placeholder = "${" + (name if name and not name[0].isdigit() else "Name") + "}"
    return (
        f"The YAML tag '{tag}' is not supported: a definition is plain data, not a template. "
        f"Write a placeholder such as '{placeholder}' and fill it in at deploy time "
        "(DefinitionSubstitutions) or with 'statewright lint --substitute'."
    )
