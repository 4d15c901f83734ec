"""The API's resources on PostgreSQL: one ``resources`` table of JSON documents (migration 0003).

A mixin of :class:`~statewright.store.postgresql.PostgresStore`, which provides the connections.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import orjson

from statewright.store.protocol import ResourceExists
from statewright.store.records import ResourceRecord

_COLUMNS = "kind, arn, name, body, parent, created, updated"


def _record(row: Any) -> ResourceRecord:
    kind, arn, name, body, parent, created, updated = row
    return ResourceRecord(kind, arn, name, orjson.loads(body), parent, created, updated)


async def _write(connection: Any, record: ResourceRecord, replace: bool) -> ResourceRecord:
    now = time.time()
    # FOR UPDATE: two nodes changing one resource take turns.
    created = await connection.fetchval("SELECT created FROM resources WHERE kind = $1 AND arn = $2 FOR UPDATE",
                                        record.kind, record.arn)
    if created is not None and not replace:
        raise ResourceExists(record.kind, record.arn)
    created = created if created is not None else (record.created or now)
    stored = ResourceRecord(record.kind, record.arn, record.name, record.body, record.parent, created, now)
    inserted = await connection.fetchval(
        f"INSERT INTO resources ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (kind, arn) DO " + ("UPDATE SET name = EXCLUDED.name, body = EXCLUDED.body, "
                                         "parent = EXCLUDED.parent, updated = EXCLUDED.updated "
                                         if replace else "NOTHING ") + "RETURNING 1",
        stored.kind, stored.arn, stored.name, orjson.dumps(stored.body).decode(), stored.parent, created, now)
    if inserted is None:  # another node created it between the read and the insert
        raise ResourceExists(record.kind, record.arn)
    return stored


class PostgresResources:
    """``put_resource``, ``resource``, ``resources``, ``update_resource``, ``delete_resource``."""

    _transaction: Callable[..., Any]
    _fetch: Callable[..., Any]

    async def put_resource(self, record: ResourceRecord, *, replace: bool = False) -> ResourceRecord:
        stored: ResourceRecord = await self._transaction(lambda connection: _write(connection, record, replace))
        return stored

    async def resource(self, kind: str, arn: str) -> ResourceRecord | None:
        rows = await self._fetch(f"SELECT {_COLUMNS} FROM resources WHERE kind = $1 AND arn = $2", kind, arn)
        return _record(rows[0]) if rows else None

    async def resources(self, kind: str, *, parent: str | None = None, after: str | None = None,
                        limit: int = 100) -> list[ResourceRecord]:
        where, parameters = ["kind = $1"], [kind]
        for column, value in (("parent =", parent), ("arn >", after)):
            if value is not None:
                parameters.append(value)
                where.append(f"{column} ${len(parameters)}")
        rows = await self._fetch(f"SELECT {_COLUMNS} FROM resources WHERE {' AND '.join(where)} ORDER BY arn "
                                 f"LIMIT ${len(parameters) + 1}", *parameters, limit)
        return [_record(row) for row in rows]

    async def update_resource(self, kind: str, arn: str,
                              change: Callable[[ResourceRecord], ResourceRecord]) -> ResourceRecord | None:
        async def run(connection: Any) -> ResourceRecord | None:
            row = await connection.fetchrow(
                f"SELECT {_COLUMNS} FROM resources WHERE kind = $1 AND arn = $2 FOR UPDATE", kind, arn)
            if row is None:
                return None
            return await _write(connection, change(_record(row)), True)

        updated: ResourceRecord | None = await self._transaction(run)
        return updated

    async def delete_resource(self, kind: str, arn: str) -> bool:
        async def run(connection: Any) -> bool:
            return await connection.fetchval(
                "DELETE FROM resources WHERE kind = $1 AND arn = $2 RETURNING 1", kind, arn) is not None

        deleted: bool = await self._transaction(run)
        return deleted
