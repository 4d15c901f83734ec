"""Every path of resume, shown by killing a real engine process with SIGKILL and opening its store again."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from statewright.runtime.durable import DurableEngine

APP = Path(__file__).with_name("app.py")
ROOT = Path(__file__).resolve().parents[2]
FN = "arn:aws:lambda:us-east-1:123456789012:function:"


class Killed:
    """A started engine process, killed with SIGKILL once ``until`` holds."""

    def __init__(self, tmp_path: Path, definition: str, count: int, *, value: str = "{}") -> None:
        self.db = tmp_path / "store.db"
        self.log = tmp_path / "log.jsonl"
        self.log.touch()
        machine = tmp_path / "flow.asl.yaml"
        machine.write_text(definition)
        self.env = {**os.environ, "STATEWRIGHT_TEST_LOG": str(self.log), "PYTHONPATH": str(ROOT / "interpreter")}
        self.process = subprocess.Popen([sys.executable, str(APP), str(self.db), "start", str(machine), str(count),
                                         value], stdout=subprocess.PIPE, text=True, env=self.env)
        assert self.process.stdout is not None
        self.arns = [self.process.stdout.readline().split()[1] for _ in range(count)]

    def entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def kill(self, until: Callable[[], bool] = lambda: True, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not until():
            assert time.monotonic() < deadline, "the engine never got there"
            time.sleep(0.02)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def resume(self, **env: str) -> tuple[dict[str, Any], dict[str, Any], float]:
        began = time.monotonic()
        done = subprocess.run([sys.executable, str(APP), str(self.db), "resume"], capture_output=True, text=True,
                              env={**self.env, **env}, timeout=120, check=True)
        lines = done.stdout.splitlines()
        return json.loads(lines[1]), json.loads(lines[2])["stats"], time.monotonic() - began


def test_a_timer_due_while_the_process_was_down_fires_at_once(tmp_path: Path) -> None:
    run = Killed(tmp_path, f"""
StartAt: Hold
States:
  Hold: {{Type: Wait, Seconds: 2, Next: Echo}}
  Echo: {{Type: Task, Resource: {FN}echo, End: true}}
""", 3)
    run.kill()
    time.sleep(2.5)  # every timer comes due while no process runs
    results, stats, took = run.resume()
    assert sorted(results) == sorted(run.arns)
    assert {r["status"] for r in results.values()} == {"SUCCEEDED"}
    assert sorted(r["output"]["index"] for r in results.values()) == [0, 1, 2]
    assert stats["timers_fired"] == 3 and took < 15  # fired on opening, not two seconds later again
    for result in results.values():
        assert result["types"].count("WaitStateExited") == 1


def test_a_task_whose_result_was_lost_is_sent_again(tmp_path: Path) -> None:
    run = Killed(tmp_path, f"""
StartAt: Work
States:
  Work: {{Type: Task, Resource: {FN}slow, End: true}}
""", 2)
    run.kill(until=lambda: len(run.entries()) == 2)  # both calls are under way
    results, stats, _ = run.resume(STATEWRIGHT_TEST_SLOW="0.05")
    assert {r["status"] for r in results.values()} == {"SUCCEEDED"}
    calls = [entry["slow"]["index"] for entry in run.entries()]
    assert sorted(calls) == [0, 0, 1, 1] and stats["tasks_resent"] == 2
    for result in results.values():
        assert result["types"].count("LambdaFunctionScheduled") == 1  # sent twice, decided once


class KeyServer:
    """An HTTP endpoint that records Idempotency-Key headers and holds its first request until told."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.loop = asyncio.new_event_loop()
        self.release = asyncio.Event()
        started = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(started,), daemon=True)
        self.thread.start()
        started.wait(10)

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_post("/charge", self._charge)
        runner = web.AppRunner(app)
        self.loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        started.set()
        self.loop.run_forever()

    async def _charge(self, request: web.Request) -> web.Response:
        self.keys.append(request.headers["Idempotency-Key"])
        if len(self.keys) == 1:
            await asyncio.sleep(60)  # the first attempt never answers: its engine is killed meanwhile
        return web.json_response({"charged": True, "key": request.headers["Idempotency-Key"]})


@pytest.fixture
def key_server() -> Iterator[KeyServer]:
    server = KeyServer()
    yield server
    server.loop.call_soon_threadsafe(server.loop.stop)


def test_an_http_task_in_flight_is_sent_again_with_its_idempotency_key(tmp_path: Path, key_server: KeyServer) -> None:
    run = Killed(tmp_path, f"""
StartAt: Charge
States:
  Charge: {{Type: Task, Resource: "http://127.0.0.1:{key_server.port}/charge", End: true}}
""", 1)
    run.kill(until=lambda: len(key_server.keys) == 1)
    results, stats, _ = run.resume()
    [result] = results.values()
    assert result["status"] == "SUCCEEDED", result
    assert len(key_server.keys) == 2 and key_server.keys[0] == key_server.keys[1]
    assert result["output"] == {"charged": True, "key": key_server.keys[0]}
    with sqlite3.connect(run.db) as connection:  # the key was recorded with the command before it was sent
        assert connection.execute("SELECT count(*) FROM tasks").fetchone()[0] == 0
    assert stats["tasks_resent"] == 1


def test_a_token_issued_before_the_crash_is_answered_after_it(tmp_path: Path) -> None:
    run = Killed(tmp_path, """
StartAt: Approve
States:
  Approve:
    Type: Task
    Resource: arn:aws:states:::sqs:sendMessage.waitForTaskToken
    Parameters: {token.$: $$.Task.Token, index.$: $.index}
    ResultPath: $.approval
    End: true
""", 1)
    run.kill(until=lambda: len(run.entries()) == 1)
    token = run.entries()[0]["token"]

    async def answer() -> Any:
        async with DurableEngine(run.db) as engine:  # no resources: the request was sent before the crash
            await engine.send_task_success(token, {"approved": True})
            return await engine.wait(run.arns[0])

    result = asyncio.run(answer())
    assert result.status == "SUCCEEDED" and result.output == {"index": 0, "approval": {"approved": True}}
    assert len(run.entries()) == 1  # the resource was not called again


def test_an_execution_its_definition_no_longer_replays_fails_and_the_others_resume(tmp_path: Path) -> None:
    run = Killed(tmp_path, f"""
StartAt: Hold
States:
  Hold: {{Type: Wait, Seconds: 3600, Next: Echo}}
  Echo: {{Type: Task, Resource: {FN}echo, End: true}}
""", 2)
    run.kill()
    with sqlite3.connect(run.db) as connection:
        connection.execute("UPDATE timers SET due = 0")  # both timers are due when the store opens
        # One execution keeps its definition; the other's stored text no longer replays its history.
        keep, change = (connection.execute("SELECT id FROM executions WHERE arn = ?", (arn,)).fetchone()[0]
                        for arn in run.arns)
        text = connection.execute("SELECT text FROM definitions").fetchone()[0]
        changed = text.replace("Hold", "Pause")
        connection.execute("INSERT INTO definitions (hash, text, workflow_type, machine_name, created) "
                           "SELECT 'changed', ?, workflow_type, machine_name, created FROM definitions", (changed,))
        connection.execute("UPDATE executions SET definition_hash = 'changed' WHERE id = ?", (change,))
    results, _, _ = run.resume()
    kept, failed = results[run.arns[0]], results[run.arns[1]]
    assert kept["status"] == "SUCCEEDED"
    assert (failed["status"], failed["error"]) == ("FAILED", "States.Runtime")
    assert "event 2 records WaitStateEntered for state 'Hold'" in failed["cause"]
    assert "state 'Pause'" in failed["cause"]
    assert failed["types"][-1] == "ExecutionFailed"
    assert keep != change


def test_a_re_send_carries_the_recorded_key_even_if_key_derivation_changed(tmp_path: Path,
                                                                          key_server: KeyServer) -> None:
    run = Killed(tmp_path, f"""
StartAt: Charge
States:
  Charge: {{Type: Task, Resource: "http://127.0.0.1:{key_server.port}/charge", End: true}}
""", 1)
    run.kill(until=lambda: len(key_server.keys) == 1)
    with sqlite3.connect(run.db) as connection:  # as if an upgrade derived keys differently: the record wins
        connection.execute("UPDATE tasks SET idempotency_key = 'recorded-key'")
    results, _, _ = run.resume()
    [result] = results.values()
    assert result["status"] == "SUCCEEDED" and key_server.keys[1] == "recorded-key"
