"""The Wait state (spec/wait.md): a timer, then the filtered input passes on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statewright.core.dataflow import JsonPathFlow, runtime_error
from statewright.core.errors import StatesError
from statewright.core.events import ENTERED, EXITED, ROW
from statewright.core.history import json_text
from statewright.core.jsonata import QueryEvaluationError
from statewright.core.jsonata.flow import states_binding
from statewright.core.jsonpath import JsonPath, PathNotFound
from statewright.core.states.base import State
from statewright.core.timestamps import (
    parse_rfc3339,
    seconds_path_error,
    timestamp_path_error,
    wait_seconds_valid,
)

if TYPE_CHECKING:
    from statewright.core.execution import Execution, Frame

WAIT_DONE = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitState(State):
    """Exactly one of ``seconds``, ``timestamp`` (epoch seconds), ``seconds_path``, ``timestamp_path``."""

    entered_type = "WaitStateEntered"
    exited_type = "WaitStateExited"

    seconds: float | None = None
    timestamp: float | None = None
    seconds_path: JsonPath | None = None
    timestamp_path: JsonPath | None = None
    timestamp_value: Any = None  # a JSONata ``Timestamp`` expression (spec/jsonata.md)

    def enter(self, exe: Execution, frame: Frame) -> bool:
        flow = self.flow
        if self.seconds is None or flow.__class__ is not JsonPathFlow or flow.input_path is not None:
            return State.enter(self, exe, frame)
        # The common ``Seconds: n`` without InputPath: State.enter and attempt() inlined (nothing can fail).
        rows = frame.history.rows
        now = exe.now
        data = frame.data
        rows += (frame.prev, "WaitStateEntered", now, ENTERED, self.name, data)
        entered_id = len(rows) // ROW
        frame.prev = frame.entered_id = entered_id
        frame.entered_time = now
        frame.effective = data
        return self._wait_until(exe, frame, now + self.seconds)

    def attempt(self, exe: Execution, frame: Frame) -> bool:
        try:
            context = self.context(exe, frame)
            effective = self.flow.effective_input(frame.data, context, frame.variables)
            fire_at = self._fire_at(exe.now, effective, context, frame)
        except StatesError as error:
            return exe.state_failed(frame, self, error)
        frame.effective = effective
        return self._wait_until(exe, frame, fire_at)

    def _wait_until(self, exe: Execution, frame: Frame, fire_at: float) -> bool:
        if exe.alone and exe.fires_next(frame):  # alone on a jumping virtual clock: the timer fires next
            exe.jump_to(fire_at)
            return self.on_timer(exe, frame, WAIT_DONE)
        exe.start_timer(frame, fire_at, WAIT_DONE)
        return False

    def _fire_at(self, now: float, effective: Any, context: Any, frame: Frame) -> float:
        if self.seconds is not None:
            return now + self.seconds
        if self.timestamp is not None:
            return self.timestamp
        if self.timestamp_value is not None:
            return _jsonata_timestamp(self.timestamp_value, effective, context, frame.variables)
        if self.seconds_path is not None and self.flow.__class__ is not JsonPathFlow:
            value = self.seconds_path.resolve(effective, context, frame.variables)
            if not wait_seconds_valid(value):
                raise QueryEvaluationError(
                    f"The JSONata expression '{self.seconds_path.text}' specified for the field 'Seconds' returned "
                    f"an unexpected result: {json_text(value)} is not a non-negative integer", "Seconds")
            return now + int(value)
        if self.seconds_path is not None:
            path = self.seconds_path
            try:
                value = path.resolve(effective, context, frame.variables)
            except PathNotFound:
                raise runtime_error(seconds_path_error(path.text, None, present=False)) from None
            if not wait_seconds_valid(value):
                raise runtime_error(seconds_path_error(path.text, value))
            return now + int(value)
        path = self.timestamp_path  # type: ignore[assignment]
        try:
            value = path.resolve(effective, context, frame.variables)
        except PathNotFound:
            raise runtime_error(
                f"The TimestampPath parameter does not reference an input value: {path.text}") from None
        instant = parse_rfc3339(value)
        if instant is None:
            raise runtime_error(timestamp_path_error(path.text, value))
        return instant

    def on_timer(self, exe: Execution, frame: Frame, purpose: int) -> bool:
        effective = frame.effective
        frame.effective = None
        flow = self.flow
        if self.assign is None and flow.__class__ is JsonPathFlow and flow.output_path is None:
            # No Assign, no OutputPath: the effective input passes on as it is (what exit() records).
            # Execution.emit and transition, inlined.
            rows = frame.history.rows
            rows += (frame.prev, "WaitStateExited", exe.now, EXITED, self.name, effective)
            frame.prev = len(rows) // ROW
            frame.data = effective
            following = self.next_state
            if following is None:
                return exe.finish(frame, effective)
            frame.state = following
            return True
        try:
            context = self.context(exe, frame)
            assigned = self.assigned(exe, frame, effective, context)
            output = self.flow.output(effective, context, frame.variables)
        except StatesError as error:
            return exe.state_failed(frame, self, error)
        return self.exit(exe, frame, output, assigned)


def _jsonata_timestamp(value: Any, effective: Any, context: Any, variables: Any) -> float:
    text = value.evaluate(states_binding(effective, context), variables)
    instant = parse_rfc3339(text) if isinstance(text, str) else None
    if instant is None:
        shown = text if isinstance(text, str) else json_text(text)
        raise QueryEvaluationError("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time "
                                   f"format string: {shown}", "Timestamp")
    return instant
