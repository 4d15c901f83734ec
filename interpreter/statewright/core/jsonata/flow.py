"""The JSONata data flow of one state, compiled (spec/jsonata.md, "Data flow").

    state input --Arguments--> task input --(work)--> result --Output--> state output
                                              \\--Assign--> variables (from the next state on)

It plugs in where :class:`~statewright.core.dataflow.JsonPathFlow` does and answers the same methods,
so the states run either language unchanged: there is no InputPath/ResultSelector/ResultPath/OutputPath,
``effective_input`` is the identity, ``task_input`` evaluates ``Arguments`` and ``output`` evaluates
``Output``. ``place_result`` pairs the state input with the result (a :class:`Placed`) when ``Output``
needs both as ``$states.input`` and ``$states.result``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from statewright.core.history import json_text
from statewright.core.jsonata.engine import QueryEvaluationError
from statewright.core.jsonata.template import Value, compile_optional, compile_value, unexpected_type


class Placed:
    """The state input and its result, both visible to ``Output`` and ``Assign``."""

    __slots__ = ("raw", "result")

    def __init__(self, raw: Any, result: Any) -> None:
        self.raw = raw
        self.result = result


def states_binding(value: Any, context: Any, error_output: Any = None) -> dict[str, Any]:
    """``$states`` for an evaluation: ``input``, ``result`` (after the work), ``errorOutput`` (in a
    Catch), ``context`` (when the state reads it; a builder is called here)."""
    placed = value.__class__ is Placed
    states = {"input": value.raw, "result": value.result} if placed else {"input": value}
    if error_output is not None:
        states["errorOutput"] = error_output
    if context is not None:
        states["context"] = context() if callable(context) else context
    return states


class Evaluated:
    """A JSONata field value with the JSONPath ``Template`` calling convention
    (``evaluate(value, context, variables, rng)``), for ``Assign``, ``Arguments`` and ``ItemSelector``."""

    __slots__ = ("uses_context", "uses_variables", "value")

    def __init__(self, value: Value) -> None:
        self.value = value
        self.uses_context = value.reads_context
        self.uses_variables = True

    def evaluate(self, value: Any, context: Any = None, variables: Mapping[str, Any] | None = None,
                 rng: Any = None) -> Any:
        return self.value.evaluate(states_binding(value, context), variables)


def compile_evaluated(state: Mapping[str, Any], key: str, field: str | None = None) -> Evaluated | None:
    value = compile_optional(state, key, field)
    return None if value is None else Evaluated(value)


@dataclass(frozen=True, slots=True)
class JsonataFlow:
    """The JSONata pipeline of one state: ``Arguments`` and ``Output`` (``None`` when absent)."""

    arguments: Value | None
    output_value: Value | None
    uses_context: bool
    # JsonPathFlow's attributes the states test for their fast paths: always identity here.
    input_path: None = None
    result_selector: None = None
    parameters: None = None

    @classmethod
    def compile(cls, state: Mapping[str, Any], *, arguments_key: str | None = "Arguments") -> JsonataFlow:
        arguments = compile_optional(state, arguments_key) if arguments_key else None
        output = compile_optional(state, "Output")
        uses_context = any(part is not None and part.reads_context for part in (arguments, output))
        return cls(arguments, output, uses_context)

    @property
    def output_path(self) -> bool | None:
        # The states call ``output`` only when this is not None (JsonPathFlow's identity marker).
        return None if self.output_value is None else True

    def effective_input(self, raw: Any, context: Any = None, variables: Mapping[str, Any] | None = None) -> Any:
        return raw

    def task_input(self, effective: Any, context: Any = None, variables: Mapping[str, Any] | None = None,
                   rng: Any = None) -> Any:
        if self.arguments is None:
            return effective
        return self.arguments.evaluate(states_binding(effective, context), variables)

    def select_result(self, result: Any, context: Any = None, variables: Mapping[str, Any] | None = None,
                      rng: Any = None) -> Any:
        return result

    def place_result(self, raw: Any, result: Any) -> Any:
        if self.output_value is None:
            return result
        return Placed(raw, result)

    def output(self, combined: Any, context: Any = None, variables: Mapping[str, Any] | None = None) -> Any:
        if self.output_value is None:
            return combined.result if combined.__class__ is Placed else combined
        return self.output_value.evaluate(states_binding(combined, context), variables)


def compile_output(value: Any, field: str) -> Value:
    """A Choice rule's or a Catch clause's own ``Output``."""
    return compile_value(value, field)


class ExpressionField:
    """A numeric or text field given as an expression (``MaxConcurrency``, ``TimeoutSeconds``, ...), with
    the ``resolve(input, context, variables)`` convention of a JSONPath ``*Path`` field, so the states'
    validation of the value is shared by both languages."""

    __slots__ = ("normalized", "root", "text", "value")

    def __init__(self, value: Value) -> None:
        self.value = value
        self.text = value.text
        self.normalized = value.text
        self.root = "context" if value.reads_context else "input"

    def resolve(self, input: Any, context: Any = None, variables: Mapping[str, Any] | None = None) -> Any:
        return self.value.evaluate(states_binding(input, context), variables)

    def number(self, input: Any, context: Any, variables: Mapping[str, Any] | None, least: float,
               most: float | None = None, integer: bool = True) -> Any:
        """The field's value, which must be a number (an integer unless ``integer`` is false) from ``least``
        to ``most``; anything else fails with ``States.QueryEvaluationError`` naming the field, as every
        failure of an expression does (spec/jsonata.md 13), never with the ``*Path`` fields' States.Runtime.
        """
        value = self.resolve(input, context, variables)
        if value.__class__ is bool or not isinstance(value, int | float):
            raise unexpected_type(self.value, value, "number")
        whole = value.__class__ is int or value.is_integer()
        if (integer and not whole) or value < least or (most is not None and value > most):
            if most is not None:
                wanted = f"a number from {least:g} to {most:g}"
            else:
                wanted = "a positive integer" if least >= 1 else "a non-negative integer"
            raise QueryEvaluationError(
                f"The JSONata expression '{self.text}' specified for the field '{self.value.field}' returned an "
                f"unexpected result: {json_text(value)} is not {wanted}", self.value.field)
        return int(value) if integer else value


def expression_field(state: Mapping[str, Any], key: str, field: str | None = None) -> ExpressionField | None:
    """An :class:`ExpressionField` when ``state[key]`` is a ``{% %}`` string, else ``None``."""
    value = state.get(key)
    if not (isinstance(value, str) and value.startswith("{%")):
        return None
    return ExpressionField(compile_value(value, field or key))
