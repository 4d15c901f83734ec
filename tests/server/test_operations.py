"""What operators see of a real server: /metrics (Prometheus text format), /healthz, and the request log."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from statewright.runtime.durable import DurableEngine
from statewright.server.app import make_app
from statewright.server.context import ServerContext
from tests.server.conftest import ROLE, Server
from tests.server.test_machines import wait_done

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_]\w*="(?:[^"\\]|\\.)*",?)*)\})? (\S+)$')
COUNT = "arn:aws:lambda:us-east-1:123456789012:function:count"
TASKED = {"StartAt": "Count", "States": {
    "Count": {"Type": "Task", "Resource": COUNT, "Next": "Done"}, "Done": {"Type": "Succeed"}}}


def parse_exposition(text: str) -> dict[str, dict[frozenset[tuple[str, str]], float]]:
    """Samples by name and label set; fails on any line outside the text format (0.0.4)."""
    samples: dict[str, dict[frozenset[tuple[str, str]], float]] = {}
    typed: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in ("counter", "gauge", "histogram") and name not in typed, line
            typed[name] = kind
            continue
        if line.startswith("# HELP "):
            continue
        match = _SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        name, labels, value = match.groups()
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in typed else name
        assert family in typed, f"{name} has no # TYPE line before it"
        pairs = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels or ""))
        samples.setdefault(name, {})[pairs] = float(value)
    return samples


def buckets(samples: dict[str, Any], name: str, **labels: str) -> list[tuple[float, float]]:
    fixed = set(labels.items())
    rows = [(float(dict(key)["le"]), value) for key, value in samples[f"{name}_bucket"].items()
            if fixed <= set(key)]
    return sorted(rows)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_metrics_count_executions_steps_tasks_and_requests(tmp_path: Path) -> None:
    (tmp_path / "resources.yaml").write_text(f"resources:\n  {COUNT}: builtins:len\n")
    server = Server(tmp_path, "--resources", str(tmp_path / "resources.yaml"))
    try:
        sfn = server.client()
        arn = sfn.create_state_machine(name="counted", definition=json.dumps(TASKED), roleArn=ROLE)["stateMachineArn"]
        started = [sfn.start_execution(stateMachineArn=arn, input='{"a": 1, "b": 2}')["executionArn"]
                   for _ in range(3)]
        assert all(wait_done(sfn, execution)["output"] == "2" for execution in started)
        with contextlib.suppress(sfn.exceptions.ExecutionDoesNotExist):
            sfn.describe_execution(executionArn=started[0] + "-missing")
        time.sleep(1.1)  # the store's counts are cached for a second
        status, text = get(f"{server.url}/metrics")
        assert status == 200
        samples = parse_exposition(text)
    finally:
        server.stop()
    assert samples["statewright_executions"][frozenset({("status", "SUCCEEDED")})] == 3
    assert samples["statewright_executions"][frozenset({("status", "RUNNING")})] == 0
    # Each execution: the start step, then the task's result (Succeed ends it in the same step).
    assert samples["statewright_steps_recorded_total"][frozenset()] == 6
    assert samples["statewright_events_recorded_total"][frozenset()] >= 3 * 6
    assert samples["statewright_tasks_sent_total"][frozenset()] == 3
    assert samples["statewright_tasks_in_flight"][frozenset()] == 0
    tasks = buckets(samples, "statewright_task_seconds")
    assert tasks[-1] == (float("inf"), 3) and all(a[1] <= b[1] for a, b in itertools.pairwise(tasks))
    commits = samples["statewright_store_commits_total"][frozenset()]
    assert buckets(samples, "statewright_store_commit_seconds")[-1][1] == commits >= 1
    requests = samples["statewright_http_requests_total"]
    assert requests[frozenset({("action", "StartExecution"), ("status", "200")})] == 3
    assert requests[frozenset({("action", "DescribeExecution"), ("status", "400")})] == 1
    assert requests[frozenset({("action", "CreateStateMachine"), ("status", "200")})] == 1
    assert buckets(samples, "statewright_http_request_seconds", action="StartExecution")[-1][1] == 3
    assert samples["statewright_http_request_seconds_sum"][frozenset({("action", "StartExecution")})] > 0


def test_unknown_actions_share_one_label(server: Server) -> None:
    for made_up in ("Nope1", "Nope2"):
        request = urllib.request.Request(server.url, data=b"{}", method="POST",
                                         headers={"X-Amz-Target": f"AWSStepFunctions.{made_up}"})
        try:
            urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == 400
    samples = parse_exposition(get(f"{server.url}/metrics")[1])
    assert samples["statewright_http_requests_total"] == {
        frozenset({("action", "unknown"), ("status", "400")}): 2}


def test_healthz_and_the_request_log(server: Server) -> None:
    status, text = get(f"{server.url}/healthz")
    assert (status, json.loads(text)) == (200, {"status": "ok"})
    sfn = server.client()
    listed_id = sfn.list_state_machines()["ResponseMetadata"]["RequestId"]
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as missing:
        sfn.describe_state_machine(stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:none")
    failed_id = missing.value.response["ResponseMetadata"]["RequestId"]
    assert len({listed_id, failed_id}) == 2 and all(len(one) == 36 for one in (listed_id, failed_id))
    deadline = time.monotonic() + 10
    while "DescribeStateMachine 400" not in server.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    log = server.log.read_text()
    assert re.search(rf" INFO statewright\.server: ListStateMachines 200 \d+\.\dms {listed_id}$", log, re.M), log
    assert re.search(rf" INFO statewright\.server: DescribeStateMachine 400 \d+\.\dms {failed_id}$", log, re.M), log


async def _in_process(tmp_path: Path, check: Any) -> None:
    engine = DurableEngine(tmp_path / "health.db")
    await engine.open()
    client = TestClient(TestServer(make_app(ServerContext(engine), stall_after=0.3, lag_window=1.0)))
    await client.start_server()
    try:
        await check(client, engine)
    finally:
        await client.close()
        await engine.close()


def test_healthz_is_503_when_the_loop_stalls(tmp_path: Path) -> None:
    async def check(client: TestClient, engine: DurableEngine) -> None:
        await asyncio.sleep(0.3)  # the lag ticker has ticked
        assert (await client.get("/healthz")).status == 200
        time.sleep(0.8)  # a blocking call on the loop: its next tick is late by ~0.8 s
        await asyncio.sleep(0.3)
        answer = await client.get("/healthz")
        assert answer.status == 503 and "event loop lagged" in (await answer.json())["loop"]
        await asyncio.sleep(1.2)  # the stall has left the window: healthy again
        assert (await client.get("/healthz")).status == 200
        samples = parse_exposition(await (await client.get("/metrics")).text())
        assert samples["statewright_event_loop_lag_seconds"][frozenset()] < 0.3

    asyncio.run(_in_process(tmp_path, check))


def test_healthz_is_503_when_the_store_does_not_answer(tmp_path: Path) -> None:
    async def check(client: TestClient, engine: DurableEngine) -> None:
        assert (await client.get("/healthz")).status == 200
        await engine.store.close()
        answer = await client.get("/healthz")
        assert answer.status == 503 and (await answer.json())["store"]

    asyncio.run(_in_process(tmp_path, check))
