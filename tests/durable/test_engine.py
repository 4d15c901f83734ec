"""The durable engine in one process: what it records, and that it runs as the in-memory engine does."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import statewright
from statewright.runtime.durable import DurableEngine, ExecutionAlreadyExists, InvalidName
from statewright.runtime.engine import ExecutionNotFound

FN = "arn:aws:lambda:us-east-1:123456789012:function:"

ORDER = f"""
StartAt: Price
States:
  Price: {{Type: Pass, Parameters: {{"total.$": "States.MathAdd($.amount, 5)"}}, ResultPath: $.price, Next: Hold}}
  Hold: {{Type: Wait, Seconds: 1, Next: Charge}}
  Charge:
    Type: Task
    Resource: {FN}charge
    ResultPath: $.charge
    Retry: [{{ErrorEquals: [Flaky], IntervalSeconds: 1, MaxAttempts: 2}}]
    Next: Route
  Route:
    Type: Choice
    Choices: [{{Variable: $.charge.ok, BooleanEquals: true, Next: Done}}]
    Default: Failed
  Done: {{Type: Succeed}}
  Failed: {{Type: Fail, Error: Declined}}
"""


class Flaky(Exception):
    pass


def charger() -> Any:
    calls: dict[int, int] = {}

    async def charge(payload: dict[str, Any]) -> dict[str, Any]:
        amount = payload["amount"]
        calls[amount] = calls.get(amount, 0) + 1
        if amount % 3 == 0 and calls[amount] == 1:
            raise Flaky("try again")
        return {"ok": amount % 5 != 0, "charged": payload["price"]["total"]}

    return charge


def shape(events: Any) -> list[tuple[Any, ...]]:
    return [(e.id, e.previous_event_id, e.type, (e.details or {}).get("name")) for e in events]


def durable(path: Path, **options: Any) -> DurableEngine:
    return DurableEngine(path, {FN + "charge": charger()}, virtual_time=True, **options)


@pytest.mark.parametrize("cache_size", [10_000, 1])
def test_results_and_histories_are_the_in_memory_engines(store_url: str, cache_size: int) -> None:
    machine = statewright.load(ORDER)
    inputs = [{"amount": amount} for amount in range(1, 31)]

    async def main() -> tuple[list[Any], list[Any], dict[str, Any]]:
        memory = statewright.Engine({FN + "charge": charger()})
        expected = [await memory.execute(machine, value, virtual_time=True) for value in inputs]
        async with durable(store_url, cache_size=cache_size) as engine:
            arns = [await engine.start(machine, value) for value in inputs]
            got = [await engine.wait(arn) for arn in arns]
            return expected, got, engine.stats

    expected, got, stats = asyncio.run(main())
    for mine, theirs in zip(got, expected, strict=True):
        assert (mine.status, mine.output, mine.error) == (theirs.status, theirs.output, theirs.error)
        assert shape(mine.events) == shape(theirs.events)
    assert {r.status for r in got} == {"SUCCEEDED", "FAILED"}
    assert stats["commits"] < stats["steps"]  # steps of many executions shared commits
    if cache_size == 1:
        assert stats["replays"] > 0  # waiting executions were dropped from memory and rebuilt


def test_describe_list_and_history_read_the_record(store_url: str) -> None:
    machine = statewright.load(ORDER)

    async def main() -> None:
        async with durable(store_url) as engine:
            arns = [await engine.start(machine, {"amount": amount}, name=f"order-{amount}") for amount in (1, 5, 7)]
            for arn in arns:
                await engine.wait(arn)
            described = await engine.describe(arns[1])
            assert (described.name, described.status, described.error, described.input) == (
                "order-5", "FAILED", "Declined", {"amount": 5})
            assert described.stop_date is not None and described.stop_date >= described.start_date
            first = await engine.list(limit=2)
            second = await engine.list(limit=2, next_token=first.next_token)
            assert [d.name for d in first.executions + second.executions] == ["order-7", "order-5", "order-1"]
            assert second.next_token is None
            assert [d.name for d in (await engine.list(status="FAILED")).executions] == ["order-5"]
            history = await engine.history(arns[0])
            assert history[0].type == "ExecutionStarted" and history[-1].type == "ExecutionSucceeded"
            assert [e.id for e in history] == list(range(1, len(history) + 1))
            assert history[-1].to_aws()["executionSucceededEventDetails"]["output"].startswith("{")
            with pytest.raises(ExecutionNotFound):
                await engine.describe(arns[0] + "-nope")

    asyncio.run(main())


def test_names_are_unique_per_machine_as_aws_keeps_them(store_url: str) -> None:
    machine = statewright.load({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}})

    async def main() -> None:
        async with DurableEngine(store_url) as engine:
            arn = await engine.start(machine, {"a": 1}, name="nightly")
            assert await engine.start(machine, {"a": 1}, name="nightly") == arn  # same input while running
            with pytest.raises(ExecutionAlreadyExists):
                await engine.start(machine, {"a": 2}, name="nightly")
            await engine.stop(arn, error="Manual", cause="test")
            assert (await engine.describe(arn)).status == "ABORTED"
            with pytest.raises(ExecutionAlreadyExists):  # a closed execution keeps its name
                await engine.start(machine, {"a": 1}, name="nightly")
            for bad in ("has space", "a/b", "x:y", "n" * 81):
                with pytest.raises(InvalidName):
                    await engine.start(machine, {}, name=bad)

    asyncio.run(main())


def test_history_over_25000_events_fails_the_execution(tmp_path: Path) -> None:
    # A Choice loop of Pass states: two events per state, well past the limit.
    machine = statewright.load({"StartAt": "Count", "States": {
        "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Loop"},
        "Loop": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 100000, "Next": "Count"}],
                 "Default": "Done"},
        "Done": {"Type": "Succeed"}}})

    async def main() -> Any:
        async with DurableEngine(tmp_path / "s.db") as engine:
            return await engine.execute(machine, {"n": 0})

    result = asyncio.run(main())
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "maximum number of history events (25000)" in result.cause
    assert len(result.events) == 25_002 and result.events[-1].type == "ExecutionFailed"


def test_a_payload_over_256_kib_fails_as_aws_fails_it(tmp_path: Path) -> None:
    machine = statewright.load({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})

    async def main() -> Any:
        async with DurableEngine(tmp_path / "s.db") as engine:
            return await engine.execute(machine, {"blob": "x" * 300_000})

    result = asyncio.run(main())
    assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded")


def test_no_input_is_an_empty_object_and_none_is_json_null(tmp_path: Path) -> None:
    """As AWS's StartExecution (no input: ``{}``) and the in-memory engine (None is the JSON value null), by
    both ways in: execute() and start() then wait()."""
    machine = statewright.load({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})

    async def main() -> list[Any]:
        async with DurableEngine(tmp_path / "s.db") as engine:
            started = [await engine.start(machine), await engine.start(machine, None)]
            return [(await engine.execute(machine)).output, (await engine.execute(machine, None)).output,
                    *[(await engine.wait(arn)).output for arn in started]]

    assert asyncio.run(main()) == [{}, None, {}, None]


def test_a_start_is_recorded_before_it_returns(tmp_path: Path) -> None:
    machine = statewright.load({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}})

    async def main() -> str:
        async with DurableEngine(tmp_path / "s.db") as engine:
            arn = await engine.start(machine, {"k": "v"}, name="recorded")
            with sqlite3.connect(tmp_path / "s.db") as connection:  # another connection sees it committed
                row = connection.execute("SELECT status, input FROM executions WHERE arn = ?", (arn,)).fetchone()
                timers = connection.execute("SELECT count(*) FROM timers").fetchone()[0]
            assert (row[0], json.loads(row[1])) == ("RUNNING", {"k": "v"}) and timers == 1
            return arn

    asyncio.run(main())


def test_callbacks_are_answered_through_the_record(store_url: str) -> None:
    tokens: list[str] = []

    async def ask(payload: dict[str, Any]) -> None:
        tokens.append(payload["token"])

    machine = statewright.load({"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"token.$": "$$.Task.Token"}, "End": True}}})

    async def main() -> None:
        async with DurableEngine(store_url, {"arn:aws:states:::sqs:sendMessage": ask}) as engine:
            arn = await engine.start(machine, {})
            while not tokens:
                await asyncio.sleep(0.01)
            await engine.send_task_heartbeat(tokens[0])
            await engine.send_task_success(tokens[0], {"approved": True})
            assert (await engine.wait(arn)).output == {"approved": True}
            with pytest.raises(statewright.runtime.callbacks.TaskTimedOut):
                await engine.send_task_success(tokens[0], {})
            with pytest.raises(statewright.runtime.callbacks.InvalidToken):
                await engine.send_task_failure("no-such-token", "E")

    asyncio.run(main())


def test_task_timeouts_hold_on_virtual_time_while_waits_still_jump(store_url: str) -> None:
    async def slow(payload: Any) -> Any:
        await asyncio.sleep(30)  # never answers in time

    machine = statewright.load({"StartAt": "Rest", "States": {
        "Rest": {"Type": "Wait", "Seconds": 86400, "Next": "Work"},
        "Work": {"Type": "Task", "Resource": FN + "slow", "TimeoutSeconds": 1, "End": True}}})

    async def main() -> tuple[Any, float]:
        async with DurableEngine(store_url, {FN + "slow": slow}, virtual_time=True) as engine:
            began = asyncio.get_running_loop().time()
            result = await engine.execute(machine, {})
            return result, asyncio.get_running_loop().time() - began

    result, took = asyncio.run(main())
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert result.stop_date - result.start_date >= 86401  # the day's Wait was skipped, the second was not
    assert 0.9 < took < 20


def test_execution_ids_are_refilled_however_many_starts_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from statewright.runtime.durable import engine as durable_engine

    monkeypatch.setattr(durable_engine, "_ID_BLOCK", 8)  # many refills, while many starts wait for ids
    machine = statewright.load({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})

    async def main() -> list[str]:
        async with DurableEngine(tmp_path / "s.db") as engine:
            arns: list[str] = []
            for _ in range(5):
                arns += await asyncio.wait_for(
                    asyncio.gather(*(engine.start(machine, {"n": n}) for n in range(60))), timeout=60)
            return arns

    arns = asyncio.run(main())
    with sqlite3.connect(tmp_path / "s.db") as connection:
        ids = [row[0] for row in connection.execute("SELECT id FROM executions")]
    assert len(arns) == len(set(arns)) == len(ids) == len(set(ids)) == 300


def test_a_five_state_execution_ending_in_one_decision_writes_one_batch(store_url: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 19: what ends inside its first decision is recorded by one store write holding one step, whose
    events are the core's history rows encoded as they are (no event object made on the way)."""
    from statewright.core import events
    from statewright.core.events import HistoryEvent, lazy_event

    machine = statewright.load({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Parameters": {"order.$": "$.order"}, "Next": "B"},
        "B": {"Type": "Pass", "Result": True, "ResultPath": "$.ok", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.order", "NumericGreaterThan": 0, "Next": "D"}],
              "Default": "D"},
        "D": {"Type": "Pass", "Next": "E"},
        "E": {"Type": "Succeed"}}})
    writes: list[list[Any]] = []
    made: list[Any] = []

    async def main() -> Any:
        async with DurableEngine(store_url) as engine:
            write = engine.store.write

            async def recorded(batch: Any) -> Any:
                writes.append(list(batch))
                return await write(batch)

            monkeypatch.setattr(engine.store, "write", recorded)
            original_init = HistoryEvent.__init__
            monkeypatch.setattr(HistoryEvent, "__init__",
                                lambda self, *args, **kwargs: (made.append(args), original_init(self, *args, **kwargs)))
            monkeypatch.setattr(events, "lazy_event", lambda *args: made.append(args) or lazy_event(*args))
            return await engine.execute(machine, {"order": 5})

    result = asyncio.run(main())
    assert result.status == "SUCCEEDED" and result.output == {"order": 5, "ok": True}
    assert len(writes) == 1 and len(writes[0]) == 1  # one batch, one step
    step = writes[0][0]
    assert step.event_count == 12 and step.ending is not None and step.ending.status == "SUCCEEDED"
    assert isinstance(step.events, bytes) and json.loads(step.events)[1] == "ExecutionStarted"
    assert made == []  # no HistoryEvent was made to record it (nor to return the result)
    assert len(list(result.events)) == 12
    assert made  # (reading them does make them: the spies work)
