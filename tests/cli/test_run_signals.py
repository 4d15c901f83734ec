"""Ctrl-C and SIGTERM sent to a real ``statewright run`` process while a task runs (cli/interrupts.py).

The first signal stops the execution as StopExecution does: ABORTED in the trace and in the ``--json``
document, exit 1, at once even though the task would run for 20 s more. A second signal exits with 130
without waiting for anything.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.cli.run_process import FN, RunProcess, write_flow

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

ONE_TASK = f"  Work:\n    Type: Task\n    Resource: {FN}work\n    TimeoutSeconds: 60\n    End: true\n"

TASKS = {
    "sync": (
        "import sys, time\n\n"
        "def work(payload):\n"
        "    print('working', file=sys.stderr, flush=True)\n"
        "    time.sleep(20)\n"
        "    return payload\n"
    ),
    "async": (
        "import asyncio, sys\n\n"
        "async def work(payload):\n"
        "    print('working', file=sys.stderr, flush=True)\n"
        "    await asyncio.sleep(20)\n"
        "    return payload\n"
    ),
}

# Well under the task's 20 s, generous for a loaded 2-core machine.
PROMPTLY = 10


def start_working(tmp_path: Path, tasks: str, *args: str) -> RunProcess:
    run = RunProcess(write_flow(tmp_path, ONE_TASK, tasks), *args)
    run.wait_for("-> Work (Task)")  # the trace shows the task state entered...
    run.wait_for("working")  # ...and the function itself has begun
    return run


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_aborts_the_execution_and_reports_it_in_the_json_document(tmp_path, kind, signal_number) -> None:
    run = start_working(tmp_path, TASKS[kind], "--json")
    sent = time.monotonic()
    run.process.send_signal(signal_number)
    ended = run.finish()
    assert ended - sent < PROMPTLY, run.stderr
    assert run.returncode == 1, run.stderr
    name = signal.Signals(signal_number).name
    assert json.loads(run.stdout) == {"status": "ABORTED", "output": None, "error": "Statewright.Interrupted",
                                      "cause": f"statewright run was interrupted by {name}"}
    last = run.lines[-1]
    assert "ABORTED" in last and "Statewright.Interrupted" in last and name in last, run.stderr
    assert "Traceback" not in run.stderr


def test_ctrl_c_without_json_ends_the_trace_with_aborted_and_prints_no_output(tmp_path) -> None:
    run = start_working(tmp_path, TASKS["sync"])
    run.process.send_signal(signal.SIGINT)
    run.finish()
    assert run.returncode == 1
    assert run.stdout == ""  # as for any execution that did not succeed
    assert run.lines[-1].split()[1:3] == ["ABORTED", "Statewright.Interrupted:"], run.stderr


def test_a_second_ctrl_c_exits_at_once_when_the_first_cannot_finish_the_run(tmp_path) -> None:
    # The task ignores its cancellation and blocks the event loop for 20 s: the stop cannot complete.
    stubborn = (
        "import asyncio, sys, time\n\n"
        "async def work(payload):\n"
        "    print('working', file=sys.stderr, flush=True)\n"
        "    try:\n"
        "        await asyncio.sleep(20)\n"
        "    except asyncio.CancelledError:\n"
        "        time.sleep(20)\n"
        "    return payload\n"
    )
    run = start_working(tmp_path, stubborn, "--json")
    sent = time.monotonic()
    run.process.send_signal(signal.SIGINT)
    time.sleep(0.5)  # the first one is handled (the task is now blocking the loop)
    run.process.send_signal(signal.SIGINT)
    ended = run.finish()
    assert ended - sent < PROMPTLY, run.stderr
    assert run.returncode == 130
    assert "SIGINT again" in run.lines[-1]
    assert "Traceback" not in run.stderr
