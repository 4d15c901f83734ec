"""``store_url``: the same durable test on the SQLite default and on PostgreSQL (tests/postgres.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import drop_schema, require_postgres, schema_url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "store.db")
        return
    require_postgres()
    schema = f"sw_test_{uuid.uuid4().hex[:12]}"
    yield schema_url(schema)
    drop_schema(schema)
