"""Child frames of a Parallel or Map state: start, collect, tolerate, abort (spec/parallel.md, spec/map.md).

A :class:`Group` belongs to the parent frame parked in a Parallel or Map state. It starts at most
``limit`` children at a time (MaxConcurrency), keeps results in input order whatever the completion
order, counts failures against the tolerance, and aborts the running children when one failure ends
the state.

How AWS links these events (recorded histories): an inline iteration starts from the newest event that
a finished iteration ended on (at first, ``MapStateStarted``); ``MapIteration{Succeeded,Failed}`` link
to the iteration's last event without becoming anyone's previous; the state's ``*Succeeded`` event and
its ``*Exited`` event both link to the newest event published by the children; a failed child makes the
parent continue from that child's last event (``MapStateFailed``, or the retry's ``MapStateStarted``).
Distributed children run as child executions with their own histories: the parent records only
``MapRunStarted`` and ``MapRunSucceeded`` / ``MapRunFailed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from statewright.core.errors import ErrorName
from statewright.core.events import MAP_ITERATION, ROW, History

if TYPE_CHECKING:
    from statewright.core.execution import Execution, Frame
    from statewright.core.states.base import State

PARALLEL, MAP, DISTRIBUTED = range(3)

THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"


class Group:
    """The children of one attempt of a Parallel or Map state."""

    __slots__ = ("closed", "failures", "finished", "inputs", "kind", "last", "limit", "next_index", "parent",
                 "results", "run", "running", "source", "starts", "state", "tolerated_count", "tolerated_percentage",
                 "total")

    def __init__(self, parent: Frame, state: State, kind: int, inputs: Sequence[Any],
                 starts: Sequence[State], limit: int) -> None:
        self.parent = parent
        self.state = state
        self.kind = kind
        self.inputs = inputs
        self.total = len(inputs)  # (read at every child's start and end)
        self.starts = starts
        self.limit = limit if limit > 0 else len(inputs)
        self.results: list[Any] = [None] * len(inputs)
        self.running: dict[int, Frame] = {}
        self.next_index = 0
        self.finished = 0
        self.failures = 0
        self.source = parent.prev
        self.last = parent.prev
        self.closed = False
        self.tolerated_count: int | None = None
        self.tolerated_percentage: float | None = None
        self.run: Any = None  # a Map with a ResultWriter: its children's names and times (core/states/map_io.py)

    def tolerates(self, failures: int) -> bool:
        """Whether ``failures`` failed children are still within ToleratedFailureCount/Percentage."""
        count, percentage = self.tolerated_count, self.tolerated_percentage
        if count is None and percentage is None:
            return False
        if count is not None and failures > count:
            return False
        return not (percentage is not None and failures * 100 > percentage * len(self.inputs))


def start(exe: Execution, parent: Frame, group: Group) -> bool:
    """Park ``parent`` on ``group`` and start its first children; ``True`` if it finished at once."""
    if not group.inputs:
        group.closed = True
        return group.state.on_children_done(exe, parent, group)
    parent.child_group = group
    _pump(exe, group)
    return False


def _launch(exe: Execution, group: Group) -> None:
    index = group.next_index
    group.next_index += 1
    parent = group.parent
    frame_type = parent.__class__  # the core's Frame, without an import statement per child (~1.4 µs)
    starts = group.starts
    start_state = starts[index] if len(starts) > 1 else starts[0]
    if group.kind == DISTRIBUTED:
        child = frame_type(start_state, group.inputs[index], 0, History(), group, index, parent.variables)
    else:
        child = frame_type(start_state, group.inputs[index], group.source, parent.history, group, index,
                           parent.variables)
    if group.kind == MAP:  # exe.emit, with the details built only when read (MAP_ITERATION)
        rows = child.history.rows
        rows += (child.prev, "MapIterationStarted", exe.now, MAP_ITERATION, group.state.name, index)
        child.prev = len(rows) // ROW
    group.running[index] = child
    run = group.run
    if run is not None:
        run.started(index, exe.rng.uuid() if exe.rng is not None else str(index), exe.now)
    exe.resume(child)


def _pump(exe: Execution, group: Group) -> None:
    total = group.total
    if group.next_index < total:  # children left to start (a full Map's last ones, mostly, have all started)
        running, limit = group.running, group.limit
        room = limit - len(running)
        if room > 4 and group.kind != DISTRIBUTED and group.run is None:
            # Many at once (a state's first children; under a limit, later ones start one at a time).
            _launch_inline(exe, group, min(total, group.next_index + room))
        else:
            while len(running) < limit and group.next_index < total:
                _launch(exe, group)
    if group.finished == total:
        group.closed = True
        parent = group.parent
        parent.child_group = None
        if group.state.on_children_done(exe, parent, group):
            exe.resume(parent)


def _launch_inline(exe: Execution, group: Group, stop: int) -> None:
    """:func:`_launch` for the children ``next_index`` to ``stop`` of an inline Map or a Parallel: one loop, what
    it reads from the group read once (a Map over 10,000 items starts them all here when nothing limits it)."""
    parent = group.parent
    frame_type = parent.__class__
    starts = group.starts
    single = starts[0] if len(starts) == 1 else None
    inputs, running, history, variables, source = group.inputs, group.running, parent.history, parent.variables, \
        group.source
    rows = history.rows
    is_map = group.kind == MAP
    name = group.state.name
    now = exe.now
    resume = exe.runnable_append()  # exe.resume without a call per child
    start = group.next_index
    group.next_index = stop
    for index in range(start, stop):
        child = frame_type(single or starts[index], inputs[index], source, history, group, index, variables)
        if is_map:  # exe.emit, with the details built only when read (MAP_ITERATION)
            rows += (source, "MapIterationStarted", now, MAP_ITERATION, name, index)
            child.prev = len(rows) // ROW
        running[index] = child
        resume(child)


def pump(exe: Execution, group: Group) -> None:
    """Start children up to the limit; finish the state when all are done (a redriven group: core/redrive.py)."""
    _pump(exe, group)


def _settle(exe: Execution, child: Frame, group: Group, result: Any, event_type: str) -> None:
    group.results[child.index] = result
    if group.run is not None:
        group.run.ended(child.index, exe.now)
    if group.kind == MAP:  # exe.emit_side, with the details built only when read (MAP_ITERATION)
        rows = child.history.rows
        rows += (child.prev, event_type, exe.now, MAP_ITERATION, group.state.name, child.index)
        event_id = len(rows) // ROW
        if event_id > group.last:
            group.last = event_id
    if group.kind != DISTRIBUTED:
        last = child.prev
        if last > group.last:
            group.last = last
        if last > group.source:
            group.source = last
    del group.running[child.index]
    group.finished += 1


def child_succeeded(exe: Execution, child: Frame, output: Any) -> None:
    group = child.group
    if group is None or group.closed or not child.alive:
        return
    if group.run is not None or group.kind == DISTRIBUTED:
        _settle(exe, child, group, output, "MapIterationSucceeded")
        _pump(exe, group)
        return
    # _settle inlined for an inline Map's iteration or a Parallel's branch (once per child: 10,000 in W3).
    index = child.index
    group.results[index] = output
    last = child.prev
    if group.kind == MAP:
        rows = child.history.rows
        rows += (last, "MapIterationSucceeded", exe.now, MAP_ITERATION, group.state.name, index)
        event_id = len(rows) // ROW
        if event_id > group.last:
            group.last = event_id
    if last > group.last:
        group.last = last
    if last > group.source:
        group.source = last
    del group.running[index]
    group.finished += 1
    if group.next_index < group.total or group.finished == group.total:  # else: nothing to start or finish
        _pump(exe, group)


def child_failed(exe: Execution, child: Frame, error: str | None, cause: str | None) -> None:
    group = child.group
    if group is None or group.closed or not child.alive:
        return
    group.failures += 1
    if group.tolerates(group.failures):
        error_output = {"Error": error, "Cause": cause}
        if group.run is not None:
            group.run.failed.add(child.index)
        _settle(exe, child, group, error_output, "MapIterationFailed")
        _pump(exe, group)
        return
    if group.kind == MAP:
        child.history.rows += (child.prev, "MapIterationFailed", exe.now, MAP_ITERATION, group.state.name,
                               child.index)
    if group.kind == DISTRIBUTED or group.tolerated_count is not None or group.tolerated_percentage is not None:
        error, cause = ErrorName.EXCEED_TOLERATED_FAILURE_THRESHOLD.value, THRESHOLD_CAUSE
    group.closed = True
    running = [frame for frame in group.running.values() if frame is not child]
    abort(exe, group, running)
    parent = group.parent
    parent.child_group = None
    if group.kind == DISTRIBUTED:
        exe.emit(parent, "MapRunFailed", None)
    else:
        parent.prev = child.prev
    parent.failed_group = group  # what a redrive re-runs (core/redrive.py), if this failure ends the execution
    if group.state.children_failed(exe, parent, error, cause):
        exe.resume(parent)


def abort(exe: Execution, group: Group, frames: Sequence[Frame]) -> None:
    """Stop running children (and their own children); withdraw their timers and tasks."""
    dead: set[int] = set()
    for frame in frames:
        if group.kind == MAP:
            frame.history.rows += (frame.prev, "MapIterationAborted", exe.now, MAP_ITERATION, group.state.name,
                                   frame.index)
        _kill(frame, dead)
    exe.cancel_frames(dead)


def _kill(frame: Frame, dead: set[int]) -> None:
    frame.alive = False
    dead.add(id(frame))
    inner = frame.child_group
    if inner is not None:
        inner.closed = True
        for child in inner.running.values():
            _kill(child, dead)
