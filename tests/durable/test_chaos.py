"""The kill test (issue 13): 200 executions survive an engine process killed with SIGKILL at random moments.

The workload mixes a Wait, a Python task, an HTTP task against a backend that records every Idempotency-Key,
a ``.waitForTaskToken`` callback answered through the engine's callback listener, and an inline Map of
Python and HTTP tasks. One engine process (``chaos_app.py durable``) is started, killed after a random
0.3-2.5 s once its store is open, and started again on the same store, six times; a seventh launch runs
to the end. The backend answers the approvals (the callbacks) in batches, one more batch from each launch
on: every launch has fresh work, and no launch can finish everything before its kill, however slowly the
machine starts processes. Then:

* every execution SUCCEEDED with the output of an uninterrupted run (``chaos_app.py reference``, the
  in-memory engine);
* every history has contiguous event ids, one start and one end, each task scheduled once and answered
  once, and as many events of each kind per state as the uninterrupted run's (no decision was taken twice);
* every HTTP request sent again carried the key and body of its first sending, and there is exactly one key
  per scheduled HTTP task: a re-send never made a new one.

``STATEWRIGHT_CHAOS_SEED`` replays the kill schedule of a run (its seed is printed; ``pytest -s`` shows it).
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from statewright.runtime.durable import DurableEngine

APP = Path(__file__).with_name("chaos_app.py")
ROOT = Path(__file__).resolve().parents[2]
FN = "arn:aws:lambda:us-east-1:123456789012:function:"
COUNT = 200
KILLS = 6
# A Lambda function ARN resource is recorded with LambdaFunction* events, any other with Task* ones (spec/task.md).
STARTED_AFTER = {"TaskScheduled": "TaskStarted", "LambdaFunctionScheduled": "LambdaFunctionStarted"}
TASK_END = ("TaskSucceeded", "TaskFailed", "TaskTimedOut",
            "LambdaFunctionSucceeded", "LambdaFunctionFailed", "LambdaFunctionTimedOut")
TASK_FAILED = ("TaskFailed", "LambdaFunctionFailed")

# Hold waits 0, 1 or 2 s: most of those timers come due while a process runs, some while none does. The
# Map runs two iterations at a time, so their events interleave differently from one run to the next.
DEFINITION = """\
Comment: The kill test's workload (tests/durable/test_chaos.py)
StartAt: Hold
States:
  Hold: {{Type: Wait, SecondsPath: $.wait, Next: Compute}}
  Compute:
    Type: Task
    Resource: {fn}compute
    Parameters: {{index.$: $.index, value.$: $.value}}
    ResultPath: $.computed
    Next: Charge
  Charge:
    Type: Task
    Resource: http://127.0.0.1:{port}/charge
    Parameters: {{index.$: $.index, amount.$: $.computed.total}}
    ResultPath: $.charge
    Retry: [{{ErrorEquals: [States.Http.Socket], IntervalSeconds: 1, MaxAttempts: 3}}]
    Next: Approve
  Approve:
    Type: Task
    Resource: arn:aws:states:::sqs:sendMessage.waitForTaskToken
    Parameters: {{token.$: $$.Task.Token, index.$: $.index, amount.$: $.charge.amount}}
    ResultPath: $.approval
    Next: Items
  Items:
    Type: Map
    ItemsPath: $.items
    ItemSelector: {{index.$: $.index, item.$: $$.Map.Item.Value, position.$: $$.Map.Item.Index}}
    MaxConcurrency: 2
    ItemProcessor:
      ProcessorConfig: {{Mode: INLINE}}
      StartAt: Square
      States:
        Square:
          Type: Task
          Resource: {fn}compute
          Parameters: {{index.$: $.index, value.$: $.item}}
          ResultPath: $.square
          Next: Price
        Price:
          Type: Task
          Resource: http://127.0.0.1:{port}/price
          ResultPath: $.quote
          Retry: [{{ErrorEquals: [States.Http.Socket], IntervalSeconds: 1, MaxAttempts: 3}}]
          End: true
    ResultPath: $.priced
    End: true
"""


def _digest(value: Any) -> int:
    return zlib.crc32(json.dumps(value, sort_keys=True).encode())


def _reply(path: str, body: Any) -> Any:
    """What the backend answers: derived from the request body only, so every run gets the same."""
    if path == "/charge":
        return {"amount": body["amount"] * 3 % 997, "receipt": f"r-{body['index']}-{body['amount']}"}
    return {"position": body["position"], "price": body["square"]["total"] * 2 + body["item"]}


class Backend:
    """The services the workload calls, on 127.0.0.1 in a thread of the test process: they outlive every kill.

    ``/charge`` and ``/price`` serve the HTTP tasks. Each request's path, Idempotency-Key and body are recorded
    when it arrives; the reply comes after 0.1-1.0 s when ``slow`` (so kills find requests in flight).
    ``/approve`` takes a task token (from the ``.waitForTaskToken`` task) and answers it on the engine's
    callback listener at ``callback_port``, retrying while no engine listens, until it gets 200, 404 or 410;
    but only once the batch of its execution (``index % batches``) is released (:meth:`release`).
    """

    def __init__(self, callback_port: int, *, slow: bool, batches: int = 1) -> None:
        self.callback_port = callback_port
        self.slow = slow
        self.batches = batches
        self.requests: list[tuple[str, str, Any]] = []
        self._serving: dict[int, web.Request] = {}
        self.approvals: dict[str, list[Any]] = collections.defaultdict(list)  # token -> the /approve bodies
        self.answers: dict[str, list[int]] = collections.defaultdict(list)  # token -> statuses of its answers
        self._answering: set[asyncio.Task[None]] = set()
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(started,), daemon=True)
        self.thread.start()
        assert started.wait(10), "the backend did not start"

    @property
    def in_flight(self) -> int:
        """Requests being served whose client is still connected (a killed engine's connections are closed)."""
        return sum(1 for request in list(self._serving.values())
                   if request.transport is not None and not request.transport.is_closing())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._setup())
        started.set()
        self.loop.run_forever()

    async def _setup(self) -> None:
        app = web.Application()
        app.router.add_post("/charge", self._task)
        app.router.add_post("/price", self._task)
        app.router.add_post("/approve", self._approve)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self._released = [asyncio.Event() for _ in range(self.batches)]

    def release(self, batches: int) -> None:
        """Answer the approvals of the first ``batches`` batches (held until now, answered from now on)."""
        for gate in self._released[:batches]:
            self.loop.call_soon_threadsafe(gate.set)

    async def _task(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append((request.path, request.headers["Idempotency-Key"], body))
        self._serving[id(request)] = request
        try:
            if self.slow:
                await asyncio.sleep(0.1 + _digest(body) % 10 * 0.1)
        finally:
            del self._serving[id(request)]
        return web.json_response(_reply(request.path, body))

    async def _approve(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.approvals[body["token"]].append(body)
        # Every request is answered, as a queue consumer would answer a message delivered twice: the second
        # answer gets 410 (TaskTimedOut) once the first is recorded.
        task = self.loop.create_task(self._answer(body))
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)
        return web.json_response({"queued": True}, status=202)

    async def _answer(self, body: Any) -> None:
        url = f"http://127.0.0.1:{self.callback_port}/task/{body['token']}/success"
        answer = {"approved": True, "approver": f"approver-{body['index'] % 7}", "limit": body["amount"] * 2}
        await self._released[body["index"] % self.batches].wait()
        while True:
            try:
                async with self.session.post(url, json=answer) as response:
                    if response.status in (200, 404, 410):
                        self.answers[body["token"]].append(response.status)
                        return
            except (TimeoutError, aiohttp.ClientError):
                pass  # no engine listens (killed, or not started yet), or it was killed while answering
            await asyncio.sleep(0.25)

    def settle(self, timeout: float = 3.0) -> None:
        """Wait for the answers still on their way (a duplicate answer retrying is normal for a moment)."""
        deadline = time.monotonic() + timeout
        while self._answering and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        async def stop() -> None:
            for task in list(self._answering):
                task.cancel()
            await asyncio.gather(*self._answering, return_exceptions=True)
            await self.session.close()
            await self.runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def backends() -> Iterator[tuple[Backend, Backend]]:
    """A slow backend for the killed runs and a fast one for the reference run, each with its callback port."""
    made = [Backend(_free_port(), slow=True, batches=KILLS + 1), Backend(_free_port(), slow=False)]
    made[1].release(1)
    yield made[0], made[1]
    for backend in made:
        backend.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Launch:
    """One engine process, its JSON lines in a file (a pipe could fill up while nobody reads it)."""

    def __init__(self, tmp_path: Path, number: int, arguments: list[str]) -> None:
        self.out = tmp_path / f"launch-{number}.out"
        self.err = tmp_path / f"launch-{number}.err"
        env = {**os.environ, "PYTHONPATH": str(ROOT / "interpreter")}
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen([sys.executable, str(APP), *arguments], stdout=out, stderr=err, env=env)

    def lines(self) -> list[dict[str, Any]]:
        complete = self.out.read_text().split("\n")[:-1]  # a line cut by the kill has no newline yet
        return [json.loads(line) for line in complete]

    def last(self, key: str) -> Any:
        found = [line[key] for line in self.lines() if key in line]
        return found[-1] if found else None

    def wait_for(self, key: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while self.last(key) is None:
            if self.process.poll() is not None:
                pytest.fail(f"the engine process exited with {self.process.returncode}:\n{self.err.read_text()}")
            assert time.monotonic() < deadline, f"no {key!r} line after {timeout} s:\n{self.err.read_text()}"
            time.sleep(0.02)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def finish(self, timeout: float) -> Any:
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the engine process did not finish in {timeout} s: {self.lines()[-1:]}\n"
                        f"{self.err.read_text()[-3000:]}")
        assert self.process.returncode == 0, self.err.read_text()
        return self.last("done")


@dataclass
class Kill:
    opening: float  # seconds from the launch to the store open (and its tasks sent again)
    after: float  # seconds after the store was open
    ended: int | None  # executions known ended at the last progress line before the kill
    requests_in_flight: int  # HTTP requests the backend was serving when the signal went


def _reference(tmp_path: Path, backend: Backend) -> dict[str, Any]:
    machine = tmp_path / "reference" / "chaos.asl.yaml"
    machine.parent.mkdir()
    machine.write_text(DEFINITION.format(fn=FN, port=backend.port))
    launch = Launch(tmp_path, 0, ["reference", str(machine), str(COUNT), backend.url, str(backend.callback_port)])
    results: dict[str, Any] = launch.finish(timeout=120)
    failed = {name: r for name, r in results.items() if r["status"] != "SUCCEEDED"}
    assert not failed, f"{len(failed)} executions of the uninterrupted run failed, e.g. {list(failed.items())[:2]}"
    return results


def _chaos(tmp_path: Path, backend: Backend, seed: int) -> tuple[list[Kill], list[dict[str, Any]], Any]:
    """Launch, kill at a random moment, KILLS times; then one launch that runs to the end."""
    machine = tmp_path / "chaos.asl.yaml"
    machine.write_text(DEFINITION.format(fn=FN, port=backend.port))
    arguments = ["durable", str(tmp_path / "store.db"), str(machine), str(COUNT), backend.url,
                 str(backend.callback_port), str(tmp_path / "calls.jsonl")]
    rng = random.Random(seed)
    kills: list[Kill] = []
    stats: list[dict[str, Any]] = []
    for number in range(1, KILLS + 1):
        backend.release(number)
        launch = Launch(tmp_path, number, arguments)
        spawned = time.monotonic()
        launch.wait_for("opened")
        opened = time.monotonic() - spawned
        delay = rng.uniform(0.3, 2.5)
        time.sleep(delay)
        in_flight = backend.in_flight
        if launch.process.poll() is not None:  # the last batch of approvals is held: it cannot have finished
            pytest.fail(f"launch {number} exited with {launch.process.returncode}:\n{launch.err.read_text()}")
        launch.kill()
        progress = launch.last("progress") or {"ended": None, "stats": launch.last("opened")}
        kills.append(Kill(opened, delay, progress["ended"], in_flight))
        stats.append(progress["stats"])
    backend.release(KILLS + 1)
    done = Launch(tmp_path, KILLS + 1, arguments).finish(timeout=120)
    stats.append(done["stats"])
    return kills, stats, done


async def _records(db: Path) -> dict[str, tuple[Any, list[Any]]]:
    """Every execution in the store by name: its description and history, read back in a fresh engine."""
    async with DurableEngine(db) as engine:
        page = await engine.list(limit=10 * COUNT)
        return {d.name: (d, list(await engine.history(d.execution_arn))) for d in page.executions}


@pytest.mark.slow
def test_executions_survive_kills_at_random_moments(tmp_path: Path, backends: tuple[Backend, Backend]) -> None:
    seed = int(os.environ.get("STATEWRIGHT_CHAOS_SEED") or random.SystemRandom().randrange(2**32))
    print(f"\nkill test seed {seed} (STATEWRIGHT_CHAOS_SEED={seed} replays its kill schedule)")
    backend, reference_backend = backends
    began = time.monotonic()
    reference = _reference(tmp_path, reference_backend)
    chaos_began = time.monotonic()
    kills, stats, done = _chaos(tmp_path, backend, seed)
    records = asyncio.run(_records(tmp_path / "store.db"))
    took = (f"{time.monotonic() - began:.1f} s (reference run {chaos_began - began:.1f} s, killed and final "
            f"launches {time.monotonic() - chaos_began:.1f} s)")
    backend.settle()
    http = HttpSendings(backend.requests, records)
    python = PythonCalls(tmp_path / "calls.jsonl", records)
    answers = dict(backend.answers)
    moments = " | ".join(f"{k.opening:.1f}+{k.after:.1f} s: {k.requests_in_flight} requests in flight, {k.ended} ended"
                         for k in kills)
    print(f"kill test: {COUNT} executions, {len(kills)} kills (after {moments}); "
          f"{http}; {python.resent} Python and {sum(map(len, backend.approvals.values())) - COUNT} callback requests "
          f"re-sent; engine tasks_resent {sum(int(s['tasks_resent']) for s in stats)}; "
          f"{sum(s.count(410) for s in answers.values())} duplicate answers got 410; {took}")

    assert done["ended"] == COUNT
    _assert_as_uninterrupted(records, reference)
    http.check()
    python.check()
    assert len(backend.approvals) == COUNT, f"{len(backend.approvals)} tokens asked for, expected {COUNT}"
    changed = [bodies for bodies in backend.approvals.values() if len({_canonical(b) for b in bodies}) != 1]
    assert not changed, f"a callback request was sent again with another payload: {changed[:3]}"
    # An answer is recorded once (a second one gets 410, TaskTimedOut), and no token is unknown (404).
    bad = {token: statuses for token, statuses in answers.items() if statuses.count(200) > 1 or 404 in statuses}
    assert not bad, f"tokens answered twice, or unknown to the engine: {bad}"
    assert http.resent > 0, f"no HTTP request was in flight at any kill ({http}): {kills}"


def _assert_as_uninterrupted(records: dict[str, tuple[Any, list[Any]]], reference: dict[str, Any]) -> None:
    """Every execution SUCCEEDED with the uninterrupted run's output, and no decision was taken twice: its
    history is well formed and has as many events of each kind per state as the uninterrupted run's."""
    assert sorted(records) == sorted(reference), f"{len(records)} executions in the store, expected {COUNT}"
    wrong = {name: (d.status, d.error, d.cause, d.output) for name, (d, _) in records.items()
             if (d.status, d.output) != ("SUCCEEDED", reference[name]["output"])}
    assert not wrong, (f"{len(wrong)} of {COUNT} executions differ from the uninterrupted run, e.g. "
                       f"{dict(list(wrong.items())[:2])}")
    problems = [p for name, (_, events) in records.items() for p in _history_problems(name, events)]
    assert not problems, f"{len(problems)} problems, first ones: {problems[:10]}"
    # A task retried (States.Http.Socket on a loaded machine) adds events; those histories are not compared.
    retried = {name for name, (_, events) in records.items() if any(e.type in TASK_FAILED for e in events)}
    retried |= {name for name, r in reference.items() if any(row[0] in TASK_FAILED for row in r["shape"])}
    different = [name for name, (_, events) in records.items()
                 if name not in retried and _shape(events) != reference[name]["shape"]]
    assert not different, (f"{len(different)} histories differ in kind or number of events from the uninterrupted "
                           f"run's, e.g. {different[0]}: {_shape(records[different[0]][1])} against "
                           f"{reference[different[0]]['shape']}")
    assert len(retried) < COUNT // 10, f"{len(retried)} executions retried a task: the backend is too slow"


def _history_problems(name: str, events: list[Any]) -> Iterator[str]:
    """What is wrong with one history: ids, start and end, and each task scheduled once and answered once."""
    ids = [event.id for event in events]
    if ids != list(range(1, len(events) + 1)):
        yield f"{name}: event ids are not 1..{len(events)}: {ids}"
    for event in events:
        if not 0 <= event.previous_event_id < event.id:
            yield f"{name}: event {event.id} ({event.type}) follows event {event.previous_event_id}"
    types = [event.type for event in events]
    if types.count("ExecutionStarted") != 1 or types[0] != "ExecutionStarted":
        yield f"{name}: ExecutionStarted is not the one first event: {types}"
    if types.count("ExecutionSucceeded") != 1 or types[-1] != "ExecutionSucceeded":
        yield f"{name}: ExecutionSucceeded is not the one last event: {types}"
    following = collections.defaultdict(list)
    for event in events:
        following[event.previous_event_id].append(event)
    for event in events:
        if event.type in STARTED_AFTER:
            started = [e for e in following[event.id] if e.type == STARTED_AFTER[event.type]]
            ends = [e for s in started for e in following[s.id] if e.type in TASK_END]
            if len(started) != 1 or len(ends) != 1:
                yield (f"{name}: {event.type} {event.id} has {len(started)} starts and {len(ends)} ends "
                       f"({[e.type for e in ends]})")


def _shape(events: list[Any]) -> list[list[Any]]:
    """chaos_app.shape, as the reference run's JSON holds it."""
    counts = collections.Counter((event.type, (event.details or {}).get("name")) for event in events)
    return [list(row) for row in sorted(((kind, name, n) for (kind, name), n in counts.items()),
                                        key=lambda row: (row[0], row[1] or ""))]


def _scheduled(records: dict[str, tuple[Any, list[Any]]], resource: str) -> collections.Counter[tuple[str, str]]:
    """(resource, parameters) of every TaskScheduled or LambdaFunctionScheduled event of a ``resource...``."""
    return collections.Counter(
        (event.details["resource"], _canonical(event.details.get("parameters", event.details.get("input"))))
        for _, events in records.values() for event in events
        if event.type in STARTED_AFTER and event.details["resource"].startswith(resource))


class HttpSendings:
    """The backend's requests by Idempotency-Key, against the HTTP tasks the histories scheduled."""

    def __init__(self, requests: list[tuple[str, str, Any]], records: dict[str, tuple[Any, list[Any]]]) -> None:
        self.requests = list(requests)
        self.scheduled = collections.Counter(
            {(resource.rsplit("/", 1)[1], body): n for (resource, body), n in _scheduled(records, "http://").items()})
        self.by_key: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
        for path, key, body in self.requests:
            self.by_key[key].append((path.lstrip("/"), _canonical(body)))
        self.resent = len(self.requests) - len(self.by_key)

    def __str__(self) -> str:
        return (f"{len(self.requests)} HTTP requests, {len(self.by_key)} distinct keys, "
                f"{sum(self.scheduled.values())} HTTP tasks scheduled, {self.resent} requests re-sent")

    def check(self) -> None:
        """A re-send carries the key and body of its first sending; there is one key per scheduled task."""
        changed = {key: sent for key, sent in self.by_key.items() if len(set(sent)) != 1}
        assert not changed, f"a key was sent again with another request ({self}): {list(changed.items())[:3]}"
        firsts = collections.Counter(sent[0] for sent in self.by_key.values())
        assert firsts == self.scheduled, (f"the keys the backend saw are not one per scheduled HTTP task ({self}): "
                                          f"sent under more keys than scheduled: "
                                          f"{list((firsts - self.scheduled).items())[:3]}; scheduled, never sent: "
                                          f"{list((self.scheduled - firsts).items())[:3]}")


class PythonCalls:
    """The calls of the Python task (logged by the runner) against the ones the histories scheduled."""

    def __init__(self, log: Path, records: dict[str, tuple[Any, list[Any]]]) -> None:
        calls = [json.loads(line) for line in log.read_text().splitlines()]
        self.called = collections.Counter(_canonical(c["compute"]) for c in calls if "compute" in c)
        self.scheduled = collections.Counter(
            {body: n for (_, body), n in _scheduled(records, FN + "compute").items()})
        self.resent = sum(self.called.values()) - sum(self.scheduled.values())

    def check(self) -> None:
        assert not self.scheduled - self.called, f"scheduled Python tasks never called: {self.scheduled - self.called}"
        assert set(self.called) <= set(self.scheduled), "a Python task was called that nobody scheduled"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
