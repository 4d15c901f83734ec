"""The Fail state (spec/fail.md): fails its scope with Error/Cause or their Path forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statewright.core.dataflow import path_not_found, runtime_error
from statewright.core.errors import StatesError
from statewright.core.history import json_text
from statewright.core.intrinsics import IntrinsicCall
from statewright.core.jsonata.flow import states_binding
from statewright.core.jsonata.template import unexpected_type
from statewright.core.jsonpath import JsonPath, PathNotFound
from statewright.core.states.base import State

if TYPE_CHECKING:
    from statewright.core.execution import Execution, Frame


@dataclass(frozen=True, slots=True, kw_only=True)
class FailState(State):
    """``error``/``cause``: literal texts; ``error_path``/``cause_path``: a path or an intrinsic call."""

    entered_type = "FailStateEntered"

    error: str | None = None
    cause: str | None = None
    error_path: JsonPath | IntrinsicCall | None = None
    cause_path: JsonPath | IntrinsicCall | None = None
    error_value: Any = None  # JSONata ``Error``/``Cause`` expressions (spec/jsonata.md)
    cause_value: Any = None

    def attempt(self, exe: Execution, frame: Frame) -> bool:
        try:
            context = self.context(exe, frame)
            error = self._value(self.error, self.error_path, "ErrorPath", frame, context, exe)
            cause = self._value(self.cause, self.cause_path, "CausePath", frame, context, exe)
            if self.error_value is not None:
                error = _text(self.error_value, frame, context)
            if self.cause_value is not None:
                cause = _text(self.cause_value, frame, context)
        except StatesError as failure:
            return exe.state_failed(frame, self, failure)
        return exe.fail_scope(frame, error, cause)

    def _value(self, literal: str | None, path: JsonPath | IntrinsicCall | None, field: str,
               frame: Frame, context: Any, exe: Execution) -> str | None:
        if path is None:
            return literal
        raw = frame.data
        if isinstance(path, IntrinsicCall):
            value = path.evaluate(raw, context, frame.variables, exe.rng)
        else:
            try:
                value = path.resolve(raw, context, frame.variables)
            except PathNotFound:
                raise path_not_found(path, field, raw) from None
        if not isinstance(value, str):
            raise runtime_error(f"The value of the field '{field}' must be a string, but was: {json_text(value)}")
        return value


def _text(value: Any, frame: Frame, context: Any) -> str:
    result = value.evaluate(states_binding(frame.data, context), frame.variables)
    if not isinstance(result, str):
        raise unexpected_type(value, result, "string")
    return result
