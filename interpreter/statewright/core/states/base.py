"""What every compiled state shares, and the lifecycle the engine drives it through (spec/states.md).

A compiled state is frozen and shared by every execution of its machine. Per-execution data lives in
the engine's :class:`~statewright.core.execution.Frame` (current state, data, event ids, retry
counts); a state's methods read and advance a frame:

* ``enter(exe, frame) -> bool``: record ``<Type>StateEntered``, then do the state's work. Returns
  ``True`` when the frame can go on at once (``frame.state`` is the next state, or ``None`` when its
  scope ended), ``False`` when it is parked (waiting on a timer, a task or child frames) or ended.
* ``attempt(exe, frame) -> bool``: the work after the entered event; a retry runs it again.
* ``on_timer`` / ``on_task_*`` / ``on_children_done``: resumptions, each ending like ``enter``.

This mirrors the one readable template of LocalStack's interpreter (entered, input processing, work,
output processing, next, exited), with values flowing by return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from statewright.core.dataflow import JsonPathFlow, check_assigned
from statewright.core.events import ENTERED, ROW
from statewright.core.jsonata.flow import Placed
from statewright.core.retry import Catcher, Retrier

if TYPE_CHECKING:
    from statewright.core.execution import Execution, Frame


@dataclass(frozen=True, slots=True, kw_only=True)
class State:
    """Fields common to all state types, compiled.

    Attributes:
        name: the state's name.
        next: the name of the next state (``None`` for terminal and Choice/Succeed/Fail states).
        end: ``End: true``.
        flow: the compiled JSONPath data flow (the query-language strategy; JSONata plugs in here).
        needs_context: some compiled part reads ``$$``, so the engine builds it for this state.
        retriers, catchers: ``Retry`` and ``Catch`` in order (empty for types without them).
        next_state: the compiled next state, linked after the whole scope is compiled.
    """

    entered_type: ClassVar[str] = ""
    exited_type: ClassVar[str] = ""
    failed_type: ClassVar[str | None] = None
    counts_retries: ClassVar[bool] = False

    name: str
    next: str | None = None
    end: bool = False
    flow: Any  # JsonPathFlow or JsonataFlow: the state's query-language strategy
    needs_context: bool = False
    retriers: tuple[Retrier, ...] = ()
    catchers: tuple[Catcher, ...] = ()
    assign: Any = None  # a JSONPath Template or a JSONata Evaluated
    catch_assigns: tuple[Any, ...] = ()
    catch_outputs: tuple[Any, ...] = ()  # JSONata Catch ``Output`` values (spec/jsonata.md)
    next_state: State | None = field(default=None, compare=False, repr=False)
    catch_states: tuple[State, ...] = field(default=(), compare=False, repr=False)

    def enter(self, exe: Execution, frame: Frame) -> bool:
        rows = frame.history.rows  # exe.emit, inlined
        rows += (frame.prev, self.entered_type, exe.now, ENTERED, self.name, frame.data)
        entered_id = len(rows) // ROW
        frame.prev = frame.entered_id = entered_id
        frame.entered_time = exe.now
        return self.attempt(exe, frame)

    def attempt(self, exe: Execution, frame: Frame) -> bool:
        raise NotImplementedError

    def context(self, exe: Execution, frame: Frame) -> Any:
        """``$$`` for this attempt, or ``None`` when nothing in the state reads it."""
        return exe.context_object(frame, self) if self.needs_context else None

    def assigned(self, exe: Execution, frame: Frame, value: Any, context: Any) -> dict[str, Any] | None:
        """The state's ``Assign`` evaluated with ``$`` = ``value`` and the variables from before the state
        (spec/variables.md 3, 5); ``None`` when the state assigns nothing."""
        if self.assign is None:
            return None
        if self.flow.__class__ is not JsonPathFlow:
            # JSONata: Assign sees both $states.input and $states.result (spec/jsonata.md).
            value = Placed(frame.data, value)
        return check_assigned(self.assign.evaluate(value, context, frame.variables, exe.rng))

    def exit(self, exe: Execution, frame: Frame, output: Any, assigned: dict[str, Any] | None = None) -> bool:
        """Record ``<Type>StateExited`` (with the assigned variables) and move the frame on."""
        exe.exited(frame, self, output, assigned)
        return exe.transition(frame, self, output)

    # Resumptions: only the state types that park override these.
    def on_timer(self, exe: Execution, frame: Frame, purpose: int) -> bool:
        raise NotImplementedError(f"{type(self).__name__} does not wait on timers")

    def on_task_succeeded(self, exe: Execution, frame: Frame, output: Any) -> bool:
        raise NotImplementedError(f"{type(self).__name__} runs no tasks")

    def on_task_failed(self, exe: Execution, frame: Frame, error: str, cause: str | None) -> bool:
        raise NotImplementedError(f"{type(self).__name__} runs no tasks")

    def on_heartbeat(self, exe: Execution, frame: Frame) -> None:
        """A heartbeat arrived for the frame's task (only Task states care)."""

    def on_children_done(self, exe: Execution, frame: Frame, group: Any) -> bool:
        raise NotImplementedError(f"{type(self).__name__} runs no branches")

    def children_failed(self, exe: Execution, frame: Frame, error: str | None, cause: str | None) -> bool:
        """A branch or item failed beyond tolerance: the state fails with its error (Retry/Catch apply)."""
        # AWS records <Type>StateFailed only for this kind of failure (not for run-time errors of the
        # state itself, and not before a retry).
        return exe.handle_error(frame, self, error or "", cause, self.failed_type)

    def cancel(self, exe: Execution, frame: Frame) -> None:
        """The frame is being aborted while parked in this state (nothing to undo by default)."""
