"""Replaying recorded inputs reproduces every decision; a changed definition is a NondeterminismError."""

from __future__ import annotations

import pytest

from statewright.core.execution import Execution, NondeterminismError
from statewright.core.history import render_event
from statewright.core.model import compile_machine
from tests.core.engine.driver import run

DEFINITION = {"StartAt": "Id", "States": {
    "Id": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()", "r.$": "States.MathRandom(1, 1000)"},
           "Next": "Wait"},
    "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Work"},
    "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f",
             "Retry": [{"ErrorEquals": ["Busy"], "JitterStrategy": "FULL"}], "End": True}}}


def answers(command: object) -> tuple[object, ...]:
    return ("fail", "Busy", "x") if command.attempt == 0 else ("ok", command.payload)  # type: ignore[attr-defined]


def test_replay_reproduces_every_decision() -> None:
    original = run(DEFINITION, {"a": 1}, tasks=answers)
    assert original.outcome.status == "SUCCEEDED"
    replayed = Execution.replay(compile_machine(DEFINITION), original.inputs, original.execution.history)
    assert [render_event(e) for e in replayed.history] == original.history()
    assert replayed.outcome.output == original.outcome.output


def test_changed_definition_raises_naming_the_event() -> None:
    original = run(DEFINITION, {"a": 1}, tasks=answers)
    changed = {**DEFINITION, "States": {**DEFINITION["States"],
                                        "Wait": {"Type": "Pass", "Next": "Work"}}}
    with pytest.raises(NondeterminismError) as caught:
        Execution.replay(compile_machine(changed), original.inputs, original.execution.history)
    assert caught.value.event_id == 4
    assert "WaitStateEntered for state 'Wait'" in str(caught.value)
    assert "PassStateEntered for state 'Wait'" in str(caught.value)


def test_history_renders_as_aws_does() -> None:
    rendered = run(DEFINITION, {"a": 1}, tasks=answers).history()
    assert rendered[0]["executionStartedEventDetails"]["input"] == '{"a":1}'
    assert rendered[0]["executionStartedEventDetails"]["inputDetails"] == {"truncated": False}
    assert rendered[1]["stateEnteredEventDetails"]["name"] == "Id"
    assert rendered[1]["timestamp"].endswith("Z")
    assert rendered[6]["type"] == "LambdaFunctionScheduled"  # a Lambda ARN resource, as AWS records it
    assert "lambdaFunctionScheduledEventDetails" in rendered[6]
    assert set(rendered[7]) == {"id", "previousEventId", "timestamp", "type"}  # LambdaFunctionStarted: no details


def test_an_express_history_replays_as_express() -> None:
    reads_context = {"StartAt": "Ctx", "States": {"Ctx": {"Type": "Pass", "Parameters": {"e.$": "$$.Execution"},
                                                          "End": True}}}
    original = run(reads_context, {"a": 1}, express=True)
    assert "RedriveCount" not in original.outcome.output["e"]  # EXPRESS executions have no redrive count
    replayed = Execution.replay(compile_machine(reads_context), original.inputs, original.execution.history,
                                express=True)
    assert [render_event(e) for e in replayed.history] == original.history()
    as_standard = Execution.replay(compile_machine(reads_context), original.inputs)
    assert "RedriveCount" in as_standard.outcome.output["e"]  # why the flag matters
