"""The durable record of executions: one async protocol (``protocol.py``), SQLite by default.

``open_store(url)`` picks the implementation from the URL: a plain path or ``sqlite:///path`` is SQLite
(``statewright.db`` in the working directory when no URL is given).
"""

from __future__ import annotations

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


def store_for(url: str | None = None) -> Store:
    """The store a URL names (not opened yet): ``statewright.db``, ``path/to/file.db``, ``sqlite:///file.db``."""
    url = url or DEFAULT_PATH
    if url.startswith(("postgresql:", "postgres:")):
        raise StoreError(f"{url.split(':', 1)[0]}: PostgreSQL stores are not available in this release")
    return SqliteStore(url)
