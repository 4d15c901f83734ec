"""The Choice state (spec/choice.md): the first matching rule picks the next state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statewright.core.choice import CompiledRule
from statewright.core.dataflow import JsonPathFlow, check_assigned
from statewright.core.errors import ErrorName, StatesError
from statewright.core.events import ENTERED, EXITED, ROW
from statewright.core.jsonata.flow import states_binding
from statewright.core.states.base import State

if TYPE_CHECKING:
    from statewright.core.execution import Execution, Frame


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceState(State):
    """``rules`` are compiled by :mod:`statewright.core.choice`; targets are linked to compiled states."""

    entered_type = "ChoiceStateEntered"
    exited_type = "ChoiceStateExited"

    rules: tuple[CompiledRule, ...] = ()
    default: str | None = None
    rule_states: tuple[State, ...] = field(default=(), compare=False, repr=False)
    default_state: State | None = field(default=None, compare=False, repr=False)
    rule_assigns: tuple[Any, ...] = ()
    rule_outputs: tuple[Any, ...] = ()  # JSONata rules' own ``Output``
    # Plain JSONPath rules without InputPath, OutputPath, $$ or Assign (worked out once, in __post_init__).
    plain: bool = field(default=False, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        flow = self.flow
        object.__setattr__(self, "plain", flow.__class__ is JsonPathFlow and flow.input_path is None
                           and flow.output_path is None and not self.needs_context and self.assign is None
                           and not self.rule_assigns and not self.rule_outputs)

    def enter(self, exe: Execution, frame: Frame) -> bool:
        # Inlined entered event (what State.enter does): Choice loops are a benchmark workload.
        rows = frame.history.rows
        raw = frame.data
        now = exe.now
        rows += (frame.prev, "ChoiceStateEntered", now, ENTERED, self.name, raw)
        entered_id = len(rows) // ROW
        frame.prev = frame.entered_id = entered_id
        frame.entered_time = now
        if not self.plain:
            return self.attempt(exe, frame)
        # Plain JSONPath rules without InputPath, OutputPath, $$ or Assign (a Choice loop is a benchmark
        # workload): matched here, and the input passes on as it is. attempt() does the rest.
        variables = frame.variables
        target = self.default_state
        try:
            for index, rule in enumerate(self.rules):
                if rule.matches(raw, None, variables):
                    target = self.rule_states[index]
                    break
            if target is None:
                raise StatesError(ErrorName.NO_CHOICE_MATCHED,
                                  f"No Choice Rule matched and no Default in state '{self.name}'.")
        except StatesError as error:
            return exe.state_failed(frame, self, error)
        rows += (entered_id, "ChoiceStateExited", now, EXITED, self.name, raw)
        frame.prev = entered_id + 1
        frame.state = target  # frame.data stays the input
        return True

    def attempt(self, exe: Execution, frame: Frame) -> bool:
        """Rules that need more than the plain path in enter(): InputPath, OutputPath, $$, Assign, JSONata."""
        raw = frame.data
        flow = self.flow
        try:
            # Rules may read $$: hand them a builder so the object is made only if a rule asks.
            context: Any = (lambda: exe.context_object(frame, self)) if self.needs_context else None
            variables = frame.variables
            effective = flow.effective_input(raw, context, variables) if flow.input_path is not None else raw
            target = self.default_state
            rule_output = None
            assign = self.assign
            for index, rule in enumerate(self.rules):
                if rule.matches(effective, context, variables):
                    target = self.rule_states[index]
                    assign = self.rule_assigns[index] if self.rule_assigns else None
                    if self.rule_outputs and self.rule_outputs[index] is not None:
                        rule_output = self.rule_outputs[index]
                    break
            if target is None:
                raise StatesError(ErrorName.NO_CHOICE_MATCHED,
                                  f"No Choice Rule matched and no Default in state '{self.name}'.")
            assigned = None
            if assign is not None:
                built = context() if context else None
                assigned = check_assigned(assign.evaluate(effective, built, variables, exe.rng))
            if rule_output is not None:
                output = rule_output.evaluate(states_binding(effective, context), variables)
            else:
                output = flow.output(effective, context, variables) if flow.output_path is not None else effective
        except StatesError as error:
            return exe.state_failed(frame, self, error)
        if assigned is None:
            exe.emit(frame, "ChoiceStateExited", {"name": self.name, "output": output})
        else:
            exe.exited(frame, self, output, assigned)
        frame.data = output
        frame.state = target
        return True
