"""What task code can do to a real ``statewright run`` process: take long, hang, block, raise SystemExit.

- ``--virtual-time`` skips only the time nothing works: a running task's ``TimeoutSeconds`` and
  ``HeartbeatSeconds`` hold as on the wall clock (spec/extensions.md §5).
- A sync task function abandoned by its execution (timed out) does not keep the process alive: it runs on
  a daemon thread (runtime/threads.py).
- ``KeyboardInterrupt`` and ``SystemExit`` raised by a task function fail the task like any exception
  (spec/extensions.md rule 6): one trace line, no traceback.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.cli.run_process import FN, RunProcess, write_flow

SLEEPS = (
    "import asyncio, sys, time\n\n"
    "def slow(payload):\n"
    "    print('working', file=sys.stderr, flush=True)\n"
    "    time.sleep(payload['seconds'])\n"
    "    return 'done'\n\n"
    "async def slow_async(payload):\n"
    "    print('working', file=sys.stderr, flush=True)\n"
    "    await asyncio.sleep(payload['seconds'])\n"
    "    return 'done'\n\n"
    "async def hang(payload):\n"
    "    print('working', file=sys.stderr, flush=True)\n"
    "    await asyncio.Event().wait()\n"
)


def task_state(function: str, **fields: int) -> str:
    extra = "".join(f"    {key}: {value}\n" for key, value in fields.items())
    return f"  Work:\n    Type: Task\n    Resource: {FN}{function}\n{extra}    End: true\n"


def run_to_end(tmp_path: Path, states: str, *args: str, tasks: str = SLEEPS) -> tuple[RunProcess, float]:
    """Run, and return the process and the seconds from the task's start to the process's end."""
    run = RunProcess(write_flow(tmp_path, states, tasks), "--json", *args)
    run.wait_for("working")
    began = time.monotonic()
    ended = run.finish()
    return run, ended - began


def document(run: RunProcess) -> dict:
    return json.loads(run.stdout)


@pytest.mark.parametrize("function", ["slow", "slow_async"])
def test_timeout_seconds_holds_on_virtual_time_for_a_task_that_takes_real_time(tmp_path, function) -> None:
    run, took = run_to_end(tmp_path, task_state(function, TimeoutSeconds=1), "--virtual-time",
                           "--input", '{"seconds": 8}')
    assert run.returncode == 1, run.stderr
    assert (document(run)["status"], document(run)["error"]) == ("FAILED", "States.Timeout")
    assert took < 6  # ended by the timeout, not by the 8 s task
    assert "FAILED States.Timeout" in run.lines[-1]


def test_a_task_that_hangs_times_out_on_virtual_time(tmp_path) -> None:
    run, took = run_to_end(tmp_path, task_state("hang", TimeoutSeconds=2), "--virtual-time")
    assert (document(run)["status"], document(run)["error"]) == ("FAILED", "States.Timeout")
    assert took < 10


def test_heartbeat_seconds_holds_on_virtual_time(tmp_path) -> None:
    run, took = run_to_end(tmp_path, task_state("slow", TimeoutSeconds=600, HeartbeatSeconds=1), "--virtual-time",
                           "--input", '{"seconds": 20}')
    assert (document(run)["status"], document(run)["error"]) == ("FAILED", "States.HeartbeatTimeout")
    assert took < 10


def test_virtual_time_still_jumps_over_a_wait_after_a_task(tmp_path) -> None:
    states = (f"  Work:\n    Type: Task\n    Resource: {FN}slow\n    TimeoutSeconds: 5\n    ResultPath: null\n"
              "    Next: Sleep\n"
              "  Sleep:\n    Type: Wait\n    Seconds: 86400\n    End: true\n")
    run, took = run_to_end(tmp_path, states, "--virtual-time", "--input", '{"seconds": 0.2}', "--history")
    assert document(run)["status"] == "SUCCEEDED", run.stderr
    assert took < 10  # the day's Wait took no real time
    history = document(run)["history"]
    assert history[-1]["type"] == "ExecutionSucceeded"


def test_a_timed_out_sync_task_does_not_keep_the_process_alive(tmp_path) -> None:
    # A plain function sleeping 20 s with TimeoutSeconds 2, on the real clock: the execution fails at 2 s,
    # and the process exits then (the abandoned thread is a daemon), not when the sleep ends.
    run, took = run_to_end(tmp_path, task_state("slow", TimeoutSeconds=2), "--input", '{"seconds": 20}')
    assert run.returncode == 1, run.stderr
    assert (document(run)["status"], document(run)["error"]) == ("FAILED", "States.Timeout")
    assert 1.5 < took < 10


RAISES = (
    "import sys\n\n"
    "def interrupt(payload):\n"
    "    print('working', file=sys.stderr, flush=True)\n"
    "    raise KeyboardInterrupt('pressed in a task')\n\n"
    "def leave(payload):\n"
    "    print('working', file=sys.stderr, flush=True)\n"
    "    sys.exit(3)\n\n"
    "async def leave_async(payload):\n"
    "    print('working', file=sys.stderr, flush=True)\n"
    "    raise SystemExit('bye')\n\n"
    "async def interrupt_async(payload):\n"
    "    print('working', file=sys.stderr, flush=True)\n"
    "    raise KeyboardInterrupt\n"
)


@pytest.mark.parametrize(("function", "error", "cause"), [
    ("interrupt", "KeyboardInterrupt", "pressed in a task"),
    ("leave", "SystemExit", "3"),
    ("leave_async", "SystemExit", "bye"),
    ("interrupt_async", "KeyboardInterrupt", ""),
])
def test_keyboard_interrupt_and_system_exit_in_a_task_fail_the_task_in_one_line(tmp_path, function, error,
                                                                                  cause) -> None:
    run, _ = run_to_end(tmp_path, task_state(function), tasks=RAISES)
    assert run.returncode == 1, run.stderr
    assert document(run) == {"status": "FAILED", "output": None, "error": error, "cause": cause}
    assert "Traceback" not in run.stderr and "never retrieved" not in run.stderr
    failures = [line for line in run.lines if "LambdaFunctionFailed" in line]
    assert len(failures) == 1 and error in failures[0], run.stderr
    assert len(run.lines) <= 5, run.stderr  # entered, the function's own line, the failure, the ending


def test_a_catch_sees_system_exit_like_any_error(tmp_path) -> None:
    states = (f"  Work:\n    Type: Task\n    Resource: {FN}leave\n    Next: Done\n"
              "    Catch: [{ErrorEquals: [SystemExit], Next: Done, ResultPath: $.caught}]\n"
              "  Done:\n    Type: Pass\n    End: true\n")
    run, _ = run_to_end(tmp_path, states, tasks=RAISES)
    assert run.returncode == 0, run.stderr
    assert document(run)["output"]["caught"] == {"Error": "SystemExit", "Cause": "3"}
