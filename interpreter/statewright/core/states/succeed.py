"""The Succeed state (spec/succeed.md): ends its scope with the filtered input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from statewright.core.errors import StatesError
from statewright.core.states.base import State

if TYPE_CHECKING:
    from statewright.core.execution import Execution, Frame


@dataclass(frozen=True, slots=True, kw_only=True)
class SucceedState(State):
    entered_type = "SucceedStateEntered"
    exited_type = "SucceedStateExited"

    def attempt(self, exe: Execution, frame: Frame) -> bool:
        try:
            context = self.context(exe, frame)
            effective = self.flow.effective_input(frame.data, context, frame.variables)
            output = self.flow.output(effective, context, frame.variables)
        except StatesError as error:
            return exe.state_failed(frame, self, error)
        exe.emit(frame, self.exited_type, {"name": self.name, "output": output})
        return exe.finish(frame, output)
