"""Runs D10 (and W4) on Statewright's durable engine over a fresh SQLite file; prints JSON (times, RSS, counts).

Usage: ``python -m benchmarks.durable.statewright_durable --workload D10|W4 [--executions N] [--rounds R]
[--synchronous full|normal] [--in-memory] [--postgres URL]``. Each round uses a new database file (on
PostgreSQL, a new schema); one untimed round first warms the process (imports, compilation), as the DBOS
runner warms DBOS. ``--in-memory`` runs the same workload on the in-memory engine, for the "store attached"
comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import statewright
from benchmarks.durable import workload as d10
from benchmarks.workloads import many_executions
from statewright.runtime.durable import DurableEngine


async def count(payload: dict[str, Any]) -> int:
    return d10.count(payload)


def machine_and_inputs(name: str, executions: int) -> tuple[Any, list[Any], int]:
    if name == "D10":
        return statewright.load(d10.definition()), d10.inputs(executions), d10.STEPS
    w4 = many_executions(executions)
    return statewright.load(w4.definition), w4.input, 5


async def durable_round(machine: Any, inputs: list[Any], url: str) -> tuple[float, dict[str, Any]]:
    engine = DurableEngine(url, {d10.FN + "count": count}, virtual_time=True)
    async with engine:
        began = time.perf_counter()
        # Every execution started (each start returns once recorded) and awaited together, as a service
        # handling many requests would; the in-memory round starts all, then awaits each handle.
        results = await asyncio.gather(*(engine.execute(machine, item) for item in inputs))
        took = time.perf_counter() - began
        stats = engine.stats
    bad = [r for r in results if r.status != "SUCCEEDED"]
    if bad:
        raise SystemExit(f"statewright durable: {bad[0].status} {bad[0].error} {bad[0].cause}")
    check(machine, inputs, [r.output for r in results])
    return took, {"outputs": [r.output for r in results[:3]], **stats}


async def drop_schema(server: str, schema: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(server)
    try:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()


def check(machine: Any, inputs: list[Any], outputs: list[Any]) -> None:
    """The outputs are the workload's (D10: benchmarks/durable/workload.py; W4: the suite's check)."""
    if machine.definition.get("Comment", "").startswith("D10"):
        wrong = [o for i, o in zip(inputs, outputs, strict=True) if o != d10.expected(i)]
    else:
        w4 = many_executions(len(inputs))
        try:
            w4.check(outputs)
            wrong = []
        except AssertionError as error:
            wrong = [str(error)]
    if wrong:
        raise SystemExit(f"statewright: wrong output {str(wrong[0])[:300]}")


async def memory_round(machine: Any, inputs: list[Any]) -> tuple[float, dict[str, Any]]:
    engine = statewright.Engine({d10.FN + "count": count})
    began = time.perf_counter()
    started = [engine.start(machine, item, virtual_time=True) for item in inputs]
    results = [await execution for execution in started]
    took = time.perf_counter() - began
    await engine.aclose()
    check(machine, inputs, [r.output for r in results])
    return took, {"outputs": [r.output for r in results[:3]]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workload", default="D10", choices=("D10", "W4"))
    parser.add_argument("--executions", type=int, default=d10.EXECUTIONS)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--synchronous", default="full", choices=("full", "normal"))
    parser.add_argument("--in-memory", action="store_true")
    parser.add_argument("--paired", action="store_true",
                        help="each round runs the in-memory engine, then the durable one, in this process; the "
                             "in-memory times are printed as in_memory_times_s (the store's cost is their ratio)")
    parser.add_argument("--postgres", metavar="URL",
                        help="a PostgreSQL server: each round gets a fresh schema there (dropped afterwards)")
    args = parser.parse_args()
    machine, inputs, steps = machine_and_inputs(args.workload, args.executions)
    times, paired, details = [], [], {}
    with tempfile.TemporaryDirectory() as folder:
        for number in range(args.rounds + 1):  # round 0 warms up, untimed
            # Each round starts from a collected heap, as the suite's runners do (statewright_runner.py): a
            # full collection the imports or an earlier round made due is not billed to whichever round
            # happens to allocate past the threshold.
            gc.collect()
            if args.paired:
                # This machine's speed drifts by half between moments (shared cores): a ratio of two runs
                # taken seconds apart measures the drift, one of two runs taken together the store.
                took, _ = asyncio.run(memory_round(machine, inputs))
                if number:
                    paired.append(took)
                gc.collect()
            if args.in_memory:
                took, details = asyncio.run(memory_round(machine, inputs))
            elif args.postgres:
                schema = f"bench_{uuid.uuid4().hex[:12]}"
                try:
                    took, details = asyncio.run(durable_round(machine, inputs, f"{args.postgres}?schema={schema}"))
                finally:
                    asyncio.run(drop_schema(args.postgres, schema))
            else:
                db = Path(folder) / f"r{number}.db"
                took, details = asyncio.run(durable_round(machine, inputs, f"sqlite:///{db}?synchronous="
                                                          f"{args.synchronous}"))
            if number:
                times.append(took)
    print(json.dumps({"times_s": times, "in_memory_times_s": paired, "transitions": steps * len(inputs),
                      "details": details,
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
