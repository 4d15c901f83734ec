"""Waiting at scale: 100,000 executions parked on a one-hour Wait, a SIGKILL, and a restart.

    python -m benchmarks.durable.parked [--executions 100000] [--soon 1000] [--soon-seconds 40]

1. A process starts ``--executions`` executions of a machine that waits an hour, and ``--soon`` more that wait
   ``--soon-seconds``, and reports its peak RSS once all are recorded (target: under 300 MB).
2. It is killed with SIGKILL. A new process opens the same store; the time from its launch to the first
   ``start()`` it acknowledges is measured (target: under 10 s).
3. The new process waits for the ``--soon`` executions: each must end within a second of its Wait's due time
   (timers fire on time after the restart).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HOUR = {"StartAt": "Park", "States": {"Park": {"Type": "Wait", "Seconds": 3600, "End": True}}}


def soon(seconds: int) -> dict[str, Any]:
    return {"StartAt": "Park", "States": {"Park": {"Type": "Wait", "Seconds": seconds, "End": True}}}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def park(db: str, executions: int, soon_count: int, soon_seconds: int) -> None:
    import statewright

    hour, short = statewright.load(HOUR), statewright.load(soon(soon_seconds))
    base = rss_mb()
    began = time.perf_counter()
    async with statewright.DurableEngine(db) as engine:
        batch = 1000  # starts in flight at once, as a busy server would have
        for first in range(0, executions, batch):
            await asyncio.gather(*(engine.start(hour, {"n": n}) for n in range(first, min(first + batch, executions))))
        due = time.time() + soon_seconds
        await asyncio.gather(*(engine.start(short, {"n": n}, name=f"soon-{n}") for n in range(soon_count)))
        print(json.dumps({"parked": executions + soon_count, "seconds": time.perf_counter() - began,
                          "peak_rss_mb": rss_mb(), "base_rss_mb": base, "due": due, **engine.stats}), flush=True)
        await asyncio.Event().wait()  # until killed


async def serve(db: str, soon_count: int, launched: float) -> None:
    import statewright

    async with statewright.DurableEngine(db) as engine:
        probe = statewright.load({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        await engine.start(probe, {})
        serving = time.time() - launched
        print(json.dumps({"serving_after_s": serving}), flush=True)
        results = await asyncio.gather(*(engine.wait(f"arn:aws:states:us-east-1:123456789012:execution:"
                                                     f"StateMachine:soon-{n}") for n in range(soon_count)))
        print(json.dumps({"ended": [r.stop_date for r in results], "statuses": sorted({r.status for r in results}),
                          "peak_rss_mb": rss_mb(), **engine.stats}), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--executions", type=int, default=100_000)
    parser.add_argument("--soon", type=int, default=1000)
    parser.add_argument("--soon-seconds", type=int, default=40)
    parser.add_argument("--role", choices=("park", "serve"))
    parser.add_argument("--db")
    parser.add_argument("--launched", type=float)
    args = parser.parse_args()
    if args.role == "park":
        asyncio.run(park(args.db, args.executions, args.soon, args.soon_seconds))
        return 0
    if args.role == "serve":
        asyncio.run(serve(args.db, args.soon, args.launched))
        return 0
    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's install keeps bytecode caches: time start-up as theirs
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "parked.db")
        command = [sys.executable, "-m", "benchmarks.durable.parked", "--db", db, "--executions",
                   str(args.executions), "--soon", str(args.soon), "--soon-seconds", str(args.soon_seconds)]
        parker = subprocess.Popen([*command, "--role", "park"], stdout=subprocess.PIPE, text=True, env=env)
        assert parker.stdout is not None
        parked = json.loads(parker.stdout.readline())
        parker.send_signal(signal.SIGKILL)
        parker.wait()
        launched = time.time()
        served = subprocess.run([*command, "--role", "serve", "--launched", str(launched)], capture_output=True,
                                text=True, env=env, check=True)
        serving, ended = (json.loads(line) for line in served.stdout.splitlines())
        lateness = sorted(stop - parked["due"] for stop in ended["ended"])
        growth = parked["peak_rss_mb"] - parked["base_rss_mb"]
        print(f"parked {parked['parked']:,} executions in {parked['seconds']:.1f} s "
              f"({parked['parked'] / parked['seconds']:,.0f} starts/s); peak RSS {parked['peak_rss_mb']:.0f} MB "
              f"(growth {growth:.0f} MB); {parked['in_memory']:,} executions and {parked['timers_in_memory']:,} "
              f"timers held in memory")
        print(f"killed with SIGKILL; a new process accepted a start {serving['serving_after_s']:.2f} s after launch")
        print(f"{len(lateness):,} timers due {args.soon_seconds} s after parking fired; statuses "
              f"{ended['statuses']}; lateness after due: median {lateness[len(lateness) // 2]:.3f} s, "
              f"max {lateness[-1]:.3f} s")
        ok = (parked["peak_rss_mb"] < 300 and serving["serving_after_s"] < 10 and lateness[-1] < 1.0
              and lateness[0] >= -0.001 and ended["statuses"] == ["SUCCEEDED"])
        print(f"targets (peak RSS < 300 MB, serving < 10 s, every timer within 1 s of due): "
              f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
