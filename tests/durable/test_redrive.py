"""RedriveExecution on the durable engine, with a real SQLite file (spec/redrive.md)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import statewright
from statewright.runtime.durable import DurableEngine, ExecutionNotRedrivable
from statewright.runtime.engine import ExecutionNotFound

FN = "arn:aws:lambda:us-east-1:123456789012:function:"

MACHINE = f"""
StartAt: Prepare
States:
  Prepare: {{Type: Pass, Result: {{order: 7}}, Next: Charge}}
  Charge: {{Type: Task, Resource: {FN}charge, Next: Hold}}
  Hold: {{Type: Wait, Seconds: 5, Next: Done}}
  Done: {{Type: Succeed}}
"""


class Broken(Exception):
    pass


def tasks(flag: Path, calls: list[Any]) -> dict[str, Any]:
    async def charge(payload: Any) -> Any:
        calls.append(payload)
        if not flag.exists():
            raise Broken("the card service is down")
        return {"charged": payload["order"]}

    return {FN + "charge": charge}


def test_a_failed_execution_redriven_after_the_fix_succeeds_and_keeps_its_first_attempt(tmp_path: Path) -> None:
    flag, calls, db = tmp_path / "fixed", [], tmp_path / "s.db"

    async def main() -> tuple[Any, Any, Any, Any, Any]:
        async with DurableEngine(db, tasks(flag, calls), virtual_time=True) as engine:
            arn = await engine.start(statewright.load(MACHINE), {"n": 1}, name="order-7")
            first = await engine.wait(arn)
            assert (await engine.list(redriven=True)).executions == []
            flag.touch()
            date = await engine.redrive(arn)
            assert date == pytest.approx(engine.clock.now(), abs=60)
            running = await engine.describe(arn)
        # A new engine on the same file carries on the redriven execution (its record replays with the redrive).
        async with DurableEngine(db, tasks(flag, calls), virtual_time=True) as engine:
            second = await engine.wait(arn)
            described = await engine.describe(arn)
            redriven = await engine.list(redriven=True)
        return first, running, second, described, redriven

    first, running, second, described, redriven = asyncio.run(main())
    assert first.status == "FAILED" and first.error == "Broken"
    assert running.status == "RUNNING" and running.stop_date is None and running.error is None
    assert second.status == "SUCCEEDED" and second.output == {"charged": 7}
    assert calls == [{"order": 7}, {"order": 7}]  # Charge ran again with its input; Prepare did not
    types = [event.type for event in second.events]
    at = types.index("ExecutionRedriven")
    assert types[:at] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "TaskStateEntered",
                          "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed",
                          "ExecutionFailed"]
    assert types[at + 1:] == ["TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
                              "LambdaFunctionSucceeded", "TaskStateExited",
                              "WaitStateEntered", "WaitStateExited", "SucceedStateEntered", "SucceedStateExited",
                              "ExecutionSucceeded"]
    assert second.events[at].to_aws()["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert described.redrive_count == 1 and described.redrive_date is not None
    assert described.status == "SUCCEEDED" and described.stop_date is not None
    assert [item.execution_arn for item in redriven.executions] == [described.execution_arn]


def test_what_cannot_be_redriven_is_refused_with_aws_reasons(tmp_path: Path) -> None:
    flag, calls = tmp_path / "fixed", []
    flag.touch()
    missing = "arn:aws:states:us-east-1:123456789012:execution:nobody:nothing"

    async def main() -> list[str]:
        reasons = []
        async with DurableEngine(tmp_path / "s.db", tasks(flag, calls), virtual_time=True) as engine:
            arn = await engine.start(statewright.load(MACHINE), {})
            await engine.wait(arn)
            for target in (arn, missing):
                try:
                    await engine.redrive(target)
                except (ExecutionNotRedrivable, ExecutionNotFound) as error:
                    reasons.append(f"{type(error).__name__}: {error}")
            described = await engine.describe(arn)
            assert described.redrive_count == 0 and described.status == "SUCCEEDED"
        return reasons

    assert asyncio.run(main()) == ["ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven",
                                   f"ExecutionNotFound: Execution Does Not Exist: '{missing}'"]


def test_a_stopped_execution_is_redriven_from_the_state_it_was_stopped_in(tmp_path: Path) -> None:
    machine = statewright.load("""
StartAt: Prepare
States:
  Prepare: {Type: Pass, Next: Sleep}
  Sleep: {Type: Wait, Seconds: 3600, Next: Done}
  Done: {Type: Succeed}
""")

    async def main() -> Any:
        async with DurableEngine(tmp_path / "s.db", virtual_time=True) as engine:
            arn = await engine.start(machine, {})
            stopped = await engine.stop(arn, "Operator", "by hand")
            assert stopped.status == "ABORTED"
            await engine.redrive(arn)
            return await engine.wait(arn)

    result = asyncio.run(main())
    assert result.status == "SUCCEEDED"
    types = [event.type for event in result.events]
    assert types.count("PassStateEntered") == 1 and types.count("WaitStateEntered") == 2
    assert types[types.index("ExecutionAborted") + 1] == "ExecutionRedriven"
