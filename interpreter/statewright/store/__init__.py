"""The durable record of executions: one async protocol (``protocol.py``), SQLite by default.

``store_for(url)`` picks the implementation from the URL: a plain path or ``sqlite:///path`` is SQLite
(``statewright.db`` in the working directory when no URL is given); ``postgresql://...`` is PostgreSQL,
shared by several nodes (``postgresql.py``, with the optional asyncpg dependency).
"""

from __future__ import annotations

import re

from statewright.store.protocol import (
    ExecutionExists,
    ResourceExists,
    SchemaTooNew,
    StepConflict,
    Store,
    StoreError,
    StoreInUse,
)
from statewright.store.sqlite import DEFAULT_PATH, SqliteStore

__all__ = [
    "DEFAULT_PATH",
    "ExecutionExists",
    "ResourceExists",
    "SchemaTooNew",
    "SqliteStore",
    "StepConflict",
    "Store",
    "StoreError",
    "StoreInUse",
    "store_for",
]


# "scheme://..." names a database server; a file path never looks like that (a Windows drive has no "//").
_URL_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")


def store_for(url: str | None = None) -> Store:
    """The store a URL names (not opened yet): ``statewright.db``, ``path/to/file.db``, ``sqlite:///file.db``."""
    url = url or DEFAULT_PATH
    if url.startswith(("postgresql:", "postgres:")):
        from statewright.store.postgresql import PostgresStore  # asyncpg is imported only when it is asked for

        return PostgresStore(url)
    scheme = _URL_SCHEME.match(url)
    if scheme and scheme["scheme"].lower() != "sqlite":
        raise StoreError(f"the database URL {url!r} has the scheme '{scheme['scheme']}', which Statewright does not "
                         "know: give a SQLite file path, sqlite:///relative/path.db, sqlite:////absolute/path.db or "
                         "postgresql://user@host:5432/database")
    return SqliteStore(url)
