"""The SQLite store: the embedded default (``statewright.db`` in the working directory).

Settings, and what they mean for durability (docs/durability.md):

* ``journal_mode=WAL``: readers never wait for the writer; a commit appends to the write-ahead log.
* ``synchronous=FULL`` (the default here): every commit fsyncs the log before it returns, so a commit the
  engine acknowledged survives a power loss. ``synchronous=NORMAL`` (``?synchronous=normal`` in the URL)
  skips that fsync: a process crash still loses nothing, a power loss can lose the last commits.
* ``busy_timeout``: a reader that meets a checkpoint waits instead of failing.
* ``wal_autocheckpoint=10000`` pages: the log is copied into the database file every ~40 MB, not every 4 MB.

One process owns a database file at a time (an advisory ``flock`` on the file, released by the kernel when
the process dies, even by SIGKILL); a second one is refused with StoreInUse.

Two connections: the writer and a reader. A write transaction (one per batch of steps: group commit) runs
its statements on the event loop's thread, where they only fill pages in memory (a few milliseconds for
thousands of steps), and its COMMIT, which waits for the disk, on a thread of the store's own. Reads run
on the event loop's thread too, on the reader connection (which sees only committed data). Running
statements on threads was tried first and was several times slower under load: every row, and every read,
hands the interpreter lock between two threads, and each hand-over can wait out the 5 ms switch interval
while the event loop is busy. A read that must go to the disk blocks the loop for that long; the pages
of a store in use are in the operating system's cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

from statewright.store.migrations import latest, migrations
from statewright.store.protocol import ExecutionExists, SchemaTooNew, StepConflict, StoreError, StoreInUse
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
from statewright.store.sqlite_resources import SqliteResources

try:  # POSIX; elsewhere the single-owner check is skipped (docs/durability.md says so)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

T = TypeVar("T")

DEFAULT_PATH = "statewright.db"
_SQLITE_HEADER = b"SQLite format 3\x00"
_SYNCHRONOUS = ("FULL", "NORMAL", "EXTRA")
_EXECUTION_COLUMNS = ("id, arn, name, machine_name, machine_arn, definition_hash, workflow_type, status, input, "
                      "output, error, cause, start_date, stop_date, seed, role_arn, redrive_count, version_arn, "
                      "alias_arn, parent_arn, redrive_date")


def parse_sqlite_url(url: str) -> tuple[str, dict[str, str]]:
    """``sqlite:///relative.db``, ``sqlite:////absolute.db``, or a plain path -> (path, options)."""
    if not url.startswith("sqlite:"):
        return url, {}
    parts = urlsplit(url)
    path = unquote(parts.path)
    if url.startswith("sqlite:///"):
        path = path[1:]  # sqlite:///relative.db -> relative.db, sqlite:////abs.db -> /abs.db
    options = {key.lower(): values[-1] for key, values in parse_qs(parts.query).items()}
    if not path:
        raise StoreError(f"the database URL {url!r} names no file (write sqlite:///statewright.db)")
    return path, options


class SqliteStore(SqliteResources):
    """The store protocol (``store/protocol.py``) on one SQLite file."""

    dialect = "sqlite"
    shared = False  # one process owns the file (the flock): it owns every execution, no leases

    async def join(self, node: str, lease_seconds: float) -> None:
        return None

    async def renew(self) -> bool:
        return True

    async def take_over(self, limit: int) -> list[int]:
        return []

    async def leave(self) -> None:
        return None

    def __init__(self, url: str = DEFAULT_PATH) -> None:
        path, options = parse_sqlite_url(url)
        self.url = url
        self.path = path
        synchronous = options.get("synchronous", "full").upper()
        if synchronous not in _SYNCHRONOUS:
            raise StoreError(f"{url}: synchronous must be one of {', '.join(s.lower() for s in _SYNCHRONOUS)}")
        self.synchronous = synchronous
        self._lock_fd: int | None = None
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._write_thread: ThreadPoolExecutor | None = None
        self._write_lock = asyncio.Lock()
        self.opened_at_version = 0  # the schema version found when the store was opened (before migrating)

    # --- opening and closing -------------------------------------------------------------------------

    async def open(self, *, migrate: bool = True) -> None:
        self._write_thread = ThreadPoolExecutor(1, thread_name_prefix="statewright-sqlite-writer")
        try:
            await self._on_writer(self._open_writer, migrate)
            self._open_reader()
        except BaseException:
            await self.close()
            raise

    def _open_writer(self, migrate: bool) -> None:
        path = Path(self.path)
        if path.is_dir():
            raise StoreError(f"cannot open {self.path}: it is a directory")
        if path.exists():
            self._check_header(path)
        self._take_lock(path)
        self._writer = connection = self._connect()
        try:
            version = self.opened_at_version = self._version(connection)  # before anything writes to the file
            target = latest(self.dialect)
            if version > target:
                raise SchemaTooNew(
                    f"{self.path} has schema version {version}, newer than this Statewright knows ({target}): it "
                    "was written by a newer release. Upgrade Statewright; the database was not changed.")
            if version < target:
                if not migrate:
                    raise StoreError(f"{self.path} has schema version {version}; this Statewright needs {target}: "
                                     "run `statewright db migrate`")
                connection.execute("PRAGMA journal_mode=WAL")
                self._apply_migrations(connection, version)
            connection.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as error:
            raise StoreError(f"cannot open {self.path}: {error} (the file was not changed)") from None

    def _check_header(self, path: Path) -> None:
        try:
            with path.open("rb") as file:
                header = file.read(len(_SQLITE_HEADER))
        except OSError as error:
            raise StoreError(f"cannot open {self.path}: {error.strerror or error}") from None
        if header and header != _SQLITE_HEADER:
            raise StoreError(f"cannot open {self.path}: it is not a SQLite database (the file was not changed)")

    def _take_lock(self, path: Path) -> None:
        if fcntl is None or self.path == ":memory:":
            return
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreError(f"cannot open {self.path}: {error.strerror or error}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StoreInUse(f"{self.path} is open in another Statewright process; one process owns a SQLite "
                             "store at a time: stop that process, or give this one another --db file") from None
        self._lock_fd = fd

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=10000")
        connection.execute(f"PRAGMA synchronous={self.synchronous}")
        # Checkpoint every ~40 MB of log rather than SQLite's 4 MB: a checkpoint runs inside the commit that
        # crosses the mark and writes and fsyncs the database file, which tripled those commits' latency.
        connection.execute("PRAGMA wal_autocheckpoint=10000")
        return connection

    def _open_reader(self) -> None:
        self._reader = self._connect()

    @staticmethod
    def _version(connection: sqlite3.Connection) -> int:
        exists = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'statewright_schema'").fetchone()
        if not exists:
            tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if tables:
                raise StoreError("it is a SQLite database, but not a Statewright store (the file was not changed)")
            return 0
        return int(connection.execute("SELECT max(version) FROM statewright_schema").fetchone()[0] or 0)

    def _apply_migrations(self, connection: sqlite3.Connection, version: int) -> None:
        for migration in migrations(self.dialect)[version:]:
            connection.execute("BEGIN IMMEDIATE")
            try:
                if migration.version == 1:
                    connection.execute("CREATE TABLE statewright_schema (version INTEGER PRIMARY KEY, "
                                       "name TEXT NOT NULL, applied REAL NOT NULL)")
                for statement in _statements(migration.sql):
                    connection.execute(statement)
                connection.execute("INSERT INTO statewright_schema (version, name, applied) VALUES (?, ?, ?)",
                                   (migration.version, migration.name, time.time()))
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    async def migrate(self) -> tuple[int, int]:
        def run() -> tuple[int, int]:
            assert self._writer is not None
            before = self._version(self._writer)
            self._apply_migrations(self._writer, before)
            return before, self._version(self._writer)

        return await self._on_writer(run)

    async def close(self) -> None:
        async with self._write_lock:  # a transaction under way ends first
            if self._reader is not None:
                self._reader.close()
                self._reader = None
            if self._writer is not None and self._write_thread is not None:
                with contextlib.suppress(Exception):
                    await asyncio.get_running_loop().run_in_executor(self._write_thread, self._writer.close)
            self._writer = None
            if self._write_thread is not None:
                self._write_thread.shutdown(wait=True)
            self._write_thread = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    # --- threads ---------------------------------------------------------------------------------------

    async def _on_writer(self, function: Callable[..., T], *args: Any) -> T:
        return await self._on(self._write_thread, function, *args)

    async def _on_reader(self, function: Callable[..., T], *args: Any) -> T:
        if self._reader is None:
            raise StoreError(f"the store {self.url} is closed")
        try:
            return function(*args)
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: {type(error).__name__}: {error}") from error

    async def _on(self, pool: ThreadPoolExecutor | None, function: Callable[..., T], *args: Any) -> T:
        if pool is None:
            raise StoreError(f"the store {self.url} is closed")
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, function, *args)
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: {type(error).__name__}: {error}") from error

    def _read(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        assert self._reader is not None
        return self._reader.execute(sql, parameters).fetchall()

    # --- writing ---------------------------------------------------------------------------------------

    async def _transaction(self, statements: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``statements`` in one write transaction: on this thread, then COMMIT on the writer thread."""
        async with self._write_lock:
            connection = self._writer
            if connection is None:
                raise StoreError(f"the store {self.url} is closed")
            try:
                connection.execute("BEGIN IMMEDIATE")
                try:
                    result = statements(connection)
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
            except sqlite3.Error as error:
                raise StoreError(f"{self.path}: {type(error).__name__}: {error}") from error
            try:
                await self._on_writer(connection.execute, "COMMIT")
            except BaseException:
                if connection.in_transaction:
                    await self._on_writer(connection.execute, "ROLLBACK")
                raise
            return result

    async def allocate_ids(self, count: int) -> range:
        def run(connection: sqlite3.Connection) -> range:
            (end,) = connection.execute(
                "UPDATE counters SET value = value + ? WHERE name = 'execution_id' RETURNING value",
                (count,)).fetchone()
            return range(end - count + 1, end + 1)

        return await self._transaction(run)

    async def put_definition(self, definition: DefinitionRecord) -> None:
        await self._transaction(lambda connection: connection.execute(
            "INSERT OR IGNORE INTO definitions (hash, text, workflow_type, machine_name, created) "
            "VALUES (?, ?, ?, ?, ?)",
            (definition.hash, definition.text, definition.workflow_type, definition.machine_name, time.time())))

    async def write(self, batch: Sequence[StepWrite]) -> list[StoreError | None]:
        return await self._transaction(partial(_write_batch, batch=batch))

    async def mark_called(self, execution_id: int, seq: int) -> bool:
        cursor = await self._transaction(lambda connection: connection.execute(
            "UPDATE tasks SET called = 1 WHERE execution_id = ? AND seq = ? AND called = 0", (execution_id, seq)))
        return bool(cursor.rowcount)

    async def timers_of(self, execution_id: int) -> list[tuple[int, float]]:
        return [(seq, due) for seq, due in await self._on_reader(
            self._read, "SELECT seq, due FROM timers WHERE execution_id = ?", (execution_id,))]

    async def waiting_activity_tasks(self, name: str, limit: int) -> list[TaskRow]:
        suffix = f":activity:{name}"
        rows = await self._on_reader(
            self._read,
            "SELECT execution_id, seq, state, resource, payload, attempt, token, idempotency_key, credentials, "
            "heartbeat_seconds, timeout_seconds, called FROM tasks WHERE called = 0 AND token IS NOT NULL "
            "AND substr(resource, -?) = ? ORDER BY execution_id, seq LIMIT ?", (len(suffix), suffix, limit))
        return [TaskRow(*row[:-1], called=bool(row[-1])) for row in rows]

    # --- reading ---------------------------------------------------------------------------------------

    async def definition(self, hash: str) -> DefinitionRecord | None:
        rows = await self._on_reader(
            self._read, "SELECT hash, text, workflow_type, machine_name FROM definitions WHERE hash = ?", (hash,))
        return DefinitionRecord(*rows[0]) if rows else None

    async def execution(self, arn: str) -> ExecutionRecord | None:
        rows = await self._on_reader(self._read, f"SELECT {_EXECUTION_COLUMNS} FROM executions WHERE arn = ?", (arn,))
        return ExecutionRecord(*rows[0]) if rows else None

    async def execution_by_id(self, execution_id: int) -> ExecutionRecord | None:
        rows = await self._on_reader(
            self._read, f"SELECT {_EXECUTION_COLUMNS} FROM executions WHERE id = ?", (execution_id,))
        return ExecutionRecord(*rows[0]) if rows else None

    async def steps(self, execution_id: int) -> list[StoredStep]:
        return await self.events(execution_id)

    async def events(self, execution_id: int, *, after_step: int = 0) -> list[StoredStep]:
        rows = await self._on_reader(
            self._read,
            "SELECT step, first_event, input, events, event_count FROM steps WHERE execution_id = ? AND step > ? "
            "ORDER BY step", (execution_id, after_step))
        return [StoredStep(*row) for row in rows]

    async def executions(self, *, machine_name: str | None = None, status: str | None = None,
                         limit: int = 100, before: int | None = None,
                         redriven: bool | None = None, name_prefix: str | None = None) -> list[ExecutionRecord]:
        where, parameters = [], []
        if name_prefix:  # substr, not LIKE: a prefix holding % or _ means itself
            where.append("substr(name, 1, ?) = ?")
            parameters += [len(name_prefix), name_prefix]
        if redriven is not None:
            where.append("redrive_count > 0" if redriven else "redrive_count = 0")
        if machine_name is not None:
            where.append("machine_name = ?")
            parameters.append(machine_name)
        if status is not None:
            where.append("status = ?")
            parameters.append(status)
        if before is not None:
            where.append("id < ?")
            parameters.append(before)
        sql = (f"SELECT {_EXECUTION_COLUMNS} FROM executions {'WHERE ' + ' AND '.join(where) if where else ''} "
               "ORDER BY id DESC LIMIT ?")
        rows = await self._on_reader(self._read, sql, (*parameters, limit))
        return [ExecutionRecord(*row) for row in rows]

    async def due_timers(self, after: tuple[float, int, int] | None, until: float, limit: int) -> list[DueTimer]:
        if after is None:
            sql = "SELECT due, execution_id, seq FROM timers WHERE due <= ? ORDER BY due, execution_id, seq LIMIT ?"
            parameters: tuple[Any, ...] = (until, limit)
        else:
            sql = ("SELECT due, execution_id, seq FROM timers WHERE (due, execution_id, seq) > (?, ?, ?) AND due <= ? "
                   "ORDER BY due, execution_id, seq LIMIT ?")
            parameters = (*after, until, limit)
        rows = await self._on_reader(self._read, sql, parameters)
        return [DueTimer(*row) for row in rows]

    async def open_tasks(self, after: tuple[int, int] | None, limit: int) -> list[TaskRow]:
        after = after or (0, 0)
        rows = await self._on_reader(
            self._read,
            "SELECT execution_id, seq, state, resource, payload, attempt, token, idempotency_key, credentials, "
            "heartbeat_seconds, timeout_seconds, called FROM tasks WHERE (execution_id, seq) > (?, ?) "
            "ORDER BY execution_id, seq LIMIT ?", (*after, limit))
        return [TaskRow(*row[:-1], called=bool(row[-1])) for row in rows]

    async def token_owner(self, token: str) -> TokenOwner | None:
        def run() -> TokenOwner | None:
            row = self._read("SELECT execution_id, seq FROM tasks WHERE token = ?", (token,))
            if row:
                return TokenOwner(*row[0])
            ended = self._read("SELECT execution_id FROM ended_tokens WHERE token = ?", (token,))
            return TokenOwner(ended[0][0], None) if ended else None

        return await self._on_reader(run)

    async def info(self) -> SchemaInfo:
        def run() -> SchemaInfo:
            assert self._reader is not None
            statuses = dict(self._read("SELECT status, count(*) FROM executions GROUP BY status"))
            count = lambda table: int(self._read(f"SELECT count(*) FROM {table}")[0][0])  # noqa: E731
            settings = {name: str(self._reader.execute(f"PRAGMA {name}").fetchone()[0])
                        for name in ("journal_mode", "synchronous", "page_size", "page_count")}
            settings["synchronous"] = {"0": "OFF", "1": "NORMAL", "2": "FULL", "3": "EXTRA"}.get(
                settings["synchronous"], settings["synchronous"])
            return SchemaInfo(self.url, self.dialect, self._version(self._reader), latest(self.dialect), statuses,
                              count("timers"), count("tasks"), count("definitions"), settings)

        return await self._on_reader(run)


# --- the writer's statements ------------------------------------------------------------------------------


def _statements(script: str) -> list[str]:
    """The statements of a migration file (no statement in ours holds a ';' inside a literal)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


_INSERT_DEFINITION = ("INSERT OR IGNORE INTO definitions (hash, text, workflow_type, machine_name, created) "
                      "VALUES (?, ?, ?, ?, ?)")
_INSERT_EXECUTION = (
    "INSERT INTO executions (id, arn, name, machine_name, machine_arn, definition_hash, workflow_type, status, "
    "input, start_date, seed, role_arn, redrive_count, version_arn, alias_arn, parent_arn) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_STEP = ("INSERT INTO steps (execution_id, step, first_event, event_count, input, events) "
                "VALUES (?, ?, ?, ?, ?, ?)")
_INSERT_TIMER = "INSERT OR REPLACE INTO timers (execution_id, seq, due) VALUES (?, ?, ?)"
_DELETE_TIMER = "DELETE FROM timers WHERE execution_id = ? AND seq = ?"
_INSERT_TASK = (
    "INSERT INTO tasks (execution_id, seq, state, resource, payload, attempt, token, idempotency_key, credentials, "
    "heartbeat_seconds, timeout_seconds, called) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
# A task that ends keeps its token in ended_tokens: a late answer is TaskTimedOut, not InvalidToken.
_END_TASK_TOKEN = ("INSERT OR IGNORE INTO ended_tokens (token, execution_id) SELECT token, execution_id FROM tasks "
                   "WHERE execution_id = ? AND seq = ? AND token IS NOT NULL")
_DELETE_TASK = "DELETE FROM tasks WHERE execution_id = ? AND seq = ?"
_REOPEN_EXECUTION = ("UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, "
                     "stop_date = NULL, redrive_count = redrive_count + 1, redrive_date = ? WHERE id = ?")
_END_EXECUTION = "UPDATE executions SET status = ?, output = ?, error = ?, cause = ?, stop_date = ? WHERE id = ?"
# An ended execution waits for nothing (the core cancels what it waited for; these make sure of it).
_END_TIMERS = "DELETE FROM timers WHERE execution_id = ?"
_END_TOKENS = ("INSERT OR IGNORE INTO ended_tokens (token, execution_id) SELECT token, execution_id FROM tasks "
               "WHERE execution_id = ? AND token IS NOT NULL")
_END_TASKS = "DELETE FROM tasks WHERE execution_id = ?"


def _text(text: bytes | str | None) -> str | None:
    return text.decode() if text.__class__ is bytes else text  # type: ignore[union-attr, return-value]


def _write_together(connection: sqlite3.Connection, batch: Sequence[StepWrite]) -> None:
    """One statement per kind of row for the whole batch.

    The rows are generated as SQLite binds them, not gathered into lists first: a batch of a few thousand
    steps would otherwise build tens of thousands of tuples that all live at once, and those allocations
    alone set off the garbage collector several times per batch. Statements with no rows cost next to nothing
    (each is prepared once per connection and cached).

    JSON texts are bound as str, not as the codec's bytes: Python's sqlite3 binds str, int and float as they
    are, but asks its adapter registry about every other value, which cost more than the UTF-8 decoding (a
    microsecond a value, about a tenth of a W4 execution's store time).

    In this order: inserts before deletes (a timer or task added and removed within one batch is gone at
    the end), a task's token kept before its row goes, and a redrive reopening the execution before anything
    of the same batch may end it again.
    """
    many = connection.executemany
    now = time.time()
    many(_INSERT_DEFINITION, ((d.hash, d.text, d.workflow_type, d.machine_name, now)
                              for w in batch if (d := w.definition) is not None))
    many(_INSERT_EXECUTION, ((n.id, n.arn, n.name, n.machine_name, n.machine_arn, n.definition_hash,
                              n.workflow_type, _text(n.input), n.start_date, n.seed, n.role_arn, n.redrive_count,
                              n.version_arn, n.alias_arn, n.parent_arn) for w in batch if (n := w.new) is not None))
    many(_INSERT_STEP, ((w.execution_id, w.step, w.first_event, w.event_count, _text(w.input), _text(w.events))
                      for w in batch))
    many(_REOPEN_EXECUTION, ((w.redrive, w.execution_id) for w in batch if w.redrive is not None))
    many(_INSERT_TIMER, ((w.execution_id, seq, due) for w in batch if w.timers_added
                         for seq, due in w.timers_added))
    many(_INSERT_TASK, ((w.execution_id, t.seq, t.state, t.resource, _text(t.payload), t.attempt, t.token,
                         t.idempotency_key, _text(t.credentials), t.heartbeat_seconds, t.timeout_seconds,
                         int(t.called)) for w in batch if w.tasks_added for t in w.tasks_added))
    many(_DELETE_TIMER, ((w.execution_id, seq) for w in batch if w.timers_removed for seq in w.timers_removed))
    many(_END_TASK_TOKEN, ((w.execution_id, seq) for w in batch if w.token_tasks_removed
                           for seq in w.token_tasks_removed))
    many(_DELETE_TASK, ((w.execution_id, seq) for w in batch if w.tasks_removed for seq in w.tasks_removed))
    endings = [w for w in batch if w.ending is not None]
    if endings:
        many(_END_EXECUTION, ((e.status, _text(e.output), e.error, e.cause, e.stop_date, w.execution_id)
                              for w in endings if (e := w.ending) is not None))
        # What an ended execution may still hold (the engine says when it knows there is nothing).
        leftovers = [(w.execution_id,) for w in endings if w.ending is not None and w.ending.leftovers]
        if leftovers:
            many(_END_TIMERS, leftovers)
            many(_END_TOKENS, leftovers)
            many(_END_TASKS, leftovers)


def _write_batch(connection: sqlite3.Connection, batch: Sequence[StepWrite]) -> list[StoreError | None]:
    connection.execute("SAVEPOINT batch")
    try:
        # The common case: nothing conflicts, one statement per table for the whole batch.
        _write_together(connection, batch)
    except sqlite3.IntegrityError:
        connection.execute("ROLLBACK TO batch")
        connection.execute("RELEASE batch")
        return _write_each(connection, batch)
    connection.execute("RELEASE batch")
    return [None] * len(batch)


def _write_each(connection: sqlite3.Connection, batch: Sequence[StepWrite]) -> list[StoreError | None]:
    """Each step under its own savepoint; after a refused step, the later steps of that execution are refused too
    (an execution's steps are contiguous)."""
    outcome: list[StoreError | None] = []
    refused: set[int] = set()
    for write in batch:
        if write.execution_id in refused:
            outcome.append(StepConflict(f"step {write.step} follows a step that was not recorded"))
            continue
        error = _write_alone(connection, write)
        if error is not None:
            refused.add(write.execution_id)
        outcome.append(error)
    return outcome


def _write_alone(connection: sqlite3.Connection, write: StepWrite) -> StoreError | None:
    connection.execute("SAVEPOINT step")
    try:
        _write_together(connection, [write])
    except sqlite3.IntegrityError as error:
        connection.execute("ROLLBACK TO step")
        connection.execute("RELEASE step")
        if write.new is not None and "executions.arn" in str(error):
            return ExecutionExists(write.new.arn)
        return StepConflict(f"step {write.step} of execution {write.execution_id} is already recorded ({error})")
    connection.execute("RELEASE step")
    return None
