"""Durable timers: read from the store in due-time order, a window at a time, never all into memory.

The wheel keeps a heap of the timers due within ``window`` seconds of now. Everything in the store up to
its *horizon* (a (due, execution, seq) key) has been read into the heap; a timer decided in this process
goes into the heap at once when it falls inside the horizon, otherwise a later read finds it. Before each
read the group-commit writer is flushed, so a timer decided before the read is in the store when it runs.
A timer that fires is posted to its execution as ``TimerFired``; its row is deleted in the same
transaction as the step it causes, so after a crash it fires again (at least once, exactly once recorded).
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
from collections.abc import Callable
from typing import Any

from statewright.core.events import TimerFired
from statewright.runtime.clock import Clock, VirtualClock
from statewright.store.protocol import Store, StoreError

Key = tuple[float, int, int]  # (due, execution id, seq)


log = logging.getLogger("statewright.timers")
_RETRY_SECONDS = 1.0
_AFTER_ALL = 2**62  # an id above every execution id and seq: (due, _AFTER_ALL, _AFTER_ALL) ends a due time


class TimerWheel:
    """See the module docstring. ``post(execution_id, input)`` delivers a fired timer."""

    def __init__(self, store: Store, clock: Clock, post: Callable[[int, Any], object], flush: Callable[[], Any],
                 idle: Callable[[], bool], *, window: float = 60.0, page: int = 10_000) -> None:
        self.store = store
        self.clock = clock
        self.post = post
        self.flush = flush
        self.idle = idle
        self.window = window
        self.page = page
        self._heap: list[Key] = []
        self._armed: dict[tuple[int, int], float] = {}
        self._horizon: Key = (-math.inf, 0, 0)  # every stored timer up to this key is in the heap (or gone)
        self._reading: Key | None = None  # while a read runs: timers decided meanwhile up to here go to the heap
        self._wake: asyncio.Event | None = None
        self._virtual = isinstance(clock, VirtualClock) and clock.auto_advance
        self.fired = 0
        self._generation = 0  # rescan() counts up: a read that began before it does not move the horizon

    def arm(self, execution_id: int, seq: int, due: float) -> None:
        """A timer decided in this process (its row is on its way to the store)."""
        key = (due, execution_id, seq)
        if key <= self._horizon or (self._reading is not None and key <= self._reading):  # else a later read finds it
            self._armed[execution_id, seq] = due
            heapq.heappush(self._heap, key)
            if self._wake is not None and self._heap[0] is key:
                self._wake.set()

    def disarm(self, execution_id: int, seq: int) -> None:
        self._armed.pop((execution_id, seq), None)

    def rescan(self) -> None:
        """Read the store again from the start: this node now owns executions whose timers it never read
        (taken over from a dead node), some perhaps overdue."""
        self._generation += 1
        self._horizon = (-math.inf, 0, 0)
        self.poke()

    def sweep(self, overdue: list[Any]) -> None:
        """Overdue timers read from the store (``DueTimer`` rows): the ones not in memory are armed to fire now."""
        armed, heap = self._armed, self._heap
        for row in overdue:
            if armed.get((row.execution_id, row.seq)) != row.due:
                armed[row.execution_id, row.seq] = row.due
                heapq.heappush(heap, (row.due, row.execution_id, row.seq))
        if overdue:
            self.poke()

    def poke(self) -> None:
        """Look again (an auto-advancing virtual clock may now jump)."""
        if self._wake is not None:
            self._wake.set()

    @property
    def in_memory(self) -> int:
        """Timers held in the heap."""
        return len(self._armed)

    async def run(self) -> None:
        self._wake = asyncio.Event()
        while True:
            self._wake.clear()
            now = self.clock.now()
            self._fire_due(now)
            if self._horizon[0] < now + self.window / 2:
                await self._read_or_wait(now + self.window)
                continue
            earliest = self._earliest()
            if self._virtual:
                # An auto-advancing virtual clock skips only the time nothing works (spec/extensions.md, "Virtual
                # time"): while a task runs (or a step is being written) it follows real time, so TimeoutSeconds
                # and HeartbeatSeconds hold; once all is idle it jumps to the earliest timer.
                clock: Any = self.clock
                if not self.idle():
                    clock.follow_real_time()
                    await self._sleep(earliest)
                    continue
                clock.stand_still()
                if earliest is not None:
                    clock.advance_to(earliest)
                    continue
                if self._horizon[0] != math.inf:
                    await self._read_or_wait(math.inf)
                    continue
                await self._sleep(None)
            else:
                await self._sleep(min(now + self.window / 2, earliest if earliest is not None else math.inf))

    def _earliest(self) -> float | None:
        heap, armed = self._heap, self._armed
        while heap:
            due, execution_id, seq = heap[0]
            if armed.get((execution_id, seq)) == due:
                return due
            heapq.heappop(heap)  # disarmed, or fired
        return None

    def _fire_due(self, now: float) -> None:
        heap, armed = self._heap, self._armed
        while heap and heap[0][0] <= now:
            due, execution_id, seq = heapq.heappop(heap)
            if armed.get((execution_id, seq)) == due:
                del armed[execution_id, seq]
                self.fired += 1
                self.post(execution_id, TimerFired(seq, now))

    async def _read_or_wait(self, until: float) -> None:
        """Read; a store that cannot answer (a database server restarting) is asked again a second later, so
        a passing outage delays timers instead of stopping them for good."""
        try:
            await self._read(until)
        except StoreError as error:
            log.warning("timers: cannot read the store (%s); trying again in %.0f s", error, _RETRY_SECONDS)
            await asyncio.sleep(_RETRY_SECONDS)

    async def _read(self, until: float) -> None:
        """Read the next page of stored timers due by ``until`` into the heap and move the horizon."""
        # A timer decided before the flush is in the store when the read runs; one decided after it (and due
        # by `until`) goes to the heap at once; one that is both is taken once (the armed check below).
        self._reading = (until, _AFTER_ALL, _AFTER_ALL)
        generation = self._generation
        try:
            await self.flush()
            after = None if self._horizon[0] == -math.inf else self._horizon
            rows = await self.store.due_timers(after, until, self.page)
        finally:
            self._reading = None
        armed, heap = self._armed, self._heap
        for row in rows:
            if armed.get((row.execution_id, row.seq)) != row.due:
                armed[row.execution_id, row.seq] = row.due
                heapq.heappush(heap, (row.due, row.execution_id, row.seq))
        if generation != self._generation:
            self._horizon = (-math.inf, 0, 0)  # rescan() came during the read: read it all again
        elif len(rows) == self.page:
            last = rows[-1]
            self._horizon = (last.due, last.execution_id, last.seq)
        else:
            self._horizon = (until, _AFTER_ALL, _AFTER_ALL)

    async def _sleep(self, deadline: float | None) -> None:
        assert self._wake is not None
        if deadline is None or deadline == math.inf:
            await self._wake.wait()
            return
        cancel = self.clock.wake_at(deadline, self._wake.set)
        try:
            await self._wake.wait()
        finally:
            cancel()
