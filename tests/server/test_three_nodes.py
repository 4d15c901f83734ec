"""Three `statewright serve` processes on one PostgreSQL: executions started on all three, one node SIGKILLed
mid-run and another restarted; the surviving nodes take the dead node's executions over within a lease, and
every execution ends with the output of an uninterrupted run, each Wait recorded fired once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.postgres import postgres_url  # noqa: F401 - the fixture
from tests.server.conftest import ROLE, Server

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
LEASE = 2.0
PER_NODE = 30
TASKS = '''
import time


def double(event):
    time.sleep(0.01)
    return {"n": event["n"] * 2}
'''
MACHINE = {"StartAt": "Hold", "States": {
    "Hold": {"Type": "Wait", "Seconds": 1, "Next": "Each"},
    "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "Next": "Rest",
             "ItemProcessor": {"StartAt": "Double", "States": {
                 "Double": {"Type": "Task", "Resource": FN + "double", "End": True}}}},
    "Rest": {"Type": "Wait", "Seconds": 1, "End": True}}}


@pytest.fixture()
def nodes(tmp_path: Path, postgres_url: str) -> Iterator[list[Server]]:  # noqa: F811
    started = []
    for number in (1, 2, 3):
        folder = tmp_path / f"node{number}"
        folder.mkdir()
        (folder / "tasks.py").write_text(TASKS)
        (folder / "resources.yaml").write_text(f"resources:\n  {FN}double: tasks:double\n")
        started.append(Server(folder, "--resources", str(folder / "resources.yaml"), "--lease-seconds", str(LEASE),
                              "--node-id", f"node{number}", db=postgres_url))
    yield started
    for server in started:
        server.stop()


def expected(n: int) -> list[dict[str, int]]:
    return [{"n": 2 * n}, {"n": 2 * n + 2}, {"n": 2 * n + 4}]


def when(event: dict[str, Any]) -> float:
    stamp = event["timestamp"]
    return stamp.timestamp() if isinstance(stamp, datetime) else float(stamp)


def test_a_killed_nodes_executions_are_taken_over_and_finish(nodes: list[Server]) -> None:
    clients = [node.client() for node in nodes]
    machine = clients[0].create_state_machine(name="fan", definition=json.dumps(MACHINE), roleArn=ROLE)
    arn = machine["stateMachineArn"]
    started: dict[int, str] = {}
    by_node: dict[int, list[int]] = {0: [], 1: [], 2: []}
    for n in range(3 * PER_NODE):
        node = n % 3
        started[n] = clients[node].start_execution(
            stateMachineArn=arn, name=f"x{n}", input=json.dumps({"items": [{"n": n}, {"n": n + 1}, {"n": n + 2}]}),
        )["executionArn"]
        by_node[node].append(n)
    nodes[0].kill()  # SIGKILL while its executions wait on their first Wait
    killed_at = time.time()
    time.sleep(1.5)
    assert nodes[1].terminate() == 0  # SIGTERM mid-run: drains, hands over, exits 0 ...
    nodes[1].restart()  # ... and comes back on the same database
    survivor = nodes[2].client()

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        described = {n: survivor.describe_execution(executionArn=a) for n, a in started.items()}
        if all(d["status"] != "RUNNING" for d in described.values()):
            break
        time.sleep(0.5)
    assert {n: d["status"] for n, d in described.items() if d["status"] != "SUCCEEDED"} == {}
    wrong = {n: d["output"] for n, d in described.items() if json.loads(d["output"]) != expected(n)}
    assert wrong == {}

    late = []
    for n, execution in started.items():
        events = survivor.get_execution_history(executionArn=execution, maxResults=1000)["events"]
        types = [event["type"] for event in events]
        assert [event["id"] for event in events] == list(range(1, len(events) + 1)), n
        assert types.count("WaitStateExited") == 2 and types.count("MapIterationSucceeded") == 3, (n, types)
        if n in by_node[0]:  # how late the killed node's first Wait fired: the takeover time
            due = when(events[0]) + 1
            fired = when(next(event for event in events if event["type"] == "WaitStateExited"))
            late.append(fired - max(due, killed_at))
    # The dead node's lease lapses within LEASE seconds of its last renewal; a survivor claims its executions
    # at its next renewal (every LEASE / 4 seconds). A loaded 2-core machine gets two seconds of slack.
    print(f"takeover: the killed node's Waits fired {max(late):.2f} s late at most (median "
          f"{sorted(late)[len(late) // 2]:.2f} s; lease {LEASE} s)")
    assert max(late) < LEASE * 1.25 + 2.0
