"""Execution ids, handed out from blocks the store allocates: one write per block, not one per start.

The next block is asked for while a quarter of the current one is left, so a steady stream of starts never
waits; a burst that empties the block waits for the one allocation in flight, however many starts wait.
"""

from __future__ import annotations

import asyncio

from statewright.store.protocol import Store


class IdBlocks:
    """Ids from ``store.allocate_ids(block)``, handed out in increasing order."""

    def __init__(self, store: Store, block: int) -> None:
        self.store = store
        self.block = block
        self._ids: list[int] = []  # handed out from the end
        self._allocating: asyncio.Future[range] | None = None
        self._taken: asyncio.Future[range] | None = None  # the allocation whose ids are in _ids already

    async def open(self) -> None:
        """The first block, before anything starts."""
        self._ids = list(reversed(await self.store.allocate_ids(self.block)))

    def __bool__(self) -> bool:
        """An id is at hand (:meth:`take` needs no wait)."""
        return bool(self._ids)

    def take(self) -> int:
        """The next id; one must be at hand. Asks for the next block when this one runs low."""
        if len(self._ids) < self.block // 4 and self._allocating is None:
            self._allocate()
        return self._ids.pop()

    async def wait(self) -> None:
        """Return once an id is at hand."""
        while not self._ids:
            allocating = self._allocate()
            await asyncio.shield(allocating)
            # Now, not in the done callback: that one runs on a later turn of the loop, and a caller looping
            # until ids are there would await the same finished future again and again without yielding.
            self._allocated(allocating)

    def _allocate(self) -> asyncio.Future[range]:
        """The allocation of a fresh block (one at a time, however many starts wait for it)."""
        allocating = self._allocating
        if allocating is None:
            allocating = self._allocating = asyncio.ensure_future(self.store.allocate_ids(self.block))
            allocating.add_done_callback(self._allocated)
        return allocating

    def _allocated(self, allocating: asyncio.Future[range]) -> None:
        """Take a finished allocation's ids, once (its done callback, or whoever awaited it first)."""
        if self._allocating is allocating:
            self._allocating = None
        if allocating is self._taken:
            return
        self._taken = allocating
        if not allocating.cancelled() and allocating.exception() is None:
            self._ids[:0] = reversed(allocating.result())  # used after the ones left
