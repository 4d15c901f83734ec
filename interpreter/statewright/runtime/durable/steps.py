"""One step of a durable execution: feed the core one input and turn its decision into a StepWrite.

This is the durable path's equivalent of ``Driver._feed``: the core decides, and everything it decided (the
input, the new history rows, the timers and task commands started or withdrawn, the ending) becomes one
:class:`~statewright.store.records.StepWrite`. Nothing is carried out here: the caller submits the write and
acts on the commands once it is committed. Replay (:func:`replay`) runs the same steps from the record and
checks each against the events recorded with it.
"""

from __future__ import annotations

from typing import Any

from statewright.core.errors import ErrorName
from statewright.core.events import (
    ROW,
    CancelTask,
    CancelTimer,
    ExecutionInfo,
    Input,
    InvokeTask,
    Redriven,
    StartTimer,
    TaskFailed,
    TaskSucceeded,
    TimerFired,
)
from statewright.core.execution import Execution
from statewright.runtime.http_tasks import key_of
from statewright.runtime.resources import Invocation
from statewright.store.codec import decode_events, decode_input, dump_value, encode_events, encode_input, load_value
from statewright.store.records import Ending, NewExecution, StepWrite, StoredStep, TaskRow

_TASK_ANSWERS = (TaskSucceeded, TaskFailed)


class LiveExecution:
    """An execution held in memory: its core and its place in the record."""

    __slots__ = ("arn", "core", "definition", "ended", "id", "info", "open_rows", "pending", "started", "step",
                 "token_seqs")

    def __init__(self, execution_id: int, core: Execution, info: ExecutionInfo, definition: Any,
                 started: float) -> None:
        self.id = execution_id
        self.started = started
        self.arn = info.execution_arn
        self.core = core
        self.info = info
        self.definition = definition  # the runtime's _Definition (compiled machine, registry, hash)
        self.step = 0  # steps recorded (or on their way to the store)
        self.pending = 0  # steps submitted and not committed yet: the execution stays in memory meanwhile
        self.token_seqs: set[int] | None = None  # the open tasks that have a task token (most have none)
        self.ended = False
        # Timer and task rows its recorded steps added and did not remove: exact for an execution started in
        # this process, -1 (unknown) for one rebuilt from the store. At 0 its ending needs no clean-up.
        self.open_rows = 0


class Step(StepWrite):
    """A StepWrite with what the runtime does once it is committed: the task commands to carry out (with their
    payloads as values, so the first call need not parse the row's text), the tasks to cancel, and who waits."""

    __slots__ = ("cancelled", "future", "invocations", "live", "payloads")


def take_step(live: LiveExecution, item: Input, new: NewExecution | None = None, future: Any = None) -> Step | None:
    """Feed ``item`` to the core and build the step; None when the input changed nothing (nothing to record)."""
    core = live.core
    rows = core.history.rows
    before = len(rows)
    commands = core.advance(item)
    answered = item.seq if item.__class__ in _TASK_ANSWERS else None  # type: ignore[union-attr]
    if len(rows) == before and not commands and new is None:
        return None  # a late answer or timer: nothing to record
    live.step += 1
    write = Step(live.id, live.step, before // ROW + 1, encode_input(item), encode_events(rows[before:]),
                 (len(rows) - before) // ROW, new)
    write.live = live
    write.future = future
    if item.__class__ is Redriven:
        write.redrive = item.time  # type: ignore[union-attr]  # the store reopens the execution with this step
    timers_added = timers_removed = tasks_removed = None
    token_seqs = live.token_seqs
    if item.__class__ is TimerFired:
        timers_removed = [item.seq]  # type: ignore[union-attr]
    elif answered is not None:
        tasks_removed = [answered]
        if token_seqs and answered in token_seqs:
            token_seqs.discard(answered)
            write.token_tasks_removed = [answered]
    # Made only when needed: most steps start no task, and every step lives until its commit.
    invocations: list[TaskRow] | tuple[()] = ()
    cancelled: list[int] | tuple[()] = ()
    payloads: list[Any] | tuple[()] = ()
    for command in commands:
        cls = command.__class__
        if cls is StartTimer:
            if timers_added is None:
                timers_added = []
            timers_added.append((command.seq, command.fire_at))  # type: ignore[union-attr]
        elif cls is CancelTimer:
            if timers_removed is None:
                timers_removed = []
            timers_removed.append(command.seq)
        elif cls is InvokeTask:
            row = task_row(live, command)  # type: ignore[arg-type]
            if not invocations:
                invocations, payloads = [], []
            invocations.append(row)  # type: ignore[union-attr]
            payloads.append(command.payload)  # type: ignore[union-attr]
            if row.token is not None:
                if token_seqs is None:
                    token_seqs = live.token_seqs = set()
                token_seqs.add(row.seq)
        elif cls is CancelTask:
            if tasks_removed is None:
                tasks_removed = []
            tasks_removed.append(command.seq)
            if not cancelled:
                cancelled = []
            cancelled.append(command.seq)  # type: ignore[union-attr]
            if token_seqs and command.seq in token_seqs:
                token_seqs.discard(command.seq)
                write.token_tasks_removed = [*(write.token_tasks_removed or ()), command.seq]
    open_rows = live.open_rows
    if open_rows >= 0:
        open_rows += (len(timers_added) if timers_added else 0) + len(invocations) - (
            (len(timers_removed) if timers_removed else 0) + (len(tasks_removed) if tasks_removed else 0))
        live.open_rows = open_rows if open_rows >= 0 else -1  # below 0: the count is wrong; stop trusting it
    outcome = core.outcome
    if outcome.status != "RUNNING":
        live.ended = True
        output = dump_value(outcome.output) if outcome.status == "SUCCEEDED" else None
        write.ending = Ending(outcome.status, output, outcome.error, outcome.cause, core.now, open_rows != 0)
    write.timers_added = timers_added
    write.timers_removed = timers_removed
    write.tasks_added = invocations or None
    write.tasks_removed = tasks_removed
    write.invocations = invocations
    write.payloads = payloads
    write.cancelled = cancelled
    return write


def task_row(live: LiveExecution, command: InvokeTask) -> TaskRow:
    return TaskRow(live.id, command.seq, command.state, command.resource, dump_value(command.payload),
                   command.attempt, command.token, key_of(live.arn, command.state, command.seq, command.attempt),
                   None if command.credentials is None else dump_value(command.credentials),
                   command.heartbeat_seconds, command.timeout_seconds)


def row_invocation(arn: str, row: TaskRow, payload: Any = None) -> Invocation:
    """The invocation a stored task row stands for: the same one as before a restart, with the recorded key."""
    return Invocation(resource=row.resource, payload=load_value(row.payload) if payload is None else payload,
                      state=row.state, attempt=row.attempt, token=row.token, execution_arn=arn, seq=row.seq,
                      credentials=load_value(row.credentials), timeout_seconds=row.timeout_seconds,
                      idempotency_key=row.idempotency_key)


class Diverged(Exception):
    """Replaying the record decided an event other than the recorded one (a changed definition or interpreter)."""

    def __init__(self, event_id: int, recorded: str, decided: str, last_event: int) -> None:
        super().__init__(
            f"The definition no longer replays this execution's history: event {event_id} records {recorded}, "
            f"but it now decides {decided}.")
        self.event_id = event_id
        self.last_event = last_event


def replay(live: LiveExecution, steps: list[StoredStep], started_input: Any) -> None:
    """Rebuild ``live.core`` from its recorded steps, checking each step's events against the recorded ones.

    Raises:
        Diverged: the first event that differs (type, previous event or state name).
        statewright.store.codec.CorruptRecord: a record that cannot be read.
    """
    core = live.core
    rows = core.history.rows
    for stored in steps:
        before = len(rows)
        item = decode_input(stored.input, started_input, live.info)
        commands = core.advance(item)
        _track_tokens(live, item, commands)
        _check(rows, before, decode_events(stored.events), stored)
        live.step = stored.step
    live.ended = core.outcome.status != "RUNNING"


def _track_tokens(live: LiveExecution, item: Input, commands: list[Any]) -> None:
    """Keep ``live.token_seqs`` as :func:`take_step` keeps it, while replaying."""
    seqs = live.token_seqs
    if item.__class__ in _TASK_ANSWERS and seqs:
        seqs.discard(item.seq)  # type: ignore[union-attr]
    for command in commands:
        if command.__class__ is InvokeTask and command.token is not None:
            if seqs is None:
                seqs = live.token_seqs = set()
            seqs.add(command.seq)
        elif command.__class__ is CancelTask and seqs:
            seqs.discard(command.seq)


def _check(rows: list[Any], before: int, recorded: list[Any], stored: StoredStep) -> None:
    decided = rows[before:]
    if before // ROW + 1 != stored.first_event:
        raise Diverged(stored.first_event, "the start of a step", f"event {before // ROW + 1} there",
                       len(rows) // ROW)
    for offset in range(0, max(len(decided), len(recorded)), ROW):
        event_id = (before + offset) // ROW + 1
        mine, theirs = decided[offset:offset + ROW], recorded[offset:offset + ROW]
        if _shape(mine) != _shape(theirs):
            last = before // ROW + offset // ROW
            raise Diverged(event_id, _describe(theirs), _describe(mine), last)


def _shape(row: list[Any]) -> tuple[Any, ...] | None:
    if not row:
        return None
    previous, kind, _, details, name, _ = row
    if details.__class__ is dict:
        name = details.get("name")
    return previous, kind, name


def _describe(row: list[Any]) -> str:
    shape = _shape(row)
    if shape is None:
        return "nothing"
    previous, kind, name = shape
    return f"{kind}" + (f" for state '{name}'" if name else "") + f" (previous event {previous})"


def failing_step(execution_id: int, cause: str, now: float, recorded_steps: int, recorded_events: int) -> StepWrite:
    """The step that fails an execution that can no longer be rebuilt (its definition no longer replays its
    history, or no longer compiles): ExecutionFailed with States.Runtime.

    Its input (``["!", time, error, cause]``) is not one the core takes: an execution ended this way is never
    replayed again.
    """
    rows = [recorded_events, "ExecutionFailed", now, {"error": ErrorName.RUNTIME.value, "cause": cause}, None, None]
    write = StepWrite(execution_id, recorded_steps + 1, recorded_events + 1,
                      dump_value(["!", now, ErrorName.RUNTIME.value, cause]), encode_events(rows), 1)
    write.ending = Ending("FAILED", None, ErrorName.RUNTIME.value, cause, now)
    return write
