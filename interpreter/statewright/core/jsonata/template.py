"""JSONata field values, compiled once (spec/jsonata.md, "Where expressions go").

A field of a JSONata state (``Arguments``, ``Output``, ``Assign`` members, ``ItemSelector``, ...) holds
JSON in which any string of the form ``{% expr %}`` is an expression, at any depth. :func:`compile_value`
turns it into a :class:`Value` tree whose constant parts are kept as they are, so evaluating it is one
engine call per expression and a dict/list build per container.

An expression that returns nothing (``undefined``) fails the state with
``States.QueryEvaluationError``, naming the field: ``Output``, ``Output/a/b[0]``, ``Assign/x``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from statewright.core.history import json_text
from statewright.core.jsonata.engine import (
    UNDEFINED,
    Expression,
    QueryEvaluationError,
    compile_expression,
    expression_text,
)
from statewright.core.jsonata.fastpath import FALLBACK, MISSING

_CONST, _EXPR, _OBJECT, _ARRAY = range(4)


def undefined_error(expression: Expression, field: str) -> QueryEvaluationError:
    return QueryEvaluationError(
        f"The JSONata expression '{expression.text}' specified for the field '{field}' returned nothing (undefined).",
        field)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def unexpected_type(value: Value, result: Any, expected: str) -> QueryEvaluationError:
    """AWS's cause for an expression whose result has the wrong JSON type."""
    return QueryEvaluationError(
        f"The JSONata expression '{value.text}' specified for the field '{value.field}' returned an unexpected "
        f"result type. Expected '{expected}', but was '{_type_name(result)}' for value: {json_text(result)}",
        value.field)


class Value:
    """A compiled field value: a constant, an expression, or a container of values.

    Attributes:
        field: the field's name relative to the state (``Output/a[0]``), for causes.
        reads_context: some expression in it mentions ``$states.context``.
        is_constant: no expression anywhere (``evaluate`` returns the value as written).
    """

    __slots__ = ("field", "is_constant", "kind", "payload", "reads_context")

    def __init__(self, kind: int, payload: Any, field: str, reads_context: bool) -> None:
        self.kind = kind
        self.payload = payload
        self.field = field
        self.reads_context = reads_context
        self.is_constant = kind == _CONST

    def evaluate(self, states: Mapping[str, Any], variables: Mapping[str, Any] | None) -> Any:
        """The field's value; raises QueryEvaluationError (undefined results included)."""
        kind = self.kind
        if kind == _CONST:
            return self.payload
        if kind == _EXPR:
            return _expression_value(self.payload, self.field, states, variables)
        if kind == _OBJECT:
            # The per-transition cost of an Output/Assign template: one flat loop, members inlined.
            out = {}
            for key, member in self.payload:
                member_kind = member.kind
                if member_kind == _CONST:
                    out[key] = member.payload
                elif member_kind == _EXPR:
                    out[key] = _expression_value(member.payload, member.field, states, variables)
                else:
                    out[key] = member.evaluate(states, variables)
            return out
        return [value.evaluate(states, variables) for value in self.payload]

    def evaluate_raw(self, states: Mapping[str, Any], variables: Mapping[str, Any] | None) -> Any:
        """Like :meth:`evaluate` for a single expression, but ``undefined`` is returned, not raised
        (fields such as ``Items`` and ``Condition`` word that error themselves)."""
        if self.kind == _EXPR:
            return self.payload.evaluate(states, variables, self.field)
        return self.evaluate(states, variables)

    @property
    def text(self) -> str:
        """The expression text (or the constant as JSON), as AWS quotes it in causes."""
        return str(self.payload.text) if self.kind == _EXPR else json_text(self.payload)


def _expression_value(expression: Expression, field: str, states: Mapping[str, Any],
                      variables: Mapping[str, Any] | None) -> Any:
    fast = expression.fast
    if fast is not None:
        # Inlined Expression.evaluate's fast path: saves a call per expression on the hot path.
        result = fast(states, variables)
        if result is not FALLBACK and result is not MISSING:
            return result
    result = expression.evaluate(states, variables, field)
    if result is UNDEFINED:
        raise undefined_error(expression, field)
    return result


def compile_value(value: Any, field: str) -> Value:
    """Compile a field's JSON, expressions included, once.

    Raises:
        JsonataSyntaxError: an expression does not parse.
    """
    text = expression_text(value)
    if text is not None:
        expression = compile_expression(text)
        return Value(_EXPR, expression, field, expression.reads_context)
    if isinstance(value, dict):
        members = tuple((key, compile_value(item, f"{field}/{key}")) for key, item in value.items())
        if all(member.is_constant for _, member in members):
            return Value(_CONST, value, field, False)
        return Value(_OBJECT, members, field, any(member.reads_context for _, member in members))
    if isinstance(value, list):
        items = tuple(compile_value(item, f"{field}[{index}]") for index, item in enumerate(value))
        if all(item.is_constant for item in items):
            return Value(_CONST, value, field, False)
        return Value(_ARRAY, items, field, any(item.reads_context for item in items))
    return Value(_CONST, value, field, False)


def compile_optional(state: Mapping[str, Any], key: str, field: str | None = None) -> Value | None:
    """``compile_value`` of ``state[key]`` when present, else ``None``."""
    if key not in state:
        return None
    return compile_value(state[key], field or key)
