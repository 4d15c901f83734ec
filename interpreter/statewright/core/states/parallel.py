"""The Parallel state (spec/parallel.md): every branch on the same input, results in branch order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statewright.core.dataflow import check_result_size
from statewright.core.errors import StatesError
from statewright.core.states import children
from statewright.core.states.base import State

if TYPE_CHECKING:
    from statewright.core.execution import Execution, Frame


def finish_with_results(state: State, exe: Execution, frame: Frame, results: list[Any]) -> bool:
    """ResultSelector, ResultPath, OutputPath on the children's results; then the exited event."""
    flow = state.flow
    try:
        check_result_size(results, state.name)
        context = state.context(exe, frame)
        selected = flow.select_result(results, context, frame.variables, exe.rng)
        assigned = state.assigned(exe, frame, selected, context)
        output = flow.output(flow.place_result(frame.data, selected), context, frame.variables)
    except StatesError as error:
        return exe.state_failed(frame, state, error)
    return state.exit(exe, frame, output, assigned)


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelState(State):
    """``branches``: the compiled start state of each branch, in order."""

    entered_type = "ParallelStateEntered"
    exited_type = "ParallelStateExited"
    failed_type = "ParallelStateFailed"
    counts_retries = True

    branches: tuple[State, ...] = ()

    def attempt(self, exe: Execution, frame: Frame) -> bool:
        frame.failed_group = None  # a group of an earlier attempt is not what a redrive re-runs
        flow = self.flow
        try:
            context = self.context(exe, frame)
            effective = flow.effective_input(frame.data, context, frame.variables)
            branch_input = flow.task_input(effective, context, frame.variables, exe.rng)
        except StatesError as error:
            return exe.state_failed(frame, self, error)
        exe.emit(frame, "ParallelStateStarted", None)
        group = children.Group(frame, self, children.PARALLEL, [branch_input] * len(self.branches),
                               self.branches, 0)
        return children.start(exe, frame, group)

    def on_children_done(self, exe: Execution, frame: Frame, group: children.Group) -> bool:
        frame.prev = group.last
        exe.emit_side(frame, "ParallelStateSucceeded", None)
        return finish_with_results(self, exe, frame, group.results)
