"""The JSONata engine adapter: compile once, evaluate with ``$states`` and variables (spec/jsonata.md).

The engine is ``jsonata-rs`` (module ``jsonata``), a Rust implementation of JSONata 2.x: measured at
about 190k evaluations/s against about 12k for the pure-Python ``jsonata-python`` on the same
expression, and it tells ``undefined`` from ``null`` (which AWS's error texts depend on) and accepts
Python callables for the functions AWS adds (see benchmarks/jsonata_bench.py and spec/jsonata.md).

Purity: ``$now()``/``$millis()`` would read the clock and ``$random()``/``$uuid()`` draw randomness, so
they are replaced by functions that read the execution's recorded time and seeded random source,
handed in per evaluation through :data:`_RUNTIME` (the core runs one evaluation at a time).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import jsonata as _engine

from statewright.core.errors import ErrorName, StatesError
from statewright.core.jsonata import functions
from statewright.core.jsonata.errors import reference_message
from statewright.core.jsonata.fastpath import FALLBACK, MISSING, compile_fast
from statewright.core.timestamps import format_timestamp

UNDEFINED: Any = _engine.UNDEFINED
"""What an expression that returns nothing gives (JSONata ``undefined``, not JSON ``null``)."""

_EXPRESSION = re.compile(r"\A\{%(.*)%\}\Z", re.S)
_CODED = re.compile(r"[SDTU]\d{4}: ")


class JsonataSyntaxError(ValueError):
    """An expression that does not parse. ``position`` is the offset inside the expression text."""

    def __init__(self, text: str, message: str, position: int) -> None:
        super().__init__(message)
        self.text = text
        self.message = message
        self.position = position


class QueryEvaluationError(StatesError):
    """``States.QueryEvaluationError`` with the field it came from (the ``EvaluationFailed`` event's
    ``location``)."""

    __slots__ = ("location",)

    def __init__(self, cause: str, location: str | None) -> None:
        super().__init__(ErrorName.QUERY_EVALUATION_ERROR, cause)
        self.location = location


class _Runtime:
    """Per-evaluation inputs of the replaced impure functions (set just before an evaluation)."""

    __slots__ = ("now", "rng")

    def __init__(self) -> None:
        self.now = 0.0
        self.rng: Any = None


_RUNTIME = _Runtime()


def set_runtime(now: float, rng: Any) -> None:
    """Hand the execution's recorded time and random source to the next evaluations."""
    _RUNTIME.now = now
    _RUNTIME.rng = rng


def _now(*_: Any) -> str:
    return format_timestamp(_RUNTIME.now)


def _millis(*_: Any) -> int:
    return int(_RUNTIME.now * 1000)


def _random(*_: Any) -> float:
    return functions.random_float(_RUNTIME.rng)


def _uuid(*_: Any) -> str:
    return functions.uuid(_RUNTIME.rng)


def _removed(*_: Any) -> Any:
    # AWS removed $eval ($parse replaces it): calling it is an error, as for an unknown function.
    raise ValueError("T1006: Attempted to invoke a non-function")


_FUNCTIONS: dict[str, Any] = {
    "partition": functions.partition,
    "range": functions.range_,
    "hash": functions.hash_,
    "parse": functions.parse,
    "random": _random,
    "uuid": _uuid,
    "now": _now,
    "millis": _millis,
    "eval": _removed,
}


def expression_text(value: Any) -> str | None:
    """The expression inside a ``{% ... %}`` string (stripped), else ``None``."""
    if value.__class__ is not str or not value.startswith("{%"):
        return None
    match = _EXPRESSION.match(value)
    return match.group(1).strip() if match else None


class Expression:
    """One compiled JSONata expression, shared by every execution of its machine.

    Attributes:
        text: the expression as written between ``{%`` and ``%}`` (stripped; AWS quotes it so).
        reads_context: it mentions ``$states.context``, so the engine builds the context object.
    """

    __slots__ = ("_compiled", "fast", "impure", "reads_context", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.reads_context = "context" in text
        self.impure = any(f"${name}" in text for name in ("random", "uuid", "now", "millis"))
        self._compiled = _compile(text)
        self.fast = compile_fast(text)

    def evaluate(self, states: Mapping[str, Any], variables: Mapping[str, Any] | None, field: str) -> Any:
        """The expression's value (possibly :data:`UNDEFINED`), with ``$states`` and the variables bound.

        Raises:
            QueryEvaluationError: the engine raised an error evaluating it.
        """
        fast = self.fast
        if fast is not None:
            value = fast(states, variables)
            if value is not FALLBACK:
                return UNDEFINED if value is MISSING else value
        bindings = {**variables, "states": states} if variables else {"states": states}
        try:
            return self._compiled.evaluate(states.get("input"), bindings)
        except _engine.JsonataError as exc:
            if functions.NOTHING in str(exc):
                raise QueryEvaluationError(
                    f"The JSONata expression '{self.text}' specified for the field '{field}' returned nothing "
                    "(undefined).", field) from None
            raise QueryEvaluationError(self._threw(_evaluation_text(exc, self.text), field), field) from None
        except RecursionError:
            raise QueryEvaluationError(self._threw("Stack overflow error", field), field) from None

    def _threw(self, message: str, field: str) -> str:
        # AWS: "... threw an error during evaluation. T2001: ..." ("... evaluation: <text>" without a code).
        separator = ". " if _CODED.match(message) else ": "
        return (f"The JSONata expression '{self.text}' specified for the field '{field}' threw an error during "
                f"evaluation{separator}{message}")


def _compile(text: str) -> Any:
    try:
        compiled = _engine.Jsonata(text)
    except _engine.JsonataError as exc:
        raise JsonataSyntaxError(text, _error_text(exc), int(getattr(exc, "position", 0) or 0)) from None
    compiled.set_output_convert_nulls(False)
    for name, function in _FUNCTIONS.items():
        if f"${name}" in text:
            compiled.register_function(name, function)
    return compiled


@functools.lru_cache(maxsize=4096)
def compile_expression(text: str) -> Expression:
    """The compiled expression for ``text``; the same text compiles once per process (a cache), so a
    definition loaded again, or the same expression in many states, costs no new parse."""
    return Expression(text)


def _evaluation_text(exc: Exception, text: str) -> str:
    message = str(exc)
    # Functions of ours raise ValueError with AWS's text (code included); the binding wraps it.
    if message.startswith("ValueError: "):
        return message[len("ValueError: "):]
    code = getattr(exc, "code", None)
    return reference_message(code, message, text, int(getattr(exc, "position", 0) or 0))


def _error_text(exc: Exception) -> str:
    message = str(exc)
    code = getattr(exc, "code", None)
    # Functions of ours raise ValueError with AWS's message; the binding wraps it as "ValueError: ...".
    if message.startswith("ValueError: "):
        return message[len("ValueError: "):]
    return f"{code}: {message}" if code and not message.startswith(code) else message
