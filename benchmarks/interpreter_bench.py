"""Interpreter speed and memory, in process, on the virtual clock (issue 4).

Usage: ``python benchmarks/interpreter_bench.py [--runs 5] [--idle 10000]``.

Prints transitions per second (median of runs, min..max) for W1 (1,000 Pass states with Parameters, an
intrinsic and ResultPath), W2 (Choice loop of 10,000 iterations) and W3 (inline Map over 10,000 items,
MaxConcurrency 0 and 10), each output checked before its time counts; and memory per idle in-flight
execution (executions parked in a long Wait). Targets (issue 4): >= 100,000 transitions/s on W1 and W2,
<= 10 KiB per idle execution. Peer engines are compared by the benchmarks issue's suite.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import statewright  # noqa: E402
from workloads import Workload, choice_loop, map_items, pass_chain  # noqa: E402


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


async def _time_workload(workload: Workload, runs: int) -> list[float]:
    machine = statewright.load(workload.definition)
    result = await machine.execute(workload.input, virtual_time=True)  # warm-up, and the correctness check
    if result.status != "SUCCEEDED":
        raise SystemExit(f"{workload.name}: {result.status} {result.error}: {result.cause}")
    workload.check(result.output)
    rates = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = await machine.execute(workload.input, virtual_time=True)
        elapsed = time.perf_counter() - start
        workload.check(result.output)
        rates.append(workload.transitions / elapsed)
    return rates


async def _idle_memory(count: int) -> float:
    definition = {"StartAt": "Park", "States": {"Park": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
                                                "Done": {"Type": "Succeed"}}}
    machine = statewright.load(definition)
    gc.collect()
    before = _rss_bytes()
    tasks = [asyncio.ensure_future(machine.execute({"order": index})) for index in range(count)]
    try:
        for _ in range(50):  # let every execution reach its Wait
            await asyncio.sleep(0.02)
        gc.collect()
        after = _rss_bytes()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return (after - before) / count


async def main_async(runs: int, idle: int) -> dict:
    workloads = [pass_chain(), choice_loop(), map_items(max_concurrency=0), map_items(max_concurrency=10)]
    results: dict[str, dict] = {}
    print(f"{'workload':<10}{'transitions/s (median)':>24}{'min..max':>22}  description")
    for workload in workloads:
        rates = await _time_workload(workload, runs)
        median = statistics.median(rates)
        results[workload.name] = {"median": median, "min": min(rates), "max": max(rates), "runs": runs}
        print(f"{workload.name:<10}{median:>24,.0f}{f'{min(rates):,.0f}..{max(rates):,.0f}':>22}  "
              f"{workload.description}")
    per_execution = await _idle_memory(idle)
    results["idle_bytes_per_execution"] = per_execution
    print(f"memory per idle in-flight execution: {per_execution / 1024:.1f} KiB (RSS growth over {idle:,} "
          "executions parked in a Wait)")
    for name in ("W1", "W2"):
        verdict = "met" if results[name]["median"] >= 100_000 else "MISSED"
        print(f"target {name} >= 100,000 transitions/s: {verdict}")
    print(f"target idle execution <= 10 KiB: {'met' if per_execution <= 10 * 1024 else 'MISSED'}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=int, default=10_000)
    args = parser.parse_args()
    results = asyncio.run(main_async(args.runs, args.idle))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "interpreter.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
