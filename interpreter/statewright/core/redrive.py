"""Redrive: an ended execution runs again from the states that did not finish (spec/redrive.md).

AWS's RedriveExecution continues a FAILED, TIMED_OUT or ABORTED execution "from the unsuccessful step, with the
same input": the states that succeeded are not run again, and in a Parallel or an inline Map only the branches
and iterations that failed, were aborted or never started run again (the others keep their results).

The core can do this because an ended execution keeps its frames: the top-level frame remembers the state it
failed in (``Frame.failed_state``) and, when that state's children failed it, their group
(``Frame.failed_group``); an aborted or timed-out frame is still parked in its state (``Frame.state``,
``Frame.child_group``). :func:`redrive` puts each such frame back in its state, with the input that state had,
and lets it run: re-entering records ``<Type>StateEntered`` again, as AWS's redriven histories show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from statewright.core.events import MAP_ITERATION, ROW
from statewright.core.states import children as groups

if TYPE_CHECKING:
    from statewright.core.execution import Execution, Frame
    from statewright.core.states.base import State

REDRIVABLE = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
HISTORY_LIMIT_REASON = "Execution history event limit exceeded"
NO_STATE_REASON = ("Execution failed outside any state (its input or output exceeded the size limit), so there is "
                   "no state to run again")


def refusal(exe: Execution, blocked: str | None) -> str | None:
    """Why ``exe`` cannot be redriven (AWS's ``redriveStatusReason`` wording where AWS has one), or ``None``."""
    status = exe.outcome.status
    if status not in REDRIVABLE:
        return f"Execution is {status} and cannot be redriven"
    if exe.is_express:
        return "Execution is EXPRESS and cannot be redriven: only STANDARD executions can be"
    if blocked is not None:
        return blocked
    root = exe.root
    if root is None or (_failed_state(root) or root.state) is None:
        return NO_STATE_REASON
    return None


def _failed_state(frame: Frame) -> State | None:
    return getattr(frame, "failed_state", None)  # unset on a frame that never failed (see Frame)


def reopen(exe: Execution, frame: Frame, prev: int) -> None:
    """Put ``frame`` back in the state it did not finish; its event chain continues from ``prev``."""
    failed_state = _failed_state(frame)
    failed = failed_state is not None
    state = failed_state if failed else frame.state
    group = getattr(frame, "failed_group", None) if failed else frame.child_group
    frame.failed_state = frame.failed_group = None
    frame.state = state
    frame.alive = True
    frame.prev = prev
    # A redriven state gets its whole Retry budget again, as a fresh entry would.
    frame.retry_counts = None
    frame.retry_total = 0
    frame.timers = None
    frame.token = None
    if group is None or group.state is not state:
        frame.child_group = None
        exe.resume(frame)  # enters the state again: <Type>StateEntered with the input it had
        return
    _reopen_group(exe, frame, group, prev)


def _reopen_group(exe: Execution, frame: Frame, group: groups.Group, prev: int) -> None:
    """Run again only the children that did not succeed: failed and aborted ones, and those never started."""
    again = sorted(group.running.values(), key=lambda child: child.index)
    # The failure that ended the state is forgiven (failures within the tolerance stay counted and settled).
    group.failures -= sum(1 for child in again if _failed_state(child) is not None)
    group.running = {}
    group.closed = False
    group.source = prev
    frame.child_group = group
    for child in again:
        group.running[child.index] = child
        if group.kind != groups.DISTRIBUTED:  # a distributed child's events are in a history of its own
            child.prev = prev
        if group.kind == groups.MAP:
            rows = child.history.rows
            rows += (child.prev, "MapIterationStarted", exe.now, MAP_ITERATION, group.state.name, child.index)
            child.prev = len(rows) // ROW
        reopen(exe, child, child.prev)
    groups.pump(exe, group)
