"""The Succeed state (spec/succeed.md): ends its scope with the filtered input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from statewright.core.dataflow import JsonPathFlow
from statewright.core.errors import StatesError
from statewright.core.events import ENTERED, EXITED, ROW
from statewright.core.states.base import State

if TYPE_CHECKING:
    from statewright.core.execution import Execution, Frame


@dataclass(frozen=True, slots=True, kw_only=True)
class SucceedState(State):
    entered_type = "SucceedStateEntered"
    exited_type = "SucceedStateExited"

    def enter(self, exe: Execution, frame: Frame) -> bool:
        flow = self.flow
        if flow.__class__ is not JsonPathFlow or flow.input_path is not None or flow.output_path is not None:
            return State.enter(self, exe, frame)
        # No InputPath or OutputPath: the input is the output, and nothing can fail before the scope ends.
        # The two events are appended here directly (what State.enter and Execution.emit do).
        data = frame.data
        rows = frame.history.rows
        now = exe.now
        entered_id = len(rows) // ROW + 1
        rows += (frame.prev, "SucceedStateEntered", now, ENTERED, self.name, data,
                 entered_id, "SucceedStateExited", now, EXITED, self.name, data)
        frame.entered_id = entered_id
        frame.entered_time = now
        frame.prev = entered_id + 1
        return exe.finish(frame, data)

    def attempt(self, exe: Execution, frame: Frame) -> bool:
        try:
            context = self.context(exe, frame)
            effective = self.flow.effective_input(frame.data, context, frame.variables)
            output = self.flow.output(effective, context, frame.variables)
        except StatesError as error:
            return exe.state_failed(frame, self, error)
        exe.emit(frame, self.exited_type, {"name": self.name, "output": output})
        return exe.finish(frame, output)
