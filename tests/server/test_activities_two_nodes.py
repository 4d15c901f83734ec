"""Activity workers on two `statewright serve` nodes sharing PostgreSQL: a worker polling either node gets the
tasks queued on both, and each attempt goes to one worker (plain boto3 workers in threads of the test)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.postgres import postgres_url  # noqa: F401 - the fixture
from tests.server.conftest import ROLE, Server

TASKS = 40


@pytest.fixture()
def nodes(tmp_path: Path, postgres_url: str) -> Iterator[list[Server]]:  # noqa: F811
    started = []
    for number in (1, 2):
        folder = tmp_path / f"node{number}"
        folder.mkdir()
        started.append(Server(folder, "--node-id", f"node{number}", db=postgres_url,
                              env={"STATEWRIGHT_ACTIVITY_POLL_SECONDS": "3"}))
    yield started
    for server in started:
        server.stop()


def worker(sfn: Any, activity: str, name: str, received: list[tuple[str, str]], stop: threading.Event) -> None:
    while not stop.is_set():
        task = sfn.get_activity_task(activityArn=activity, workerName=name)
        if not task.get("taskToken"):
            continue
        received.append((name, task["input"]))
        sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"by": name, **json.loads(task["input"])}))


def test_workers_on_either_node_take_each_task_once(nodes: list[Server]) -> None:
    one, two = (node.client() for node in nodes)
    activity = one.create_activity(name="review")["activityArn"]
    machine = one.create_state_machine(name="reviewed", roleArn=ROLE, definition=json.dumps({
        "StartAt": "Review", "States": {"Review": {"Type": "Task", "Resource": activity, "TimeoutSeconds": 120,
                                                   "End": True}}}))["stateMachineArn"]
    # Every execution starts on node one, so its task is queued there; the workers poll node two only at
    # first, then both.
    received: list[tuple[str, str]] = []
    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(two if n < 2 else one if n == 2 else two, activity,
                                                     f"w{n}", received, stop), daemon=True) for n in range(4)]
    for thread in threads[:2]:
        thread.start()
    arns = [one.start_execution(stateMachineArn=machine, name=f"r{n}", input=json.dumps({"n": n}))["executionArn"]
            for n in range(TASKS)]
    for thread in threads[2:]:
        thread.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        described = [one.describe_execution(executionArn=arn) for arn in arns]
        if all(d["status"] != "RUNNING" for d in described):
            break
        time.sleep(0.2)
    stop.set()
    for thread in threads:  # each ends with its current long poll (3 s here)
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads)
    assert [d["status"] for d in described] == ["SUCCEEDED"] * TASKS
    assert sorted(json.loads(d["output"])["n"] for d in described) == list(range(TASKS))
    # Each task handed out once: one receipt per input, one ActivityStarted per execution.
    assert sorted(Counter(task for _, task in received).values()) == [1] * TASKS
    by_node_two = {json.loads(d["output"])["by"] for d in described} & {"w0", "w1", "w3"}
    assert by_node_two, "no task queued on node one was taken by a worker polling node two"
    for arn in arns:
        types = [e["type"] for e in two.get_execution_history(executionArn=arn)["events"]]
        assert types.count("ActivityStarted") == 1 and types.count("ActivitySucceeded") == 1, types
