"""The loop that drives one execution: feed an input, take the decision, carry out its commands.

This is the thin async shell around the pure core (STYLE.md, "sans-IO"): the core decides, the driver
acts. One coroutine per execution, plus one task per *running* Task invocation (inside the execution's
TaskGroup). Timers are entries in a heap, woken by the clock, not tasks; Pass/Choice chains produce no
commands and the driver takes no ``await`` for them; an execution waiting on a timer or a callback holds
no task at all. That is what lets thousands of executions share one event loop.

:meth:`Driver.start` is the synchronous part: it feeds ``Started`` and carries the execution as far as
it goes without awaiting; an execution of Pass, Choice and Wait states on an auto-advancing virtual
clock ends there, with no coroutine and no TaskGroup. :meth:`Driver.finish` (the TaskGroup) takes over
only when a task must run or time must really pass. :func:`start_on_virtual_time` goes one step further for
an execution on its own auto-advancing clock that nobody traces: no driver at all until a task needs one.

Inputs go to the core one at a time, and ``decide()`` is called after every ``receive()`` (or the
core's ``advance()``, the two in one call, when no event sink reads the decision's events).
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import inspect
import logging
from collections.abc import Callable
from typing import Any

from statewright.core.errors import ErrorName
from statewright.core.events import (
    ActivityStarted,
    CancelTask,
    CancelTimer,
    Command,
    ExecutionInfo,
    HistoryEvent,
    Input,
    InvokeTask,
    Outcome,
    StartTimer,
    TaskFailed,
    TaskHeartbeat,
    TaskSucceeded,
    make_started,
    make_timer_fired,
)
from statewright.runtime.callbacks import CallbackAnswer, TaskTokens
from statewright.runtime.clock import Clock, VirtualClock
from statewright.runtime.resources import Invocation, ResourceRegistry, awaits_token, error_of, stand_in_worker

EventSink = Callable[[HistoryEvent], None]

RUNNING = "RUNNING"

_heappush = heapq.heappush
_heappop = heapq.heappop

# The shared empty containers a driver starts with instead of its own (see Driver.__init__): never written.
_NO_INPUTS: tuple[Any, ...] = ()
_NO_ENTRIES: dict[int, Any] = {}


class Driver:
    """Runs one :class:`~statewright.core.execution.Execution` to its end.

    Args:
        execution: a fresh core execution (nothing received yet).
        resources: resolves each InvokeTask to a handler.
        clock: where time comes from (a :class:`VirtualClock` with ``auto_advance`` jumps when idle).
        tokens: the engine's task tokens (callbacks); a private registry when omitted.
        on_event: called with every history event as it is appended (traces, stores).
    """

    # Slots: thousands of idle executions each keep one driver alive.
    __slots__ = ("_advance", "_alarm", "_auto", "_callbacks", "_deferred", "_group", "_inbox", "_live_timers",
                 "_running", "_tasks", "_timers", "_waiter", "clock", "execution", "info", "on_event", "resources",
                 "tokens")

    def __init__(
        self,
        execution: Any,
        resources: ResourceRegistry,
        clock: Clock,
        tokens: TaskTokens | None = None,
        on_event: EventSink | None = None,
    ) -> None:
        self.execution = execution
        self.resources = resources
        self.clock = clock
        self.tokens = tokens if tokens is not None else TaskTokens()
        self.on_event = on_event
        self.info: ExecutionInfo | None = None
        # A list and a bare future rather than a deque and an Event: an idle execution keeps both, and
        # those are ~600 bytes each empty; the inbox rarely holds more than a few items. Containers most
        # executions never fill start as shared empty ones (never written) and are made on first use.
        self._inbox: list[Input] = _NO_INPUTS  # type: ignore[assignment]  # a list from the first post()
        self._waiter: asyncio.Future[None] | None = None
        self._timers: list[tuple[float, int]] = []  # heap of (fire_at, seq); cancelled ones removed lazily
        self._live_timers: dict[int, float] = {}
        # Both filled only inside finish()'s task group, which makes them.
        self._tasks: dict[int, asyncio.Task[None]] = _NO_ENTRIES  # type: ignore[assignment]
        self._callbacks: dict[int, str] = _NO_ENTRIES  # type: ignore[assignment]  # seq -> token (no task held)
        # Invocations whose resource call is under way: while there are any, an auto-advancing clock follows
        # real time instead of jumping (spec/extensions.md §5), so their timeouts and heartbeats hold.
        self._running = 0
        # While they are, the wake-up for the earliest timer, as (its time, cancel): kept across sleeps, since
        # a loop timer is not cheap and a fan-out's answers wake the driver once each (see _sleep).
        self._alarm: tuple[float, Callable[[], None]] | None = None
        self._group: asyncio.TaskGroup | None = None
        self._deferred: list[InvokeTask] = _NO_INPUTS  # type: ignore[assignment]  # a list from the first task
        self._auto = clock.auto_advance if clock.__class__ is VirtualClock else (  # type: ignore[attr-defined]
            isinstance(clock, VirtualClock) and clock.auto_advance)
        self._advance = getattr(execution, "advance", None)  # receive + decide without a Decision (see _feed)

    def post(self, item: Input) -> None:
        """Queue an input (a result, a heartbeat, a stop) for the loop; safe from any coroutine on the loop."""
        inbox = self._inbox
        if inbox:
            inbox.append(item)
        else:
            self._inbox = [item]
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    @property
    def outcome(self) -> Outcome:
        return self.execution.outcome

    async def run(self, input: Any, *, info: ExecutionInfo, seed: int) -> Outcome:
        """Start the execution with ``input`` and drive it until it ends; returns its outcome."""
        if not self.start(input, info=info, seed=seed):
            await self.finish()
        return self.outcome

    def start(self, input: Any, *, info: ExecutionInfo, seed: int) -> bool:
        """The synchronous first part of :meth:`run`: start the execution and carry it as far as it goes
        without awaiting. True when it has ended; otherwise :meth:`finish` drives the rest."""
        self.info = info
        self._feed(make_started(self.clock.now(), input, seed, info))
        return self.settle()

    @classmethod
    def taking_over(cls, head: VirtualStart, resources: ResourceRegistry, tokens: TaskTokens) -> Driver:
        """The driver that carries on an execution :func:`start_on_virtual_time` could not finish: on an
        auto-advancing virtual clock at the time it reached, with its timers, and the commands it left."""
        driver = cls(head.execution, resources, VirtualClock(head.now), tokens)
        driver.info = head.info
        driver._timers = head.timers
        driver._live_timers = head.live
        for command in head.left:
            driver._carry_out(command)
        return driver

    def settle(self) -> bool:
        """Carry a started execution as far as it goes without awaiting (see :meth:`_settle`); True when it
        has ended, otherwise :meth:`finish` drives the rest."""
        try:
            # Pass/Choice chains, and Waits on an auto-advancing clock, end here without a single await.
            return self._settle()
        except Exception as error:
            raise _as_task_group_error(error) from None

    async def finish(self) -> Outcome:
        """Drive a started execution (see :meth:`start`) until it ends; returns its outcome."""
        async with asyncio.TaskGroup() as group:
            self._tasks = tasks = {}
            self._callbacks = {}
            self._group = group
            for command in self._deferred:  # tasks the Started decision asked for, before the group existed
                tasks[command.seq] = group.create_task(self._invoke(command))
            self._deferred = _NO_INPUTS  # type: ignore[assignment]
            try:
                await self._loop()
            finally:
                if self._auto:  # the execution's time ends here, however long its cancelled tasks take
                    self.clock.stand_still()  # type: ignore[attr-defined]
                    self._silence()
                # Whatever is outstanding is no longer wanted (the execution ended, or we were cancelled).
                for task in self._tasks.values():
                    task.cancel()
                self._close_callbacks()
        return self.outcome

    def _settle(self) -> bool:
        """Do what :meth:`_loop` would do until it would first await; True when the execution ended.

        Stops as soon as a task is to be started (that needs the task group): until the group's tasks
        first run, the loop takes exactly the same steps, so handing over there changes nothing. The
        steps are :meth:`_loop`'s, inlined: an execution of Pass, Choice and Wait states on an
        auto-advancing clock runs here from start to end.
        """
        execution = self.execution  # its outcome is read afresh each time: a core may replace the object
        clock = self.clock
        timers = self._timers
        live = self._live_timers
        while execution.outcome.status == RUNNING:
            if self._deferred:
                return False
            if self._inbox:
                self._feed(self._inbox.pop(0))
                continue
            if not timers:
                return False
            when, seq = timers[0]
            if live.get(seq) != when:  # cancelled (or superseded): drop it, as _next_timer does
                _heappop(timers)
                continue
            now = clock.now()
            if when > now:
                if not self._auto or self._running:
                    return False
                clock.advance_to(when)  # type: ignore[attr-defined]
                if self._inbox:  # a waiter's callback posted something: that comes first, as in _loop
                    continue
                now = clock.now()
                if when > now:
                    continue
            # _fire_one_due_timer (the timer at the top is still the earliest live one)
            _heappop(timers)
            del live[seq]
            self._feed(make_timer_fired(seq, now))
        return True

    async def _loop(self) -> None:
        while self.outcome.status == RUNNING:
            if self._inbox:
                self._feed(self._inbox.pop(0))
            elif self._fire_one_due_timer():
                pass
            elif self._auto and self._running == 0 and self._next_timer() is not None:
                # Only timers and callback waits are outstanding: jump to the earliest timer.
                self.clock.advance_to(self._next_timer())  # type: ignore[attr-defined]
            else:
                await self._sleep()

    async def _sleep(self) -> None:
        when = self._next_timer()
        cancel = None
        if when is None:
            pass
        elif self._auto:
            # Only while tasks run (else _loop jumps): the clock follows real time, and one alarm serves every
            # sleep until the earliest timer changes, the alarm rings, or no task runs any more.
            alarm = self._alarm
            if alarm is None or alarm[0] != when:
                if alarm is not None:
                    alarm[1]()
                self._alarm = (when, self.clock.wake_at(when, self._ring))
        else:
            cancel = self.clock.wake_at(when, self._wake)
        try:
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        finally:
            self._waiter = None
            if cancel is not None:
                cancel()

    def _ring(self) -> None:
        self._alarm = None
        self._wake()

    def _silence(self) -> None:
        alarm = self._alarm
        if alarm is not None:
            self._alarm = None
            alarm[1]()

    # --- the core ----------------------------------------------------------------------------------------

    def _feed(self, item: Input) -> None:
        advance = self._advance
        if advance is not None and self.on_event is None:
            # Nobody reads Decision.events: the core's receive + decide in one call, events left in its history.
            commands: Any = advance(item)
        else:
            execution = self.execution
            execution.receive(item)
            decision = execution.decide()
            if self.on_event is not None:
                for event in decision.events:
                    self.on_event(event)
            commands = decision.commands
        for command in commands:
            if command.__class__ is StartTimer:  # the common command, handled inline
                fire_at = command.fire_at
                _heappush(self._timers, (fire_at, command.seq))
                self._live_timers[command.seq] = fire_at
            else:
                self._carry_out(command)

    def _carry_out(self, command: Command) -> None:
        if isinstance(command, InvokeTask):
            self._start_task(command)
        elif isinstance(command, StartTimer):
            heapq.heappush(self._timers, (command.fire_at, command.seq))
            self._live_timers[command.seq] = command.fire_at
        elif isinstance(command, CancelTimer):
            self._live_timers.pop(command.seq, None)
        elif isinstance(command, CancelTask):
            task = self._tasks.pop(command.seq, None)
            if task is not None:
                task.cancel()
                if inspect.getcoroutinestate(task.get_coro()) == inspect.CORO_CREATED:
                    self._task_ended()  # cancelled before its first step: _invoke's finally never runs
            elif self._deferred and any(c.seq == command.seq for c in self._deferred):
                # Cancelled in the decision that asked for it (a Parallel whose other branch failed at once):
                # it never starts.
                self._deferred = [c for c in self._deferred if c.seq != command.seq]
                self._task_ended()
            self._close_callbacks(command.seq)
            # A result that raced the cancel is already queued: the core no longer wants it.
            if self._inbox:
                self._inbox = [i for i in self._inbox if getattr(i, "seq", None) != command.seq]
        else:  # pragma: no cover - a new command type the runtime does not know yet
            raise TypeError(f"the runtime cannot carry out {command!r}")

    # --- timers ------------------------------------------------------------------------------------------

    def _next_timer(self) -> float | None:
        timers = self._timers
        while timers and self._live_timers.get(timers[0][1]) != timers[0][0]:
            heapq.heappop(timers)  # cancelled (or superseded): drop it now
        return timers[0][0] if timers else None

    def _fire_one_due_timer(self) -> bool:
        when = self._next_timer()
        now = self.clock.now()
        if when is None or when > now:
            return False
        _, seq = heapq.heappop(self._timers)
        del self._live_timers[seq]
        self._feed(make_timer_fired(seq, now))
        return True

    # --- tasks -------------------------------------------------------------------------------------------

    def _start_task(self, command: InvokeTask) -> None:
        if not self._running and self._auto:
            self.clock.follow_real_time()  # type: ignore[attr-defined]
        self._running += 1
        if self._group is None:
            # The group is entered only once an await is needed, so pure Pass/Choice runs skip it.
            if self._deferred:
                self._deferred.append(command)
            else:
                self._deferred = [command]
        else:
            self._tasks[command.seq] = self._group.create_task(self._invoke(command))

    async def _invoke(self, command: InvokeTask) -> None:
        seq = command.seq
        answer = None
        if command.token is not None:
            answer = self.tokens.open(command.token, lambda: self.post(TaskHeartbeat(seq, self.clock.now())),
                                      command.state)
        waiting = False
        try:
            invocation = Invocation(
                resource=command.resource,
                payload=command.payload,
                state=command.state,
                attempt=command.attempt,
                token=command.token,
                execution_arn=self.info.execution_arn if self.info else "",
                seq=seq,
                credentials=command.credentials,
                timeout_seconds=command.timeout_seconds,
            )
            handler = self.resources.resolve(invocation)
            worker = stand_in_worker(command.resource, handler)
            if worker is not None:  # a callable doing an activity's work: recorded as the worker that took it
                self.post(ActivityStarted(seq, self.clock.now(), worker))
            try:
                result = await handler(invocation)
            except (asyncio.CancelledError, GeneratorExit):
                raise  # this task is being cancelled or closed: not a result of the call
            except BaseException as exc:
                # The edge: any failure of user code becomes (error, cause) data, KeyboardInterrupt and
                # SystemExit included (spec/extensions.md rule 6): a task function must not take down the
                # engine and the other executions it runs.
                error, cause = error_of(exc)
                # `statewright run --verbose` shows this traceback; the history keeps only (error, cause).
                logging.getLogger("statewright.tasks").debug("Task state %r failed", command.state, exc_info=exc)
                self.post(TaskFailed(seq, self.clock.now(), error, cause))
                return
            if answer is not None and awaits_token(command.resource, handler):
                # The call is done; the task now waits for its callback holding no asyncio task at all:
                # the answer's future calls back, and a CancelTask (timeout) closes the token instead.
                waiting = True
                self._callbacks[seq] = command.token
                answer.add_done_callback(functools.partial(self._answered, seq, command.token))
                return
            self.post(TaskSucceeded(seq, self.clock.now(), result))
        finally:
            self._task_ended()
            self._wake()
            if command.token is not None and not waiting:
                self.tokens.close(command.token)
            self._tasks.pop(seq, None)

    def _task_ended(self) -> None:
        self._running -= 1
        if not self._running and self._auto:
            self.clock.stand_still()  # type: ignore[attr-defined]  # nothing works: time may jump again
            self._silence()

    def _answered(self, seq: int, token: str, answer: asyncio.Future[CallbackAnswer]) -> None:
        if answer.cancelled():  # the token was closed: the task timed out, or the execution ended
            return
        self._callbacks.pop(seq, None)
        self.tokens.close(token)  # later answers for it get TaskTimedOut
        reply = answer.result()
        if reply.failed:
            self.post(TaskFailed(seq, self.clock.now(), reply.error or ErrorName.TASK_FAILED, reply.cause))
        else:
            self.post(TaskSucceeded(seq, self.clock.now(), reply.output))

    def _close_callbacks(self, seq: int | None = None) -> None:
        """Stop waiting for one callback (``seq``), or for all of them (the execution ended)."""
        seqs = list(self._callbacks) if seq is None else [seq]
        for key in seqs:
            token = self._callbacks.pop(key, None)
            if token is not None:
                self.tokens.close(token)


def _as_task_group_error(error: Exception) -> BaseExceptionGroup[Exception]:
    """An error of a synchronous step, as the task group of :meth:`Driver.finish` reports an error of its body:
    callers see the same exception wherever in the run it happened."""
    return BaseExceptionGroup("unhandled errors in a TaskGroup", [error])


class VirtualStart:
    """Where :func:`start_on_virtual_time` left an execution it could not finish: its clock's time, its timers
    (a heap and the live ones) and the commands ``left`` of its last decision."""

    __slots__ = ("execution", "info", "left", "live", "now", "timers")

    def __init__(self, execution: Any, info: ExecutionInfo, now: float, left: list[Command],
                 timers: list[tuple[float, int]], live: dict[int, float]) -> None:
        self.execution = execution
        self.info = info
        self.now = now
        self.left = left
        self.timers = timers
        self.live = live


def start_on_virtual_time(execution: Any, input: Any, info: ExecutionInfo, seed: int,
                          now: float) -> float | VirtualStart:
    """Start ``execution`` at ``now`` on an auto-advancing virtual clock of its own, and run it with no driver
    for as long as it asks for nothing but timers: what :meth:`Driver.start` and :meth:`Driver._settle` do
    for such an execution, without the driver, the clock object and their calls per step (W4 in
    benchmarks/ is thousands of these). Returns the clock's time when the execution ended; otherwise, at
    the first other command (a task) or with nothing left to fire, the :class:`VirtualStart` that
    :meth:`Driver.taking_over` carries on from. Errors are reported as ``Driver.start`` reports them.

    ``execution`` is a core with ``advance`` and nobody reads its decisions' events (no ``on_event``).
    """
    execution.alone = True  # the core may carry a lone Wait on at once (Execution.fires_next)
    try:
        commands = execution.begin(make_started(now, input, seed, info))
    except Exception as error:
        if execution.jumped:  # past a Wait: the driver would have been carrying on after a timer, in its group
            raise _as_task_group_error(error) from None
        raise  # while Started is fed, as Driver.start reports it
    timers: list[tuple[float, int]] = []
    live: dict[int, float] = {}
    try:
        while True:
            now = execution.now  # where its lone Waits took the clock
            if not commands and execution.outcome.status != RUNNING:
                return now  # ended in this decision, asking for nothing (most executions: Waits carried on alone)
            for command in commands:
                cls = command.__class__
                if cls is StartTimer:
                    fire_at = command.fire_at
                    _heappush(timers, (fire_at, command.seq))
                    live[command.seq] = fire_at
                elif cls is CancelTimer:
                    live.pop(command.seq, None)
                else:  # a task (or a cancel) needs the driver: it carries on from this command
                    execution.alone = False  # the driver's clock decides from here
                    return VirtualStart(execution, info, now, commands[commands.index(command):], timers, live)
            if execution.outcome.status != RUNNING:
                return now
            while timers:
                when, seq = timers[0]
                if live.get(seq) == when:
                    break
                _heappop(timers)  # cancelled (or superseded)
            else:
                execution.alone = False
                return VirtualStart(execution, info, now, [], timers, live)  # the driver decides what waits
            _heappop(timers)
            del live[seq]
            if when > now:  # the clock jumps to the earliest timer (it never goes back)
                now = when
            commands = execution.advance(make_timer_fired(seq, now))
    except Exception as error:
        raise _as_task_group_error(error) from None  # as Driver.start reports it


async def drive(
    execution: Any,
    resources: ResourceRegistry,
    clock: Clock,
    *,
    input: Any,
    info: ExecutionInfo,
    seed: int,
    tokens: TaskTokens | None = None,
    on_event: EventSink | None = None,
) -> Outcome:
    """Run ``execution`` to its end (see :class:`Driver`); returns its outcome."""
    driver = Driver(execution, resources, clock, tokens=tokens, on_event=on_event)
    return await driver.run(input, info=info, seed=seed)
