"""Three `statewright serve` nodes on one PostgreSQL run a mixed workload, one node SIGKILLed mid-run and
another restarted: Waits, HTTP tasks (a backend here that records every request's Idempotency-Key), callbacks
(.waitForTaskToken answered through whichever node is up), activity tasks (boto3 workers polling any node),
and a Map whose iterations run child executions (startExecution.sync:2). Every execution ends with the output
an uninterrupted run gives; every re-sent HTTP request carries its first sending's key; each execution's
history is contiguous with every Wait and task recorded once.

``STATEWRIGHT_CLUSTER_EXECUTIONS`` sets how many (default 1,000: about 40 s on a 2-core machine)."""

from __future__ import annotations

import asyncio
import collections
import json
import os
import random
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.postgres import postgres_url  # noqa: F401 - the fixture
from tests.server.conftest import ROLE, Server

EXECUTIONS = int(os.environ.get("STATEWRIGHT_CLUSTER_EXECUTIONS", "1000"))
LEASE = 2.0
TASKS = '''
import json
import os
import urllib.request


def enqueue(event):
    """The .waitForTaskToken resource: hands the token to the approver (the backend), as SQS would."""
    request = urllib.request.Request(os.environ["BACKEND"] + "/approve", data=json.dumps(event).encode(),
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).read()
    return {"queued": True}
'''


def parent(backend: str, activity: str, child: str) -> dict[str, Any]:
    return {"StartAt": "Hold", "States": {
        "Hold": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Price"},
        "Price": {"Type": "Task", "Resource": f"{backend}/price", "Parameters": {"n.$": "$.n"},
                  "ResultPath": "$.price", "Next": "Approve",
                  "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 5}]},
        "Approve": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"token.$": "$$.Task.Token", "n.$": "$.n"}, "ResultPath": "$.approval",
                    "TimeoutSeconds": 120, "Next": "Review"},
        # A task handed to a worker by a node killed before its answer reached the worker is lost with it (as
        # on AWS): the timeout and a retry give it to another worker.
        "Review": {"Type": "Task", "Resource": activity, "Parameters": {"n.$": "$.n"}, "ResultPath": "$.review",
                   "TimeoutSeconds": 10, "Next": "Items",
                   "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 3}]},
        "Items": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ResultPath": "$.children",
                  "ItemProcessor": {"StartAt": "Child", "States": {"Child": {
                      "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                      "Parameters": {"StateMachineArn": child, "Input": {"n.$": "$"}},
                      "ResultSelector": {"doubled.$": "$.Output.doubled"}, "End": True}}},
                  "Next": "Done"},
        "Done": {"Type": "Pass", "Parameters": {"n.$": "$.n", "price.$": "$.price.total",
                                                "approved.$": "$.approval.approved", "review.$": "$.review.n",
                                                "children.$": "$.children"}, "End": True}}}


CHILD = {"StartAt": "Double", "States": {"Double": {
    "Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": True}}}


def expected(n: int) -> dict[str, Any]:
    return {"n": n, "price": n * 3 + 1, "approved": True, "review": n,
            "children": [{"doubled": 2 * (10 * n + k)} for k in range(2)]}


class Backend:
    """The HTTP task's service and the approver, in a thread of the test: they outlive every kill."""

    def __init__(self, approve: Any) -> None:
        self.approve = approve
        self.requests: list[tuple[str, int]] = []  # (Idempotency-Key, n)
        self.tokens: set[str] = set()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        assert ready.wait(10)

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_post("/price", self._price)
        app.router.add_post("/approve", self._approve)
        self.runner = web.AppRunner(app, access_log=None)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        ready.set()
        self.loop.run_forever()

    async def _price(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append((request.headers["Idempotency-Key"], body["n"]))
        await asyncio.sleep(0.05)
        return web.json_response({"total": body["n"] * 3 + 1})

    async def _approve(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body["token"] not in self.tokens:  # a re-sent enqueue carries the same token: answered once
            self.tokens.add(body["token"])
            self.loop.run_in_executor(None, self.approve, body["token"])
        return web.json_response({"queued": True})

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


class Cluster:
    def __init__(self, tmp_path: Path, url: str) -> None:
        self.nodes: list[Server] = []
        self.tmp_path, self.url = tmp_path, url
        self.stop = threading.Event()
        self.backend = Backend(self.approve)
        for number in (1, 2, 3):
            folder = tmp_path / f"node{number}"
            folder.mkdir()
            (folder / "tasks.py").write_text(TASKS)
            (folder / "resources.yaml").write_text("resources:\n  arn:aws:states:::sqs:sendMessage: tasks:enqueue\n")
            self.nodes.append(Server(
                folder, "--resources", str(folder / "resources.yaml"), "--lease-seconds", str(LEASE),
                "--node-id", f"node{number}", "--log-level", "warning", db=url,
                env={"BACKEND": self.backend.url, "STATEWRIGHT_ACTIVITY_POLL_SECONDS": "2"}))
        self.up = [True, True, True]

    def client(self) -> Any:
        """A client of a node that is up (any of them: that is the point)."""
        return random.choice([node for node, up in zip(self.nodes, self.up, strict=True) if up]).client()

    def call(self, action: str, **arguments: Any) -> Any:
        for _ in range(40):  # a node may be down for a moment: ask another
            try:
                return getattr(self.client(), action)(**arguments)
            except Exception as error:  # connection refused, or the node went down mid-call
                if "TaskTimedOut" in str(error) or "TaskDoesNotExist" in str(error):
                    return None  # answered already (a re-sent task): nothing to do
                time.sleep(0.25)
        raise AssertionError(f"no node answered {action}")

    def approve(self, token: str) -> None:
        self.call("send_task_success", taskToken=token, output=json.dumps({"approved": True}))

    def worker(self, activity: str) -> None:
        while not self.stop.is_set():
            try:
                task = self.client().get_activity_task(activityArn=activity, workerName="w")
            except Exception:  # the node polled was killed mid-poll
                time.sleep(0.2)
                continue
            if task.get("taskToken"):
                self.call("send_task_success", taskToken=task["taskToken"], output=task["input"])

    def close(self) -> None:
        self.stop.set()
        for node in self.nodes:
            node.stop()
        self.backend.close()


@pytest.fixture()
def cluster(tmp_path: Path, postgres_url: str) -> Iterator[Cluster]:  # noqa: F811
    made = Cluster(tmp_path, postgres_url)
    yield made
    made.close()


def conflicts(node: Server) -> int:
    with urllib.request.urlopen(node.url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return int(float(re.search(r"^statewright_step_conflicts_total (\S+)$", text, re.M)[1]))  # type: ignore[index]


@pytest.mark.slow
def test_a_mixed_workload_survives_a_killed_and_a_restarted_node(cluster: Cluster) -> None:
    sfn = cluster.nodes[0].client()
    activity = sfn.create_activity(name="review")["activityArn"]
    child = sfn.create_state_machine(name="child", definition=json.dumps(CHILD), roleArn=ROLE)["stateMachineArn"]
    machine = sfn.create_state_machine(name="mixed", roleArn=ROLE, definition=json.dumps(
        parent(cluster.backend.url, activity, child)))["stateMachineArn"]
    workers = [threading.Thread(target=cluster.worker, args=(activity,), daemon=True) for _ in range(4)]
    for thread in workers:
        thread.start()

    async def start() -> list[str]:
        arns: list[str] = []
        for n in range(EXECUTIONS):
            node = cluster.nodes[n % 3]
            arns.append(node.client().start_execution(
                stateMachineArn=machine, name=f"m{n}",
                input=json.dumps({"n": n, "wait": 1 + n % 2, "items": [10 * n, 10 * n + 1]}))["executionArn"])
        return arns

    arns = asyncio.run(start())
    cluster.up[0] = False
    cluster.nodes[0].kill()  # SIGKILL mid-run
    time.sleep(2)
    cluster.up[1] = False
    assert cluster.nodes[1].terminate() == 0  # SIGTERM: drains, hands its executions over, exits 0
    cluster.nodes[1].restart()
    cluster.up[1] = True

    deadline = time.monotonic() + 240
    survivor = cluster.nodes[2].client()
    while time.monotonic() < deadline:
        described = [survivor.describe_execution(executionArn=arn) for arn in arns]
        if all(d["status"] != "RUNNING" for d in described):
            break
        time.sleep(1)
    cluster.stop.set()
    statuses = collections.Counter(d["status"] for d in described)
    problems = []
    for arn, d in zip(arns, described, strict=True):
        if d["status"] == "FAILED":
            problems.append((arn.rsplit(":", 1)[1], d.get("error"), (d.get("cause") or "")[:300]))
        elif d["status"] == "RUNNING":
            events = survivor.get_execution_history(executionArn=arn, maxResults=1000, reverseOrder=True)["events"]
            problems.append((arn.rsplit(":", 1)[1], "RUNNING", [e["type"] for e in events[:4]]))
    assert statuses == {"SUCCEEDED": EXECUTIONS}, (statuses, problems[:8])
    wrong = [(n, d["output"]) for n, d in enumerate(described) if json.loads(d["output"]) != expected(n)]
    assert wrong == [], wrong[:3]

    for n, arn in enumerate(arns):
        events = survivor.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        types = [event["type"] for event in events]
        assert [event["id"] for event in events] == list(range(1, len(events) + 1)), n
        assert types.count("WaitStateExited") == 1 and types.count("ActivitySucceeded") == 1, (n, types)
        assert types.count("TaskSucceeded") >= 4 and types.count("ExecutionSucceeded") == 1, (n, types)
    # Every HTTP request re-sent after the kill carries its first sending's key: one key per execution.
    keys: dict[int, set[str]] = collections.defaultdict(set)
    for key, n in cluster.backend.requests:
        keys[n].add(key)
    assert sorted(keys) == list(range(EXECUTIONS)) and {len(k) for k in keys.values()} == {1}
    resent = len(cluster.backend.requests) - EXECUTIONS
    handled = conflicts(cluster.nodes[1]) + conflicts(cluster.nodes[2])
    print(f"{EXECUTIONS} executions SUCCEEDED as uninterrupted; {resent} HTTP requests re-sent with their key; "
          f"{handled} step conflicts on the surviving nodes, each dropped and reloaded")
