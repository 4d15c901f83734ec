"""The Execution engine: inputs in, decisions out (ARCHITECTURE.md, "The core's contract").

An :class:`Execution` runs one execution of a compiled :class:`~statewright.core.model.Machine`.
The runtime feeds it inputs (:meth:`Execution.receive`) and, after each, asks for a decision
(:meth:`Execution.decide`): the history events recorded since the last decision and the commands to
carry out (invoke a task, start or cancel a timer, cancel a task). Everything that can run without the
outside world runs at once, in :meth:`decide`'s loop.

Threads of control are :class:`Frame` objects: the top-level scope is one frame; every Parallel branch
and Map iteration is a frame of its own, grouped under its parent state by
:class:`~statewright.core.states.children.Group`. Each frame keeps the id of the event that caused its
next one (``prev``), which is how AWS links ``previousEventId``.

Time and randomness come only from inputs (each input's ``time``; ``Started.seed`` feeds one
:class:`~statewright.core.intrinsics.SeededRandom`), so :meth:`Execution.replay` of the recorded inputs
reproduces every decision, and :class:`NondeterminismError` says where a changed definition diverges.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from statewright.core import redrive
from statewright.core.context import ContextSource
from statewright.core.dataflow import JsonPathFlow, check_assigned, check_result_size, check_size, over_limit
from statewright.core.errors import ErrorName, StatesError
from statewright.core.events import (
    EXECUTION_STARTED,
    EXECUTION_SUCCEEDED,
    EXITED,
    ROW,
    ActivityStarted,
    CancelTask,
    CancelTimer,
    Command,
    Decision,
    History,
    HistoryEvent,
    Input,
    InvokeTask,
    Outcome,
    Redriven,
    Started,
    StopRequested,
    TaskFailed,
    TaskHeartbeat,
    TaskSucceeded,
    TimerFired,
    make_start_timer,
)
from statewright.core.intrinsics import SeededRandom
from statewright.core.jsonata import QueryEvaluationError, set_runtime, states_binding
from statewright.core.jsonpath import set_reference_path
from statewright.core.states import children as groups

if TYPE_CHECKING:
    from statewright.core.model import Machine
    from statewright.core.states.base import State

_new = object.__new__

# Why a timer was started (the "purpose" of a pending timer).
TASK, WAIT_DONE, RETRY, TASK_TIMEOUT, HEARTBEAT, EXECUTION_TIMEOUT = range(6)

# Engine-raised errors whose cause AWS prefixes with the state and the event id it was entered at.
_PREFIXED = frozenset({ErrorName.RUNTIME, ErrorName.INTRINSIC_FAILURE, ErrorName.QUERY_EVALUATION_ERROR,
                       ErrorName.RESULT_PATH_MATCH_FAILURE})


class NondeterminismError(Exception):
    """Replaying recorded inputs decided a different event than the one recorded.

    Attributes:
        event_id: the id of the first event that differs.
        recorded: the recorded event (``None`` when the replay decided more events than were recorded).
        decided: the event the current definition decides (``None`` when it decided fewer).
    """

    def __init__(self, event_id: int, recorded: HistoryEvent | None, decided: HistoryEvent | None) -> None:
        self.event_id = event_id
        self.recorded = recorded
        self.decided = decided
        super().__init__(
            f"event {event_id} records {_describe(recorded)}, but the definition now decides {_describe(decided)}"
        )


def _describe(event: HistoryEvent | None) -> str:
    if event is None:
        return "nothing"
    name = (event.details or {}).get("name")
    where = f" for state '{name}'" if name else ""
    return f"{event.type}{where} (previous event {event.previous_event_id})"


class Frame:
    """One thread of control: the top-level scope, a Parallel branch or a Map iteration.

    Kept lean (slots) because thousands of them exist at once in a big Map. ``failed_state`` (the state the
    frame's scope failed in) and ``failed_group`` (the children whose failure failed it) are kept for a redrive
    (core/redrive.py) and left unset until then: most frames never fail, and every store costs in a big Map.
    """

    __slots__ = ("alive", "child_group", "data", "effective", "entered_id", "entered_time", "failed_group",
                 "failed_state", "group", "history", "index", "prev", "retry_counts", "retry_total", "state", "timers",
                 "token", "variables")

    def __init__(self, state: State | None, data: Any, prev: int, history: History,
                 group: groups.Group | None = None, index: int = 0, variables: Any = None) -> None:
        self.state = state
        self.data = data
        self.prev = prev
        self.history = history
        self.group = group
        self.index = index
        self.variables = variables
        self.entered_id = 0
        self.entered_time = 0.0
        self.retry_counts: list[int] | None = None
        self.retry_total = 0
        self.effective: Any = None
        self.token: str | None = None
        self.timers: Any = None
        self.child_group: groups.Group | None = None
        self.alive = True


class Execution:
    """One execution of a machine, driven by inputs; see the module docstring.

    Attributes:
        machine: the compiled machine.
        history: every event decided so far, in order.
        outcome: how the execution ended (``status`` RUNNING until it does).
        now: the time of the input being processed (epoch seconds).
    """

    __slots__ = ("_blocked", "_commands", "_context", "_express", "_info", "_jsonata", "_mark", "_pending",
                 "_redrives", "_runnable", "_seq", "_started", "alone", "history", "jumped", "machine", "now",
                 "outcome", "region", "rng", "root")

    def __init__(self, machine: Machine, *, express: bool = False) -> None:
        self.machine = machine
        self._express = express
        self._jsonata = machine.uses_jsonata
        # new_history() and new_outcome(), inlined: one Execution is made per execution.
        history = self.history = _new(History)
        history.rows = []
        history._events = None
        outcome = self.outcome = _new(Outcome)
        outcome.status = "RUNNING"
        outcome.output = outcome.error = outcome.cause = None
        self.now = 0.0
        self.rng: SeededRandom | None = None
        self.region = "us-east-1"
        self._commands: list[Command] = []
        self._runnable: deque[Frame] = deque()
        self._pending: dict[int, tuple[Frame | None, int]] = {}
        self._seq = 0
        self._mark = 0
        self._context: ContextSource | None = None
        self._started: Started | None = None
        self._info: Any = None
        self.root: Frame | None = None  # the top-level frame (a redrive puts it back in its state)
        self._redrives = 0
        self._blocked: str | None = None  # why this execution can never be redriven, once that is known
        # Set by a runtime that runs this execution alone on a virtual clock of its own that jumps to the next
        # timer (runtime.driver.start_on_virtual_time): a timer started while nothing else is pending or
        # runnable is known to fire at its due time, next, so a Wait may carry on at once (wait.py).
        self.alone = False
        self.jumped = False  # a Wait carried on alone: what follows ran as if after a TimerFired input

    # ------------------------------------------------------------------ the contract
    def receive(self, event: Input) -> None:
        """Take one recorded fact. Inputs for unknown sequence numbers (cancelled) are ignored."""
        self.now = event.time
        if self._jsonata:
            set_runtime(self.now, self.rng)  # $now()/$random() of JSONata read the recorded time and seed
        cls = event.__class__
        if self.outcome.status != "RUNNING":
            if cls is Redriven and self.redrive_refusal() is None:
                self._redriven()
            return
        if cls is Started:
            self._start(event)  # type: ignore[arg-type]
        elif cls is TimerFired:
            self._timer_fired(event.seq)  # type: ignore[union-attr]
        elif cls is TaskSucceeded:
            self._task_result(event.seq, lambda s, f: s.on_task_succeeded(self, f, event.output))  # type: ignore
        elif cls is TaskFailed:
            self._task_result(event.seq, lambda s, f: s.on_task_failed(self, f, event.error, event.cause))  # type: ignore
        elif cls is TaskHeartbeat:
            entry = self._pending.get(event.seq)  # type: ignore[union-attr]
            if entry is not None and entry[0] is not None and entry[0].state is not None:
                entry[0].state.on_heartbeat(self, entry[0])  # type: ignore[attr-defined]
        elif cls is ActivityStarted:
            entry = self._pending.get(event.seq)  # type: ignore[union-attr]
            if entry is not None and entry[1] == TASK and entry[0] is not None and entry[0].alive:
                entry[0].state.on_activity_started(self, entry[0], event.worker_name)  # type: ignore
        elif cls is StopRequested:
            self._end("ABORTED", "ExecutionAborted", {"error": event.error, "cause": event.cause},  # type: ignore
                      len(self.history.rows) // ROW, error=event.error, cause=event.cause)  # type: ignore[union-attr]

    def decide(self) -> Decision:
        """Run every runnable frame as far as it goes; return the new events and the commands."""
        self._run_frames()
        events = self.history[self._mark // ROW:]
        self._mark = len(self.history.rows)  # counted in rows: the cheap length in advance()
        commands = self._commands
        self._commands = []
        return Decision(tuple(events), tuple(commands))

    def advance(self, event: Input) -> list[Command]:
        """:meth:`receive` then :meth:`decide`, for a caller that reads new events from :attr:`history`
        itself: returns only the commands (no :class:`Decision` is packaged)."""
        self.receive(event)
        return self._commands_decided()

    def begin(self, started: Started) -> list[Command]:
        """:meth:`advance` with the execution's :class:`Started` input, for a runtime starting it: the same
        decision, without :meth:`receive`'s dispatch on the input's type (one call per execution)."""
        self.now = started.time
        self._start(started)
        return self._commands_decided()

    def _commands_decided(self) -> list[Command]:
        """Run the runnable frames; hand out the commands they decided (the events stay in :attr:`history`)."""
        self._run_frames()
        self._mark = len(self.history.rows)
        commands = self._commands
        if commands:
            self._commands = []
        return commands

    def _run_frames(self) -> None:
        runnable = self._runnable
        if self._jsonata:
            set_runtime(self.now, self.rng)  # receiving Started may have replaced the seed's generator
        while runnable:
            frame = runnable.popleft()
            if not frame.alive:
                continue
            state = frame.state
            while state is not None and state.enter(self, frame):
                state = frame.state

    @classmethod
    def replay(cls, machine: Machine, inputs: Iterable[Input],
               recorded_events: Sequence[HistoryEvent] | None = None, *, express: bool = False) -> Execution:
        """Feed recorded inputs, deciding after each; compare with ``recorded_events`` when given.

        ``express`` replays an EXPRESS execution (its history has EXPRESS shapes: no redrive count).

        Raises:
            NondeterminismError: the first decided event that differs from the recorded one (type,
                state name or previous event id), or a count mismatch at the end.
        """
        execution = cls(machine, express=True) if express else cls(machine)
        for item in inputs:
            execution.receive(item)
            decision = execution.decide()
            if recorded_events is not None:
                for event in decision.events:
                    recorded = recorded_events[event.id - 1] if event.id <= len(recorded_events) else None
                    if recorded is None or not _same_event(recorded, event):
                        raise NondeterminismError(event.id, recorded, event)
        if recorded_events is not None and len(recorded_events) > len(execution.history):
            missing = len(execution.history) + 1
            raise NondeterminismError(missing, recorded_events[missing - 1], None)
        return execution

    @property
    def is_express(self) -> bool:
        return self._express

    def redrive_refusal(self) -> str | None:
        """Why a :class:`Redriven` input would be ignored now (AWS's reason), or ``None`` if it would redrive."""
        return redrive.refusal(self, self._blocked)

    def _redriven(self) -> None:
        """RedriveExecution (spec/redrive.md): record ExecutionRedriven, re-enter the states that did not finish."""
        self._redrives += 1
        outcome = self.outcome
        outcome.status, outcome.output, outcome.error, outcome.cause = "RUNNING", None, None, None
        event_id = self.history.add(len(self.history.rows) // ROW, "ExecutionRedriven", self.now,
                                    {"redriveCount": self._redrives})
        started = self._started
        if started is not None:  # $$.Execution.RedriveCount counts this redrive
            self._started = replace(started, info=replace(started.info, redrive_count=self._redrives))
            self._context = None
        if self.machine.timeout_seconds is not None:
            # AWS resets the execution's TimeoutSeconds clock on a redrive.
            self.start_timer(None, self.now + self.machine.timeout_seconds, EXECUTION_TIMEOUT)
        assert self.root is not None  # redrive_refusal() said there is a state to go back to
        redrive.reopen(self, self.root, event_id)

    # ------------------------------------------------------------------ used by states
    def emit(self, frame: Frame, event_type: str, details: dict[str, Any] | None) -> int:
        """Record an event caused by the frame's previous one; it becomes the frame's previous."""
        event_id = frame.prev = frame.history.add(frame.prev, event_type, self.now, details)
        return event_id

    def emit_side(self, frame: Frame, event_type: str, details: dict[str, Any] | None) -> int:
        """Record an event linked to the frame's previous one without becoming its previous (AWS
        links e.g. MapIterationSucceeded and MapStateSucceeded this way)."""
        return frame.history.add(frame.prev, event_type, self.now, details)

    def context_object(self, frame: Frame, state: State) -> dict[str, Any]:
        source = self._context
        if source is None:
            # Built on first use: most executions never read $$ (formatting StartTime alone costs more
            # than a Pass state). Values come from Started, so the object is what it would have been.
            started = self._started
            assert started is not None
            source = self._context = ContextSource(started.info, started.input, started.time, self._express)
        retries = frame.retry_total if state.counts_retries else None
        return source.for_state(state.name, frame.entered_time, retries, frame.token)

    def exited(self, frame: Frame, state: State, output: Any, assigned: dict[str, Any] | None) -> None:
        """Record ``<Type>StateExited``; new variables become visible from the next state on."""
        rows = frame.history.rows
        if assigned is None:
            rows += (frame.prev, state.exited_type, self.now, EXITED, state.name, output)
        else:
            # A new dict: frames of enclosing scopes (and sibling branches) keep seeing theirs.
            frame.variables = {**frame.variables, **assigned} if frame.variables else assigned
            rows += (frame.prev, state.exited_type, self.now,
                     {"name": state.name, "output": output, "assignedVariables": assigned}, None, None)
        frame.prev = len(rows) // ROW

    def transition(self, frame: Frame, state: State, output: Any) -> bool:
        """Move the frame to the state after ``state`` (or end its scope with ``output``)."""
        frame.data = output
        following = state.next_state
        if following is None:
            return self.finish(frame, output)
        frame.state = following
        return True

    def finish(self, frame: Frame, output: Any) -> bool:
        """The frame's scope ended normally with ``output``."""
        last = frame.state
        frame.state = None
        frame.data = output
        if frame.group is not None:
            groups.child_succeeded(self, frame, output)
            return False
        if over_limit(output):  # (the test of check_result_size, without its call for the usual small output)
            try:
                if last is not None:
                    check_result_size(output, last.name)
                else:
                    check_size(output, "The state/task returned a result with a size exceeding the maximum")
            except StatesError as error:
                return self.fail_scope(frame, error.error, error.cause)
        # _end("SUCCEEDED", ...), inlined: the way most executions end.
        self.history.rows += (frame.prev, "ExecutionSucceeded", self.now, EXECUTION_SUCCEEDED, None, output)
        outcome = self.outcome
        outcome.status, outcome.output, outcome.error, outcome.cause = "SUCCEEDED", output, None, None
        if self._pending:
            for seq in list(self._pending):
                self.cancel(seq)
        self._runnable.clear()
        return False

    def fail_scope(self, frame: Frame, error: str | None, cause: str | None) -> bool:
        """The frame's scope failed (a Fail state or an unhandled error)."""
        frame.failed_state = frame.state
        frame.state = None
        if frame.group is not None:
            groups.child_failed(self, frame, error, cause)
            return False
        self._end("FAILED", "ExecutionFailed", {"error": error, "cause": cause}, frame.prev,
                  error=error, cause=cause)
        return False

    def state_failed(self, frame: Frame, state: State, failure: StatesError, engine: bool = True) -> bool:
        """A state raised ``failure``; apply Retry, then Catch, else fail the scope."""
        cause = failure.cause
        if engine and failure.error in _PREFIXED:
            cause = (f"An error occurred while executing the state '{state.name}' "
                     f"(entered at the event id #{frame.entered_id}). {cause}")
        if failure.__class__ is QueryEvaluationError:
            # AWS records where a JSONata evaluation failed before handling the error (spec/jsonata.md).
            details = {"error": failure.error, "cause": cause, "state": state.name}
            if failure.location is not None:
                details["location"] = failure.location
            self.emit(frame, "EvaluationFailed", details)
            # Map and Parallel then record their <Type>StateFailed, as for a failed child.
            return self.handle_error(frame, state, failure.error, cause, state.failed_type)
        return self.handle_error(frame, state, failure.error, cause)

    def handle_error(self, frame: Frame, state: State, error: str, cause: str | None,
                     failed_event: str | None = None) -> bool:
        """Retry, else record ``failed_event`` (e.g. MapStateFailed) and Catch, else fail the scope."""
        if state.retriers and error != ErrorName.RUNTIME and self._retry(frame, state, error):
            return False
        if failed_event is not None:
            self.emit(frame, failed_event, None)
        for index, catcher in enumerate(state.catchers):
            if catcher.matches(error):
                return self._catch(frame, state, index, error, cause)
        return self.fail_scope(frame, error, cause)

    def fires_next(self, frame: Frame) -> bool:
        """Whether a timer ``frame`` starts now is certain to be the next input, fired at its due time: the
        execution runs alone on its own jumping virtual clock (:attr:`alone`), ``frame`` is its only thread
        and nothing else is pending. Then the state may wait by moving :attr:`now` (:meth:`jump_to`)."""
        return self.alone and frame.group is None and not self._pending and not self._runnable

    def jump_to(self, fire_at: float) -> None:
        """The clock reaches a timer that :meth:`fires_next` said fires next (the timer's sequence number is
        used up as if it had been started, so later ones are numbered as they would have been)."""
        self._seq += 1
        self.jumped = True
        if fire_at > self.now:  # a virtual clock never goes back (a Wait on a timestamp in the past)
            self.now = fire_at
            if self._jsonata:
                set_runtime(fire_at, self.rng)

    def start_timer(self, frame: Frame | None, fire_at: float, purpose: int) -> int:
        seq = self._seq = self._seq + 1
        self._pending[seq] = (frame, purpose)
        self._commands.append(make_start_timer(seq, fire_at))
        return seq

    def invoke(self, frame: Frame, command: InvokeTask) -> int:
        self._pending[command.seq] = (frame, TASK)
        self._commands.append(command)
        return command.seq

    def machine_arn_parts(self) -> tuple[str, str, str]:
        """(region, account, machine name) from the state machine ARN the execution started with."""
        parts = self._info.state_machine_arn.split(":") if self._info is not None else []
        account = parts[4] if len(parts) > 4 else "123456789012"
        name = self._info.state_machine_name if self._info is not None else "machine"
        return self.region, account, name

    def next_seq(self) -> int:
        return self._next_seq()

    def cancel(self, seq: int | None) -> None:
        """Withdraw a pending timer or task (no-op for one already answered)."""
        if seq is None:
            return
        entry = self._pending.pop(seq, None)
        if entry is not None:
            self._commands.append(CancelTask(seq) if entry[1] == TASK else CancelTimer(seq))

    def cancel_frames(self, dead: set[int]) -> None:
        """Withdraw every pending command of the frames whose ids are in ``dead``."""
        for seq, (frame, _) in list(self._pending.items()):
            if frame is not None and id(frame) in dead:
                self.cancel(seq)

    def resume(self, frame: Frame) -> None:
        """Make a parked frame runnable again (its ``state`` is the next one to enter)."""
        self._runnable.append(frame)

    def runnable_append(self) -> Callable[[Frame], None]:
        """:meth:`resume` as one bound function, for a caller making many frames runnable in a loop."""
        return self._runnable.append

    # ------------------------------------------------------------------ internals
    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _start(self, started: Started) -> None:
        machine = self.machine
        info = started.info
        self._info = info
        region = _REGIONS.get(info.state_machine_arn)
        if region is None:
            parts = info.state_machine_arn.split(":")
            region = parts[3] if len(parts) > 3 and parts[3] else ""
            if len(_REGIONS) < 256:
                _REGIONS[info.state_machine_arn] = region
        if region:
            self.region = region
        self.rng = SeededRandom.seeded(started.seed)
        self._started = started  # the context object ($$) is built from it when a state first reads it
        self.history.rows += (0, "ExecutionStarted", self.now, EXECUTION_STARTED, info.role_arn, started.input)
        root = self.root = Frame(machine.start, started.input, 0, self.history)
        if over_limit(started.input):  # (check_size's test, without raising for the usual small input)
            try:
                check_size(started.input, "The input to the execution has a size exceeding the maximum")
            except StatesError as error:
                self._blocked = redrive.NO_STATE_REASON
                self.fail_scope(root, error.error, error.cause)
                return
        if machine.timeout_seconds is not None:
            self.start_timer(None, started.time + machine.timeout_seconds, EXECUTION_TIMEOUT)
        self._runnable.append(root)

    def _timer_fired(self, seq: int) -> None:
        entry = self._pending.pop(seq, None)
        if entry is None:
            return
        frame, purpose = entry
        if purpose == EXECUTION_TIMEOUT:
            self._end("TIMED_OUT", "ExecutionTimedOut", {"error": ErrorName.TIMEOUT.value, "cause": None},
                      len(self.history.rows) // ROW, error=ErrorName.TIMEOUT.value)
            return
        assert frame is not None and frame.state is not None
        if not frame.alive:
            return
        state = frame.state
        # A retry runs the state's work again; any other timer resumes the waiting state.
        if state.attempt(self, frame) if purpose == RETRY else state.on_timer(self, frame, purpose):
            self._runnable.append(frame)

    def _task_result(self, seq: int, handler: Any) -> None:
        entry = self._pending.pop(seq, None)
        if entry is None or entry[0] is None or not entry[0].alive:
            return
        frame = entry[0]
        if handler(frame.state, frame):
            self._runnable.append(frame)

    def _retry(self, frame: Frame, state: State, error: str) -> bool:
        for index, retrier in enumerate(state.retriers):
            if retrier.matches(error):
                counts = frame.retry_counts
                if counts is None:
                    counts = frame.retry_counts = [0] * len(state.retriers)
                if counts[index] >= retrier.max_attempts:
                    return False
                delay = retrier.delay(counts[index], self.rng)
                counts[index] += 1
                frame.retry_total += 1
                self.start_timer(frame, self.now + delay, RETRY)
                return True
        return False

    def _catch(self, frame: Frame, state: State, index: int, error: str, cause: str | None) -> bool:
        catcher = state.catchers[index]
        error_output: dict[str, Any] = {"Error": error}
        if cause is not None:
            error_output["Cause"] = cause
        assign = state.catch_assigns[index] if state.catch_assigns else None
        output_value = state.catch_outputs[index] if state.catch_outputs else None
        try:
            if state.flow.__class__ is not JsonPathFlow:
                # JSONata: Output and Assign see $states.errorOutput; without Output the error output
                # is the state's output (spec/jsonata.md, "Catch").
                context = state.context(self, frame)
                states = states_binding(frame.data, context, error_output)
                assigned = None if assign is None else check_assigned(assign.value.evaluate(states, frame.variables))
                output = error_output if output_value is None else output_value.evaluate(states, frame.variables)
                self.exited(frame, state, output, assigned)
                frame.data = output
                frame.state = state.catch_states[index]
                return True
            assigned = None if assign is None else check_assigned(
                assign.evaluate(error_output, None, frame.variables, self.rng))
            if catcher.result_path is None:
                output = frame.data
            else:
                output = set_reference_path(frame.data, catcher.result_path, error_output)
        except StatesError as failure:
            return self.fail_scope(frame, failure.error, failure.cause)
        self.exited(frame, state, output, assigned)
        frame.data = output
        frame.state = state.catch_states[index]
        return True

    def _end(self, status: str, event_type: str, details: dict[str, Any], prev: int, *,
             output: Any = None, error: str | None = None, cause: str | None = None) -> None:
        self.history.add(prev, event_type, self.now, details)
        outcome = self.outcome
        outcome.status, outcome.output, outcome.error, outcome.cause = status, output, error, cause
        if self._pending:
            for seq in list(self._pending):
                self.cancel(seq)
        self._runnable.clear()


class LimitedExecution(Execution):
    """An :class:`Execution` whose history may hold at most ``history_limit`` events (AWS's 25,000).

    An execution that would record more fails with ``States.Runtime`` at the state that crossed the limit.
    The durable runtime runs these (a history is a record it keeps, and AWS's quota is part of what it
    promises); the in-memory engine runs plain executions, whose loop takes no count.
    """

    __slots__ = ("history_limit",)

    def __init__(self, machine: Machine, *, express: bool = False, history_limit: int = 25_000) -> None:
        super().__init__(machine, express=express)
        self.history_limit = history_limit

    def _run_frames(self) -> None:
        runnable = self._runnable
        rows = self.history.rows
        limit = self.history_limit * ROW
        if self._jsonata:
            set_runtime(self.now, self.rng)
        while runnable:
            frame = runnable.popleft()
            if not frame.alive:
                continue
            state = frame.state
            while state is not None and state.enter(self, frame):
                if len(rows) > limit:
                    break
                state = frame.state
            if len(rows) > limit:
                self._over_limit()
                return
        if len(rows) > limit:
            self._over_limit()

    def _over_limit(self) -> None:
        if self.outcome.status != "RUNNING":
            return
        cause = f"The execution reached the maximum number of history events ({self.history_limit})."
        self._blocked = redrive.HISTORY_LIMIT_REASON
        self._end("FAILED", "ExecutionFailed", {"error": ErrorName.RUNTIME.value, "cause": cause},
                  len(self.history.rows) // ROW, error=ErrorName.RUNTIME.value, cause=cause)


# Region of each state machine ARN seen (parsed once, not per execution).
_REGIONS: dict[str, str] = {}


def _same_event(recorded: HistoryEvent, decided: HistoryEvent) -> bool:
    if recorded.type != decided.type or recorded.previous_event_id != decided.previous_event_id:
        return False
    return (recorded.details or {}).get("name") == (decided.details or {}).get("name")
