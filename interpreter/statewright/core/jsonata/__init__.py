"""JSONata query language: the engine adapter, AWS's added functions, compiled field values and the
per-state data flow (spec/jsonata.md). Everything is compiled once per definition."""

from statewright.core.jsonata.engine import (
    UNDEFINED,
    Expression,
    JsonataSyntaxError,
    QueryEvaluationError,
    compile_expression,
    expression_text,
    set_runtime,
)
from statewright.core.jsonata.flow import Evaluated, JsonataFlow, Placed, compile_evaluated, states_binding
from statewright.core.jsonata.template import Value, compile_optional, compile_value, undefined_error

__all__ = [
    "UNDEFINED", "Evaluated", "Expression", "JsonataFlow", "JsonataSyntaxError", "Placed", "QueryEvaluationError",
    "Value", "compile_evaluated", "compile_expression", "compile_optional", "compile_value", "expression_text",
    "set_runtime", "states_binding", "undefined_error",
]
