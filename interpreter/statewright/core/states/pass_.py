"""The Pass state (spec/pass.md). The module is ``pass_`` because ``pass`` is a Python keyword."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statewright.core.dataflow import ABSENT, JsonPathFlow, check_assigned
from statewright.core.errors import StatesError
from statewright.core.events import ENTERED, EXITED, ROW
from statewright.core.jsonata import JsonataFlow
from statewright.core.states.base import State

if TYPE_CHECKING:
    from statewright.core.execution import Execution, Frame


@dataclass(frozen=True, slots=True, kw_only=True)
class PassState(State):
    """``Result`` (used as is) wins over ``Parameters``, which wins over the effective input (*Pass 1*)."""

    entered_type = "PassStateEntered"
    exited_type = "PassStateExited"

    result: Any = ABSENT
    # JSONPath without InputPath, OutputPath, $$ or Assign (worked out once): enter() takes its short path.
    plain: bool = field(default=False, init=False, compare=False, repr=False)
    # A plain state's value when it is known before it runs (Result, or Parameters without a path), else ABSENT.
    fixed: Any = field(default=ABSENT, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        flow = self.flow
        object.__setattr__(self, "plain", flow.__class__ is JsonPathFlow and flow.input_path is None
                           and flow.output_path is None and not self.needs_context and self.assign is None)
        if self.plain:
            parameters = flow.parameters
            if self.result is not ABSENT:
                object.__setattr__(self, "fixed", self.result)
            elif parameters is not None and parameters.shape == "const":
                object.__setattr__(self, "fixed", parameters.constant)

    def enter(self, exe: Execution, frame: Frame) -> bool:
        # The hot path of every benchmark: events are appended here directly (what Execution.emit
        # does) and the data flow is inlined, saving several calls per transition.
        if self.plain:  # Result, else Parameters, else the input, placed by ResultPath: nothing else to do
            raw = frame.data
            rows = frame.history.rows
            now = exe.now
            entered_id = len(rows) // ROW + 1
            frame.entered_id = entered_id
            frame.entered_time = now
            flow = self.flow
            try:
                value = self.fixed  # Result, or constant Parameters (what evaluate() gives, without the call)
                if value is ABSENT:
                    parameters = flow.parameters
                    if parameters is None:
                        value = raw
                    else:  # the generated builder first (core/template_code.py), as evaluate() does
                        build = parameters.build
                        value = build(raw) if build is not None else None
                        if value is None:
                            value = parameters.evaluate(raw, None, frame.variables, exe.rng)
                key = flow.result_key
                if key is not None and raw.__class__ is dict:  # ResultPath $.x: what place_result does
                    output = dict(raw)
                    output[key] = value
                elif flow.result_path is None:
                    output = value
                else:
                    output = flow.place_result(raw, value)
            except StatesError as error:
                rows += (frame.prev, "PassStateEntered", now, ENTERED, self.name, raw)
                frame.prev = entered_id
                return exe.state_failed(frame, self, error)
            rows += (frame.prev, "PassStateEntered", now, ENTERED, self.name, raw,
                     entered_id, "PassStateExited", now, EXITED, self.name, output)
            frame.prev = entered_id + 1
            frame.data = output
            following = self.next_state
            if following is None:
                return exe.finish(frame, output)
            frame.state = following
            return True
        raw = frame.data
        rows = frame.history.rows
        now = exe.now
        entered_id = len(rows) // ROW + 1  # the entered event is recorded with the exited one, below
        frame.entered_id = entered_id
        frame.entered_time = now
        flow = self.flow
        try:
            context = exe.context_object(frame, self) if self.needs_context else None
            variables = frame.variables
            if flow.__class__ is JsonataFlow:
                # JSONata (spec/jsonata.md): one $states for Assign and Output, both on the old variables.
                states = {"input": raw} if context is None else {"input": raw, "context": context}
                assign = self.assign
                assigned = None if assign is None else check_assigned(assign.value.evaluate(states, variables))
                output_value = flow.output_value
                output = raw if output_value is None else output_value.evaluate(states, variables)
            else:
                value = flow.effective_input(raw, context, variables) if flow.input_path is not None else raw
                if self.result is not ABSENT:
                    value = self.result
                elif flow.parameters is not None:
                    value = flow.parameters.evaluate(value, context, variables, exe.rng)
                assigned = None if self.assign is None else check_assigned(
                    self.assign.evaluate(value, context, variables, exe.rng))
                key = flow.result_key
                if key is not None and raw.__class__ is dict:  # ResultPath $.x: what place_result does
                    output = dict(raw)
                    output[key] = value
                elif flow.result_path is None:  # no ResultPath: the result is the output
                    output = value
                else:
                    output = flow.place_result(raw, value)
                if flow.output_path is not None:
                    output = flow.output(output, context, variables)
        except StatesError as error:
            rows += (frame.prev, "PassStateEntered", now, ENTERED, self.name, raw)
            frame.prev = entered_id
            return exe.state_failed(frame, self, error)
        if assigned is None:
            rows += (frame.prev, "PassStateEntered", now, ENTERED, self.name, raw,
                     entered_id, "PassStateExited", now, EXITED, self.name, output)
            frame.prev = entered_id + 1
        else:
            rows += (frame.prev, "PassStateEntered", now, ENTERED, self.name, raw)
            frame.prev = entered_id
            exe.exited(frame, self, output, assigned)
        frame.data = output
        following = self.next_state
        if following is None:
            return exe.finish(frame, output)
        frame.state = following
        return True

    def attempt(self, exe: Execution, frame: Frame) -> bool:
        raise AssertionError("a Pass state has no retries; enter() does all its work")
