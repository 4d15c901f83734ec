"""The core's fast paths decide exactly what the general paths decide.

Wait, Succeed and Choice states without InputPath/OutputPath/Assign take inlined paths; the context
object is built when a state first reads it; timestamps are formatted with a per-second cache; events are
built through their slots; ``Execution.advance`` is ``receive`` + ``decide`` without a Decision; a
JSONPath-only machine skips handing the time and seed to the JSONata engine.
"""

from __future__ import annotations

import dataclasses
import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from statewright.core import events, timestamps
from statewright.core.events import (
    Decision,
    ExecutionInfo,
    InvokeTask,
    Started,
    StartTimer,
    TaskFailed,
    TimerFired,
)
from statewright.core.execution import Execution
from statewright.core.intrinsics import SeededRandom
from statewright.core.model import compile_machine
from statewright.core.timestamps import format_timestamp
from tests.core.engine.driver import INFO, START, run

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _strftime_formula(epoch: float) -> str:  # what format_timestamp computed before its cache
    millis = math.floor(epoch * 1000 + 1e-6)
    moment = _EPOCH + timedelta(milliseconds=millis)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"


def test_format_timestamp_matches_the_strftime_formula_and_survives_cache_clearing() -> None:
    rng = random.Random(5)
    instants = [0.0, -0.001, -1.5, 1705314030.123, 1705314030.9999, 253402300799.999, -62135596800.0, 1.0005]
    instants += [rng.uniform(-6e10, 2.5e11) for _ in range(6000)]  # more distinct seconds than the cache holds
    for epoch in instants:
        assert format_timestamp(epoch) == _strftime_formula(epoch), epoch
    assert len(timestamps._SECOND_PREFIXES) <= 4096


def test_events_keep_their_dataclass_behaviour() -> None:
    assert TaskFailed(1, 2.0, "E") == TaskFailed(1, 2.0, "E", None)
    assert repr(TaskFailed(1, 2.0, "E")) == "TaskFailed(seq=1, time=2.0, error='E', cause=None)"
    assert hash(TimerFired(1, 2.0)) == hash(TimerFired(1, 2.0))
    assert InvokeTask(3, "r", {}, "S", token="t").attempt == 0
    assert Decision() == Decision((), ())
    info = ExecutionInfo("a", "b", "c", "d")
    assert (info.role_arn, info.redrive_count) == ("arn:aws:iam::123456789012:role/statewright", 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        TimerFired(1, 2.0).seq = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        StartTimer(1)  # type: ignore[call-arg]
    match StartTimer(4, 9.5):
        case StartTimer(seq, fire_at):
            assert (seq, fire_at) == (4, 9.5)


def _definition(states: dict, **top) -> dict:
    return {"StartAt": next(iter(states)), "States": states, **top}


SIMPLE = _definition({
    "Hold": {"Type": "Wait", "Seconds": 2, "Next": "Pick"},
    "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}],
             "Default": "Done"},
    "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.size", "Next": "Done"},
    "Done": {"Type": "Succeed"},
})

# The same machine with fields that send each state down its general path (same outcome).
GENERAL = _definition({
    "Hold": {"Type": "Wait", "Seconds": 2, "InputPath": "$.all", "Next": "Pick"},
    "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}],
             "Default": "Done", "Assign": {"seen": 1}},
    "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.size", "Next": "Done"},
    "Done": {"Type": "Succeed", "OutputPath": "$.size"},
})


def _events(result) -> list[tuple]:
    return [(e.id, e.previous_event_id, e.type, e.timestamp - START, e.details) for e in result.execution.history]


def test_simple_wait_choice_and_succeed_record_what_the_general_paths_record() -> None:
    fast = run(SIMPLE, {"n": 5})
    general = run(GENERAL, {"all": {"n": 5}})
    assert fast.outcome.output == {"n": 5, "size": "big"}
    assert general.outcome.output == "big"
    assert [e[:4] for e in _events(fast)] == [e[:4] for e in _events(general)]
    assert fast.types() == [
        "ExecutionStarted", "WaitStateEntered", "WaitStateExited", "ChoiceStateEntered", "ChoiceStateExited",
        "PassStateEntered", "PassStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"]
    assert _events(fast)[2] == (3, 2, "WaitStateExited", 2.0, {"name": "Hold", "output": {"n": 5}})
    assert _events(fast)[8] == (9, 8, "SucceedStateExited", 2.0,
                                {"name": "Done", "output": {"n": 5, "size": "big"}})


def test_a_choice_without_a_match_or_default_fails_on_the_fast_path() -> None:
    definition = _definition({"Pick": {"Type": "Choice",
                                       "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Done"}]},
                              "Done": {"Type": "Succeed"}})
    execution = run(definition, {"n": 0})
    assert (execution.outcome.status, execution.outcome.error) == ("FAILED", "States.NoChoiceMatched")
    missing = run(definition, {"m": 0})
    assert (missing.outcome.status, missing.outcome.error) == ("FAILED", "States.Runtime")


def test_advance_is_receive_then_decide() -> None:
    machine = compile_machine(SIMPLE)
    one, two = Execution(machine), Execution(machine)
    commands = one.advance(Started(START, {"n": 2}, 3, INFO))
    two.receive(Started(START, {"n": 2}, 3, INFO))
    decision = two.decide()
    assert list(commands) == list(decision.commands)
    assert one.history == two.history
    timer = commands[0]
    assert one.advance(TimerFired(timer.seq, timer.fire_at)) == []
    two.receive(TimerFired(timer.seq, timer.fire_at))
    assert two.decide().commands == ()
    assert one.history == two.history and one.outcome == two.outcome


def test_jsonata_machines_are_recognised_at_any_depth() -> None:
    assert not compile_machine(SIMPLE).uses_jsonata
    assert compile_machine(_definition({"P": {"Type": "Pass", "End": True}}, QueryLanguage="JSONata")).uses_jsonata
    nested = _definition({"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "P", "States": {"P": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $now() %}",
                                         "End": True}}}}})
    assert compile_machine(nested).uses_jsonata
    execution = run(nested, [1, 2], start=0.0)
    assert execution.outcome.output == ["1970-01-01T00:00:00.000Z"] * 2


def test_the_context_object_is_built_on_first_read() -> None:
    definition = _definition({
        "Hold": {"Type": "Wait", "Seconds": 1, "Next": "Look"},
        "Look": {"Type": "Pass", "Parameters": {"start.$": "$$.Execution.StartTime", "id.$": "$$.Execution.Id",
                                                "entered.$": "$$.State.EnteredTime"}, "End": True},
    })
    execution = run(definition, {}, start=1_700_000_000.5)
    assert execution.outcome.output == {"start": "2023-11-14T22:13:20.500Z", "id": INFO.execution_arn,
                                        "entered": "2023-11-14T22:13:21.500Z"}


def test_the_hot_path_makers_make_what_the_constructors_make() -> None:
    info = events.make_execution_info("a", "b", "c", "d")
    pairs = [
        (info, ExecutionInfo("a", "b", "c", "d")),
        (events.make_execution_info("a", "b", "c", "d", "r", 2), ExecutionInfo("a", "b", "c", "d", "r", 2)),
        (events.make_started(1.5, {"x": [1]}, 7, info), events.Started(1.5, {"x": [1]}, 7, info)),
        (events.make_timer_fired(3, 2.5), TimerFired(3, 2.5)),
        (events.make_start_timer(4, 9.5), StartTimer(4, 9.5)),
        (events.new_outcome(), events.Outcome()),
        (SeededRandom.seeded(2 ** 70 + 5).next64(), SeededRandom(2 ** 70 + 5).next64()),
    ]
    for made, constructed in pairs:
        assert type(made) is type(constructed) and made == constructed and repr(made) == repr(constructed)
    for made, constructed in pairs[:5]:
        if made.__class__ is not events.Started:  # a Started holding a dict input has no hash, as constructed
            assert hash(made) == hash(constructed)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(made, dataclasses.fields(made)[0].name, None)  # type: ignore[arg-type]
    assert list(events.new_history()) == [] and len(events.new_history()) == 0
