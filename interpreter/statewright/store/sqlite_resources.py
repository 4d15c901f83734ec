"""The API's resources on SQLite: one ``resources`` table of JSON documents (migration 0003).

A mixin of :class:`~statewright.store.sqlite.SqliteStore`, which provides the transaction and the reader.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

import orjson

from statewright.store.protocol import ResourceExists
from statewright.store.records import ResourceRecord

_COLUMNS = "kind, arn, name, body, parent, created, updated"


def _record(row: tuple[Any, ...]) -> ResourceRecord:
    kind, arn, name, body, parent, created, updated = row
    return ResourceRecord(kind, arn, name, orjson.loads(body), parent, created, updated)


def _write(connection: sqlite3.Connection, record: ResourceRecord, replace: bool) -> ResourceRecord:
    now = time.time()
    existing = connection.execute("SELECT created FROM resources WHERE kind = ? AND arn = ?",
                                  (record.kind, record.arn)).fetchone()
    if existing is not None and not replace:
        raise ResourceExists(record.kind, record.arn)
    created = existing[0] if existing is not None else (record.created or now)
    stored = ResourceRecord(record.kind, record.arn, record.name, record.body, record.parent, created, now)
    connection.execute(
        f"INSERT OR REPLACE INTO resources ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (stored.kind, stored.arn, stored.name, orjson.dumps(stored.body).decode(), stored.parent, created, now))
    return stored


class SqliteResources:
    """``put_resource``, ``resource``, ``resources``, ``update_resource``, ``delete_resource``."""

    _transaction: Callable[..., Any]
    _on_reader: Callable[..., Any]
    _read: Callable[..., Any]

    async def put_resource(self, record: ResourceRecord, *, replace: bool = False) -> ResourceRecord:
        stored: ResourceRecord = await self._transaction(lambda connection: _write(connection, record, replace))
        return stored

    async def resource(self, kind: str, arn: str) -> ResourceRecord | None:
        rows = await self._on_reader(self._read, f"SELECT {_COLUMNS} FROM resources WHERE kind = ? AND arn = ?",
                                     (kind, arn))
        return _record(rows[0]) if rows else None

    async def resources(self, kind: str, *, parent: str | None = None, after: str | None = None,
                        limit: int = 100) -> list[ResourceRecord]:
        where, parameters = ["kind = ?"], [kind]
        if parent is not None:
            where.append("parent = ?")
            parameters.append(parent)
        if after is not None:
            where.append("arn > ?")
            parameters.append(after)
        rows = await self._on_reader(
            self._read, f"SELECT {_COLUMNS} FROM resources WHERE {' AND '.join(where)} ORDER BY arn LIMIT ?",
            (*parameters, limit))
        return [_record(row) for row in rows]

    async def update_resource(self, kind: str, arn: str,
                              change: Callable[[ResourceRecord], ResourceRecord]) -> ResourceRecord | None:
        def run(connection: sqlite3.Connection) -> ResourceRecord | None:
            row = connection.execute(f"SELECT {_COLUMNS} FROM resources WHERE kind = ? AND arn = ?",
                                     (kind, arn)).fetchone()
            if row is None:
                return None
            return _write(connection, change(_record(row)), True)

        updated: ResourceRecord | None = await self._transaction(run)
        return updated

    async def delete_resource(self, kind: str, arn: str) -> bool:
        cursor = await self._transaction(lambda connection: connection.execute(
            "DELETE FROM resources WHERE kind = ? AND arn = ?", (kind, arn)))
        return bool(cursor.rowcount)
