"""Timer-heavy, across nodes: 10,000 executions of three Waits each, started on three `statewright serve`
processes sharing one PostgreSQL; one node is SIGKILLed while most timers are pending. Every execution
succeeds and every Wait's timer is recorded fired exactly once (counted in the store, per timer)."""

from __future__ import annotations

import asyncio
import collections
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks.serve.load import start_many

from tests.postgres import SERVER, postgres_url  # noqa: F401 - the fixture
from tests.server.conftest import ROLE, Server

EXECUTIONS = int(os.environ.get("STATEWRIGHT_TIMER_TEST_EXECUTIONS", "10000"))
LEASE = 2.0
MACHINE = {"StartAt": "First", "States": {
    "First": {"Type": "Wait", "Seconds": 2, "Next": "Second"},
    "Second": {"Type": "Wait", "Seconds": 1, "Next": "Third"},
    "Third": {"Type": "Wait", "Seconds": 1, "End": True}}}


@pytest.fixture()
def nodes(tmp_path: Path, postgres_url: str) -> Iterator[list[Server]]:  # noqa: F811
    started = []
    for number in (1, 2, 3):
        folder = tmp_path / f"node{number}"
        folder.mkdir()
        started.append(Server(folder, "--lease-seconds", str(LEASE), "--node-id", f"node{number}",
                              "--log-level", "warning", db=postgres_url))
    yield started
    for server in started:
        server.stop()


async def _query(schema: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    import asyncpg

    connection = await asyncpg.connect(SERVER)
    try:
        return [tuple(row) for row in await connection.fetch(sql.replace("$schema", f'"{schema}"'))]
    finally:
        await connection.close()


@pytest.mark.slow
def test_every_wait_fires_exactly_once_across_nodes_and_a_kill(nodes: list[Server], postgres_url: str) -> None:  # noqa: F811
    schema = postgres_url.rsplit("schema=", 1)[1]
    machine = nodes[0].client().create_state_machine(name="waits", definition=json.dumps(MACHINE), roleArn=ROLE)
    each = [EXECUTIONS // 3 + (1 if number < EXECUTIONS % 3 else 0) for number in range(3)]

    async def start_everywhere() -> list[dict]:  # type: ignore[type-arg]
        return await asyncio.gather(*(start_many(node.url, machine["stateMachineArn"], count, 30)
                                      for node, count in zip(nodes, each, strict=True)))

    started = asyncio.run(start_everywhere())
    assert [s["error_count"] for s in started] == [0, 0, 0], [s["errors"][:2] for s in started]
    nodes[0].kill()  # SIGKILL with a third of the executions' timers pending on it
    killed = time.monotonic()

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        running = asyncio.run(_query(schema, "SELECT count(*) FROM $schema.executions WHERE status = 'RUNNING'"))
        if running[0][0] == 0:
            break
        time.sleep(1)
    finished = time.monotonic() - killed
    statuses = dict(asyncio.run(_query(schema, "SELECT status, count(*) FROM $schema.executions GROUP BY status")))
    assert statuses == {"SUCCEEDED": EXECUTIONS}

    # Each step's input is recorded as the codec wrote it: a fired timer is ["T", seq, time].
    inputs = asyncio.run(_query(schema, "SELECT execution_id, input FROM $schema.steps"))
    fired = collections.Counter()
    for execution_id, text in inputs:
        fields = json.loads(bytes(text))
        if fields[0] == "T":
            fired[execution_id, fields[1]] += 1
    assert set(fired.values()) == {1}, [key for key, count in fired.items() if count != 1][:5]
    per_execution = collections.Counter(execution_id for execution_id, _ in fired)
    assert len(per_execution) == EXECUTIONS and set(per_execution.values()) == {3}
    taken = asyncio.run(_query(schema, "SELECT count(*) FROM $schema.executions WHERE owner <> 'node1'"))
    print(f"{EXECUTIONS} executions, {sum(fired.values())} timers each fired once; all ended "
          f"{finished:.1f} s after the kill; {taken[0][0]} ended owned by the surviving nodes")
