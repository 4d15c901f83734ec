"""A tiny scripted stand-in for the core's Execution, to test the driver's side of the contract alone.

It speaks the real vocabulary (statewright.core.events) but runs a fixed list of steps instead of a
definition, so the driver's behaviour (task coroutines, timers, callbacks, cancellation, stop) is
checked independently of the interpreter. Steps:

* ``("task", resource, options)``: InvokeTask; options: ``token``, ``timeout``, ``heartbeat``,
  ``retries`` (with ``interval`` seconds between attempts). The result becomes the current value.
* ``("wait", seconds)``: StartTimer at now + seconds.
* ``("parallel", [resource, ...])``: InvokeTask for each at once; the value becomes the list of results.
"""

from __future__ import annotations

from typing import Any

from statewright.core.events import (
    CancelTask,
    CancelTimer,
    Decision,
    HistoryEvent,
    InvokeTask,
    Outcome,
    Started,
    StartTimer,
    StopRequested,
    TaskFailed,
    TaskHeartbeat,
    TaskSucceeded,
    TimerFired,
)


class ScriptedExecution:
    def __init__(self, steps: list[tuple]) -> None:
        self.steps = steps
        self.outcome = Outcome()
        self.history: list[HistoryEvent] = []
        self.inputs: list[Any] = []
        self._index = -1
        self._seq = 0
        self._value: Any = None
        self._events: list[HistoryEvent] = []
        self._commands: list[Any] = []
        self._pending: dict[int, Any] = {}  # seq -> what it is ("task", "timeout", "heartbeat", "wait", "retry")
        self._results: dict[int, Any] = {}
        self._attempt = 0
        self._now = 0.0

    # --- the contract -------------------------------------------------------------------------------

    def receive(self, item: Any) -> None:
        self.inputs.append(item)
        self._now = item.time
        if isinstance(item, Started):
            self._value = item.input
            self._record("ExecutionStarted", {"input": item.input})
            self._next()
        elif isinstance(item, StopRequested):
            self._end("ABORTED", error=item.error, cause=item.cause)
        elif isinstance(item, TaskSucceeded | TaskFailed | TaskHeartbeat | TimerFired):
            self._answer(item)

    def decide(self) -> Decision:
        decision = Decision(tuple(self._events), tuple(self._commands))
        self._events, self._commands = [], []
        return decision

    # --- the script ---------------------------------------------------------------------------------

    def _answer(self, item: Any) -> None:
        kind = self._pending.get(item.seq)
        if kind is None:
            raise AssertionError(f"the driver delivered {item!r} for a seq nobody waits for")
        if isinstance(item, TaskHeartbeat):
            beat = self._find("heartbeat")
            if beat is not None:
                self._cancel_timer(beat)
                self._timer("heartbeat", self._step[2]["heartbeat"])
            self._record("TaskHeartbeat", {})
            return
        del self._pending[item.seq]
        if kind == "task":
            self._task_done(item)
        elif kind == "wait":
            self._record("WaitStateExited", {})
            self._next()
        elif kind == "retry":
            self._invoke(self._step[1], self._step[2])
        elif kind in ("timeout", "heartbeat"):
            for seq, other in list(self._pending.items()):
                if other == "task":
                    self._commands.append(CancelTask(seq))
                    del self._pending[seq]
            self._drop_timers()
            error = "States.Timeout" if kind == "timeout" else "States.HeartbeatTimeout"
            self._fail_attempt(error, None)

    def _task_done(self, item: Any) -> None:
        if isinstance(item, TaskFailed):
            self._record("TaskFailed", {"error": item.error, "cause": item.cause})
            for seq, other in list(self._pending.items()):
                if other == "task":
                    self._commands.append(CancelTask(seq))
                    del self._pending[seq]
            self._drop_timers()
            self._fail_attempt(item.error, item.cause)
            return
        self._record("TaskSucceeded", {"output": item.output})
        if self._step[0] == "parallel":
            self._results[item.seq] = item.output
            if any(kind == "task" for kind in self._pending.values()):
                return
            self._value = [self._results[seq] for seq in sorted(self._results)]
        else:
            self._value = item.output
        self._drop_timers()
        self._next()

    def _fail_attempt(self, error: str, cause: str | None) -> None:
        options = self._step[2] if self._step[0] == "task" else {}
        if self._attempt < options.get("retries", 0):
            self._attempt += 1
            self._timer("retry", options.get("interval", 1))
            return
        self._end("FAILED", error=error, cause=cause)

    def _next(self) -> None:
        self._index += 1
        self._attempt = 0
        if self._index >= len(self.steps):
            self._end("SUCCEEDED", output=self._value)
            return
        step = self._step
        if step[0] == "task":
            self._invoke(step[1], step[2] if len(step) > 2 else {})
        elif step[0] == "wait":
            self._record("WaitStateEntered", {"name": f"Wait{self._index}"})
            self._timer("wait", step[1])
        elif step[0] == "parallel":
            self._results = {}
            for resource in step[1]:
                self._invoke(resource, {}, timers=False)

    def _invoke(self, resource: str, options: dict, *, timers: bool = True) -> None:
        self._seq += 1
        token = f"token-{self._seq}" if options.get("token") else None
        self._pending[self._seq] = "task"
        self._commands.append(InvokeTask(self._seq, resource, self._value, f"State{self._index}",
                                         attempt=self._attempt, token=token))
        self._record("TaskScheduled", {"resource": resource})
        if timers and options.get("timeout"):
            self._timer("timeout", options["timeout"])
        if timers and options.get("heartbeat"):
            self._timer("heartbeat", options["heartbeat"])

    @property
    def _step(self) -> tuple:
        step = self.steps[self._index]
        return step if step[0] != "task" or len(step) > 2 else (*step, {})

    def _timer(self, kind: str, seconds: float) -> None:
        self._seq += 1
        self._pending[self._seq] = kind
        self._commands.append(StartTimer(self._seq, self._now + seconds))

    def _find(self, kind: str) -> int | None:
        return next((seq for seq, other in self._pending.items() if other == kind), None)

    def _cancel_timer(self, seq: int) -> None:
        del self._pending[seq]
        self._commands.append(CancelTimer(seq))

    def _drop_timers(self) -> None:
        for seq, kind in list(self._pending.items()):
            if kind in ("timeout", "heartbeat"):
                self._cancel_timer(seq)

    def _end(self, status: str, *, output: Any = None, error: str | None = None, cause: str | None = None) -> None:
        for seq, kind in list(self._pending.items()):
            self._commands.append(CancelTask(seq) if kind == "task" else CancelTimer(seq))
        self._pending.clear()
        self.outcome = Outcome(status, output, error, cause)
        self._record(f"Execution{status.title().replace('_', '')}", {})

    def _record(self, kind: str, details: dict) -> None:
        event = HistoryEvent(len(self.history) + 1, len(self.history), kind, self._now, details)
        self.history.append(event)
        self._events.append(event)
