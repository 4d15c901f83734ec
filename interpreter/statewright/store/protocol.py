"""The store protocol: one async interface, implemented for SQLite (the default) and PostgreSQL.

The durable runtime (``runtime/durable``) is the only caller. It decides; the store keeps what was decided.
Every method is a coroutine; an implementation on a blocking driver runs it on threads of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from statewright.store.records import (
    DefinitionRecord,
    DueTimer,
    ExecutionRecord,
    ResourceRecord,
    SchemaInfo,
    StepWrite,
    StoredStep,
    TaskRow,
    TokenOwner,
)


class StoreError(Exception):
    """A store that cannot be opened, read or written; the message says which file or server and why."""


class SchemaTooNew(StoreError):
    """The database was migrated by a newer Statewright: this code refuses to touch it."""


class StoreInUse(StoreError):
    """Another process has this (single-node) store open."""


class ExecutionExists(StoreError):
    """A step created an execution whose ARN is already in the store."""

    def __init__(self, arn: str) -> None:
        super().__init__(f"Execution Already Exists: '{arn}'")
        self.arn = arn


class ResourceExists(StoreError):
    """A resource of that kind and ARN is already in the store."""

    def __init__(self, kind: str, arn: str) -> None:
        super().__init__(f"{kind} already exists: '{arn}'")
        self.kind = kind
        self.arn = arn


class StepConflict(StoreError):
    """Another writer already recorded this step of the execution: this copy of it is stale."""


class Store(Protocol):
    """Where durable executions are kept. See ``store/records.py`` for the records."""

    url: str
    shared: bool  # several processes may open it at once (PostgreSQL): the engine keeps leases on it

    async def open(self, *, migrate: bool = True) -> None:
        """Open (creating and migrating when ``migrate``); raises SchemaTooNew, StoreInUse or StoreError."""
        ...

    async def close(self) -> None: ...

    async def info(self) -> SchemaInfo: ...

    async def migrate(self) -> tuple[int, int]:
        """Apply every migration not applied yet; returns (version before, version after)."""
        ...

    async def allocate_ids(self, count: int) -> range:
        """``count`` execution ids no other caller will get."""
        ...

    # --- leases (a shared store; on a single-owner store these do nothing) ---------------------------------

    async def join(self, node: str, lease_seconds: float) -> None:
        """Register this process as ``node``; from here on the store reads only its timers and open tasks."""
        ...

    async def renew(self) -> bool:
        """Extend the lease; False when the node was judged dead (its row is gone) and must join again."""
        ...

    async def take_over(self, limit: int) -> list[int]:
        """Claim up to ``limit`` RUNNING executions whose owner's lease lapsed; their ids, in id order."""
        ...

    async def leave(self) -> None:
        """End the lease now: the other nodes take this node's executions over at once."""
        ...

    async def put_definition(self, definition: DefinitionRecord) -> None:
        """Keep a definition (a no-op when its hash is known)."""
        ...

    async def definition(self, hash: str) -> DefinitionRecord | None: ...

    async def write(self, batch: Sequence[StepWrite]) -> list[StoreError | None]:
        """Write every step of ``batch`` in one transaction, each under its own savepoint.

        Returns, per step, None when it was written or the error that refused it (ExecutionExists,
        StepConflict); a step refused leaves the others standing. Raises StoreError when the whole
        transaction failed (nothing of the batch was written).
        """
        ...

    async def mark_called(self, execution_id: int, seq: int) -> bool:
        """A .waitForTaskToken resource was called (an activity task handed to a worker): after a restart only
        its token is awaited. True when this call marked it; False when it was marked already (another node
        handed the activity task out first) or has ended."""
        ...

    async def timers_of(self, execution_id: int) -> list[tuple[int, float]]:
        """The execution's timers as ``(seq, due)``: for a node that takes an execution over by advancing it."""
        ...

    async def waiting_activity_tasks(self, name: str, limit: int) -> list[TaskRow]:
        """Open activity tasks of the activity ``name`` that no worker has taken, whichever node queued them."""
        ...

    async def execution(self, arn: str) -> ExecutionRecord | None: ...

    async def execution_by_id(self, execution_id: int) -> ExecutionRecord | None: ...

    async def steps(self, execution_id: int) -> list[StoredStep]: ...

    async def events(self, execution_id: int, *, after_step: int = 0) -> list[StoredStep]:
        """The steps (with their events) after ``after_step``; for reading the history."""
        ...

    async def executions(self, *, machine_name: str | None = None, status: str | None = None,
                         limit: int = 100, before: int | None = None,
                         redriven: bool | None = None, name_prefix: str | None = None) -> list[ExecutionRecord]:
        """Newest first (ids increase with start order); ``before`` is the id of the previous page's last one;
        ``redriven`` keeps only executions redriven at least once (True) or never (False); ``name_prefix``
        only those whose name starts with it (compared exactly, case and all)."""
        ...

    async def due_timers(self, after: tuple[float, int, int] | None, until: float, limit: int) -> list[DueTimer]:
        """Timers due at or before ``until``, past the (due, execution, seq) key ``after``, in due order."""
        ...

    async def open_tasks(self, after: tuple[int, int] | None, limit: int) -> list[TaskRow]:
        """Outstanding task commands in (execution, seq) order, past ``after``: what a restart re-sends."""
        ...

    async def token_owner(self, token: str) -> TokenOwner | None:
        """The execution and task waiting for ``token``; ``seq`` None when that task has ended."""
        ...

    # --- the API's resources (state machines, versions, aliases, activities, tags) -------------------

    async def put_resource(self, record: ResourceRecord, *, replace: bool = False) -> ResourceRecord:
        """Create ``record`` (raises ResourceExists when its kind and ARN are taken, unless ``replace``).
        Returns it with ``created``/``updated`` as stored."""
        ...

    async def resource(self, kind: str, arn: str) -> ResourceRecord | None: ...

    async def resources(self, kind: str, *, parent: str | None = None, after: str | None = None,
                        limit: int = 100) -> list[ResourceRecord]:
        """Resources of ``kind`` (of ``parent`` when given) in ARN order, those after ARN ``after``."""
        ...

    async def update_resource(self, kind: str, arn: str,
                              change: Callable[[ResourceRecord], ResourceRecord]) -> ResourceRecord | None:
        """Read, change and write one resource in one transaction (None: there is none). ``change`` may
        raise to leave it as it was; it runs on the store's writer and must not block."""
        ...

    async def delete_resource(self, kind: str, arn: str) -> bool:
        """Delete one resource; False when there was none."""
        ...
