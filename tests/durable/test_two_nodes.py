"""Two durable engines (nodes) on one PostgreSQL store: each advances the executions it owns; a node that
leaves hands its executions to the other at once; a node that lost its lease but still acts is refused by
the store's step key (a step conflict) and reloads, so every timer is recorded fired once and every task
after it runs once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import statewright
from statewright.runtime.durable import DurableEngine
from tests.postgres import postgres_url  # noqa: F401 - the fixture

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
EXECUTIONS = 30


def machine(wait_seconds: float) -> Any:
    return statewright.load({"StartAt": "Hold", "States": {
        "Hold": {"Type": "Wait", "Seconds": wait_seconds, "Next": "Count"},
        "Count": {"Type": "Task", "Resource": FN + "count", "End": True}}})


class Nodes:
    """Two engines on one store; ``calls`` records which node ran each task."""

    def __init__(self, url: str, lease_seconds: float) -> None:
        self.calls: dict[str, list[int]] = {"one": [], "two": []}
        self.one = DurableEngine(url, {FN + "count": self.counter("one")}, node_id="one",
                                 lease_seconds=lease_seconds)
        self.two = DurableEngine(url, {FN + "count": self.counter("two")}, node_id="two",
                                 lease_seconds=lease_seconds)

    def counter(self, node: str) -> Any:
        async def count(payload: dict[str, Any]) -> dict[str, Any]:
            self.calls[node].append(payload["n"])
            return {"n": payload["n"], "by": node}

        return count

    async def finished(self, engine: DurableEngine, arns: list[str], timeout: float = 30) -> list[Any]:
        deadline = time.monotonic() + timeout
        while True:
            described = [await engine.describe(arn) for arn in arns]
            if all(d.status != "RUNNING" for d in described) or time.monotonic() > deadline:
                return described
            await asyncio.sleep(0.05)


def check_histories(histories: list[Any]) -> None:
    for history in histories:
        types = [event.type for event in history]
        assert types.count("WaitStateExited") == 1 and types.count("LambdaFunctionScheduled") == 1
        assert [event.id for event in history] == list(range(1, len(history) + 1))


def test_each_node_advances_the_executions_it_owns(postgres_url: str) -> None:  # noqa: F811
    nodes = Nodes(postgres_url, lease_seconds=5)

    async def main() -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
        await nodes.one.open()
        arns = [await nodes.one.start(machine(1), {"n": n}, name=f"x{n}") for n in range(EXECUTIONS)]
        await nodes.two.open()  # one's lease is alive: two takes nothing over and reads none of one's timers
        described = await nodes.finished(nodes.two, arns)
        stats = nodes.one.stats, nodes.two.stats
        await nodes.one.close()
        await nodes.two.close()
        return described, *stats

    described, one, two = asyncio.run(main())
    assert [d.status for d in described] == ["SUCCEEDED"] * EXECUTIONS
    assert sorted(nodes.calls["one"]) == list(range(EXECUTIONS)) and nodes.calls["two"] == []
    assert one["step_conflicts"] == two["step_conflicts"] == 0 and two["taken_over"] == 0


def test_a_node_that_leaves_hands_its_executions_over_at_once(postgres_url: str) -> None:  # noqa: F811
    nodes = Nodes(postgres_url, lease_seconds=2)

    async def main() -> tuple[list[Any], list[Any], dict[str, Any], float]:
        await nodes.one.open()
        await nodes.two.open()
        arns = [await nodes.one.start(machine(2), {"n": n}, name=f"x{n}") for n in range(EXECUTIONS)]
        await nodes.one.close()  # SIGTERM's drain: the lease ends with it
        left = time.monotonic()
        described = await nodes.finished(nodes.two, arns)
        took = time.monotonic() - left
        histories = [await nodes.two.history(arn) for arn in arns]
        stats = nodes.two.stats
        await nodes.two.close()
        return described, histories, stats, took

    described, histories, stats, took = asyncio.run(main())
    assert [d.status for d in described] == ["SUCCEEDED"] * EXECUTIONS
    assert {d.output["by"] for d in described} == {"two"} and stats["taken_over"] == EXECUTIONS
    check_histories(histories)
    assert took < 2 + 2 + 5  # the Waits' 2 s, a renewal interval (0.5 s), and slack for a loaded machine


def test_a_node_that_lost_its_lease_but_still_acts_is_refused_by_the_store(postgres_url: str) -> None:  # noqa: F811
    """Node one is judged dead (its lease row removed, as when it stalls longer than its lease) while its
    timers are armed in memory; two takes its executions over. Both fire the timers: the store records one
    step per timer, the other node's copy is refused (a conflict) and reloaded."""
    nodes = Nodes(postgres_url, lease_seconds=2)

    async def main() -> tuple[list[Any], list[Any], int, dict[str, Any]]:
        await nodes.one.open()
        await nodes.two.open()
        arns = [await nodes.one.start(machine(2), {"n": n}, name=f"x{n}") for n in range(EXECUTIONS)]
        # One stalls: it renews no more and its lease is gone, but its timers are still armed in memory.
        assert nodes.one._lease_task is not None
        nodes.one._lease_task.cancel()
        await nodes.one.store.leave()
        described = await nodes.finished(nodes.two, arns)
        histories = [await nodes.two.history(arn) for arn in arns]
        conflicts = nodes.one.stats["step_conflicts"] + nodes.two.stats["step_conflicts"]
        stats = nodes.two.stats
        await nodes.one.close()
        await nodes.two.close()
        return described, histories, conflicts, stats

    described, histories, conflicts, stats = asyncio.run(main())
    assert [d.status for d in described] == ["SUCCEEDED"] * EXECUTIONS
    check_histories(histories)
    # Two took all of one's executions, and again each one that one advanced afterwards (recording a step
    # makes its writer the owner; one has no lease, so two takes it back and sends its open task again).
    assert stats["taken_over"] >= EXECUTIONS
    # Every task ran (at least once: a task sent again carries the same idempotency key), and each timer
    # and task is recorded once (check_histories).
    assert set(nodes.calls["one"] + nodes.calls["two"]) == set(range(EXECUTIONS))
    # Both nodes acted on the same executions and the store refused the stale copies: at least one conflict
    # (how many depends on the interleaving: a copy is refused once per step it decided too late).
    assert conflicts > 0
