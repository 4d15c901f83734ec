"""Virtual time skips only the time nothing works (spec/extensions.md §5), through the library's two faces:
``statewright.run(..., virtual_time=True)`` and ``await machine.execute(..., virtual_time=True)``.

While a task call is in flight the clock follows real time, so the task's TimeoutSeconds and
HeartbeatSeconds hold; once only timers (and callback waits) are left it jumps. Real durations here are
short; the assertions on them are loose (a shared 2-core machine is slow at times), the ones on the
virtual clock's jumps are exact.
"""

from __future__ import annotations

import asyncio
import time

import pytest

import statewright
from statewright import Engine

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def flow(*states: tuple[str, dict]) -> dict:
    """A definition of ``states`` in order, each going to the next."""
    names = [name for name, _ in states]
    body = {}
    for index, (name, fields) in enumerate(states):
        link = {"Next": names[index + 1]} if index + 1 < len(names) else {"End": True}
        body[name] = {**fields, **link} if fields.get("Type") not in ("Fail", "Succeed") else fields
    return {"StartAt": names[0], "States": body}


def task(function: str, **fields) -> dict:
    return {"Type": "Task", "Resource": FN + function, **fields}


def sleep_sync(payload):
    time.sleep(payload["seconds"])
    return "done"


async def sleep_async(payload):
    await asyncio.sleep(payload["seconds"])
    return "done"


async def hang(payload):
    await asyncio.Event().wait()


RESOURCES = {FN + "sleep_sync": sleep_sync, FN + "sleep_async": sleep_async, FN + "hang": hang}


def timed_run(definition: dict, value, *, face: str = "run") -> tuple[statewright.Result, float]:
    began = time.monotonic()
    if face == "run":
        result = statewright.run(definition, value, resources=RESOURCES, virtual_time=True)
    else:
        machine = statewright.load(definition)
        result = asyncio.run(machine.execute(value, resources=RESOURCES, virtual_time=True))
    return result, time.monotonic() - began


@pytest.mark.parametrize("face", ["run", "execute"])
@pytest.mark.parametrize("function", ["sleep_sync", "sleep_async"])
def test_timeout_seconds_holds_for_a_task_in_flight(function, face) -> None:
    result, took = timed_run(flow(("Work", task(function, TimeoutSeconds=1))), {"seconds": 8}, face=face)
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert took < 6  # the timeout ended it, not the task's 8 s
    assert result.stop_date - result.start_date == pytest.approx(1, abs=0.5)  # it took one real second


@pytest.mark.parametrize("face", ["run", "execute"])
def test_a_task_that_never_answers_times_out(face) -> None:
    result, took = timed_run(flow(("Work", task("hang", TimeoutSeconds=1))), {}, face=face)
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert took < 10


@pytest.mark.parametrize("function", ["sleep_sync", "sleep_async"])
def test_heartbeat_seconds_holds_for_a_task_in_flight(function) -> None:
    definition = flow(("Work", task(function, TimeoutSeconds=600, HeartbeatSeconds=1)))
    result, took = timed_run(definition, {"seconds": 20})
    assert (result.status, result.error) == ("FAILED", "States.HeartbeatTimeout")
    assert took < 10


def test_heartbeats_sent_in_time_keep_a_working_task_alive_and_its_time_is_recorded() -> None:
    engine = Engine()

    async def work(payload):  # sends heartbeats for its own token while it works, then answers it
        for _ in range(6):
            engine.send_task_heartbeat(payload["token"])
            await asyncio.sleep(0.25)
        engine.send_task_success(payload["token"], "worked")

    engine.register(FN + "work", work)
    definition = flow(("Work", task("work.waitForTaskToken", TimeoutSeconds=600, HeartbeatSeconds=1,
                                    Parameters={"token.$": "$$.Task.Token"})))
    result = asyncio.run(engine.execute(statewright.load(definition), {}, virtual_time=True))
    assert (result.status, result.output) == ("SUCCEEDED", "worked"), result.cause
    assert result.stop_date - result.start_date >= 1.4  # six quarter-seconds of work, on the clock


def test_a_timeout_counts_from_the_task_start_whatever_else_happens_meanwhile() -> None:
    # One branch hangs with TimeoutSeconds 1; the other keeps finishing short tasks (each answer wakes the
    # driver). The hanging task still times out one second after it started.
    definition = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
        flow(("Stuck", task("hang", TimeoutSeconds=1))),
        flow(*[(f"Step{n}", task("sleep_async", TimeoutSeconds=10, ResultPath=None)) for n in range(40)]),
    ]}}}
    result, took = timed_run(definition, {"seconds": 0.1})
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert took < 3.5  # before the 40 short steps (4 s) were done
    timed_out = next(e for e in result.events if e.type == "LambdaFunctionTimedOut")
    assert timed_out.timestamp - result.start_date == pytest.approx(1, abs=0.5)


def test_waits_and_back_offs_still_jump_around_tasks() -> None:
    attempts = []

    def flaky(payload):
        attempts.append(time.monotonic())
        if len(attempts) < 3:
            raise RuntimeError("busy")
        return "ok"

    definition = flow(("Park", {"Type": "Wait", "Seconds": 3600}),
                      ("Call", task("flaky", TimeoutSeconds=5, Retry=[
                          {"ErrorEquals": ["RuntimeError"], "IntervalSeconds": 60, "BackoffRate": 2}])),
                      ("Rest", {"Type": "Wait", "Seconds": 86400}))
    began = time.monotonic()
    result = statewright.run(definition, {}, resources={FN + "flaky": flaky}, virtual_time=True)
    assert result.status == "SUCCEEDED" and len(attempts) == 3
    assert time.monotonic() - began < 10
    events = list(result.events)
    failed = [e.timestamp for e in events if e.type == "LambdaFunctionFailed"]
    scheduled = [e.timestamp for e in events if e.type == "LambdaFunctionScheduled"]
    assert scheduled[0] - result.start_date == 3600  # nothing ran before the Wait's jump
    assert [again - failure for failure, again in zip(failed, scheduled[1:], strict=True)] == pytest.approx([60, 120])
    assert result.stop_date - result.start_date == pytest.approx(3600 + 60 + 120 + 86400, abs=1)


@pytest.mark.parametrize("after", ["Pass", "Task"], ids=["at-the-start", "after-a-task"])
def test_a_task_cancelled_in_the_decision_that_started_it_never_runs(after) -> None:
    # The Parallel fails as it starts (its second branch is a Fail), so its task is cancelled in the same
    # decision. The task must not run, and virtual time must jump over the day's Wait after it.
    calls = []

    def charge(payload):
        calls.append(payload)
        return "charged"

    first = task("noop") if after == "Task" else {"Type": "Pass"}
    definition = flow(
        ("First", first),
        ("Both", {"Type": "Parallel", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Rest"}], "Branches": [
            flow(("Charge", task("charge"))),
            {"StartAt": "Fail", "States": {"Fail": {"Type": "Fail", "Error": "Nope"}}}]}),
        ("Rest", {"Type": "Wait", "Seconds": 86400}),
    )
    began = time.monotonic()
    result = statewright.run(definition, {}, resources={FN + "charge": charge, FN + "noop": lambda p: p},
                             virtual_time=True)
    assert result.status == "SUCCEEDED"
    assert time.monotonic() - began < 10
    assert calls == []
    assert 86400 <= result.stop_date - result.start_date < 86410


def test_a_manual_clock_does_not_follow_real_time() -> None:
    clock = statewright.VirtualClock(1_800_000_000, auto_advance=False)

    async def scenario():
        engine = Engine(RESOURCES, clock=clock)
        running = asyncio.create_task(engine.execute(statewright.load(flow(("Work", task("sleep_async")))),
                                                     {"seconds": 0.3}))
        result = await running
        return result

    result = asyncio.run(scenario())
    assert result.status == "SUCCEEDED"
    assert result.stop_date == result.start_date == 1_800_000_000  # it moves only when told
