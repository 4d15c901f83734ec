"""Engine.start / StateMachine.start: StartExecution's shape, the ARN now and the Result on await."""

from __future__ import annotations

import asyncio

import pytest

import statewright
from statewright import Engine, StartedExecution

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
PASS_ONLY = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
WAITS = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "Next": "P"},
                                    "P": {"Type": "Pass", "End": True}}}
TASK = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN + "slow", "End": True}}}


def test_an_execution_without_tasks_ends_inside_start_and_holds_no_task() -> None:
    async def main() -> None:
        engine = Engine()
        started = engine.start(statewright.load(WAITS), {"n": 1}, virtual_time=True, name="first")
        assert isinstance(started, StartedExecution) and started.done()
        assert started.execution_arn.endswith(":first")
        assert engine._unfinished == set() and engine.running == []
        result = await started
        assert (result.status, result.output) == ("SUCCEEDED", {"n": 1})
        assert result.stop_date - result.start_date == 60  # the Wait's time is recorded on the virtual clock
        assert started.result() is result

    asyncio.run(main())


def test_an_execution_with_a_task_runs_on_in_a_task_the_engine_owns() -> None:
    async def main() -> None:
        gate = asyncio.Event()

        async def slow(payload):
            await gate.wait()
            return {"done": payload}

        engine = Engine({FN + "slow": slow})
        started = engine.start(statewright.load(TASK), 7)
        assert not started.done() and engine.running == [started.execution_arn]
        with pytest.raises(asyncio.InvalidStateError):
            started.result()
        await asyncio.sleep(0)
        gate.set()
        result = await started
        assert (result.status, result.output) == ("SUCCEEDED", {"done": 7})
        assert engine.running == [] and started.done()
        await asyncio.sleep(0)  # the done callback runs
        assert engine._unfinished == set()

    asyncio.run(main())


def test_many_started_executions_are_in_flight_together_and_can_be_stopped() -> None:
    async def main() -> None:
        async def never(payload):
            await asyncio.Event().wait()

        engine = Engine({FN + "slow": never})
        machine = statewright.load(TASK)
        started = [engine.start(machine, n) for n in range(50)]
        await asyncio.sleep(0)
        assert len(engine.running) == 50
        for execution in started[:10]:
            engine.stop_execution(execution.execution_arn, error="Stopped", cause="by the test")
        stopped = [await execution for execution in started[:10]]
        assert {(r.status, r.error) for r in stopped} == {("ABORTED", "Stopped")}
        await engine.aclose()  # cancels the other 40
        assert engine._unfinished == set() and engine.running == []
        assert all(execution.done() for execution in started[10:])

    asyncio.run(main())


def test_state_machine_start_uses_the_default_engine_and_needs_a_running_loop() -> None:
    machine = statewright.load(PASS_ONLY)
    with pytest.raises(RuntimeError):
        machine.start({})

    async def main() -> list[statewright.Result]:
        started = [machine.start({"i": i}) for i in range(3)]
        return [await execution for execution in started]

    results = asyncio.run(main())
    assert [r.output for r in results] == [{"ok": True}] * 3
    assert len({r.execution_arn for r in results}) == 3


def test_a_duplicate_name_is_refused_and_the_first_execution_is_untouched() -> None:
    async def main() -> None:
        gate = asyncio.Event()

        async def slow(payload):
            await gate.wait()
            return payload

        engine = Engine({FN + "slow": slow})
        machine = statewright.load(TASK)
        first = engine.start(machine, 1, name="same")
        with pytest.raises(ValueError, match="already running"):
            engine.start(machine, 2, name="same")
        gate.set()
        assert (await first).output == 1

    asyncio.run(main())
