"""Group commit: many executions' steps share one transaction.

Each step is submitted as it is decided, with the function to call once its fate is known. One writer task
takes everything submitted so far, writes it in one transaction (one fsync), then calls those functions in
submission order; what arrives meanwhile goes into the next batch. Under load the batches grow by themselves,
so throughput does not pay one fsync per transition; alone, a step waits for exactly one commit. (A function,
not a future per step: a step is made for every transition, and a future and its callback cost more than the
rest of the step's bookkeeping.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from statewright.runtime.histogram import Histogram
from statewright.store.protocol import StepConflict, Store, StoreError
from statewright.store.records import StepWrite

log = logging.getLogger("statewright.store")

# A transaction holds at most this many steps, so one commit never stalls the steps behind it for long.
MAX_BATCH = 4_000

Done = Callable[[StepWrite, StoreError | None], None]
"""Called with the step once it is committed (``None``) or refused (the error)."""


class GroupCommitWriter:
    """Writes submitted steps in batches, in submission order; see the module docstring."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._queue: list[tuple[StepWrite, Done]] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._submitted = 0  # steps submitted so far
        self._settled = 0  # steps whose fate is known (committed or refused), always a prefix of the submitted
        self._flushes: list[tuple[int, asyncio.Future[None]]] = []
        self.commits = 0
        self.steps = 0
        self.commit_seconds = 0.0  # summed wall time of the transactions (for /metrics and benchmarks)
        self.commit_latency = Histogram()  # each transaction's wall time (for /metrics)
        self.events = 0  # history events in the steps committed

    def start(self) -> None:
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="statewright-group-commit")

    def submit(self, write: StepWrite, done: Done) -> None:
        """Queue ``write``; ``done(write, None)`` is called once it is committed, ``done(write, error)`` if not."""
        self._queue.append((write, done))
        self._submitted += 1
        assert self._wake is not None
        self._wake.set()

    async def write(self, write: StepWrite) -> StoreError | None:
        """Submit ``write`` and wait for its fate."""
        future: asyncio.Future[StoreError | None] = asyncio.get_running_loop().create_future()
        self.submit(write, lambda _, error: future.set_result(error))
        return await future

    @property
    def backlog(self) -> int:
        """Steps submitted whose fate is not known yet (queued or being written)."""
        return self._submitted - self._settled

    @property
    def busy(self) -> bool:
        """Something is queued or being written."""
        return self._settled < self._submitted

    async def flush(self) -> None:
        """Return once everything submitted before this call is committed (or refused)."""
        if self._settled >= self._submitted:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._flushes.append((self._submitted, future))
        await future

    async def close(self) -> None:
        """Write what is queued, then stop."""
        if self._task is None:
            return
        await self.flush()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                await self._commit(batch)

    async def _commit(self, batch: list[tuple[StepWrite, Done]]) -> None:
        began = time.perf_counter()
        try:
            outcome = await self.store.write([write for write, _ in batch])
        except StoreError as error:
            log.error("could not record %d steps: %s", len(batch), error)
            outcome = [error] * len(batch)
        except asyncio.CancelledError:
            self._settle(batch, [StoreError("the store was closed before the step was recorded")] * len(batch))
            raise
        took = time.perf_counter() - began
        self.commit_seconds += took
        self.commit_latency.observe(took)
        self.commits += 1
        self.steps += len(batch)
        self.events += sum(write.event_count for (write, _), error in zip(batch, outcome, strict=True) if error is None)
        self._settle(batch, outcome)

    def _settle(self, batch: list[tuple[StepWrite, Done]], outcome: list[StoreError | None]) -> None:
        failed: dict[int, StoreError] = {}
        for (write, done), error in zip(batch, outcome, strict=True):
            if error is not None:
                failed[write.execution_id] = error
            self._call(done, write, error)
        self._settled += len(batch)
        if failed and self._queue:
            # A later step of an execution whose step was refused must not be written after a gap.
            kept = []
            for write, done in self._queue:
                cause = failed.get(write.execution_id)
                if cause is not None:
                    self._settled += 1
                    # Stale like the step before it (another node got there first), or not written for its reason.
                    kind = StepConflict if isinstance(cause, StepConflict) else StoreError
                    self._call(done, write, kind(f"step {write.step} follows a step that was not recorded"))
                else:
                    kept.append((write, done))
            self._queue = kept
        if self._flushes:
            waiting = []
            for target, future in self._flushes:
                if self._settled >= target:
                    if not future.done():
                        future.set_result(None)
                else:
                    waiting.append((target, future))
            self._flushes = waiting

    @staticmethod
    def _call(done: Done, write: StepWrite, error: StoreError | None) -> None:
        try:
            done(write, error)
        except Exception:  # one step's bookkeeping must not keep the others from hearing of their commit
            log.exception("after a step was recorded")
