"""The PostgreSQL this machine runs, for the tests: each test gets a schema of its own, dropped afterwards.

The server is ``STATEWRIGHT_TEST_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/test``, trust
auth). Without an answering server the PostgreSQL tests skip and say why; with
``STATEWRIGHT_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) they fail instead.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import pytest

SERVER = os.environ.get("STATEWRIGHT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
_reachable: str | None = None  # "" once a connection worked; the reason it did not otherwise


def _check() -> str:
    try:
        import asyncpg
    except ImportError:
        return "asyncpg is not installed (pip install -e '.[test]')"

    async def ping() -> None:
        connection = await asyncpg.connect(SERVER, timeout=3)
        await connection.close()

    try:
        asyncio.run(ping())
    except Exception as error:  # any failure to connect is the reason to skip
        return f"no PostgreSQL answers at {SERVER}: {type(error).__name__}: {error}"
    return ""


def require_postgres() -> None:
    """Skip (or, under STATEWRIGHT_REQUIRE_POSTGRES=1, fail) the calling test when no server answers."""
    global _reachable
    if _reachable is None:
        _reachable = _check()
    if _reachable:
        if os.environ.get("STATEWRIGHT_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"STATEWRIGHT_REQUIRE_POSTGRES=1, but {_reachable}")
        pytest.skip(_reachable)


def drop_schema(schema: str) -> None:
    import asyncpg

    async def drop() -> None:
        connection = await asyncpg.connect(SERVER, timeout=10)
        try:
            await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await connection.close()

    asyncio.run(drop())


def schema_url(schema: str) -> str:
    separator = "&" if "?" in SERVER else "?"
    return f"{SERVER}{separator}schema={schema}"


@pytest.fixture()
def postgres_url() -> Iterator[str]:
    """A store URL on a schema of this test's own (created by the store on open, dropped afterwards)."""
    require_postgres()
    schema = f"sw_test_{uuid.uuid4().hex[:12]}"
    yield schema_url(schema)
    drop_schema(schema)
