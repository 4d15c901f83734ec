"""The SQLite store on its own: migrations, refusing what it must not touch, group writes, URLs."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from pathlib import Path

import pytest

from statewright.store import SchemaTooNew, SqliteStore, StoreError, StoreInUse, store_for
from statewright.store.migrations import latest
from statewright.store.records import DefinitionRecord, NewExecution, StepWrite, TaskRow
from statewright.store.sqlite import parse_sqlite_url


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def opened(path: Path) -> SqliteStore:
    store = SqliteStore(str(path))
    await store.open()
    return store


def test_urls_and_paths_name_the_same_file(tmp_path: Path) -> None:
    assert parse_sqlite_url("statewright.db") == ("statewright.db", {})
    assert parse_sqlite_url("sqlite:///data/x.db") == ("data/x.db", {})
    assert parse_sqlite_url("sqlite:////abs/x.db?synchronous=normal") == ("/abs/x.db", {"synchronous": "normal"})
    with pytest.raises(StoreError, match="names no file"):
        parse_sqlite_url("sqlite:///")
    with pytest.raises(StoreError, match="synchronous must be one of"):
        SqliteStore("sqlite:///x.db?synchronous=off")
    assert isinstance(store_for(str(tmp_path / "a.db")), SqliteStore)


def test_a_new_database_is_created_at_the_latest_schema_with_wal_and_full_sync(tmp_path: Path) -> None:
    async def main() -> None:
        store = await opened(tmp_path / "new.db")
        info = await store.info()
        await store.close()
        assert info.version == info.code_version == latest("sqlite") >= 1
        assert info.settings["journal_mode"] == "wal" and info.settings["synchronous"] == "FULL"
        assert info.executions == {} and info.timers == 0

    run(main())


def test_a_database_with_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"

    async def make() -> None:
        store = await opened(path)
        await store.close()

    run(make())
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO statewright_schema VALUES (999, 'from_the_future', 0)")
    before = digest(path)
    with pytest.raises(SchemaTooNew, match="schema version 999, newer than this Statewright knows"):
        run(opened(path))
    assert digest(path) == before


@pytest.mark.parametrize("content", [b"not a database at all\n" * 10, b"\x00\xff" * 3000])
def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=r"not a SQLite database.*not changed"):
        run(opened(path))
    assert path.read_bytes() == content


def test_a_corrupt_sqlite_file_gives_a_clear_error_and_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"

    async def make() -> None:
        store = await opened(path)
        await store.close()

    run(make())
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xa5" * (4096 - 100)  # the header survives; the schema page does not
    path.write_bytes(bytes(data))
    before = digest(path)
    with pytest.raises(StoreError, match=r"corrupt\.db"):
        run(opened(path))
    assert digest(path) == before


def test_another_sqlite_database_is_not_taken_for_a_store(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE users (id INTEGER)")
    before = digest(path)
    with pytest.raises(StoreError, match="not a Statewright store"):
        run(opened(path))
    assert digest(path) == before


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        run(opened(tmp_path))


def test_one_process_owns_a_store_at_a_time(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "owned.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import asyncio, sys\nfrom statewright.store import SqliteStore\n"
         "async def main():\n    s = SqliteStore(sys.argv[1])\n    await s.open()\n    print('open', flush=True)\n"
         "    await asyncio.sleep(60)\nasyncio.run(main())\n", str(path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreInUse, match="open in another Statewright process"):
            run(opened(path))
    finally:
        holder.kill()
        holder.wait()
    store = run(opened(path))  # the kernel released the dead holder's lock
    run(store.close())


def _step(execution_id: int, step: int, *, new: bool = False, timers=(), tasks=(), removed=()) -> StepWrite:  # type: ignore[no-untyped-def]
    record = NewExecution(execution_id, f"arn:e:{execution_id}", f"n{execution_id}", "m", "arn:m", "h", "STANDARD",
                          b"{}", 1.0, 7, "role") if new else None
    write = StepWrite(execution_id, step, step, b'["T",1,1.0]', b"[]", 0, record)
    write.timers_added = list(timers) or None
    write.tasks_added = [TaskRow(execution_id, seq, "S", "r", b"{}", 0, f"tok{execution_id}-{seq}", "key", None,
                                 None, None) for seq in tasks] or None
    write.tasks_removed = list(removed) or None
    return write


def test_a_refused_step_leaves_the_others_of_its_batch_written(tmp_path: Path) -> None:
    async def main() -> None:
        store = await opened(tmp_path / "s.db")
        await store.put_definition(DefinitionRecord("h", "{}", "STANDARD", "m"))
        assert await store.write([_step(1, 1, new=True, timers=[(1, 5.0)]), _step(2, 1, new=True)]) == [None, None]
        # Step 1 of execution 1 again (a stale writer), a new execution 3, and a step after the refused one.
        outcome = await store.write([_step(1, 1), _step(3, 1, new=True, tasks=[4]), _step(1, 2)])
        assert outcome[1] is None
        assert "already recorded" in str(outcome[0]) and "follows a step that was not recorded" in str(outcome[2])
        assert [step.step for step in await store.steps(1)] == [1]
        assert [(t.execution_id, t.seq) for t in await store.open_tasks(None, 10)] == [(3, 4)]
        assert (await store.token_owner("tok3-4")).seq == 4  # type: ignore[union-attr]
        assert [(t.due, t.execution_id) for t in await store.due_timers(None, 10.0, 10)] == [(5.0, 1)]
        await store.close()

    run(main())


def test_ids_are_never_handed_out_twice_across_reopens(tmp_path: Path) -> None:
    async def main() -> list[int]:
        store = await opened(tmp_path / "ids.db")
        first = await store.allocate_ids(3)
        await store.close()
        store = await opened(tmp_path / "ids.db")
        second = await store.allocate_ids(2)
        await store.close()
        return [*first, *second]

    assert run(main()) == [1, 2, 3, 4, 5]


def test_a_database_at_an_older_schema_is_migrated_on_open_and_keeps_its_rows(tmp_path: Path) -> None:
    from statewright.store.migrations import migrations

    path = tmp_path / "old.db"
    first = migrations("sqlite")[0]
    with sqlite3.connect(path) as connection:  # the database the first release wrote
        connection.execute("CREATE TABLE statewright_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                           "applied REAL NOT NULL)")
        connection.executescript(first.sql)
        connection.execute("INSERT INTO statewright_schema VALUES (1, ?, 0)", (first.name,))
        connection.execute(
            "INSERT INTO executions (id, name, arn, machine_name, machine_arn, definition_hash, workflow_type, "
            "status, input, start_date, seed, role_arn) VALUES (7, 'kept', 'arn:kept', 'm', 'arn:m', 'h', "
            "'STANDARD', 'RUNNING', '{}', 1.0, 0, 'r')")

    async def main() -> tuple[int, list[str]]:
        store = await opened(path)
        info = await store.info()
        listed = await store.executions(status="RUNNING")
        await store.close()
        return info.version, [record.name for record in listed]

    version, names = run(main())
    assert version == latest("sqlite") >= 2 and names == ["kept"]
    with sqlite3.connect(path) as connection:
        indexes = {row[0]: row[1] for row in connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'executions' AND sql IS NOT NULL")}
    assert "executions_by_start" not in indexes and "(status, id)" in indexes["executions_by_status"]
