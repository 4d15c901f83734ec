"""Two durable engines on one PostgreSQL store, both holding the same waiting executions: when the timers come
due both nodes decide the next step, the store's version check records one of them, and the other node
drops its copy (counted as a step conflict). Each timer is recorded fired once and each task runs once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import statewright
from statewright.runtime.durable import DurableEngine
from tests.postgres import postgres_url  # noqa: F401 - the fixture

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
MACHINE = {"StartAt": "Hold", "States": {
    "Hold": {"Type": "Wait", "Seconds": 1, "Next": "Count"},
    "Count": {"Type": "Task", "Resource": FN + "count", "End": True}}}
EXECUTIONS = 30


def test_both_nodes_fire_the_timer_and_the_database_records_one(postgres_url: str) -> None:  # noqa: F811
    calls: dict[str, list[int]] = {"one": [], "two": []}

    def counter(node: str) -> Any:
        async def count(payload: dict[str, Any]) -> dict[str, Any]:
            calls[node].append(payload["n"])
            return {"n": payload["n"], "by": node}

        return count

    async def main() -> tuple[list[Any], list[Any], int]:
        machine = statewright.load(MACHINE)
        one = DurableEngine(postgres_url, {FN + "count": counter("one")})
        two = DurableEngine(postgres_url, {FN + "count": counter("two")})
        await one.open()
        arns = [await one.start(machine, {"n": n}, name=f"x{n}") for n in range(EXECUTIONS)]
        await two.open()  # resumes every RUNNING execution: both nodes now wait on the same timers
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            described = [await two.describe(arn) for arn in arns]
            if all(d.status != "RUNNING" for d in described):
                break
            await asyncio.sleep(0.1)
        histories = [await one.history(arn) for arn in arns]
        conflicts = one.stats["step_conflicts"] + two.stats["step_conflicts"]
        await one.close()
        await two.close()
        return described, histories, conflicts

    described, histories, conflicts = asyncio.run(main())
    assert [d.status for d in described] == ["SUCCEEDED"] * EXECUTIONS
    assert sorted(d.output["n"] for d in described) == list(range(EXECUTIONS))
    for history in histories:
        types = [event.type for event in history]
        assert types.count("WaitStateExited") == 1 and types.count("LambdaFunctionScheduled") == 1
        assert [event.id for event in history] == list(range(1, len(history) + 1))
    # Each timer recorded fired once, each task run once, by whichever node recorded the step.
    assert sorted(calls["one"] + calls["two"]) == list(range(EXECUTIONS))
    # A node whose step was refused counts a conflict. (A node that had to load the execution from the store
    # when its timer fired may load it with the other node's step already recorded: then it has nothing to
    # decide and nothing to refuse, so the count is at most one per execution.)
    assert 0 < conflicts <= EXECUTIONS
    assert {d.output["by"] for d in described} <= {"one", "two"}
