"""``python -m benchmarks --durable``: durable transitions per second, Statewright on SQLite beside DBOS on SQLite.

Two comparisons, each engine in its own process per round, rounds interleaved (the order rotates):

* **D10** (``workload.py``): 1,000 executions of a 10-step workflow (5 Pass states, 5 Python tasks), started
  together, every step durable: Statewright's DurableEngine (one recorded step per input, group commit) and
  DBOS (one checkpoint per step). Targets (issue 13): >= 10,000 durable transitions/s and >= 50x DBOS.
* **W4 with a store attached**: the suite's W4 (1,000 executions of a 5-state machine with a Wait, virtual
  time) on the DurableEngine beside the in-memory engine, both in one process, one round of each in turn
  (``--paired``): this machine's speed drifts by half from one moment to the next, and a ratio of runs taken
  together measures the store rather than the drift. Target: the store costs at most 5x.

With ``--postgres [URL]``, D10 also runs on PostgreSQL with 1, 2 and 3 nodes (``pg_nodes.py``).

Each runner warms its process with one untimed round; a round's time is from the first start to the last
result. The SQLite settings are printed beside the figures: ``synchronous=FULL`` (every commit fsynced) unless
``--synchronous normal``.
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

ROOT = Path(__file__).resolve().parents[2]
PEER_PYTHON = ROOT / "benchmarks" / ".peers" / "venv" / "bin" / "python"
RESULTS = ROOT / "benchmarks" / "results"
D10_TARGET, DBOS_TARGET, STORE_COST_TARGET = 10_000, 50.0, 5.0


def _run(command: list[str]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "interpreter")])}
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} exited {done.returncode}: {done.stderr[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def runners(executions: int, synchronous: str) -> dict[str, list[str]]:
    ours = [sys.executable, "-m", "benchmarks.durable.statewright_durable", "--executions", str(executions),
            "--synchronous", synchronous]
    found = {
        "D10 statewright durable": [*ours, "--workload", "D10"],
        # Both engines in one process, alternately: see statewright_durable.py --paired.
        "W4 statewright durable": [*ours, "--workload", "W4", "--paired"],
    }
    if PEER_PYTHON.exists():
        found["D10 dbos"] = [str(PEER_PYTHON), str(ROOT / "benchmarks" / "durable" / "dbos_d10.py"),
                             "--executions", str(executions)]
    return found


def measure(commands: dict[str, list[str]], rounds: int) -> dict[str, list[dict[str, Any]]]:
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in commands}
    names = list(commands)
    for number in range(rounds):
        for name in names[number % len(names):] + names[:number % len(names)]:
            samples[name].append(_run([*commands[name], "--rounds", "1"]))
    return samples


def report(samples: dict[str, list[dict[str, Any]]], synchronous: str) -> list[str]:
    medians = {name: statistics.median(s["times_s"][0] for s in runs) for name, runs in samples.items()}
    lines = [f"{'run':<28} {'median s (min..max)':>24} {'transitions/s':>14} {'peak RSS':>9}"]
    for name, runs in samples.items():
        times = [s["times_s"][0] for s in runs]
        rate = runs[0]["transitions"] / medians[name]
        rss = max(s["peak_rss_bytes"] for s in runs) / 2**20
        lines.append(f"{name:<28} {medians[name]:>8.3f} ({min(times):.3f}..{max(times):.3f})"
                     f" {rate:>14,.0f} {rss:>7.0f} MB")
    paired = [s["in_memory_times_s"][0] for s in samples["W4 statewright durable"]]
    middle = statistics.median(paired)
    rate = samples["W4 statewright durable"][0]["transitions"] / middle
    lines.append(f"{'W4 statewright in-memory':<28} {middle:>8.3f} ({min(paired):.3f}..{max(paired):.3f})"
                 f" {rate:>14,.0f}  (in the durable run's process)")
    lines.append("")
    ours = samples["D10 statewright durable"]
    rate = ours[0]["transitions"] / medians["D10 statewright durable"]
    lines.append(f"SQLite synchronous={synchronous.upper()}, journal_mode=WAL; group commit: "
                 f"{ours[-1]['details']['steps']} steps in {ours[-1]['details']['commits']} commits (last round)")
    lines.append(f"target D10 >= {D10_TARGET:,} durable transitions/s: "
                 f"{'met' if rate >= D10_TARGET else 'MISSED'} ({rate:,.0f})")
    if "D10 dbos" in samples:
        ratios = [d["times_s"][0] / s["times_s"][0] for s, d in zip(ours, samples["D10 dbos"], strict=True)]
        ratio = statistics.median(ratios)
        lines.append(f"target D10 >= {DBOS_TARGET:.0f}x DBOS: {'met' if ratio >= DBOS_TARGET else 'MISSED'} "
                     f"({ratio:.1f}x; per round {min(ratios):.1f}..{max(ratios):.1f})")
    else:
        lines.append("D10 dbos: not measured (run benchmarks/install-peers)")
    costs = [s["times_s"][0] / s["in_memory_times_s"][0] for s in samples["W4 statewright durable"]]
    cost = statistics.median(costs)
    lines.append(f"target W4 with a store <= {STORE_COST_TARGET:.0f}x in-memory: "
                 f"{'met' if cost <= STORE_COST_TARGET else 'MISSED'} ({cost:.1f}x; per round "
                 f"{min(costs):.1f}..{max(costs):.1f})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks --durable", description=__doc__.splitlines()[0])
    parser.add_argument("--durable", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--executions", type=int, default=1000)
    parser.add_argument("--synchronous", default="full", choices=("full", "normal"))
    parser.add_argument("--postgres", nargs="?", const="postgresql://postgres@127.0.0.1:5432/test", metavar="URL",
                        help="also run D10 on PostgreSQL with 1, 2 and 3 nodes (pg_nodes.py; default: the local "
                             "server)")
    parser.add_argument("--output", default="durable.json", help="file name in benchmarks/results/")
    args = parser.parse_args(argv)
    started = datetime.datetime.now(datetime.UTC)
    samples = measure(runners(args.executions, args.synchronous), args.rounds)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"Durable executions, {started:%Y-%m-%d %H:%M} UTC, {machine}, {args.rounds} rounds, "
          f"{args.executions} executions")
    lines = report(samples, args.synchronous)
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.output).write_text(json.dumps({"date": started.isoformat(timespec="seconds"),
                                                   "machine": machine, "samples": samples, "report": lines},
                                                  indent=2))
    if args.postgres:
        from benchmarks.durable.pg_nodes import main as nodes

        nodes(["--server", args.postgres, "--rounds", str(args.rounds), "--executions", str(3 * args.executions)])
    return 0
