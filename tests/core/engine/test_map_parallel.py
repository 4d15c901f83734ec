"""Parallel and Map: frames, ordering, concurrency, tolerance, failure, distributed runs and batching."""

from __future__ import annotations

from typing import Any

from statewright.core.events import InvokeTask
from tests.core.engine.driver import run

LAMBDA = "arn:aws:lambda:us-east-1:111111111111:function:work"


def map_state(processor: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True, **fields},
                                       "Caught": {"Type": "Pass", "End": True}}}


ECHO = {"StartAt": "E", "States": {"E": {"Type": "Pass", "End": True}}}
FAIL_ON_TWO = {"StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "F"}], "Default": "S"},
    "F": {"Type": "Fail", "Error": "Two", "Cause": "was two"},
    "S": {"Type": "Succeed"}}}


def test_parallel_results_in_branch_order_whatever_finishes_first() -> None:
    slow = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 9, "Next": "R"},
                                       "R": {"Type": "Pass", "Result": "slow", "End": True}}}
    fast = {"StartAt": "R2", "States": {"R2": {"Type": "Pass", "Result": "fast", "End": True}}}
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [slow, fast],
                                                   "ResultPath": "$.r", "End": True}}}
    result = run(definition, {"in": 1})
    assert result.outcome.output == {"in": 1, "r": ["slow", "fast"]}
    assert result.types()[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_parallel_branch_failure_stops_the_others_and_fails_the_state() -> None:
    hanging = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}}
    failing = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Bad", "Cause": "c"}}}
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [hanging, failing], "End": True}}}
    result = run(definition, {}, tasks=lambda command: ("hang",))
    assert (result.outcome.status, result.outcome.error, result.outcome.cause) == ("FAILED", "Bad", "c")
    assert result.types()[-2:] == ["ParallelStateFailed", "ExecutionFailed"]


def test_inline_map_items_selector_and_concurrency_order() -> None:
    selector = {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index", "c.$": "$.const"}
    result = run(map_state(ECHO, ItemsPath="$.items", ItemSelector=selector, MaxConcurrency=1),
                 {"items": ["a", "b"], "const": 1})
    assert result.outcome.output == [{"v": "a", "i": 0, "c": 1}, {"v": "b", "i": 1, "c": 1}]
    types = result.types()
    assert types[2:5] == ["MapStateStarted", "MapIterationStarted", "PassStateEntered"]
    assert types.count("MapIterationSucceeded") == 2


def test_legacy_parameters_and_iterator() -> None:
    definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "Iterator": ECHO,
                                                   "Parameters": {"x.$": "$$.Map.Item.Value"}, "End": True}}}
    assert run(definition, [1, 2]).outcome.output == [{"x": 1}, {"x": 2}]


def test_max_concurrency_limits_running_iterations() -> None:
    processor = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}}}
    running: list[int] = []

    def tasks(command: InvokeTask) -> tuple[Any, ...]:
        running.append(command.payload)
        return ("after", 1, command.payload * 10)

    result = run(map_state(processor, MaxConcurrency=2), [1, 2, 3, 4, 5], tasks=tasks)
    assert result.outcome.output == [10, 20, 30, 40, 50]
    scheduled = [e.timestamp for e in result.execution.history if e.type == "LambdaFunctionScheduled"]
    assert [scheduled.count(t) for t in sorted(set(scheduled))] == [2, 2, 1]


def test_map_failure_aborts_and_fails_with_the_item_error() -> None:
    result = run(map_state(FAIL_ON_TWO), [1, 2, 3])
    assert (result.outcome.error, result.outcome.cause) == ("Two", "was two")
    assert "MapIterationFailed" in result.types() and "MapStateFailed" in result.types()


def test_map_catch_and_retry() -> None:
    caught = run(map_state(FAIL_ON_TWO, Catch=[{"ErrorEquals": ["Two"], "Next": "Caught"}]), [2]).outcome
    assert caught.output == {"Error": "Two", "Cause": "was two"}
    retried = run(map_state(FAIL_ON_TWO, Retry=[{"ErrorEquals": ["Two"], "MaxAttempts": 2}]), [2])
    assert retried.types().count("MapStateStarted") == 3


def test_tolerated_failures() -> None:
    tolerated = run(map_state(FAIL_ON_TWO, ToleratedFailureCount=1), [1, 2, 3]).outcome
    assert tolerated.output == [1, {"Error": "Two", "Cause": "was two"}, 3]
    exceeded = run(map_state(FAIL_ON_TWO, ToleratedFailurePercentage=10), [1, 2, 3]).outcome
    assert exceeded.error == "States.ExceedToleratedFailureThreshold"


def test_tolerance_path_must_be_valid() -> None:
    outcome = run(map_state(ECHO, ItemsPath="$.i", ToleratedFailurePercentagePath="$.p"), {"i": [1], "p": 101}).outcome
    assert outcome.cause.endswith("ToleratedFailurePercentage must be between 0 and 100.")


def test_distributed_map_runs_children_outside_the_parent_history() -> None:
    processor = {**ECHO, "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}
    result = run(map_state(processor, ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"b": True}}), [1, 2, 3])
    assert result.outcome.output == [{"BatchInput": {"b": True}, "Items": [1, 2]},
                                     {"BatchInput": {"b": True}, "Items": [3]}]
    assert result.types() == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
                              "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    arn = result.history()[3]["mapRunStartedEventDetails"]["mapRunArn"]
    assert arn.startswith("arn:aws:states:us-east-1:111111111111:mapRun:machine/M:")


def test_distributed_map_failure_exceeds_threshold() -> None:
    processor = {**FAIL_ON_TWO, "ProcessorConfig": {"Mode": "DISTRIBUTED"}}
    result = run(map_state(processor), [1, 2])
    assert result.outcome.error == "States.ExceedToleratedFailureThreshold"
    assert "MapRunFailed" in result.types()


def test_empty_map_succeeds_at_once() -> None:
    result = run(map_state(ECHO), [])
    assert result.outcome.output == []
    assert result.types()[2:5] == ["MapStateStarted", "MapStateSucceeded", "MapStateExited"]


def test_items_must_be_an_array() -> None:
    outcome = run(map_state(ECHO, ItemsPath="$.x"), {"x": 1}).outcome
    assert outcome.error == "States.Runtime"
