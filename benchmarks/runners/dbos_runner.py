"""Runs one workload on DBOS (durable Python workflows) and prints times, outputs and peak RSS as JSON.

DBOS does not read ASL, so each workload is written here as the equivalent DBOS workflow: every ASL state
is one ``@DBOS.step`` (its result checkpointed in the system database before the next runs), a Map or
Parallel is ``asyncio.gather`` over steps (a semaphore for MaxConcurrency), W4 starts 1,000 workflows
before awaiting any, and the Wait is ``DBOS.sleep_async(0)`` (DBOS has no virtual clock; a durable sleep
of 0 s stands in for a Wait skipped by a virtual clock). The system database is a fresh SQLite file.

Runs in the peers' venv: ``benchmarks/.peers/venv/bin/python dbos_runner.py WORKLOAD.json --warmup 0 --runs 1``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dbos import DBOS

# --- states as steps ----------------------------------------------------------------------------------------


@DBOS.step()
async def chain_pass(data: dict[str, Any], index: int) -> dict[str, Any]:
    counter = data["counter"]
    return {**data, "last": {"step": index, "label": f"step-{counter}", "counter": counter}}


@DBOS.step()
async def increment(data: dict[str, Any]) -> dict[str, Any]:
    return {"i": data["i"] + 1, "n": data["n"]}


@DBOS.step()
async def loop_choice(data: dict[str, Any]) -> bool:
    return data["i"] < data["n"]


@DBOS.step()
async def succeed(data: Any) -> Any:
    return data


@DBOS.step()
async def shape(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["id"], "ok": True}


@DBOS.step()
async def prepare(data: dict[str, Any]) -> dict[str, Any]:
    return {"order": data["order"], "label": f"order-{data['order']}"}


@DBOS.step()
async def route(data: dict[str, Any]) -> bool:
    return data["order"] >= 0


@DBOS.step()
async def ship(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "shipped": True}


@DBOS.step()
async def branch_pass(data: dict[str, Any], branch: int, step: int) -> dict[str, Any]:
    return {**data, "last": {"branch": branch, "step": step}}


# --- workloads as workflows ---------------------------------------------------------------------------------


@DBOS.workflow()
async def w1(data: dict[str, Any], states: int) -> Any:
    for index in range(states):
        data = await chain_pass(data, index)
    return data


@DBOS.workflow()
async def w2(data: dict[str, Any]) -> Any:
    while True:
        data = await increment(data)
        if not await loop_choice(data):
            return await succeed(data)


@DBOS.workflow()
async def w3(data: dict[str, Any], max_concurrency: int) -> Any:
    if max_concurrency == 0:
        return list(await asyncio.gather(*(shape(item) for item in data["items"])))
    limit = asyncio.Semaphore(max_concurrency)

    async def one(item: dict[str, Any]) -> dict[str, Any]:
        async with limit:
            return await shape(item)

    return list(await asyncio.gather(*(one(item) for item in data["items"])))


@DBOS.workflow()
async def w4(data: dict[str, Any]) -> Any:
    data = await prepare(data)
    await DBOS.sleep_async(0)
    if await route(data):
        data = await ship(data)
    return await succeed(data)


@DBOS.workflow()
async def w5(data: dict[str, Any], branches: int, states: int) -> Any:
    async def branch(number: int) -> dict[str, Any]:
        value = data
        for step in range(states):
            value = await branch_pass(value, number, step)
        return value

    return list(await asyncio.gather(*(branch(number) for number in range(branches))))


async def run_once(workload: dict[str, Any]) -> Any:
    name, definition, data = workload["name"], workload["definition"], workload["input"]
    if name == "W1":
        return await w1(data, len(definition["States"]))
    if name == "W2":
        return await w2(data)
    if name.startswith("W3"):
        return await w3(data, definition["States"]["Fan"]["MaxConcurrency"])
    if name.startswith("W4"):
        handles = [await DBOS.start_workflow_async(w4, item) for item in data]
        return [await handle.get_result() for handle in handles]
    if name == "W5":
        branches = definition["States"]["Fan"]["Branches"]
        return await w5(data, len(branches), len(branches[0]["States"]))
    raise SystemExit(f"dbos: no DBOS version of workload {name}")


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


async def main_async(workload: dict[str, Any], warmup: int, runs: int) -> dict[str, Any]:
    for _ in range(warmup):
        await run_once(workload)
    base = rss_bytes()
    times, output = [], None
    for _ in range(runs):
        start = time.perf_counter()
        output = await run_once(workload)
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"times_s": times, "output": output, "base_rss_bytes": base, "peak_rss_bytes": peak}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("workload")
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with open(args.workload) as file:
        workload = json.load(file)
    with tempfile.TemporaryDirectory() as tmp:
        DBOS(config={"name": "statewright-bench", "system_database_url": f"sqlite:///{Path(tmp) / 'dbos.sqlite'}"})
        DBOS.launch()
        try:
            report = asyncio.run(main_async(workload, args.warmup, args.runs))
        finally:
            DBOS.destroy()
    json.dump(report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
