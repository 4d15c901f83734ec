"""The one rule for JSON text that enters Statewright: RFC 8259 JSON, with numbers a float can hold.

Python's ``json`` module accepts ``NaN``, ``Infinity`` and ``-Infinity``, and reads ``1e999`` as an
infinite float; none of them is JSON, ``json.dumps`` would write them back as non-JSON text, and AWS
refuses them. Every reader of JSON text from outside uses this rule: definitions
(:mod:`statewright.source.json_reader`), ``statewright run --input`` / ``--input-file``, and task
results that arrive as text (HTTP responses, callback bodies, mocked responses).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

from statewright.source.json_positions import NON_JSON_CONSTANTS, scan_problems
from statewright.source.limits import MAX_DEPTH

_LONG_NUMBER = re.compile(r"\d{1000,}")


class NonFiniteNumber(ValueError):
    """``NaN``, ``Infinity``, ``-Infinity``, or a number too large for a float (``1e999``).

    Attributes:
        token: the offending text as written.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        super().__init__(non_finite_message(token))


def non_finite_message(token: str) -> str:
    """Why ``token`` (a NaN/Infinity literal or an overflowing number) is refused, in one sentence."""
    if token in NON_JSON_CONSTANTS:
        return f'{token} is not valid JSON; write a number, or a string such as "{token}"'
    return f"the number {token} is too large to represent (it overflows to infinity)"


def reject_constant(name: str) -> NoReturn:
    """``parse_constant`` hook: ``NaN``, ``Infinity`` and ``-Infinity`` are not JSON."""
    raise NonFiniteNumber(name)


def finite_float(text: str) -> float:
    """``parse_float`` hook: ``1e999`` is valid JSON syntax, but no engine can hold it."""
    value = float(text)
    if math.isinf(value):
        raise NonFiniteNumber(text)
    return value


def loads(text: str | bytes) -> Any:
    """Decode JSON text by the rule above.

    Raises:
        json.JSONDecodeError: not JSON, with ``msg``, ``lineno`` and ``colno``: a syntax error, a
            non-JSON constant, a number a float or an int cannot hold, or nesting too deep to decode.
    """
    try:
        return json.loads(text, parse_constant=reject_constant, parse_float=finite_float)
    except json.JSONDecodeError:
        raise
    except NonFiniteNumber as error:
        document = _text(text)
        found = scan_problems(document, MAX_DEPTH).constant
        raise json.JSONDecodeError(str(error), document, found[0] if found else 0) from None
    except UnicodeDecodeError as error:
        raise json.JSONDecodeError(f"the text is not UTF-8 ({error.reason})", _text(text), 0) from None
    except ValueError as error:  # int() refusing a number of thousands of digits
        document = _text(text)
        match = _LONG_NUMBER.search(document)
        raise json.JSONDecodeError(f"invalid number: {error}", document, match.start() if match else 0) from None
    except RecursionError:
        raise json.JSONDecodeError("arrays and objects are nested too deeply", _text(text), 0) from None


def _text(text: str | bytes) -> str:
    return text if isinstance(text, str) else text.decode("utf-8", errors="replace")
