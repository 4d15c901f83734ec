"""Plain (sync) task functions: their daemon worker threads (runtime/threads.py), abandoned calls, and
``KeyboardInterrupt`` / ``SystemExit`` raised by task code (spec/extensions.md rule 6)."""

from __future__ import annotations

import asyncio
import contextvars
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import statewright
from statewright.runtime.threads import TaskThreads

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def test_calls_run_on_daemon_threads_with_the_callers_context() -> None:
    pool = TaskThreads(max_workers=2)
    request = contextvars.ContextVar("request")

    def where(argument):
        current = threading.current_thread()
        return current.daemon, current.name, request.get(), argument

    async def go():
        request.set("r-1")
        return await pool.call(where, 7)

    daemon, name, seen, argument = asyncio.run(go())
    assert daemon and name.startswith("statewright-task-") and (seen, argument) == ("r-1", 7)


def test_an_abandoned_call_gives_up_its_place_and_a_waiting_one_never_runs() -> None:
    pool = TaskThreads(max_workers=1)
    release = threading.Event()
    ran = []

    def stuck(argument):
        release.wait(30)
        return argument

    def quick(argument):
        ran.append(argument)
        return argument

    async def go():
        first = asyncio.create_task(pool.call(stuck, "first"))
        await asyncio.sleep(0.05)
        waiting = asyncio.create_task(pool.call(quick, "never"))  # no place: it waits behind "first"
        await asyncio.sleep(0.05)
        waiting.cancel()
        first.cancel()  # abandoned while its thread is still blocked
        began = time.monotonic()
        result = await asyncio.wait_for(pool.call(quick, "next"), 10)  # gets the place "first" gave up
        return result, time.monotonic() - began

    try:
        result, took = asyncio.run(go())
    finally:
        release.set()
    assert result == "next" and took < 5
    assert ran == ["next"]


@pytest.mark.parametrize("raised", [KeyboardInterrupt("k"), SystemExit(3), ValueError("v")])
def test_whatever_a_call_raises_comes_back_to_the_awaiting_task(raised) -> None:
    def fail(argument):
        raise raised

    async def go():
        with pytest.raises(type(raised)):
            await TaskThreads().call(fail, None)

    asyncio.run(go())


def raise_keyboard_interrupt(payload):
    raise KeyboardInterrupt("from a thread")


def call_sys_exit(payload):
    sys.exit(4)


async def raise_keyboard_interrupt_async(payload):
    raise KeyboardInterrupt


async def raise_system_exit_async(payload):
    raise SystemExit("leaving")


@pytest.mark.parametrize(("function", "error", "cause"), [
    (raise_keyboard_interrupt, "KeyboardInterrupt", "from a thread"),
    (call_sys_exit, "SystemExit", "4"),
    (raise_keyboard_interrupt_async, "KeyboardInterrupt", ""),
    (raise_system_exit_async, "SystemExit", "leaving"),
])
def test_keyboard_interrupt_and_system_exit_fail_the_task_and_retry_like_any_error(function, error, cause) -> None:
    definition = {"StartAt": "Work", "States": {"Work": {
        "Type": "Task", "Resource": FN + "work", "End": True,
        "Retry": [{"ErrorEquals": [error], "IntervalSeconds": 1, "MaxAttempts": 1}]}}}
    result = statewright.run(definition, {}, resources={FN + "work": function}, virtual_time=True)
    assert (result.status, result.error, result.cause) == ("FAILED", error, cause)
    assert [e.type for e in result.events].count("LambdaFunctionFailed") == 2  # retried once, as any error is


def test_a_process_using_statewright_run_exits_when_the_execution_ends_not_when_the_thread_does() -> None:
    script = textwrap.dedent(f"""
        import time
        import statewright

        def slow(payload):
            time.sleep(20)

        definition = {{"StartAt": "Work", "States": {{"Work": {{
            "Type": "Task", "Resource": "{FN}slow", "TimeoutSeconds": 1, "End": True}}}}}}
        result = statewright.run(definition, {{}}, resources={{"{FN}slow": slow}})
        print(result.status, result.error)
    """)
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["FAILED", "States.Timeout"]
    assert time.monotonic() - began < 10  # not the 20 s of the abandoned thread
