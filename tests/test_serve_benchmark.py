"""``python -m benchmarks --serve`` stays runnable: a tiny run through a real server and the in-process engine
checks every execution it started. No timing is asserted here (the full run measures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_serve_benchmark_runs_and_checks_its_executions() -> None:
    command = [sys.executable, "-m", "benchmarks", "--serve", "--executions", "60", "--concurrency", "6",
               "--warmup", "6", "--rounds", "1", "--output", ""]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    out = done.stdout
    assert "statewright serve (6 HTTP clients)" in out and "DurableEngine.start (6 coroutines)" in out
    assert "60 acknowledged (+6 untimed first), 0 errors, 66 SUCCEEDED in the store" in out
    assert "server exited 0 on SIGTERM" in out and "LocalStack: not measured" in out
    assert "server / in-process:" in out and "target >= 2,000 StartExecution/s with p99 < 50 ms (medians):" in out
