"""HTTP task throughput against a local aiohttp endpoint, and the client's overhead over raw aiohttp (issue 6).

Usage::

    python benchmarks/http_bench.py [--tasks N] [--concurrency C] [--runs R]

The endpoint runs in its own process (so it does not share the event loop, or the CPU time of one core,
with the client side) and answers every POST with a small JSON body. In one run, three measurements,
each ``--tasks`` requests with at most ``--concurrency`` in flight:

* ``raw aiohttp``: one ClientSession, a semaphore, ``session.post(json=...)`` and ``await response.json()``:
  the floor any Python client on aiohttp pays.
* ``statewright client``: the HTTP task handler itself (``arn:aws:states:::http:invoke`` parameters ->
  request with Idempotency-Key and User-Agent -> bounded read -> AWS result shape), called the same way.
  Its time over raw aiohttp's is the client's overhead (target: within 1.5x).
* ``Map of HTTP tasks``: a whole execution, an inline Map with ``MaxConcurrency`` over ``--tasks`` items,
  each an HTTP Task: tasks per second including the interpreter and the history it records.

Each figure is the median of ``--runs`` runs (at least 3).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from aiohttp import web

import statewright
from statewright.runtime.http_client import HttpClient
from statewright.runtime.http_tasks import HTTP_INVOKE, HttpTasks
from statewright.runtime.resources import Invocation


def _serve(port_out: Any) -> None:
    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"ok": True})

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/work", answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port_out.send(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


async def _bounded(count: int, concurrency: int, call: Callable[[int], Awaitable[Any]]) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> None:
        async with gate:
            await call(index)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for index in range(count):
            group.create_task(one(index))
    return time.perf_counter() - started


async def raw_aiohttp(url: str, count: int, concurrency: int) -> float:
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def call(index: int) -> None:
            async with session.post(url, json={"i": index}) as response:
                response.raise_for_status()
                await response.json()

        await call(-1)  # warm the pool, as the other two are warmed
        return await _bounded(count, concurrency, call)


async def statewright_client(url: str, count: int, concurrency: int) -> float:
    client = HttpClient()
    tasks = HttpTasks(client)
    try:
        async def call(index: int) -> None:
            params = {"ApiEndpoint": url, "Method": "POST", "RequestBody": {"i": index}}
            result = await tasks.invoke(Invocation(HTTP_INVOKE, params, "Work", execution_arn="arn:bench", seq=index))
            assert result["StatusCode"] == 200

        await call(-1)
        return await _bounded(count, concurrency, call)
    finally:
        await client.aclose()


async def map_of_http_tasks(url: str, count: int, concurrency: int) -> float:
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "MaxConcurrency": concurrency, "End": True,
        "ItemProcessor": {"StartAt": "Work", "States": {"Work": {
            "Type": "Task", "Resource": HTTP_INVOKE, "End": True,
            "Parameters": {"ApiEndpoint": url, "Method": "POST", "RequestBody": {"i.$": "$"}},
            "ResultSelector": {"code.$": "$.StatusCode"}}}}}}}
    machine = statewright.load(definition)
    async with statewright.Engine() as engine:
        await engine.execute(machine, [0])  # warm: compile, open the pool
        started = time.perf_counter()
        result = await engine.execute(machine, list(range(count)))
        elapsed = time.perf_counter() - started
    assert result.status == "SUCCEEDED" and len(result.output) == count, (result.error, result.cause)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--tasks", type=int, default=5000, help="requests per measurement (default 5000)")
    parser.add_argument("--concurrency", type=int, default=100, help="in flight at once / MaxConcurrency")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; the median is printed (>= 3)")
    args = parser.parse_args(argv)
    runs = max(3, args.runs)
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=_serve, args=(send,), daemon=True)
    server.start()
    try:
        url = f"http://127.0.0.1:{receive.recv()}/work"
        times: dict[str, list[float]] = {"raw aiohttp": [], "statewright client": [], "Map of HTTP tasks": []}
        for _ in range(runs):  # interleaved, so drift in machine load hits all three alike
            times["raw aiohttp"].append(asyncio.run(raw_aiohttp(url, args.tasks, args.concurrency)))
            times["statewright client"].append(asyncio.run(statewright_client(url, args.tasks, args.concurrency)))
            times["Map of HTTP tasks"].append(asyncio.run(map_of_http_tasks(url, args.tasks, args.concurrency)))
    finally:
        server.kill()
        server.join()
    print(f"{args.tasks} POSTs, {args.concurrency} in flight, median of {runs} runs (endpoint in its own process)")
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, seconds in medians.items():
        ratio = seconds / medians["raw aiohttp"]
        print(f"  {name:<20} {args.tasks / seconds:>9,.0f} req/s   {seconds * 1000:>8.1f} ms   {ratio:4.2f}x raw")
    overhead = medians["statewright client"] / medians["raw aiohttp"]
    print(f"client overhead over raw aiohttp: {overhead:.2f}x (target <= 1.5x): {'OK' if overhead <= 1.5 else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
