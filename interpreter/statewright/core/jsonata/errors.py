"""Errors raised inside the JSONata engine, in the words of JSONata's reference catalogue (spec/jsonata.md 13).

AWS reports an expression that throws as ``The JSONata expression '<expr>' specified for the field
'<field>' threw an error during evaluation. <CODE>: <message>``, where the message is the reference
implementation's text for that code, its ``{{value}}`` slots filled the way JSONata fills them (a JSON
rendering: strings quoted, numbers bare).

The engine (``jsonata-rs``, a port of the Java port) keeps the codes but garbles some texts: every
"function" of the catalogue became "Object", some slots stay unfilled (``{{type}}``, ``{{token}}``), others
are filled with the wrong argument, and every value is quoted. :func:`reference_message` rebuilds the
reference text from what the engine does give: the code, the values it quoted, and the position in the
expression (which lets the function name be read from the text).
"""

from __future__ import annotations

import json
import re
from typing import Any

# The catalogue entries whose engine texts need rebuilding; any other code keeps the engine's text with
# the "Object" slip undone and numbers unquoted.
_SIGNATURE = 'Argument {index} of function "{name}" does not match function signature'
_CONTEXT = 'Context value is not a compatible type with argument {index} of function "{name}"'
_ARRAY_OF = 'Argument {index} of function "{name}" must be an array of "{type}"'
_SAME_TYPE = "The values {left} and {right} either side of operator \"{operator}\" must be of the same data type"

# The engine leaves a signature's one-letter array subtype where JSONata names the type (plural).
_ARRAY_TYPES = {"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects",
                "s": "strings"}

# Texts the engine raises without a code, with the code JSONata gives them.
_UNCODED = {
    "Second argument of replace function cannot be an empty string": "D3010",
}

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?\Z")
_NAME_BEFORE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*\Z")
_COMPARISONS = re.compile(r"<=|>=|!=|<|>|=")
_STRING_LITERAL = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")


def reference_message(code: str | None, message: str, text: str, position: int) -> str:
    """``<CODE>: <message>`` as JSONata's reference words it (``<message>`` alone when there is no code)."""
    if message.startswith("JSonataException "):
        message = message[len("JSonataException "):]
    if not code or not _is_code(code):
        code = _UNCODED.get(message)
        if code is None:
            return message
        return f"{code}: {message}"
    if code in ("D3137", "D3141"):
        return f"{code}: {message}"  # $error / $assert: the user's own message, as written
    quoted = _QUOTED.findall(message)
    rebuilt = _rebuild(code, quoted, text, position)
    if rebuilt is None:
        rebuilt = _QUOTED.sub(_unquote_number, message.replace("Object", "function"))
    return f"{code}: {rebuilt}"


def _rebuild(code: str, quoted: list[str], text: str, position: int) -> str | None:
    if code == "T0410" and len(quoted) >= 2:
        return _SIGNATURE.format(index=quoted[0], name=quoted[1])
    if code == "T0411":
        # The engine fills (value, index) into the (index, function) slots; the name comes from the text.
        name = function_called_at(text, position)
        index = quoted[1] if len(quoted) >= 2 else "1"
        return _CONTEXT.format(index=index, name=name) if name else None
    if code == "T0412" and len(quoted) >= 2:
        name = function_called_at(text, position)
        kind = _ARRAY_TYPES.get(quoted[1])
        # Every built-in whose signature types an array's members takes that array first.
        return _ARRAY_OF.format(index=1, name=name, type=kind) if name and kind else None
    if code == "T2009" and len(quoted) >= 2:
        operator = _comparison_operator(text)
        if operator is None:
            return None
        left, right = _typed_pair(quoted[0], quoted[1])
        return _SAME_TYPE.format(left=left, right=right, operator=operator)
    return None


def function_called_at(text: str, position: int) -> str | None:
    """The name of the function whose argument list opens just before ``position`` (the engine's error
    position for argument errors), e.g. ``sum`` for ``$sum(`` ."""
    match = _NAME_BEFORE.search(text[:max(position, 0)])
    return match.group(1) if match else None


def _comparison_operator(text: str) -> str | None:
    # The engine gives no position for T2009; a comparison is named only when the expression has one kind.
    operators = set(_COMPARISONS.findall(_STRING_LITERAL.sub("", text)))
    return operators.pop() if len(operators) == 1 else None


def _typed_pair(left: str, right: str) -> tuple[str, str]:
    """The two values of a T2009 as JSONata prints them: the values differ in type (one number, one
    string), so the one that reads as a number is the number, unless both do."""
    left_number, right_number = bool(_NUMBER.match(left)), bool(_NUMBER.match(right))
    if left_number and not right_number:
        return left, json.dumps(right)
    if right_number and not left_number:
        return json.dumps(left), right
    return json.dumps(left), json.dumps(right)


def _unquote_number(match: re.Match[str]) -> str:
    inner = match.group(1)
    return inner if _NUMBER.match(inner) or inner in ("Infinity", "-Infinity", "NaN") else match.group(0)


def _is_code(code: Any) -> bool:
    return isinstance(code, str) and len(code) == 5 and code[0] in "SDTU" and code[1:].isdigit()
