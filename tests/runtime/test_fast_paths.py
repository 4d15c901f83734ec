"""The runtime's fast paths record exactly what the general paths record.

An execution of Pass, Choice and Wait states on an auto-advancing clock runs inside ``Driver.start``
without a coroutine or a task group; the engine shares one registry view per machine and makes names and
seeds from one read of ``os.urandom``; the core builds ``$$`` only when a state reads it. These tests pin
that nothing observable changed.
"""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest
from benchmarks.workloads import many_executions

import statewright
from statewright import Engine, VirtualClock
from statewright.core.events import ExecutionInfo
from statewright.runtime.driver import Driver
from statewright.runtime.engine import _name_and_seed
from statewright.runtime.resources import ResourceRegistry

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
START = 1_700_000_000.25

W4_LIKE = many_executions(1).definition  # the benchmark's 5-state machine: the fast paths' main customer


def shape(result: statewright.Result) -> list[tuple]:
    return [(e.id, e.previous_event_id, e.type, e.timestamp - START, e.details) for e in result.events]


def test_a_wait_machine_records_the_same_history_with_and_without_an_event_sink() -> None:
    machine = statewright.load(W4_LIKE)
    seen: list = []

    async def both():
        engine = Engine()
        plain = await engine.execute(machine, {"order": 3}, clock=VirtualClock(START), name="a")
        traced = await engine.execute(machine, {"order": 3}, clock=VirtualClock(START), name="b", on_event=seen.append)
        return plain, traced

    plain, traced = asyncio.run(both())
    assert shape(plain) == shape(traced)
    assert seen == list(traced.events)
    assert [(e.type, e.timestamp - START) for e in plain.events] == [
        ("ExecutionStarted", 0), ("PassStateEntered", 0), ("PassStateExited", 0), ("WaitStateEntered", 0),
        ("WaitStateExited", 1), ("ChoiceStateEntered", 1), ("ChoiceStateExited", 1), ("PassStateEntered", 1),
        ("PassStateExited", 1), ("SucceedStateEntered", 1), ("SucceedStateExited", 1), ("ExecutionSucceeded", 1),
    ]
    assert [e.previous_event_id for e in plain.events] == [0, 0, *range(2, 12)]  # AWS: the first state links to 0
    assert plain.output == {"order": 3, "label": "order-3", "shipped": True}
    assert (plain.start_date, plain.stop_date) == (START, START + 1)
    assert plain.history[4] == {"id": 5, "previousEventId": 4, "timestamp": "2023-11-14T22:13:21.250Z",
                                "type": "WaitStateExited",
                                "stateExitedEventDetails": {"name": "Park", "output": '{"order":3,"label":"order-3"}',
                                                            "outputDetails": {"truncated": False}}}


def test_an_execution_without_tasks_ends_in_start_and_one_with_a_task_hands_over() -> None:
    machine = statewright.load(W4_LIKE)
    info = ExecutionInfo("arn:aws:states:us-east-1:123456789012:execution:m:e", "e",
                         "arn:aws:states:us-east-1:123456789012:stateMachine:m", "m")
    driver = Driver(_execution(machine), ResourceRegistry(), VirtualClock(START))
    assert driver.start({"order": 1}, info=info, seed=1) is True
    assert driver.outcome.status == "SUCCEEDED"

    async def double(value):
        return value * 2

    with_task = statewright.load({"StartAt": "Park", "States": {
        "Park": {"Type": "Wait", "Seconds": 5, "Next": "Work"},
        "Work": {"Type": "Task", "Resource": FN + "double", "End": True}}})
    driver = Driver(_execution(with_task), ResourceRegistry({FN + "double": double}), VirtualClock(START))
    assert driver.start(21, info=info, seed=1) is False  # the task needs the task group

    async def rest():
        return await driver.finish()

    outcome = asyncio.run(rest())
    assert (outcome.status, outcome.output) == ("SUCCEEDED", 42)
    times = [e.timestamp - START for e in driver.execution.history]
    assert times[-1] == pytest.approx(5, abs=0.5)  # the Wait's 5 s, and the task's real time (spec/extensions.md §5)


def test_errors_are_reported_as_before_the_fast_path() -> None:
    # An error while the Started input is fed propagates as it is; a later one (here after the Wait's
    # timer) as the task group around the rest of the run reports an error of its body.
    machine = statewright.load(W4_LIKE)

    def failing_on(event_type):
        def sink(event):
            if event.type == event_type:
                raise RuntimeError("sink failed")
        return sink

    async def go(event_type):
        return await Engine().execute(machine, {"order": 1}, virtual_time=True, on_event=failing_on(event_type))

    with pytest.raises(RuntimeError):
        asyncio.run(go("PassStateExited"))
    with pytest.raises(ExceptionGroup) as caught:
        asyncio.run(go("WaitStateExited"))
    assert [type(e) for e in caught.value.exceptions] == [RuntimeError]


def test_names_are_uuid4_texts_and_seeds_63_bits() -> None:
    names = set()
    for _ in range(2000):
        name, seed = _name_and_seed()
        parsed = uuid.UUID(name)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, name)
        assert 0 <= seed < 2 ** 63
        names.add(name)
    assert len(names) == 2000
    # Every random digit varies (a nibble put in the wrong place, or lost, would leave one fixed); the version
    # digit is always 4 and the variant digit one of 8, 9, a, b.
    for position in (p for p in range(36) if p not in (8, 13, 18, 23)):
        seen = {name[position] for name in names}
        if position == 14:
            assert seen == {"4"}
        elif position == 19:
            assert seen == set("89ab")
        else:
            assert len(seen) == 16, position


def test_default_and_empty_names_are_uuids_and_given_names_are_kept() -> None:
    machine = statewright.load({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})

    async def go():
        engine = Engine()
        return [await engine.execute(machine, {}, virtual_time=True, name=name) for name in (None, "", "mine")]

    first, empty, mine = asyncio.run(go())
    pattern = r"arn:aws:states:us-east-1:123456789012:execution:StateMachine:[0-9a-f-]{36}"
    assert re.fullmatch(pattern, first.execution_arn)
    assert re.fullmatch(pattern, empty.execution_arn)
    assert mine.execution_arn == "arn:aws:states:us-east-1:123456789012:execution:StateMachine:mine"


def test_the_shared_registry_view_sees_handlers_and_resolvers_added_later() -> None:
    flow = statewright.load({"StartAt": "Work",
                             "States": {"Work": {"Type": "Task", "Resource": FN + "w", "End": True}}})
    engine = Engine()

    async def go():
        return await engine.execute(flow, 1, virtual_time=True)

    assert asyncio.run(go()).error == "States.TaskFailed"  # nothing registered yet
    engine.register(FN + "w", lambda value: value + 1)
    assert asyncio.run(go()).output == 2
    engine.resources = ResourceRegistry()
    assert asyncio.run(go()).error == "States.TaskFailed"  # a new registry is taken, not the cached view

    async def ten(invocation):
        return 10

    engine.resources.add_resolver(lambda invocation: ten if invocation.resource == FN + "w" else None)
    assert asyncio.run(go()).output == 10


def test_the_context_object_is_built_when_a_state_reads_it() -> None:
    flow = statewright.load({"StartAt": "Look", "States": {"Look": {
        "Type": "Pass", "Parameters": {"start.$": "$$.Execution.StartTime", "name.$": "$$.Execution.Name",
                                       "input.$": "$$.Execution.Input", "entered.$": "$$.State.EnteredTime"},
        "End": True}}})

    async def go():
        return await Engine().execute(flow, {"a": 1}, clock=VirtualClock(START), name="ctx")

    result = asyncio.run(go())
    assert result.output == {"start": "2023-11-14T22:13:20.250Z", "name": "ctx", "input": {"a": 1},
                             "entered": "2023-11-14T22:13:20.250Z"}


def _execution(machine: statewright.StateMachine):
    from statewright.core.execution import Execution

    return Execution(machine.compiled)


# --- start_on_virtual_time: virtual_time=True runs with no driver until a task needs one -----------------

TASK_BETWEEN_WAITS = {"StartAt": "Park", "TimeoutSeconds": 100, "States": {
    "Park": {"Type": "Wait", "Seconds": 5, "Next": "Work"},
    "Work": {"Type": "Task", "Resource": FN + "double", "Next": "Rest"},
    "Rest": {"Type": "Wait", "Seconds": 3, "Next": "Fan"},
    "Fan": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 2, "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]}}}


def relative(result: statewright.Result) -> list[tuple]:
    """The history with times counted from the execution's start (the two paths start at different times),
    in whole seconds: a task's real time counts on virtual time, and differs between runs."""
    return [(e.id, e.previous_event_id, e.type, round(e.timestamp - result.start_date), e.details)
            for e in result.events]


@pytest.mark.parametrize("definition", [W4_LIKE, TASK_BETWEEN_WAITS], ids=["waits-only", "task-between-waits"])
def test_virtual_time_without_a_driver_records_what_the_driver_records(definition) -> None:
    machine = statewright.load(definition)

    async def double(value):
        return value * 2 if isinstance(value, int) else value

    async def both():
        engine = Engine({FN + "double": double})
        lane = await engine.execute(machine, {"order": 3}, virtual_time=True)
        started = await engine.start(machine, {"order": 3}, virtual_time=True)
        # an event sink makes the engine take the driver from the first step
        driven = await engine.execute(machine, {"order": 3}, virtual_time=True, on_event=lambda event: None)
        return lane, started, driven

    lane, started, driven = asyncio.run(both())
    assert relative(lane) == relative(started) == relative(driven)
    assert lane.status == driven.status == "SUCCEEDED"
    assert lane.stop_date - lane.start_date == pytest.approx(driven.stop_date - driven.start_date, abs=0.5)


def test_a_handed_over_execution_keeps_its_timers_and_times() -> None:
    machine = statewright.load(TASK_BETWEEN_WAITS)

    async def double(value):
        return value * 2

    async def go():
        engine = Engine({FN + "double": double})
        handle = engine.start(machine, 21, virtual_time=True)
        assert not handle.done() and engine.running == [handle.execution_arn]  # the task needs the driver
        return await handle, engine

    result, engine = asyncio.run(go())
    assert (result.status, result.output) == ("SUCCEEDED", [42, 42])
    scheduled = next(e for e in result.events if e.type == "LambdaFunctionScheduled")
    assert scheduled.timestamp - result.start_date == 5
    # 5 + 3 + 2 on the virtual clock, and the task's real time
    assert result.stop_date - result.start_date == pytest.approx(10, abs=0.5)
    assert engine.running == []


def test_the_execution_timeout_fires_on_virtual_time_without_a_driver() -> None:
    machine = statewright.load({"StartAt": "Park", "TimeoutSeconds": 10, "States": {
        "Park": {"Type": "Wait", "Seconds": 60, "End": True}}})

    async def go():
        return await Engine().execute(machine, {}, virtual_time=True)

    result = asyncio.run(go())
    assert (result.status, result.error) == ("TIMED_OUT", "States.Timeout")
    assert result.stop_date - result.start_date == 10
    assert result.events[-1].type == "ExecutionTimedOut"


def test_errors_without_a_driver_are_reported_as_the_driver_reports_them(monkeypatch) -> None:
    from statewright.core.states.choice import ChoiceState
    from statewright.core.states.pass_ import PassState

    machine = statewright.load(W4_LIKE)

    def broken(self, exe, frame):
        raise RuntimeError("a bug in a state")

    async def go():
        return await Engine().execute(machine, {"order": 1}, virtual_time=True)

    monkeypatch.setattr(ChoiceState, "enter", broken)  # entered after the Wait's timer: inside the run
    with pytest.raises(ExceptionGroup) as caught:
        asyncio.run(go())
    assert [type(e) for e in caught.value.exceptions] == [RuntimeError]
    monkeypatch.setattr(PassState, "enter", broken)  # the first state: while Started is fed
    with pytest.raises(RuntimeError):
        asyncio.run(go())


def test_a_bad_mock_configuration_is_reported_before_an_execution_without_tasks_runs() -> None:
    machine = statewright.load(W4_LIKE)

    async def go():
        return await Engine().execute(machine, {"order": 1}, virtual_time=True, mock_config={"StateMachines": {}},
                                      test_case="Missing")

    with pytest.raises(Exception, match="no state machine named"):
        asyncio.run(go())


ALONE_CASES = {
    "two waits and a loop": {"StartAt": "Count", "States": {
        "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Nap"},
        "Nap": {"Type": "Wait", "Seconds": 2, "Next": "Again"},
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Count"}],
                  "Default": "Done"},
        "Done": {"Type": "Wait", "SecondsPath": "$.n", "End": True}}},
    "a timestamp in the past and one ahead": {"StartAt": "Past", "States": {
        "Past": {"Type": "Wait", "Timestamp": "2001-01-01T00:00:00Z", "Next": "Ahead"},
        "Ahead": {"Type": "Wait", "Seconds": 30, "End": True}}},
    "an execution timeout pending (waits go through the clock)": {"StartAt": "Nap", "TimeoutSeconds": 100,
        "States": {"Nap": {"Type": "Wait", "Seconds": 5, "End": True}}},
    "waits in parallel branches": {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True,
        "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 3, "End": True}}},
                     {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 1, "End": True}}}]}}},
    "JSONata reads the clock after a wait": {"QueryLanguage": "JSONata", "StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": 7, "Next": "Stamp"},
        "Stamp": {"Type": "Pass", "Output": "{% $millis() - $toMillis($states.context.Execution.StartTime) %}",
                  "End": True}}},
    "a wait then a failure": {"StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": 1, "Next": "Oops"},
        "Oops": {"Type": "Pass", "Parameters": {"x.$": "$.missing"}, "End": True}}},
}


JUMPS = {"two waits and a loop": 4, "a timestamp in the past and one ahead": 2,
         "an execution timeout pending (waits go through the clock)": 0, "waits in parallel branches": 0,
         "JSONata reads the clock after a wait": 1, "a wait then a failure": 1}


@pytest.mark.parametrize("case", ALONE_CASES)
def test_a_wait_alone_on_its_virtual_clock_records_what_the_driver_records(case, monkeypatch) -> None:
    """Alone on its own virtual clock (virtual_time, nobody tracing) a Wait carries on at once in the core
    (Execution.fires_next); the driver's path (an event sink makes it take that one) starts a timer and
    feeds it back. Both must record the same history, at the same times."""
    from statewright.core.execution import Execution

    machine = statewright.load(ALONE_CASES[case])
    jumps = []
    jump_to = Execution.jump_to
    monkeypatch.setattr(Execution, "jump_to", lambda self, fire_at: (jumps.append(fire_at), jump_to(self, fire_at)))

    def relative(result: statewright.Result) -> list[tuple]:
        return [(e.id, e.previous_event_id, e.type, round(e.timestamp - result.start_date, 6), e.details)
                for e in result.events]

    async def both():
        engine = Engine()
        alone = await engine.execute(machine, {"n": 0}, virtual_time=True, name="alone")
        driven = await engine.execute(machine, {"n": 0}, virtual_time=True, name="driven", on_event=lambda e: None)
        return alone, driven

    alone, driven = asyncio.run(both())
    assert len(jumps) == JUMPS[case]  # which waits carried on alone (none where a timer is pending or a branch)
    assert relative(alone) == relative(driven)
    assert (alone.status, alone.output, alone.error, alone.cause) == (
        driven.status, driven.output, driven.error, driven.cause)
    assert round(alone.stop_date - alone.start_date, 6) == round(driven.stop_date - driven.start_date, 6)
