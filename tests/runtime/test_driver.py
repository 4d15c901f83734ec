"""The driver's side of the core contract, checked against a scripted core (see scripted_core.py)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from statewright.core.events import (
    ExecutionInfo,
    StopRequested,
    TaskFailed,
    TaskHeartbeat,
    TaskSucceeded,
    TimerFired,
)
from statewright.runtime.callbacks import InvalidToken, TaskTimedOut, TaskTokens
from statewright.runtime.clock import SystemClock, VirtualClock
from statewright.runtime.driver import Driver, drive
from statewright.runtime.resources import ResourceRegistry, TaskError
from tests.runtime.scripted_core import ScriptedExecution

INFO = ExecutionInfo("arn:aws:states:us-east-1:123456789012:execution:m:e", "e",
                     "arn:aws:states:us-east-1:123456789012:stateMachine:m", "m")
START = 1_700_000_000.0


def run_script(steps, resources, clock=None, value=None, tokens=None):
    execution = ScriptedExecution(steps)
    outcome = asyncio.run(drive(execution, ResourceRegistry(resources), clock or VirtualClock(START),
                                input=value, info=INFO, seed=7, tokens=tokens))
    return outcome, execution


class PaymentDeclined(Exception):
    pass


class Throttled(Exception):
    error = "Payments.Throttled"


def test_async_and_sync_callables_give_results_and_sync_ones_run_off_the_loop() -> None:
    loop_thread = threading.get_ident()
    seen = {}

    async def double(value):
        return value * 2

    def plus_one(value):
        seen["thread"] = threading.get_ident()
        return value + 1

    outcome, _ = run_script([("task", "a:double"), ("task", "a:plus")], {"a:double": double, "a:plus": plus_one},
                            value=20)
    assert (outcome.status, outcome.output) == ("SUCCEEDED", 41)
    assert seen["thread"] != loop_thread


@pytest.mark.parametrize(
    ("raised", "error", "cause"),
    [
        (PaymentDeclined("card 42 declined"), "PaymentDeclined", "card 42 declined"),
        (Throttled("slow down"), "Payments.Throttled", "slow down"),
        (TaskError("Custom.Error", "why"), "Custom.Error", "why"),
        (ValueError(), "ValueError", ""),
    ],
)
def test_exceptions_become_error_names_and_causes(raised, error, cause) -> None:
    def fail(value):
        raise raised

    outcome, _ = run_script([("task", "r")], {"r": fail})
    assert (outcome.status, outcome.error, outcome.cause) == ("FAILED", error, cause)


def test_an_unknown_resource_fails_with_states_task_failed_naming_it() -> None:
    outcome, _ = run_script([("task", "arn:aws:lambda:us-east-1:1:function:nope")], {})
    assert outcome.error == "States.TaskFailed"
    assert "arn:aws:lambda:us-east-1:1:function:nope" in outcome.cause and "State0" in outcome.cause


def test_suffixes_fall_back_to_the_bare_resource() -> None:
    outcome, _ = run_script([("task", "arn:aws:states:::lambda:invoke.sync")], {"arn:aws:states:::lambda:invoke": str})
    assert outcome.status == "SUCCEEDED"


def test_waits_and_retries_jump_on_the_virtual_clock_and_record_the_times_that_passed() -> None:
    attempts = []

    def flaky(value):
        attempts.append(value)
        if len(attempts) < 3:
            raise Throttled("busy")
        return "done"

    began = time.monotonic()
    outcome, execution = run_script(
        [("wait", 3600), ("task", "r", {"retries": 2, "interval": 5})], {"r": flaky}
    )
    assert time.monotonic() - began < 1.0
    assert outcome.output == "done" and len(attempts) == 3
    fired = [i.time for i in execution.inputs if isinstance(i, TimerFired)]
    failed = [i.time for i in execution.inputs if isinstance(i, TaskFailed)]
    # The Wait jumps to its time; each back-off counts from its failure (an attempt takes its real time).
    assert fired[0] == START + 3600
    assert [when - failure for when, failure in zip(fired[1:], failed, strict=True)] == pytest.approx([5, 5])
    assert execution.history[-1].timestamp == pytest.approx(START + 3610, abs=0.5)


def test_tasks_of_one_execution_run_concurrently() -> None:
    both = asyncio.Barrier(2) if hasattr(asyncio, "Barrier") else None
    running = []

    async def worker(value):
        running.append(1)
        if both is not None:
            await both.wait()  # deadlocks unless the two calls run at the same time
        return len(running)

    outcome, _ = run_script([("parallel", ["a", "b"])], {"a": worker, "b": worker})
    assert outcome.status == "SUCCEEDED" and sorted(outcome.output) == [2, 2]


def test_virtual_time_stands_still_while_a_task_runs_and_a_manual_clock_fires_the_timeout() -> None:
    clock = VirtualClock(START, auto_advance=False)
    state = {}

    async def hang(value):
        try:
            await asyncio.sleep(3600)  # real seconds: only the timeout ends this
        except asyncio.CancelledError:
            state["cancelled"] = True
            raise

    async def scenario():
        execution = ScriptedExecution([("task", "r", {"timeout": 30})])
        driver = Driver(execution, ResourceRegistry({"r": hang}), clock)
        running = asyncio.create_task(driver.run(None, info=INFO, seed=1))
        await asyncio.sleep(0.05)
        assert clock.now() == START and not running.done()  # nothing advanced the manual clock
        clock.advance(31)
        return await running, execution

    outcome, execution = asyncio.run(scenario())
    assert (outcome.status, outcome.error) == ("FAILED", "States.Timeout")
    assert state == {"cancelled": True}
    assert [i.time for i in execution.inputs if isinstance(i, TimerFired)] == [START + 31]


def test_a_real_wait_on_the_system_clock() -> None:
    began = time.monotonic()
    outcome, _ = run_script([("wait", 0.2)], {}, clock=SystemClock())
    elapsed = time.monotonic() - began
    assert outcome.status == "SUCCEEDED" and 0.19 <= elapsed < 2.0


def test_stop_requested_aborts_and_cancels_the_running_task() -> None:
    state = {}

    async def hang(value):
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            state["cancelled"] = True
            raise

    async def scenario():
        driver = Driver(ScriptedExecution([("task", "r")]), ResourceRegistry({"r": hang}), VirtualClock(START))
        running = asyncio.create_task(driver.run(None, info=INFO, seed=1))
        await asyncio.sleep(0.01)
        driver.post(StopRequested(driver.clock.now(), "Operator.Stop", "by hand"))
        return await running

    outcome = asyncio.run(scenario())
    assert (outcome.status, outcome.error, outcome.cause) == ("ABORTED", "Operator.Stop", "by hand")
    assert state == {"cancelled": True}


def test_callback_success_failure_and_late_answers() -> None:
    tokens = TaskTokens()

    async def scenario(answer):
        sent = asyncio.Event()

        async def send(value):
            sent.set()
            return "ignored"

        driver = Driver(ScriptedExecution([("task", "q.waitForTaskToken", {"token": True})]),
                        ResourceRegistry({"q": send}), VirtualClock(START), tokens=tokens)
        running = asyncio.create_task(driver.run("in", info=INFO, seed=1))
        await sent.wait()
        await asyncio.sleep(0)
        assert "token-1" in tokens
        answer()
        outcome = await running
        assert "token-1" not in tokens
        with pytest.raises(TaskTimedOut):
            tokens.answer("token-1", None)
        return outcome

    from statewright.runtime.callbacks import CallbackAnswer

    ok = asyncio.run(scenario(lambda: tokens.answer("token-1", CallbackAnswer(output={"approved": True}))))
    assert (ok.status, ok.output) == ("SUCCEEDED", {"approved": True})
    bad = asyncio.run(scenario(lambda: tokens.answer("token-1", CallbackAnswer(error="Rejected", cause="no"))))
    assert (bad.status, bad.error, bad.cause) == ("FAILED", "Rejected", "no")
    with pytest.raises(InvalidToken):
        tokens.heartbeat("never-issued")


def test_an_answer_given_during_the_resource_call_is_kept() -> None:
    tokens = TaskTokens()

    async def answers_itself(value):
        from statewright.runtime.callbacks import CallbackAnswer

        tokens.answer("token-1", CallbackAnswer(output="fast"))
        return "ignored"

    outcome, _ = run_script([("task", "q.waitForTaskToken", {"token": True})], {"q": answers_itself}, tokens=tokens)
    assert outcome.output == "fast"


def test_heartbeats_keep_a_callback_alive_until_they_stop() -> None:
    clock = VirtualClock(START, auto_advance=False)
    tokens = TaskTokens()

    async def scenario():
        execution = ScriptedExecution([("task", "q.waitForTaskToken", {"token": True, "heartbeat": 10})])
        driver = Driver(execution, ResourceRegistry({"q": lambda v: None}), clock, tokens=tokens)
        running = asyncio.create_task(driver.run(None, info=INFO, seed=1))
        for _ in range(3):
            while "token-1" not in tokens:
                await asyncio.sleep(0.001)
            clock.advance(8)
            tokens.heartbeat("token-1")
            await asyncio.sleep(0.01)
        assert not running.done()
        clock.advance(11)
        return await running, execution

    outcome, execution = asyncio.run(scenario())
    assert outcome.error == "States.HeartbeatTimeout"
    beats = [i.time for i in execution.inputs if isinstance(i, TaskHeartbeat)]
    assert beats == [START + 8, START + 16, START + 24]
    assert not any(isinstance(i, TaskSucceeded) for i in execution.inputs)


def test_auto_advance_does_not_wait_for_callbacks() -> None:
    """With only a callback and its timeout outstanding, virtual time jumps to the timeout at once."""
    outcome, execution = run_script([("task", "q.waitForTaskToken", {"token": True, "timeout": 86400})],
                                    {"q": lambda v: None})
    assert outcome.error == "States.Timeout"
    assert [i.time for i in execution.inputs if isinstance(i, TimerFired)] == [START + 86400]


def test_a_pass_only_script_ends_without_awaiting() -> None:
    execution = ScriptedExecution([])
    driver = Driver(execution, ResourceRegistry(), VirtualClock(START))
    coroutine = driver.run({"a": 1}, info=INFO, seed=1)
    with pytest.raises(StopIteration) as done:
        coroutine.send(None)  # one step of the coroutine finishes it: no await was taken
    assert done.value.value.output == {"a": 1}
