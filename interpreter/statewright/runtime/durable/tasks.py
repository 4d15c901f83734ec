"""Carrying out task commands for durable executions, and sending again those a restart finds open.

A task runs once its step is committed. Its result comes back as an input posted to its execution (which
may have been evicted from memory meanwhile and is then rebuilt). A ``.waitForTaskToken`` task whose
resource call returned is marked *called* in the store: after a restart only its token's answer is
awaited, the resource is not called again. Every other open task is sent again after a restart with the
same invocation (same sequence number and attempt, so the same idempotency key): delivery is at least once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from statewright.core.events import ActivityStarted, TaskFailed, TaskSucceeded
from statewright.runtime.clock import Clock
from statewright.runtime.durable.steps import row_invocation
from statewright.runtime.histogram import Histogram
from statewright.runtime.resources import CallableHandler, ResourceRegistry, awaits_token, error_of, stand_in_worker
from statewright.store.codec import load_value
from statewright.store.protocol import Store
from statewright.store.records import TaskRow

log = logging.getLogger("statewright.tasks")


class TaskRunner:
    """Runs task invocations as asyncio tasks it owns (``close`` cancels them)."""

    def __init__(self, store: Store, clock: Clock, post: Callable[[int, Any], object],
                 on_change: Callable[[], None]) -> None:
        self.store = store
        self.clock = clock
        self.post = post
        self.on_change = on_change  # in-flight count changed (a virtual clock may jump)
        # Called with (execution ARN, token, state) when a task starts waiting for its token's answer.
        self.on_token: Callable[[str, str, str], None] | None = None
        self._running: dict[tuple[int, int], asyncio.Task[None]] = {}
        self.sent = 0
        self.resent = 0
        self.latency = Histogram()  # seconds from a task's start to its result (for /metrics)

    @property
    def in_flight(self) -> int:
        return len(self._running)

    def start(self, arn: str, row: TaskRow, registry: ResourceRegistry, payload: Any = None, *,
              again: bool = False) -> None:
        key = (row.execution_id, row.seq)
        if key in self._running:
            return  # already running here (a restart's re-send found a task this process started)
        if again:
            self.resent += 1
        else:
            self.sent += 1
        task = asyncio.get_running_loop().create_task(self._run(arn, row, registry, payload))
        self._running[key] = task
        task.add_done_callback(lambda _: self._done(key))

    def cancel(self, execution_id: int, seq: int) -> None:
        task = self._running.pop((execution_id, seq), None)
        if task is not None:
            task.cancel()
            self.on_change()

    def _done(self, key: tuple[int, int]) -> None:
        self._running.pop(key, None)
        self.on_change()

    async def _run(self, arn: str, row: TaskRow, registry: ResourceRegistry, payload: Any) -> None:
        invocation = row_invocation(arn, row, payload)
        handler = registry.resolve(invocation)
        worker = stand_in_worker(row.resource, handler)
        if worker is not None:  # a callable doing an activity's work: recorded as the worker that took it
            self.post(row.execution_id, ActivityStarted(row.seq, self.clock.now(), worker))
        began = time.perf_counter()
        try:
            if handler.__class__ is CallableHandler:  # its payload: a fresh copy from the recorded JSON
                result = await handler.call_with(load_value(row.payload))  # type: ignore[attr-defined]
            else:
                result = await handler(invocation)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # the edge: any failure of user code becomes (error, cause) data
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                log.warning("task %s of %s raised %s: recorded as a task failure", row.state, arn, type(exc).__name__)
            log.debug("task %s of %s failed", row.state, arn, exc_info=exc)
            error, cause = error_of(exc)
            self.latency.observe(time.perf_counter() - began)
            self.post(row.execution_id, TaskFailed(row.seq, self.clock.now(), error, cause))
            return
        if row.token is not None and awaits_token(row.resource, handler):
            # The call is done; the answer to its token is what the task waits for now, from any process.
            if not getattr(handler, "marks_called", False):  # (an activity queue marks it before the worker hears)
                await self.store.mark_called(row.execution_id, row.seq)
            if self.on_token is not None:
                self.on_token(arn, row.token, row.state)
            return
        self.latency.observe(time.perf_counter() - began)
        self.post(row.execution_id, TaskSucceeded(row.seq, self.clock.now(), result))

    async def close(self) -> None:
        running = list(self._running.values())
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        self._running.clear()
