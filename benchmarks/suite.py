"""Statewright beside the engines users would otherwise pick, on the same definitions (issue 5).

Usage: ``python -m benchmarks [--rounds 3] [--workloads W1,W2,...] [--engines statewright,moto,...]
[--memory 10000]``. Peers must be installed first with ``benchmarks/install-peers``; one that is missing is
reported and skipped, never installed.

Each workload (``workloads.py``) is written to ``benchmarks/results/workloads/<name>.json`` and every
engine runs that file in its own process (``runners/``). Rounds interleave the engines (the order rotates
each round) so that a burst of noise on a shared machine hits them alike; each round gives one timed run
per engine, after that engine's warm-up (``engines.py``). An engine's output is checked before its time
counts. The table shows the median time (min..max) over rounds, transitions/s at the median, and peak RSS;
ratios are medians of per-round ratios. The W4 memory variant parks ``--memory`` executions in their Wait
on the real clock at once and reports peak RSS growth. Results go to ``benchmarks/results/suite.json``
(``--output``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.engines import ENGINES, Engine
from benchmarks.workloads import Workload, all_workloads, many_executions

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
# How many times faster Statewright must be than each peer: issue 5's floors (moto), raised by issue 19 for
# aws-local-stepfunctions (W2 and W4 >= 10x, every other workload >= 25x). "*" is every other workload.
TARGETS: dict[str, dict[str, float]] = {"aws-local-stepfunctions": {"W2": 10.0, "W4": 10.0, "*": 25.0},
                                        "moto": {"*": 200.0}}


def target(engine: str, workload: str) -> float:
    floors = TARGETS[engine]
    return floors.get(workload, floors["*"])
MEMORY_TARGET_BYTES = 200 * 1024 * 1024


def write_workload(workload: Workload, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{workload.name}.json"
    path.write_text(json.dumps(workload.to_json()))
    return path


def run_engine(engine: Engine, workload: Workload, file: Path, *, real_time: bool = False,
               warmup: int | None = None) -> dict[str, Any]:
    """One process of ``engine`` on ``workload``: its report, with the output checked and then dropped."""
    command = engine.command(file, real_time=real_time, warmup=warmup)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{engine.name} on {workload.name} exited {done.returncode}: {done.stderr[-1500:]}")
    report = json.loads(done.stdout)
    try:
        workload.check(report.pop("output"))
    except AssertionError as error:
        raise RuntimeError(f"{engine.name} gave a wrong output on {workload.name}: {str(error)[:500]}") from None
    return report


def measure(workloads: list[Workload], engines: list[Engine], rounds: int) -> dict[str, dict[str, Any]]:
    samples: dict[str, dict[str, Any]] = {}
    for workload in workloads:
        file = write_workload(workload, RESULTS / "workloads")
        per_engine: dict[str, Any] = {engine.name: {"times_s": [], "peak_rss_bytes": [], "error": None}
                                      for engine in engines}
        for round_number in range(rounds):
            shift = round_number % len(engines)
            for engine in engines[shift:] + engines[:shift]:
                entry = per_engine[engine.name]
                if entry["error"] is not None:
                    continue
                try:
                    report = run_engine(engine, workload, file)
                except RuntimeError as error:
                    entry["error"] = str(error)
                    print(f"  {error}", file=sys.stderr)
                    continue
                entry["times_s"].append(report["times_s"][0])
                entry["peak_rss_bytes"].append(report["peak_rss_bytes"])
            done = ", ".join(f"{name} {entry['times_s'][-1]:.3f}s" for name, entry in per_engine.items()
                             if entry["times_s"] and len(entry["times_s"]) == round_number + 1)
            print(f"  {workload.name} round {round_number + 1}/{rounds}: {done}", file=sys.stderr, flush=True)
        samples[workload.name] = {"workload": workload, "engines": per_engine}
    return samples


def summarise(samples: dict[str, dict[str, Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name, entry in samples.items():
        workload: Workload = entry["workload"]
        rows: dict[str, Any] = {}
        ours = entry["engines"].get("statewright", {}).get("times_s", [])
        for engine, data in entry["engines"].items():
            times = data["times_s"]
            if not times:
                rows[engine] = {"error": data["error"]}
                continue
            median = statistics.median(times)
            row: dict[str, Any] = {
                "median_s": median, "min_s": min(times), "max_s": max(times), "runs": len(times),
                "transitions_per_s": workload.transitions / median,
                "peak_rss_bytes": statistics.median(data["peak_rss_bytes"]), "times_s": times,
            }
            if engine != "statewright" and len(ours) == len(times):
                ratios = [theirs / own for theirs, own in zip(times, ours, strict=True)]
                row["statewright_speedup"] = {"median": statistics.median(ratios), "min": min(ratios),
                                              "max": max(ratios)}
            if data["error"]:
                row["error"] = data["error"]
            rows[engine] = row
        table[name] = {"description": workload.description, "transitions": workload.transitions, "engines": rows}
    return table


def measure_memory(executions: int, engines: list[Engine]) -> dict[str, Any]:
    """W4 with ``executions`` parked in a real 1-second Wait at once: peak RSS growth per engine."""
    workload = many_executions(executions, name=f"W4-{executions}")
    file = write_workload(workload, RESULTS / "workloads")
    growth: dict[str, Any] = {}
    for engine in engines:
        if engine.name not in ("statewright", "aws-local-stepfunctions"):
            continue  # moto would start one thread per execution, DBOS one workflow row: not this test's point
        try:
            # No warm-up: the peak must be this run's, measured from the RSS after loading the definition.
            report = run_engine(engine, workload, file, real_time=True, warmup=0)
        except RuntimeError as error:
            growth[engine.name] = {"error": str(error)}
            continue
        growth[engine.name] = {"peak_rss_growth_bytes": report["peak_rss_bytes"] - report["base_rss_bytes"],
                               "peak_rss_bytes": report["peak_rss_bytes"], "seconds": report["times_s"][0]}
    return {"workload": workload.name, "description": workload.description, "engines": growth}


def _mb(value: float) -> str:
    return f"{value / 1024 / 1024:.0f} MB"


def report(table: dict[str, Any], memory: dict[str, Any] | None, skipped: dict[str, str]) -> list[str]:
    lines = [f"{'workload':<9}{'engine':<25}{'median s (min..max)':>28}{'transitions/s':>15}{'peak RSS':>10}"
             f"  statewright faster by (per-round ratios)"]
    verdicts = []
    for name, entry in table.items():
        for engine, row in entry["engines"].items():
            if "median_s" not in row:
                lines.append(f"{name:<9}{engine:<25}  FAILED: {row['error'][:150]}")
                verdicts.append(f"{name} vs {engine}: not measured ({row['error'][:80]})")
                continue
            spread = f"{row['median_s']:.4f} ({row['min_s']:.4f}..{row['max_s']:.4f})"
            speedup = row.get("statewright_speedup")
            ratio = f"  {speedup['median']:.1f}x ({speedup['min']:.1f}..{speedup['max']:.1f})" if speedup else ""
            lines.append(f"{name:<9}{engine:<25}{spread:>28}{row['transitions_per_s']:>15,.0f}"
                         f"{_mb(row['peak_rss_bytes']):>10}{ratio}")
            if speedup and engine in TARGETS:
                floor = target(engine, name)
                met = speedup["median"] >= floor
                verdicts.append(f"{name}: statewright >= {floor:.0f}x {engine}: "
                                f"{'met' if met else 'MISSED'} ({speedup['median']:.1f}x)")
    for engine, reason in skipped.items():
        lines.append(f"{engine} not measured: {reason}")
    if memory is not None:
        for engine, row in memory["engines"].items():
            if "error" in row:
                lines.append(f"{memory['workload']} {engine}: FAILED: {row['error'][:150]}")
                continue
            lines.append(f"{memory['workload']} ({memory['description']}), {engine}: peak RSS growth "
                         f"{_mb(row['peak_rss_growth_bytes'])} (peak {_mb(row['peak_rss_bytes'])}, "
                         f"{row['seconds']:.2f} s on the real clock)")
        ours = memory["engines"].get("statewright", {})
        if "peak_rss_growth_bytes" in ours:
            met = ours["peak_rss_growth_bytes"] < MEMORY_TARGET_BYTES
            verdicts.append(f"{memory['workload']}: statewright peak RSS growth < 200 MB: "
                            f"{'met' if met else 'MISSED'} ({_mb(ours['peak_rss_growth_bytes'])})")
    return [*lines, "", *(f"target {verdict}" for verdict in verdicts)]


def machine_description() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}, "
            f"Python {platform.python_version()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workloads", default="W1,W2,W3-mc0,W3-mc10,W4,W5",
                        help="comma-separated workload names (default: all)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated engines (default: all)")
    parser.add_argument("--memory", type=int, default=10_000,
                        help="executions in the W4 memory variant (0 skips it)")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink the workloads (smoke runs only)")
    parser.add_argument("--output", default="suite.json", help="file name in benchmarks/results/")
    args = parser.parse_args(argv)
    wanted = args.workloads.split(",")
    workloads = [workload for workload in all_workloads(args.scale) if workload.name in wanted]
    unknown = set(args.engines.split(",")) - set(ENGINES)
    if unknown or not workloads:
        parser.error(f"unknown engines {sorted(unknown)}" if unknown else f"no workload among {wanted}")
    skipped = {name: reason for name in args.engines.split(",") if (reason := ENGINES[name].missing())}
    engines = [ENGINES[name] for name in args.engines.split(",") if name not in skipped]
    started = datetime.datetime.now(datetime.UTC)
    table = summarise(measure(workloads, engines, args.rounds))
    memory = measure_memory(args.memory, engines) if args.memory else None
    print(f"Statewright and peers, {started:%Y-%m-%d %H:%M} UTC, {machine_description()}, {args.rounds} rounds")
    lines = report(table, memory, skipped)
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    result = {"date": started.isoformat(timespec="seconds"), "machine": machine_description(),
              "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
              "rounds": args.rounds, "scale": args.scale, "workloads": table, "memory": memory,
              "not_measured": skipped, "report": lines}
    (RESULTS / args.output).write_text(json.dumps(result, indent=2))
    return 0
