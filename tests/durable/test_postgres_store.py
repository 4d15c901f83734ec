"""What only the PostgreSQL store has: URLs and schemas, migrating once across nodes, refusing a newer schema,
and one writer per execution proven by the database when two nodes race for the same step."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import pytest

from statewright.store import SchemaTooNew, StepConflict, StoreError, store_for
from statewright.store.migrations import latest
from statewright.store.postgresql import parse_postgresql_url
from statewright.store.records import DefinitionRecord, NewExecution, StepWrite
from tests.postgres import SERVER, postgres_url  # noqa: F401 - the fixture

ROOT_ENV = {"PYTHONPATH": "interpreter"}


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_urls_name_the_schema_and_pool_and_never_print_the_password() -> None:
    dsn, schema, pool = parse_postgresql_url("postgres://u:secret@db:5432/app?sslmode=disable&pool_size=4")
    assert (dsn, schema, pool) == ("postgresql://u:secret@db:5432/app?sslmode=disable", "statewright", 4)
    assert parse_postgresql_url("postgresql://db/app?schema=team_a")[1:] == ("team_a", 10)
    with pytest.raises(StoreError, match="schema must be a plain identifier"):
        parse_postgresql_url("postgresql://db/app?schema=a;drop")
    with pytest.raises(StoreError, match="pool_size must be a whole number"):
        parse_postgresql_url("postgresql://db/app?pool_size=0")
    assert store_for("postgresql://u:secret@db/app").url == "postgresql://u:***@db/app"


def test_a_server_that_does_not_answer_is_one_clear_line() -> None:
    done = subprocess.run([sys.executable, "-m", "statewright", "db", "info", "--db",
                           "postgresql://nobody@127.0.0.1:1/none"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **ROOT_ENV})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("statewright db info: error: cannot connect to postgresql://nobody@127.0.0.1:1/none")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_db_migrate_and_info_on_postgresql(postgres_url: str) -> None:  # noqa: F811
    def statewright(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "statewright", *args], capture_output=True, text=True,
                              timeout=60, env={**os.environ, **ROOT_ENV})
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert statewright("db", "migrate", "--db", postgres_url) == (
        f"{postgres_url}: migrated from schema version 0 to {latest('postgresql')}\n")
    assert "up to date" in statewright("db", "migrate", "--db", postgres_url)
    info = statewright("db", "info", "--db", postgres_url)
    assert f"({'postgresql'})" in info and "synchronous_commit=on" in info and "executions:  0 (none)" in info


def test_nodes_that_start_together_migrate_once(postgres_url: str) -> None:  # noqa: F811
    async def main() -> list[int]:
        stores = [store_for(postgres_url) for _ in range(5)]
        await asyncio.gather(*(store.open() for store in stores))
        versions = [(await store.info()).version for store in stores]
        import asyncpg

        connection = await asyncpg.connect(SERVER)
        schema = postgres_url.rsplit("schema=", 1)[1]
        applied = await connection.fetch(f'SELECT version FROM "{schema}".statewright_schema ORDER BY version')
        await connection.close()
        await asyncio.gather(*(store.close() for store in stores))
        assert versions == [latest("postgresql")] * 5
        return [row[0] for row in applied]

    assert run(main()) == list(range(1, latest("postgresql") + 1))


def test_a_schema_newer_than_the_code_is_refused_untouched(postgres_url: str) -> None:  # noqa: F811
    schema = postgres_url.rsplit("schema=", 1)[1]

    async def main() -> None:
        import asyncpg

        store = store_for(postgres_url)
        await store.open()
        await store.allocate_ids(3)
        await store.close()
        connection = await asyncpg.connect(SERVER)
        await connection.execute(f"INSERT INTO \"{schema}\".statewright_schema VALUES (99, 'from_the_future', 0)")
        with pytest.raises(SchemaTooNew, match="schema version 99, newer than this Statewright knows"):
            await store_for(postgres_url).open()
        counter = await connection.fetchval(f"SELECT value FROM \"{schema}\".counters")
        versions = await connection.fetchval(f'SELECT count(*) FROM "{schema}".statewright_schema')
        await connection.close()
        assert (counter, versions) == (3, latest("postgresql") + 1)

    run(main())


def _first_step(execution_id: int) -> StepWrite:
    new = NewExecution(execution_id, f"arn:e:{execution_id}", f"n{execution_id}", "m", "arn:m", "h", "STANDARD",
                       b"{}", 1.0, 7, "role")
    return StepWrite(execution_id, 1, 1, b"[]", b"[]", 1, new)


def test_two_nodes_racing_for_one_step_one_wins_and_the_other_is_refused(postgres_url: str) -> None:  # noqa: F811
    """Each of 50 executions gets its step 2 from two stores (two nodes' pools) at the same moment: the
    database's key lets exactly one through and the other gets StepConflict."""

    async def main() -> None:
        one, two = store_for(postgres_url), store_for(postgres_url)
        await one.open()
        await two.open()
        await one.put_definition(DefinitionRecord("h", "{}", "STANDARD", "m"))
        await one.write([_first_step(n) for n in range(1, 51)])

        def second(execution_id: int, node: str) -> StepWrite:
            return StepWrite(execution_id, 2, 2, node.encode(), b"[]", 1)

        outcomes = await asyncio.gather(*(
            store.write([second(n, name)]) for n in range(1, 51) for store, name in ((one, "one"), (two, "two"))))
        for n in range(1, 51):
            pair = outcomes[2 * (n - 1)] + outcomes[2 * (n - 1) + 1]
            assert sorted(error is None for error in pair) == [False, True], pair
            assert all(isinstance(error, StepConflict) for error in pair if error is not None)
            steps = await one.steps(n)
            assert [s.step for s in steps] == [1, 2]
        await one.close()
        await two.close()

    run(main())
