"""Leases on a shared store (PostgreSQL): which node advances which execution, and taking over from the dead.

A node joins the store with a lease (default 10 s, database time) and renews it every quarter of that. The
executions it starts, or records a step of, are its own: only it fires their timers and re-sends their
tasks after a restart. Every renewal also claims the RUNNING executions whose owner's lease has lapsed
(``FOR UPDATE SKIP LOCKED``: two nodes never claim the same one), so a node killed mid-run has its executions
carried on by the others within a lease and a quarter. Ownership decides who does the work, not what is
recorded: a node that still acts on an execution it lost is refused by the store's step key and reloads.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from statewright.store.protocol import Store, StoreError

log = logging.getLogger("statewright.leases")

_PAGE = 1_000  # executions claimed per statement


class LeaseKeeper:
    """Joins, renews, and hands the executions it takes over to ``on_taken`` (see the module docstring)."""

    def __init__(self, store: Store, node: str, lease_seconds: float,
                 on_taken: Callable[[list[int]], Awaitable[None]],
                 on_round: Callable[[int], Awaitable[None]] | None = None) -> None:
        self.store = store
        self.node = node
        self.lease_seconds = lease_seconds
        self.on_taken = on_taken
        self.on_round = on_round  # called after each renewal with the round's number (the engine's sweeps)
        self.rounds = 0
        self.taken_over = 0  # executions claimed from nodes whose lease lapsed
        self.rejoined = 0  # times this node found itself judged dead and joined again
        self.renewal_failures = 0

    async def join(self) -> list[int]:
        """Register, then claim what dead nodes left (returned: the caller resumes them as it opens)."""
        await self.store.join(self.node, self.lease_seconds)
        return await self._take_all()

    async def run(self) -> None:
        interval = self.lease_seconds / 4
        while True:
            await asyncio.sleep(interval)
            began = time.monotonic()
            try:
                if not await self.store.renew():
                    # Judged dead (paused longer than the lease): others own what this node held. Its copies
                    # in memory are refused by the store's step key when they act, and reload.
                    self.rejoined += 1
                    log.warning("node %s: the lease had lapsed and was taken over; joining again", self.node)
                    await self.store.join(self.node, self.lease_seconds)
                taken = await self._take_all()
                relisten = getattr(self.store, "relisten", None)
                if relisten is not None and not await relisten():
                    log.warning("node %s: cannot listen for other nodes' notifications; waits poll", self.node)
            except StoreError as error:
                self.renewal_failures += 1
                log.warning("node %s: cannot renew the lease (%s); trying again in %.1f s", self.node, error,
                            interval)
                continue
            if taken:
                log.warning("node %s took over %d executions of nodes whose lease lapsed", self.node, len(taken))
                await self.on_taken(taken)
            self.rounds += 1
            if self.on_round is not None:
                try:
                    await self.on_round(self.rounds)
                except StoreError as error:
                    log.warning("node %s: a sweep could not read the store (%s)", self.node, error)
            took = time.monotonic() - began
            if took > interval:
                log.warning("node %s: renewing the lease took %.1f s (the lease is %.0f s)", self.node, took,
                            self.lease_seconds)

    async def _take_all(self) -> list[int]:
        taken: list[int] = []
        while True:
            page = await self.store.take_over(_PAGE)
            taken += page
            if len(page) < _PAGE:
                self.taken_over += len(taken)
                return taken
