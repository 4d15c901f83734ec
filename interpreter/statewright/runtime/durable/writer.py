"""Group commit: many executions' steps share one transaction.

Each step is submitted as it is decided and its commands wait for the returned future. One writer task
takes everything submitted so far, writes it in one transaction (one fsync), then resolves the futures;
what arrives meanwhile goes into the next batch. Under load the batches grow by themselves, so throughput
does not pay one fsync per transition; alone, a step waits for exactly one commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from statewright.store.protocol import Store, StoreError
from statewright.store.records import StepWrite

log = logging.getLogger("statewright.store")

# A transaction holds at most this many steps, so one commit never stalls the steps behind it for long.
MAX_BATCH = 4_000


class GroupCommitWriter:
    """Writes submitted steps in batches, in submission order; see the module docstring."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._queue: list[tuple[StepWrite, asyncio.Future[StoreError | None]]] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._idle: asyncio.Event | None = None
        self.commits = 0
        self.steps = 0
        self.commit_seconds = 0.0  # summed wall time of the transactions (for /metrics and benchmarks)

    def start(self) -> None:
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="statewright-group-commit")

    def submit(self, write: StepWrite) -> asyncio.Future[StoreError | None]:
        """Queue ``write``; the future says None once it is committed, or the error that refused it."""
        future: asyncio.Future[StoreError | None] = asyncio.get_running_loop().create_future()
        self._queue.append((write, future))
        assert self._wake is not None and self._idle is not None
        self._idle.clear()
        self._wake.set()
        return future

    @property
    def busy(self) -> bool:
        """Something is queued or being written."""
        return self._idle is not None and not self._idle.is_set()

    async def flush(self) -> None:
        """Return once everything submitted before this call is committed (or refused)."""
        if self._queue:
            await asyncio.wait([self._queue[-1][1]])
        elif self._idle is not None:
            await self._idle.wait()

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
        assert self._wake is not None and self._idle is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                await self._commit(batch)
            self._idle.set()

    async def _commit(self, batch: list[tuple[StepWrite, asyncio.Future[StoreError | None]]]) -> None:
        began = time.perf_counter()
        try:
            outcome = await self.store.write([write for write, _ in batch])
        except StoreError as error:
            log.error("could not record %d steps: %s", len(batch), error)
            outcome = [error] * len(batch)
        except asyncio.CancelledError:
            for _, future in batch:
                if not future.done():
                    future.set_exception(StoreError("the store was closed before the step was recorded"))
            raise
        self.commit_seconds += time.perf_counter() - began
        self.commits += 1
        self.steps += len(batch)
        failed = set()
        for (write, future), error in zip(batch, outcome, strict=True):
            if error is not None:
                failed.add(write.execution_id)
            if not future.done():
                future.set_result(error)
        if failed and self._queue:
            # A later step of an execution whose step was refused must not be written after a gap.
            kept = []
            for write, future in self._queue:
                if write.execution_id in failed:
                    if not future.done():
                        future.set_result(StoreError(f"step {write.step} follows a step that was not recorded"))
                else:
                    kept.append((write, future))
            self._queue = kept
