"""``python -m benchmarks --serve``: StartExecution/s through a real ``statewright serve`` process, on SQLite.

A fresh SQLite file, ``statewright serve`` started as an operator would (``--log-level info``: one log line
per request), one 5-state machine (Pass, Pass, Choice, Pass, Succeed), then 10,000 StartExecution requests
from 100 concurrent clients (``load.py``: aiohttp in a process of its own, boto3's headers). Reported: starts
per second (first request sent to last answer), p50 and p99 latency as the clients saw it, and a check that
every execution acknowledged is in the store and SUCCEEDED. The same starts through the in-process
DurableEngine (``engine.start`` from 100 concurrent coroutines, same machine, a fresh SQLite file) are
measured in the same run for the ratio. LocalStack is not measured: it needs Docker images, which cannot be
fetched here. Target (issue 14): >= 2,000 StartExecution/s with p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
RATE_TARGET, P99_TARGET_MS = 2_000, 50.0
ROLE = "arn:aws:iam::123456789012:role/statewright-bench"
MACHINE = {"Comment": "five states, no task: what StartExecution and one durable step cost",
           "StartAt": "Receive", "States": {
               "Receive": {"Type": "Pass", "Next": "Stamp"},
               "Stamp": {"Type": "Pass", "Result": "stamped", "ResultPath": "$.stamp", "Next": "Route"},
               "Route": {"Type": "Choice", "Choices": [
                   {"Variable": "$.n", "NumericGreaterThanEquals": 0, "Next": "Shape"}], "Default": "Shape"},
               "Shape": {"Type": "Pass", "Parameters": {"n.$": "$.n", "stamp.$": "$.stamp"}, "Next": "Done"},
               "Done": {"Type": "Succeed"}}}
_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "interpreter"), str(ROOT)])}


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


class ServeProcess:
    """``statewright serve`` on a fresh SQLite file; ``stop`` sends SIGTERM and returns its exit code."""

    def __init__(self, db: Path, log: Path, log_level: str, synchronous: str = "full") -> None:
        self.db = db
        command = [sys.executable, "-m", "statewright", "serve", "--db", f"sqlite:///{db}?synchronous={synchronous}",
                   "--port", "0",
                   "--log-level", log_level]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log.open("w"), text=True, env=_ENV)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if match is None:
            self.process.kill()
            raise RuntimeError(f"statewright serve did not start: {line!r} {log.read_text()[-2000:]}")
        self.url = match.group(1)

    def cpu_seconds(self) -> float | None:
        """The server's user + system CPU time so far (Linux's /proc; None elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)


def create_machine(url: str) -> str:
    import boto3

    client = boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
                          aws_secret_access_key="bench")
    return str(client.create_state_machine(name="bench", definition=json.dumps(MACHINE),
                                           roleArn=ROLE)["stateMachineArn"])


def statuses(db: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return dict(connection.execute("SELECT status, count(*) FROM executions GROUP BY status").fetchall())


def wait_all_ended(db: Path, expected: int, timeout: float = 120) -> dict[str, int]:
    """Executions by status once none is RUNNING and ``expected`` are stored (read from the file itself)."""
    deadline = time.monotonic() + timeout
    while True:
        found = statuses(db)
        if (sum(found.values()) >= expected and not found.get("RUNNING")) or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def through_server(folder: Path, executions: int, concurrency: int, log_level: str, warmup: int,
                   synchronous: str = "full") -> dict[str, Any]:
    server = ServeProcess(folder / "serve.db", folder / "serve.log", log_level, synchronous)
    try:
        machine = create_machine(server.url)
        cpu_before = server.cpu_seconds()
        load = subprocess.run([sys.executable, "-m", "benchmarks.serve.load", "--url", server.url + "/",
                               "--machine", machine, "--executions", str(executions), "--concurrency",
                               str(concurrency), "--warmup", str(warmup)],
                              capture_output=True, text=True, cwd=ROOT, env=_ENV, check=False)
        if load.returncode != 0:
            raise RuntimeError(f"the load generator failed: {load.stderr[-2000:]}")
        measured = json.loads(load.stdout.strip().splitlines()[-1])
        cpu_after = server.cpu_seconds()
        started = len(measured["arns"]) + len(measured["warmup_arns"])
        ended = wait_all_ended(server.db, started)
    finally:
        code = server.stop()
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return {"took_s": measured["took_s"], "latencies_ms": measured["latencies_ms"],
            "acknowledged": len(measured["arns"]), "warmup": len(measured["warmup_arns"]),
            "errors": measured["error_count"], "error_samples": measured["errors"], "statuses": ended,
            "exit_code": code, "server_cpu_us": None if cpu is None else cpu / max(1, started) * 1e6}


async def _in_process(db: Path, executions: int, concurrency: int, warmup: int, synchronous: str) -> dict[str, Any]:
    import statewright
    from statewright.runtime.durable import DurableEngine

    machine = statewright.load(json.dumps(MACHINE))
    async with DurableEngine(f"sqlite:///{db}?synchronous={synchronous}") as engine:
        async def clients(count: int, prefix: str) -> tuple[float, list[float]]:
            latencies: list[float] = []
            numbers = iter(range(count))

            async def client() -> None:
                for number in numbers:
                    began = time.perf_counter()
                    await engine.start(machine, {"n": number}, name=f"{prefix}-{number}")
                    latencies.append((time.perf_counter() - began) * 1000)

            began = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(concurrency)))
            return time.perf_counter() - began, latencies

        await clients(warmup, "warm")
        took, latencies = await clients(executions, "n")
        await engine._writer.flush()  # the executions' last steps, before the store is read
    return {"took_s": took, "latencies_ms": latencies, "statuses": statuses(db)}


def in_process(folder: Path, executions: int, concurrency: int, warmup: int,
               synchronous: str = "full") -> dict[str, Any]:
    return asyncio.run(_in_process(folder / "engine.db", executions, concurrency, warmup, synchronous))


def summary(run: dict[str, Any]) -> dict[str, float]:
    latencies = sorted(run["latencies_ms"])
    return {"rate": len(latencies) / run["took_s"], "p50": percentile(latencies, 0.5),
            "p99": percentile(latencies, 0.99), "max": latencies[-1] if latencies else float("nan")}


def report(rounds: list[tuple[dict[str, Any], dict[str, Any]]], concurrency: int) -> list[str]:
    """A line per round and side, then the medians over the rounds, the ratio, the checks and the target."""
    lines = [f"{'round  run':<43} {'starts/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"]
    served_figures, engine_figures = [], []
    for number, (served, engine) in enumerate(rounds, 1):
        ours, inner = summary(served), summary(engine)
        served_figures.append(ours)
        engine_figures.append(inner)
        for name, figures in ((f"statewright serve ({concurrency} HTTP clients)", ours),
                              (f"DurableEngine.start ({concurrency} coroutines)", inner)):
            lines.append(f"{number:<6} {name:<36} {figures['rate']:>9,.0f} {figures['p50']:>7.1f} "
                         f"{figures['p99']:>7.1f} {figures['max']:>7.1f}")
    ours, inner = medians(served_figures), medians(engine_figures)
    lines.append(f"{'median statewright serve':<43} {ours['rate']:>9,.0f} {ours['p50']:>7.1f} {ours['p99']:>7.1f}")
    lines.append(f"{'median DurableEngine.start':<43} {inner['rate']:>9,.0f} {inner['p50']:>7.1f} "
                 f"{inner['p99']:>7.1f}")
    lines.append("")
    lines.append(f"server / in-process: {ours['rate'] / inner['rate']:.2f}x the starts per second (medians)")
    cpu = [served["server_cpu_us"] for served, _ in rounds if served.get("server_cpu_us")]
    if cpu:
        # CPU per request does not depend on what else the machine runs; the rates above do.
        per = statistics.median(cpu)
        lines.append(f"server CPU: {per:.0f} us per StartExecution (one core's worth: {1e6 / per:,.0f}/s)")
    for served, _ in rounds:
        succeeded = served["statuses"].get("SUCCEEDED", 0)
        lines.append(f"executions: {served['acknowledged']:,} acknowledged (+{served['warmup']} untimed first), "
                     f"{served['errors']} errors, {succeeded:,} SUCCEEDED in the store, statuses "
                     f"{served['statuses']}; server exited {served['exit_code']} on SIGTERM")
    lines.append("LocalStack: not measured (it runs from Docker images, which cannot be fetched on this machine)")
    met = ours["rate"] >= RATE_TARGET and ours["p99"] < P99_TARGET_MS
    lines.append(f"target >= {RATE_TARGET:,} StartExecution/s with p99 < {P99_TARGET_MS:.0f} ms (medians): "
                 f"{'met' if met else 'MISSED'} ({ours['rate']:,.0f}/s, p99 {ours['p99']:.1f} ms)")
    return lines


def medians(figures: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(figure[key] for figure in figures) for key in figures[0]}


def check(served: dict[str, Any], executions: int) -> list[str]:
    """What is wrong with a run (an empty list when every execution was acknowledged and SUCCEEDED)."""
    problems = []
    if served["errors"] or served["acknowledged"] != executions:
        problems.append(f"{served['acknowledged']} of {executions} acknowledged; errors: {served['error_samples']}")
    if served["statuses"] != {"SUCCEEDED": executions + served["warmup"]}:
        problems.append(f"not every execution SUCCEEDED: {served['statuses']}")
    if served["exit_code"] != 0:
        problems.append(f"the server exited {served['exit_code']} on SIGTERM")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks --serve", description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each on fresh SQLite files (medians kept)")
    parser.add_argument("--executions", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=500,
                        help="untimed starts first (connections opened, definition loaded), on both sides")
    parser.add_argument("--log-level", default="info", choices=("info", "warning"),
                        help="the server's log level (info: a line per request, as operators run it)")
    parser.add_argument("--synchronous", default="full", choices=("full", "normal"),
                        help="SQLite's synchronous setting for both runs (full: every commit fsynced)")
    parser.add_argument("--output", default="serve.json", help="file name in benchmarks/results/ ('' for none)")
    args = parser.parse_args(argv)
    started = datetime.datetime.now(datetime.UTC)
    load = os.getloadavg()[0]
    rounds = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="statewright-serve-bench-") as folder:
            served = through_server(Path(folder), args.executions, args.concurrency, args.log_level, args.warmup,
                                    args.synchronous)
            rounds.append((served, in_process(Path(folder), args.executions, args.concurrency, args.warmup,
                                              args.synchronous)))
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
               f"load average {load:.1f} before the run")
    print(f"statewright serve, {started:%Y-%m-%d %H:%M} UTC, {machine}, {args.rounds} rounds of "
          f"{args.executions:,} StartExecution, "
          f"SQLite synchronous={args.synchronous.upper()}, server log level {args.log_level}")
    lines = report(rounds, args.concurrency)
    print("\n".join(lines))
    problems = [problem for served, _ in rounds for problem in check(served, args.executions)]
    for problem in problems:
        print(f"FAILED: {problem}")
    if args.output:
        RESULTS.mkdir(exist_ok=True)
        figures = [{"served": summary(served), "in_process": summary(engine), "server_cpu_us": served["server_cpu_us"],
                    "statuses": served["statuses"], "exit_code": served["exit_code"]} for served, engine in rounds]
        (RESULTS / args.output).write_text(json.dumps({"date": started.isoformat(timespec="seconds"),
                                                       "machine": machine, "executions": args.executions,
                                                       "concurrency": args.concurrency, "rounds": figures,
                                                       "report": lines}, indent=2))
    return 1 if problems else 0
