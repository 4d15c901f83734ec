"""The PostgreSQL store: one database shared by several ``statewright serve`` nodes (docs/deploy.md).

``postgresql://user@host:5432/dbname?schema=statewright&pool_size=10`` (``postgres://`` too). The tables live
in their own schema (``statewright`` unless ``?schema=`` names another), created when missing, so they never
meet an application's tables of the same name. Other query parameters are asyncpg's connection options or
PostgreSQL settings for every connection (``statement_timeout=30000``, ``sslmode=require``, ...).

The driver is asyncpg: on this project's write path, one group commit of 2,000 step rows, it commits in
9.3-9.6 ms where psycopg 3 takes 19.0-20.0 ms (``benchmarks/durable/pg_drivers.py``); one-row reads cost
about the same with both (~100 µs).

One writer per execution, proven by the database: a step is inserted under the primary key (execution,
step), so a node whose copy of an execution is stale is refused the step another node already recorded
(``StepConflict``), whatever the timing. Migrations run under an advisory lock, so nodes that start together
migrate once; a node refuses a database whose schema is newer than it knows, before touching anything.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from statewright.store.migrations import latest, migrations
from statewright.store.postgresql_resources import PostgresResources
from statewright.store.protocol import ExecutionExists, SchemaTooNew, StepConflict, StoreError
from statewright.store.records import (
    DefinitionRecord,
    DueTimer,
    ExecutionRecord,
    SchemaInfo,
    StepWrite,
    StoredStep,
    TaskRow,
    TokenOwner,
)

try:
    import asyncpg

    # What the driver raises when the server is gone, refuses, or times out: a StoreError to our callers.
    _DRIVER_ERRORS: tuple[type[BaseException], ...] = (
        OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)
except ImportError:  # pragma: no cover - the optional dependency is missing
    asyncpg = None
    _DRIVER_ERRORS = ()

DEFAULT_SCHEMA = "statewright"
DEFAULT_POOL_SIZE = 10
# Any number, the same on every node: the advisory lock that lets one node migrate while the others wait.
_MIGRATION_LOCK = 0x5717E_0001
_OWN_OPTIONS = ("schema", "pool_size")
_EXECUTION_COLUMNS = ("id, arn, name, machine_name, machine_arn, definition_hash, workflow_type, status, input, "
                      "output, error, cause, start_date, stop_date, seed, role_arn, redrive_count, version_arn, "
                      "alias_arn, parent_arn, redrive_date")


def parse_postgresql_url(url: str) -> tuple[str, str, int]:
    """``(asyncpg's DSN without our options, schema, pool size)``; a bad option raises StoreError."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = {key: value for key, value in query if key in _OWN_OPTIONS}
    schema = options.get("schema", DEFAULT_SCHEMA)
    if not schema.replace("_", "").isalnum() or schema[0].isdigit():
        raise StoreError(f"{_redacted(url)}: schema must be a plain identifier (letters, digits, _), not {schema!r}")
    try:
        pool_size = int(options.get("pool_size", DEFAULT_POOL_SIZE))
    except ValueError:
        pool_size = 0
    if not 1 <= pool_size <= 1000:
        raise StoreError(f"{_redacted(url)}: pool_size must be a whole number from 1 to 1000")
    rest = urlencode([(key, value) for key, value in query if key not in _OWN_OPTIONS])
    scheme = "postgresql" if parts.scheme in ("postgresql", "postgres") else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, rest, "")), schema, pool_size


def _redacted(url: str) -> str:
    """The URL without its password, for messages and `db info`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _bytes(text: str | bytes | None) -> bytes | None:
    """A JSON text as bytea takes it (the codec writes bytes; a caller may hand a str)."""
    return text.encode() if isinstance(text, str) else text


class PostgresStore(PostgresResources):
    """The store protocol (``store/protocol.py``) on PostgreSQL, shared by every node that opens it."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        if asyncpg is None:
            raise StoreError("a postgresql:// store needs the asyncpg package: pip install 'statewright[postgresql]'")
        self.dsn, self.schema, self.pool_size = parse_postgresql_url(url)
        self.url = _redacted(url)
        self._pool: Any = None
        self.opened_at_version = 0
        # Leases (join/renew/take_over): the node this store speaks for, once it joined.
        self.node: str | None = None
        self.lease_seconds = 10.0
        self._listener: Any = None  # the connection that LISTENs (listen())
        self._listeners: dict[str, Callable[[str], None]] = {}

    shared = True  # several nodes may open this store at once: the engine keeps leases on it

    # --- opening and closing -------------------------------------------------------------------------

    async def open(self, *, migrate: bool = True) -> None:
        try:
            first = await asyncpg.connect(self.dsn, timeout=10)
        except _DRIVER_ERRORS as error:
            raise StoreError(f"cannot connect to {self.url}: {_reason(error)}") from None
        try:
            await self._prepare_schema(first, migrate)
        except asyncpg.PostgresError as error:
            raise StoreError(f"{self.url}: {_reason(error)}") from None
        finally:
            await first.close()
        try:
            self._pool = await asyncpg.create_pool(
                self.dsn, min_size=1, max_size=self.pool_size, timeout=10,
                server_settings={"search_path": self.schema, "application_name": "statewright"})
        except _DRIVER_ERRORS as error:
            raise StoreError(f"cannot connect to {self.url}: {_reason(error)}") from None

    async def _prepare_schema(self, connection: Any, migrate: bool) -> None:
        """Check the schema version and migrate under the advisory lock (the first node migrates, the rest wait)."""
        await connection.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
        try:
            version = self.opened_at_version = await self._version(connection)
            target = latest(self.dialect)
            if version > target:
                raise SchemaTooNew(
                    f"{self.url} (schema {self.schema}) has schema version {version}, newer than this Statewright "
                    f"knows ({target}): it was written by a newer release. Upgrade this node; the database was "
                    "not changed.")
            if version < target:
                if not migrate:
                    raise StoreError(f"{self.url} (schema {self.schema}) has schema version {version}; this "
                                     f"Statewright needs {target}: run `statewright db migrate`")
                await self._apply_migrations(connection, version)
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)

    async def _version(self, connection: Any) -> int:
        exists = await connection.fetchval(
            "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = 'statewright_schema'",
            self.schema)
        if not exists:
            return 0
        return int(await connection.fetchval(f'SELECT max(version) FROM "{self.schema}".statewright_schema') or 0)

    async def _apply_migrations(self, connection: Any, version: int) -> None:
        for migration in migrations(self.dialect)[version:]:
            async with connection.transaction():
                await connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                await connection.execute(f'SET LOCAL search_path TO "{self.schema}"')
                if migration.version == 1:
                    await connection.execute("CREATE TABLE statewright_schema (version integer PRIMARY KEY, "
                                             "name text NOT NULL, applied double precision NOT NULL)")
                await connection.execute(migration.sql)
                await connection.execute("INSERT INTO statewright_schema (version, name, applied) VALUES ($1, $2, $3)",
                                         migration.version, migration.name, time.time())

    async def migrate(self) -> tuple[int, int]:
        async with self._acquire() as connection:
            before = await self._version(connection)
            await self._prepare_schema(connection, True)
            return before, await self._version(connection)

    async def close(self) -> None:
        if self._listener is not None:
            listener, self._listener = self._listener, None
            with contextlib.suppress(*_DRIVER_ERRORS):
                await listener.close()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    # --- wake-ups ----------------------------------------------------------------------------------------

    def channel(self, topic: str) -> str:
        """The NOTIFY channel of ``topic`` for this store's schema (stores in other schemas stay apart)."""
        return f"sw_{topic}_{self.schema}"[:63]

    async def listen(self, topic: str, callback: Callable[[str], None]) -> None:
        """Call ``callback(payload)`` for each notification on ``topic`` (``ended``: ids of executions that
        ended, comma-separated; ``activity``: the name of an activity that has a new task), from any node.
        A lost listening connection is opened again by :meth:`relisten`; callers keep a slow poll besides."""
        self._listeners[self.channel(topic)] = callback
        if self._listener is None:
            self._listener = await asyncpg.connect(self.dsn, timeout=10)
        await self._listener.add_listener(self.channel(topic), self._notified)

    async def relisten(self) -> bool:
        """Open the listening connection again if it was lost; True when it is listening."""
        if self._listener is not None and not self._listener.is_closed():
            return True
        try:
            self._listener = await asyncpg.connect(self.dsn, timeout=10)
            for channel in self._listeners:
                await self._listener.add_listener(channel, self._notified)
        except _DRIVER_ERRORS:
            self._listener = None
            return False
        return True

    def _notified(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        callback = self._listeners.get(channel)
        if callback is not None:
            callback(payload)

    # --- connections -----------------------------------------------------------------------------------

    def _acquire(self) -> Any:
        if self._pool is None:
            raise StoreError(f"the store {self.url} is closed")
        return _Translated(self._pool.acquire(), self.url)

    async def _fetch(self, sql: str, *parameters: Any) -> list[Any]:
        async with self._acquire() as connection:
            return list(await connection.fetch(sql, *parameters))

    async def _transaction(self, statements: Callable[[Any], Any]) -> Any:
        """Run the coroutine function ``statements(connection)`` in one transaction."""
        async with self._acquire() as connection, connection.transaction():
            return await statements(connection)

    # --- leases ----------------------------------------------------------------------------------------

    async def join(self, node: str, lease_seconds: float) -> None:
        """Register ``node`` with a lease of ``lease_seconds`` (database time); its new executions are its own."""
        self.node, self.lease_seconds = node, lease_seconds
        async with self._acquire() as connection:
            await connection.execute(
                f"INSERT INTO nodes (id, started, lease_until) VALUES ($1, {_NOW}, {_NOW} + $2) "
                "ON CONFLICT (id) DO UPDATE SET lease_until = EXCLUDED.lease_until", node, lease_seconds)

    async def renew(self) -> bool:
        """Extend this node's lease; False when its row is gone (other nodes judged it dead and took over)."""
        async with self._acquire() as connection:
            renewed = await connection.fetchval(
                f"UPDATE nodes SET lease_until = {_NOW} + $2 WHERE id = $1 RETURNING 1", self.node, self.lease_seconds)
        return renewed is not None

    async def take_over(self, limit: int) -> list[int]:
        """Claim up to ``limit`` RUNNING executions whose owner's lease has lapsed (or that have none).

        ``FOR UPDATE SKIP LOCKED``: nodes that look at once claim different executions, none twice. Nodes dead
        for an hour are forgotten.
        """
        async def run(connection: Any) -> list[int]:
            rows = await connection.fetch(
                "WITH orphans AS (SELECT e.id FROM executions e WHERE e.status = 'RUNNING' "
                "AND e.owner IS DISTINCT FROM $1 AND NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = e.owner "
                f"AND n.lease_until > {_NOW}) ORDER BY e.id LIMIT $2 FOR UPDATE OF e SKIP LOCKED) "
                "UPDATE executions SET owner = $1 FROM orphans WHERE executions.id = orphans.id "
                "RETURNING executions.id", self.node, limit)
            await connection.execute(f"DELETE FROM nodes WHERE lease_until < {_NOW} - 3600")
            return sorted(row[0] for row in rows)

        taken: list[int] = await self._transaction(run)
        return taken

    async def leave(self) -> None:
        """This node stops: its lease ends now, so the other nodes take its executions over at once."""
        if self.node is None or self._pool is None:
            return
        async with self._acquire() as connection:
            await connection.execute("DELETE FROM nodes WHERE id = $1", self.node)

    # --- writing ---------------------------------------------------------------------------------------

    async def allocate_ids(self, count: int) -> range:
        async def run(connection: Any) -> range:
            end = await connection.fetchval(
                "UPDATE counters SET value = value + $1 WHERE name = 'execution_id' RETURNING value", count)
            return range(end - count + 1, end + 1)

        allocated: range = await self._transaction(run)
        return allocated

    async def put_definition(self, definition: DefinitionRecord) -> None:
        async with self._acquire() as connection:
            await connection.execute(_INSERT_DEFINITION, definition.hash, definition.text, definition.workflow_type,
                                     definition.machine_name, time.time())

    async def write(self, batch: Sequence[StepWrite]) -> list[StoreError | None]:
        async def run(connection: Any) -> list[StoreError | None]:
            outcome = await _write_batch(connection, batch, self.node)
            await self._notify(connection, batch, outcome)
            return outcome

        return list(await self._transaction(run))

    async def _notify(self, connection: Any, batch: Sequence[StepWrite], outcome: list[StoreError | None]) -> None:
        """Tell the other nodes, on commit (NOTIFY is transactional), which executions ended and which
        activities got a task: their waiters and long polls wake without polling."""
        ended = [str(w.execution_id) for w, error in zip(batch, outcome, strict=True)
                 if error is None and w.ending is not None]
        activities = {task.resource.rsplit(":activity:", 1)[1] for w, error in zip(batch, outcome, strict=True)
                      if error is None and w.tasks_added for task in w.tasks_added if ":activity:" in task.resource}
        for start in range(0, len(ended), 500):  # a payload holds under 8,000 bytes: 500 ids a notification
            await connection.execute("SELECT pg_notify($1, $2)", self.channel("ended"),
                                     ",".join(ended[start:start + 500]))
        for name in activities:
            await connection.execute("SELECT pg_notify($1, $2)", self.channel("activity"), name)

    async def mark_called(self, execution_id: int, seq: int) -> bool:
        async with self._acquire() as connection:
            marked = await connection.fetchval(
                "UPDATE tasks SET called = 1 WHERE execution_id = $1 AND seq = $2 AND called = 0 RETURNING 1",
                execution_id, seq)
        return marked is not None

    async def timers_of(self, execution_id: int) -> list[tuple[int, float]]:
        return [(row[0], row[1]) for row in
                await self._fetch("SELECT seq, due FROM timers WHERE execution_id = $1", execution_id)]

    async def waiting_activity_tasks(self, name: str, limit: int) -> list[TaskRow]:
        suffix = f":activity:{name}"
        rows = await self._fetch(
            "SELECT execution_id, seq, state, resource, payload, attempt, token, idempotency_key, credentials, "
            "heartbeat_seconds, timeout_seconds, called FROM tasks WHERE called = 0 AND token IS NOT NULL "
            "AND right(resource, $1) = $2 ORDER BY execution_id, seq LIMIT $3", len(suffix), suffix, limit)
        return [TaskRow(*row[:-1], called=bool(row[-1])) for row in rows]

    # --- reading ---------------------------------------------------------------------------------------

    async def definition(self, hash: str) -> DefinitionRecord | None:
        rows = await self._fetch("SELECT hash, text, workflow_type, machine_name FROM definitions WHERE hash = $1",
                                 hash)
        return DefinitionRecord(*rows[0]) if rows else None

    async def execution(self, arn: str) -> ExecutionRecord | None:
        rows = await self._fetch(f"SELECT {_EXECUTION_COLUMNS} FROM executions WHERE arn = $1", arn)
        return ExecutionRecord(*rows[0]) if rows else None

    async def execution_by_id(self, execution_id: int) -> ExecutionRecord | None:
        rows = await self._fetch(f"SELECT {_EXECUTION_COLUMNS} FROM executions WHERE id = $1", execution_id)
        return ExecutionRecord(*rows[0]) if rows else None

    async def steps(self, execution_id: int) -> list[StoredStep]:
        return await self.events(execution_id)

    async def events(self, execution_id: int, *, after_step: int = 0) -> list[StoredStep]:
        rows = await self._fetch(
            "SELECT step, first_event, input, events, event_count FROM steps WHERE execution_id = $1 AND step > $2 "
            "ORDER BY step", execution_id, after_step)
        return [StoredStep(*row) for row in rows]

    async def executions(self, *, machine_name: str | None = None, status: str | None = None,
                         limit: int = 100, before: int | None = None,
                         redriven: bool | None = None, name_prefix: str | None = None) -> list[ExecutionRecord]:
        where: list[str] = []
        parameters: list[Any] = []
        if name_prefix:  # starts_with, not LIKE: a prefix holding % or _ means itself
            parameters.append(name_prefix)
            where.append(f"starts_with(name, ${len(parameters)})")
        if redriven is not None:
            where.append("redrive_count > 0" if redriven else "redrive_count = 0")
        for column, value in (("machine_name =", machine_name), ("status =", status), ("id <", before)):
            if value is not None:
                parameters.append(value)
                where.append(f"{column} ${len(parameters)}")
        parameters.append(limit)
        sql = (f"SELECT {_EXECUTION_COLUMNS} FROM executions {'WHERE ' + ' AND '.join(where) if where else ''} "
               f"ORDER BY id DESC LIMIT ${len(parameters)}")
        return [ExecutionRecord(*row) for row in await self._fetch(sql, *parameters)]

    async def due_timers(self, after: tuple[float, int, int] | None, until: float, limit: int) -> list[DueTimer]:
        """The timers of the executions this node owns (all of them before it joined)."""
        after = after or (-math.inf, 0, 0)
        rows = await self._fetch(
            "SELECT t.due, t.execution_id, t.seq FROM timers t JOIN executions e ON e.id = t.execution_id "
            "WHERE (t.due, t.execution_id, t.seq) > ($1, $2, $3) AND t.due <= $4 "
            "AND ($6::text IS NULL OR e.owner = $6) ORDER BY t.due, t.execution_id, t.seq LIMIT $5",
            *after, until, limit, self.node)
        return [DueTimer(*row) for row in rows]

    async def open_tasks(self, after: tuple[int, int] | None, limit: int) -> list[TaskRow]:
        after = after or (0, 0)
        rows = await self._fetch(  # the tasks of the executions this node owns (all of them before it joined)
            "SELECT t.execution_id, t.seq, t.state, t.resource, t.payload, t.attempt, t.token, t.idempotency_key, "
            "t.credentials, t.heartbeat_seconds, t.timeout_seconds, t.called FROM tasks t JOIN executions e "
            "ON e.id = t.execution_id WHERE (t.execution_id, t.seq) > ($1, $2) AND ($4::text IS NULL OR "
            "e.owner = $4) ORDER BY t.execution_id, t.seq LIMIT $3", *after, limit, self.node)
        return [TaskRow(*row[:-1], called=bool(row[-1])) for row in rows]

    async def token_owner(self, token: str) -> TokenOwner | None:
        async with self._acquire() as connection:
            row = await connection.fetchrow("SELECT execution_id, seq FROM tasks WHERE token = $1", token)
            if row is not None:
                return TokenOwner(*row)
            ended = await connection.fetchval("SELECT execution_id FROM ended_tokens WHERE token = $1", token)
            return TokenOwner(ended, None) if ended is not None else None

    async def info(self) -> SchemaInfo:
        async with self._acquire() as connection:
            statuses = {row[0]: row[1] for row in
                        await connection.fetch("SELECT status, count(*) FROM executions GROUP BY status")}
            counts = [int(await connection.fetchval(f"SELECT count(*) FROM {table}"))
                      for table in ("timers", "tasks", "definitions")]
            settings = {"server_version": str(await connection.fetchval("SHOW server_version")),
                        "synchronous_commit": str(await connection.fetchval("SHOW synchronous_commit")),
                        "schema": self.schema, "pool_size": str(self.pool_size)}
            version = await self._version(connection)
        return SchemaInfo(self.url, self.dialect, version, latest(self.dialect), statuses, *counts, settings)


class _Translated:
    """``pool.acquire()`` whose driver errors come out as StoreError naming the server (the protocol's promise)."""

    __slots__ = ("_acquiring", "_url")

    def __init__(self, acquiring: Any, url: str) -> None:
        self._acquiring = acquiring
        self._url = url

    async def __aenter__(self) -> Any:
        try:
            return await self._acquiring.__aenter__()
        except _DRIVER_ERRORS as error:
            raise StoreError(f"{self._url}: {_reason(error)}") from error

    async def __aexit__(self, kind: Any, error: Any, traceback: Any) -> bool:
        await self._acquiring.__aexit__(kind, error, traceback)
        if isinstance(error, _DRIVER_ERRORS):
            raise StoreError(f"{self._url}: {_reason(error)}") from error
        return False


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


# --- the writer's statements ------------------------------------------------------------------------------

_INSERT_DEFINITION = ("INSERT INTO definitions (hash, text, workflow_type, machine_name, created) "
                      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
_INSERT_EXECUTION = (
    "INSERT INTO executions (id, arn, name, machine_name, machine_arn, definition_hash, workflow_type, status, "
    "input, start_date, seed, role_arn, redrive_count, version_arn, alias_arn, parent_arn, owner) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, 'RUNNING', $8, $9, $10, $11, $12, $13, $14, $15, $16)")
# The node that records a step of an execution owns it from then on (its timers and tasks are that node's).
_OWN = "UPDATE executions SET owner = $1 WHERE id = ANY($2::bigint[]) AND owner IS DISTINCT FROM $1"
_NOW = "extract(epoch FROM clock_timestamp())"  # the database's clock: the nodes' clocks need not agree
_INSERT_STEP = ("INSERT INTO steps (execution_id, step, first_event, event_count, input, events) "
                "VALUES ($1, $2, $3, $4, $5, $6)")
_INSERT_TIMER = ("INSERT INTO timers (execution_id, seq, due) VALUES ($1, $2, $3) "
                 "ON CONFLICT (execution_id, seq) DO UPDATE SET due = EXCLUDED.due")
_DELETE_TIMER = "DELETE FROM timers WHERE execution_id = $1 AND seq = $2"
_INSERT_TASK = (
    "INSERT INTO tasks (execution_id, seq, state, resource, payload, attempt, token, idempotency_key, credentials, "
    "heartbeat_seconds, timeout_seconds, called) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
_END_TASK_TOKEN = ("INSERT INTO ended_tokens (token, execution_id) SELECT token, execution_id FROM tasks "
                   "WHERE execution_id = $1 AND seq = $2 AND token IS NOT NULL ON CONFLICT DO NOTHING")
_DELETE_TASK = "DELETE FROM tasks WHERE execution_id = $1 AND seq = $2"
_REOPEN_EXECUTION = ("UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, "
                     "stop_date = NULL, redrive_count = redrive_count + 1, redrive_date = $1 WHERE id = $2")
_END_EXECUTION = "UPDATE executions SET status = $1, output = $2, error = $3, cause = $4, stop_date = $5 WHERE id = $6"
_END_TIMERS = "DELETE FROM timers WHERE execution_id = $1"
_END_TOKENS = ("INSERT INTO ended_tokens (token, execution_id) SELECT token, execution_id FROM tasks "
               "WHERE execution_id = $1 AND token IS NOT NULL ON CONFLICT DO NOTHING")
_END_TASKS = "DELETE FROM tasks WHERE execution_id = $1"


def _rows(batch: Sequence[StepWrite], node: str | None) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """The statements of a batch with their rows, in the order SQLite's store writes them (store/sqlite.py)."""
    definitions: list[tuple[Any, ...]] = []
    executions: list[tuple[Any, ...]] = []
    steps: list[tuple[Any, ...]] = []
    reopened: list[tuple[Any, ...]] = []
    timers: list[tuple[Any, ...]] = []
    untimers: list[tuple[Any, ...]] = []
    tasks: list[tuple[Any, ...]] = []
    untasks: list[tuple[Any, ...]] = []
    tokens: list[tuple[Any, ...]] = []
    endings: list[tuple[Any, ...]] = []
    ended: list[tuple[Any, ...]] = []
    for write in batch:
        key = write.execution_id
        if write.definition is not None:
            record = write.definition
            definitions.append((record.hash, record.text, record.workflow_type, record.machine_name, time.time()))
        new = write.new
        if new is not None:
            executions.append((new.id, new.arn, new.name, new.machine_name, new.machine_arn, new.definition_hash,
                               new.workflow_type, _bytes(new.input), new.start_date, new.seed, new.role_arn,
                               new.redrive_count, new.version_arn, new.alias_arn, new.parent_arn, node))
        steps.append((key, write.step, write.first_event, write.event_count, _bytes(write.input),
                      _bytes(write.events)))
        if write.redrive is not None:
            reopened.append((write.redrive, key))
        if write.timers_added:
            timers += [(key, seq, due) for seq, due in write.timers_added]
        if write.timers_removed:
            untimers += [(key, seq) for seq in write.timers_removed]
        if write.tasks_added:
            tasks += [(key, task.seq, task.state, task.resource, _bytes(task.payload), task.attempt, task.token,
                       task.idempotency_key, _bytes(task.credentials), task.heartbeat_seconds, task.timeout_seconds,
                       int(task.called)) for task in write.tasks_added]
        if write.tasks_removed:
            untasks += [(key, seq) for seq in write.tasks_removed]
            if write.token_tasks_removed:
                tokens += [(key, seq) for seq in write.token_tasks_removed]
        ending = write.ending
        if ending is not None:
            endings.append((ending.status, _bytes(ending.output), ending.error, ending.cause, ending.stop_date, key))
            if ending.leftovers:
                ended.append((key,))
    return [(_INSERT_DEFINITION, definitions), (_INSERT_EXECUTION, executions), (_INSERT_STEP, steps),
            (_REOPEN_EXECUTION, reopened), (_INSERT_TIMER, timers), (_INSERT_TASK, tasks),
            (_DELETE_TIMER, untimers), (_END_TASK_TOKEN, tokens), (_DELETE_TASK, untasks),
            (_END_EXECUTION, endings), (_END_TIMERS, ended), (_END_TOKENS, ended), (_END_TASKS, ended)]


async def _write_together(connection: Any, batch: Sequence[StepWrite], node: str | None) -> None:
    for statement, rows in _rows(batch, node):
        if rows:
            await connection.executemany(statement, rows)
    if node is not None:
        continuing = [write.execution_id for write in batch if write.new is None]
        if continuing:
            await connection.execute(_OWN, node, continuing)


async def _write_batch(connection: Any, batch: Sequence[StepWrite], node: str | None) -> list[StoreError | None]:
    try:
        async with connection.transaction():  # a savepoint: the common case writes the batch at once
            await _write_together(connection, batch, node)
    except asyncpg.UniqueViolationError:
        refused: set[int] = set()  # executions with a refused step: their later steps are refused too
        return [await _write_alone(connection, write, refused, node) for write in batch]
    return [None] * len(batch)


async def _write_alone(connection: Any, write: StepWrite, refused: set[int], node: str | None) -> StoreError | None:
    """One step under its own savepoint; after a refused step, that execution's later steps are refused too."""
    if write.execution_id in refused:
        return StepConflict(f"step {write.step} follows a step that was not recorded")
    try:
        async with connection.transaction():
            await _write_together(connection, [write], node)
    except asyncpg.UniqueViolationError as error:
        refused.add(write.execution_id)
        if write.new is not None and error.constraint_name == "executions_arn_key":
            return ExecutionExists(write.new.arn)
        return StepConflict(f"step {write.step} of execution {write.execution_id} is already recorded "
                            f"({error.constraint_name})")
    return None
