"""Values as text, the way the JVM that runs AWS Step Functions writes them.

``States.Format`` prints arguments with Java's ``toString`` (objects as ``{a=1, b=[]}``, recorded on
AWS); ``States.JsonToString`` writes compact JSON as Jackson does; both print doubles with
``Double.toString`` (``1.0``, ``1.0E20``).
"""

from __future__ import annotations

import json
import math
from typing import Any


def java_double(value: float) -> str:
    """``Double.toString``: plain notation for 1e-3 <= |x| < 1e7, else ``d.dddE±n``; shortest digits."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(value)
        return text if "." in text or "e" in text else text + ".0"
    from decimal import Decimal  # only for very large and very small numbers

    digits = Decimal(repr(magnitude)).normalize().as_tuple().digits
    exponent = Decimal(repr(magnitude)).adjusted()
    mantissa = str(digits[0]) + "." + ("".join(str(d) for d in digits[1:]) or "0")
    return ("-" if value < 0 else "") + f"{mantissa}E{exponent}"


def number_text(value: int | float) -> str:
    return java_double(value) if isinstance(value, float) else str(value)


def json_text(value: Any) -> str:
    """Compact JSON (no spaces, non-ASCII kept), numbers as Jackson writes them."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, list):
        return "[" + ",".join(json_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(
            json.dumps(str(key), ensure_ascii=False) + ":" + json_text(item) for key, item in value.items()
        ) + "}"
    raise TypeError(f"not a JSON value: {value!r}")


def format_text(value: Any) -> str:
    """An argument of ``States.Format`` as text: strings as they are, containers Java-style."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(format_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={format_text(item)}" for key, item in value.items()) + "}"
    return json_text(value)


def split_template(template: str) -> tuple[tuple[str, ...], str | None]:
    """Cut a Format template at each unescaped ``{}`` and unescape the pieces.

    Returns:
        (segments, problem): ``len(segments) - 1`` placeholders; ``problem`` names an illegal escape
        (only ``\\'``, ``\\{``, ``\\}`` and ``\\\\`` exist) or is ``None``.
    """
    if "\\" not in template:  # nothing to unescape: the cuts are exactly str.split's
        return tuple(template.split("{}")), None
    segments: list[str] = []
    current: list[str] = []
    index, size = 0, len(template)
    while index < size:
        char = template[index]
        if char == "\\":
            following = template[index + 1:index + 2]
            if following not in ("'", "{", "}", "\\"):
                return (), f"\\{following}" if following else "\\"
            current.append(following)
            index += 2
        elif char == "{" and template.startswith("{}", index):
            segments.append("".join(current))
            current = []
            index += 2
        else:
            current.append(char)
            index += 1
    segments.append("".join(current))
    return tuple(segments), None
