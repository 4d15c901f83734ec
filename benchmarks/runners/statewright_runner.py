"""Runs one workload file on Statewright and prints times, outputs and peak RSS as JSON (see suite.py).

Usage: ``python statewright_runner.py WORKLOAD.json --warmup 1 --runs 1 [--real-time]``.
Waits run on each execution's virtual clock unless ``--real-time`` (the W4-10k memory variant parks every
execution in its Wait for real, so all of them are in flight at once). ``--skip-lint`` builds the machine
without ``statewright.load``'s lint pass: load is never timed, lint speed is ``lint_bench.py``'s business,
and a slow lint rule must not stretch the suite (tests/test_benchmarks.py loads every workload through
``statewright.load``, so the definitions stay lint-clean).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sys
import time
from typing import Any

import statewright


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


async def run_once(machine: Any, workload: dict[str, Any], virtual_time: bool) -> Any:
    if workload["executions"] == 1:
        results = [await machine.execute(workload["input"], virtual_time=virtual_time)]
    else:  # every execution started before any is awaited: all in flight together (as StartExecution,
        # and as aws-local-stepfunctions' run(), which returns {result: Promise}, are used)
        started = [machine.start(item, virtual_time=virtual_time) for item in workload["input"]]
        results = [await execution for execution in started]
    for result in results:
        if result.status != "SUCCEEDED":
            raise SystemExit(f"statewright: {workload['name']} ended {result.status}: {result.error}: {result.cause}")
    outputs = [result.output for result in results]
    return outputs[0] if workload["executions"] == 1 else outputs


def load(definition: dict[str, Any], skip_lint: bool) -> statewright.StateMachine:
    if not skip_lint:
        return statewright.load(definition)
    from statewright.api import read_document

    return statewright.StateMachine(definition, read_document(definition))


async def main_async(workload: dict[str, Any], warmup: int, runs: int, virtual_time: bool,
                     skip_lint: bool) -> dict[str, Any]:
    machine = load(workload["definition"], skip_lint)
    for _ in range(warmup):
        await run_once(machine, workload, virtual_time)
    gc.collect()
    base = rss_bytes()
    times, output = [], None
    for _ in range(runs):
        start = time.perf_counter()
        output = await run_once(machine, workload, virtual_time)
        times.append(time.perf_counter() - start)
    return {"times_s": times, "output": output, "base_rss_bytes": base, "peak_rss_bytes": peak_rss_bytes()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("workload")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--real-time", action="store_true")
    parser.add_argument("--skip-lint", action="store_true")
    args = parser.parse_args()
    with open(args.workload) as file:
        workload = json.load(file)
    report = asyncio.run(main_async(workload, args.warmup, args.runs, not args.real_time, args.skip_lint))
    json.dump(report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
