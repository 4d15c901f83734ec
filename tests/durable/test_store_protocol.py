"""The store protocol, the same on SQLite and on PostgreSQL: every test runs on both (``store_url``)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from statewright.store import ResourceExists, Store, store_for
from statewright.store.records import (
    DefinitionRecord,
    Ending,
    NewExecution,
    ResourceRecord,
    StepWrite,
    TaskRow,
    TokenOwner,
)


def raw(text: str | bytes | None) -> bytes | None:
    """A stored JSON text as bytes (a store may give back str or bytes: the protocol's Text)."""
    return text.encode() if isinstance(text, str) else text


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def opened(url: str) -> Store:
    store = store_for(url)
    await store.open()
    return store


def step(execution_id: int, number: int, *, new: bool = False, timers: Any = (), tasks: Any = (),
         removed: Any = (), tokens_removed: Any = (), ending: Ending | None = None) -> StepWrite:
    record = NewExecution(execution_id, f"arn:e:{execution_id}", f"n{execution_id}", "m", "arn:m", "h", "STANDARD",
                          b'{"in":1}', 1.0, 7, "role") if new else None
    write = StepWrite(execution_id, number, number, b'["T",1,1.0]', b'[["E"]]', 1, record)
    write.timers_added = list(timers) or None
    write.tasks_added = [TaskRow(execution_id, seq, "S", "r", b"{}", 0, f"tok{execution_id}-{seq}", f"key{seq}",
                                 None, None, 30.0) for seq in tasks] or None
    write.tasks_removed = list(removed) or None
    write.token_tasks_removed = list(tokens_removed) or None
    write.ending = ending
    return write


def test_a_refused_step_leaves_the_others_of_its_batch_written(store_url: str) -> None:
    async def main() -> None:
        store = await opened(store_url)
        await store.put_definition(DefinitionRecord("h", "{}", "STANDARD", "m"))
        assert await store.write([step(1, 1, new=True, timers=[(1, 5.0)]), step(2, 1, new=True)]) == [None, None]
        # Step 1 of execution 1 again (a stale writer), a new execution 3, and a step after the refused one.
        outcome = await store.write([step(1, 1), step(3, 1, new=True, tasks=[4]), step(1, 2)])
        assert outcome[1] is None
        assert "already recorded" in str(outcome[0]) and "follows a step that was not recorded" in str(outcome[2])
        assert [s.step for s in await store.steps(1)] == [1]
        assert [(t.execution_id, t.seq) for t in await store.open_tasks(None, 10)] == [(3, 4)]
        assert (await store.token_owner("tok3-4")).seq == 4  # type: ignore[union-attr]
        assert [(t.due, t.execution_id) for t in await store.due_timers(None, 10.0, 10)] == [(5.0, 1)]
        again = await store.write([step(9, 1, new=True)])
        assert again == [None]
        clash = step(10, 1, new=True)
        clash.new.arn = "arn:e:9"  # type: ignore[union-attr]
        assert "Execution Already Exists" in str((await store.write([clash]))[0])
        await store.close()

    run(main())


def test_steps_timers_tasks_and_tokens_read_back_as_written(store_url: str) -> None:
    async def main() -> None:
        store = await opened(store_url)
        await store.put_definition(DefinitionRecord("h", "text as written", "STANDARD", "m"))
        assert await store.definition("h") == DefinitionRecord("h", "text as written", "STANDARD", "m")
        assert await store.write([step(1, 1, new=True, timers=[(1, 50.0), (2, 20.0)], tasks=[3, 4])]) == [None]
        assert await store.write([step(2, 1, new=True, timers=[(1, 20.0)])]) == [None]
        # Timers in (due, execution, seq) order, a page at a time, past the previous page's last key.
        first = await store.due_timers(None, 100.0, 2)
        assert [(t.due, t.execution_id, t.seq) for t in first] == [(20.0, 1, 2), (20.0, 2, 1)]
        last = first[-1]
        rest = await store.due_timers((last.due, last.execution_id, last.seq), float("inf"), 10)
        assert [(t.due, t.execution_id, t.seq) for t in rest] == [(50.0, 1, 1)]
        assert await store.due_timers((50.0, 2**62, 2**62), float("inf"), 10) == []  # the wheel's sentinel key
        tasks = await store.open_tasks((1, 3), 10)
        assert [(t.seq, t.idempotency_key, t.timeout_seconds, t.called) for t in tasks] == [(4, "key4", 30.0, False)]
        await store.mark_called(1, 4)
        assert (await store.open_tasks((1, 3), 10))[0].called is True
        # Task 3 answered (its token is kept: a late answer is told the task ended), timer 2 removed.
        answered = step(1, 2, removed=[3], tokens_removed=[3])
        answered.timers_removed = [2]
        assert await store.write([answered]) == [None]
        assert await store.token_owner("tok1-3") == TokenOwner(1, None)
        assert [t.seq for t in await store.open_tasks(None, 10)] == [4]
        # The execution ends: what it waited for goes, its tokens are kept as ended.
        assert await store.write([step(1, 3, ending=Ending("SUCCEEDED", b'{"out":2}', None, None, 9.0))]) == [None]
        record = await store.execution("arn:e:1")
        assert record is not None and (record.status, raw(record.output), record.stop_date) == (
            "SUCCEEDED", b'{"out":2}', 9.0)
        assert raw(record.input) == b'{"in":1}'
        assert await store.open_tasks(None, 10) == []
        assert (await store.token_owner("tok1-4")).seq is None  # type: ignore[union-attr]
        assert await store.token_owner("nobody") is None
        assert [(t.execution_id, t.seq) for t in await store.due_timers(None, 100.0, 10)] == [(2, 1)]
        steps = await store.events(1, after_step=1)
        assert [(s.step, s.first_event, raw(s.events), s.event_count) for s in steps] == [
            (2, 2, b'[["E"]]', 1), (3, 3, b'[["E"]]', 1)]
        # Redrive reopens an ended execution.
        reopen = step(1, 4)
        reopen.redrive = 11.0
        assert await store.write([reopen]) == [None]
        record = await store.execution_by_id(1)
        assert record is not None and (record.status, record.redrive_count, record.redrive_date) == (
            "RUNNING", 1, 11.0)
        info = await store.info()
        assert info.executions == {"RUNNING": 2} and info.timers == 1 and info.definitions == 1
        assert info.version == info.code_version
        await store.close()

    run(main())


def test_executions_are_listed_newest_first_by_page_and_filter(store_url: str) -> None:
    async def main() -> None:
        store = await opened(store_url)
        await store.put_definition(DefinitionRecord("h", "{}", "STANDARD", "m"))
        await store.write([step(n, 1, new=True) for n in range(1, 6)])
        await store.write([step(2, 2, ending=Ending("FAILED", None, "E", "c", 3.0))])
        page = await store.executions(limit=2)
        assert [r.id for r in page] == [5, 4]
        assert [r.id for r in await store.executions(limit=10, before=page[-1].id)] == [3, 2, 1]
        assert [r.id for r in await store.executions(status="FAILED")] == [2]
        assert [r.id for r in await store.executions(machine_name="m", status="RUNNING", limit=2)] == [5, 4]
        assert await store.executions(machine_name="other") == []
        assert await store.executions(redriven=True) == []
        await store.close()

    run(main())


def test_executions_are_found_by_name_prefix_taken_literally(store_url: str) -> None:
    async def main() -> None:
        store = await opened(store_url)
        await store.put_definition(DefinitionRecord("h", "{}", "STANDARD", "m"))
        names = ["order-1", "order-2", "Order-3", "order_4", "or%der-5", "refund-6", "ordé-7"]
        writes = [step(n, 1, new=True) for n in range(1, len(names) + 1)]
        for write, name in zip(writes, names, strict=True):
            assert write.new is not None
            write.new.name = name
        await store.write(writes)

        async def named(**filters: Any) -> list[str]:
            return [record.name for record in await store.executions(**filters)]

        assert await named(name_prefix="order") == ["order_4", "order-2", "order-1"]  # case counts
        assert await named(name_prefix="order_") == ["order_4"]  # _ and % are themselves, not patterns
        assert await named(name_prefix="or%") == ["or%der-5"]
        assert await named(name_prefix="ordé") == ["ordé-7"]
        assert await named(name_prefix="order", limit=1, before=4) == ["order-2"]
        assert await named(name_prefix="order", machine_name="other") == []
        assert await named(name_prefix="") == list(reversed(names))
        await store.close()

    run(main())


def test_ids_are_never_handed_out_twice_across_reopens(store_url: str) -> None:
    async def main() -> list[int]:
        store = await opened(store_url)
        first = await store.allocate_ids(3)
        await store.close()
        store = await opened(store_url)
        second = await store.allocate_ids(2)
        await store.close()
        return [*first, *second]

    assert run(main()) == [1, 2, 3, 4, 5]


def test_resources_are_created_once_listed_in_arn_order_changed_and_deleted(store_url: str) -> None:
    async def main() -> None:
        store = await opened(store_url)
        for arn in ("arn:m:b", "arn:m:B", "arn:m:a"):
            await store.put_resource(ResourceRecord("machine", arn, arn[-1], {"n": arn}))
        with pytest.raises(ResourceExists):
            await store.put_resource(ResourceRecord("machine", "arn:m:a", "a", {}))
        replaced = await store.put_resource(ResourceRecord("machine", "arn:m:a", "a", {"v": 2}), replace=True)
        assert replaced.body == {"v": 2} and replaced.created <= replaced.updated
        # Byte order, as SQLite compares: upper case before lower case.
        assert [r.arn for r in await store.resources("machine")] == ["arn:m:B", "arn:m:a", "arn:m:b"]
        assert [r.arn for r in await store.resources("machine", after="arn:m:B", limit=1)] == ["arn:m:a"]
        await store.put_resource(ResourceRecord("alias", "arn:m:a:live", "live", {}, parent="arn:m:a"))
        assert [r.name for r in await store.resources("alias", parent="arn:m:a")] == ["live"]
        changed = await store.update_resource("machine", "arn:m:b", lambda r: ResourceRecord(
            r.kind, r.arn, r.name, {**r.body, "changed": True}, r.parent, r.created))
        assert changed is not None and (await store.resource("machine", "arn:m:b")).body == {  # type: ignore[union-attr]
            "n": "arn:m:b", "changed": True}
        assert await store.update_resource("machine", "arn:m:none", lambda r: r) is None
        assert await store.delete_resource("machine", "arn:m:b") is True
        assert await store.delete_resource("machine", "arn:m:b") is False
        assert await store.resource("machine", "arn:m:b") is None
        await store.close()

    run(main())
