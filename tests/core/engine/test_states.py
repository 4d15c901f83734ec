"""Each simple state type through the engine: Pass, Choice, Wait, Succeed, Fail."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.engine.driver import START, run


def machine(*states: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"StartAt": states[0][0], "States": dict(states)}


def test_pass_result_wins_over_parameters_and_is_used_as_is() -> None:
    result = run(machine(("P", {"Type": "Pass", "Result": {"k.$": "$.x"}, "Parameters": {"a": 1}, "End": True})),
                 {"x": 1})
    assert result.outcome.output == {"k.$": "$.x"}


def test_pass_parameters_with_intrinsic_and_result_path() -> None:
    state = {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hi {}', $.name)"},
             "ResultPath": "$.out", "End": True}
    result = run(machine(("P", state)), {"name": "Ann"})
    assert result.outcome.output == {"name": "Ann", "out": {"greeting": "hi Ann"}}
    assert result.types() == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]


def test_pass_does_not_change_its_input_value() -> None:
    data = {"a": {"b": 1}}
    run(machine(("P", {"Type": "Pass", "Result": 2, "ResultPath": "$.a.c", "End": True})), data)
    assert data == {"a": {"b": 1}}


def test_choice_first_matching_rule_and_default() -> None:
    definition = machine(
        ("C", {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
            {"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Medium"}], "Default": "Small"}),
        ("Big", {"Type": "Pass", "Result": "big", "End": True}),
        ("Medium", {"Type": "Pass", "Result": "medium", "End": True}),
        ("Small", {"Type": "Pass", "Result": "small", "End": True}),
    )
    assert run(definition, {"n": 11}).outcome.output == "big"
    assert run(definition, {"n": 7}).outcome.output == "medium"
    assert run(definition, {"n": 1}).outcome.output == "small"


def test_choice_without_match_or_default_fails() -> None:
    definition = machine(("C", {"Type": "Choice", "Choices": [
        {"Variable": "$.n", "NumericEquals": 1, "Next": "D"}]}), ("D", {"Type": "Succeed"}))
    outcome = run(definition, {"n": 2}).outcome
    assert (outcome.status, outcome.error) == ("FAILED", "States.NoChoiceMatched")


def test_choice_reads_the_context_object() -> None:
    definition = machine(("C", {"Type": "Choice", "Choices": [
        {"Variable": "$$.State.Name", "StringEquals": "C", "Next": "D"}]}), ("D", {"Type": "Succeed"}))
    assert run(definition, {}).outcome.status == "SUCCEEDED"


@pytest.mark.parametrize(("field", "value", "waited"), [
    ("Seconds", 30, 30.0),
    ("Timestamp", "2023-11-14T22:15:00Z", 100.0),
])
def test_wait_literal(field: str, value: Any, waited: float) -> None:
    result = run(machine(("W", {"Type": "Wait", field: value, "End": True})), {"a": 1})
    assert result.outcome.output == {"a": 1}
    entered, exited = result.execution.history[1], result.execution.history[2]
    assert (entered.type, exited.type) == ("WaitStateEntered", "WaitStateExited")
    assert exited.timestamp - START == waited


def test_wait_seconds_path_and_timestamp_path() -> None:
    seconds = run(machine(("W", {"Type": "Wait", "SecondsPath": "$.s", "End": True})), {"s": 5})
    assert seconds.execution.history[-1].timestamp - START == 5
    stamp = run(machine(("W", {"Type": "Wait", "TimestampPath": "$.t", "End": True})), {"t": "2023-11-14T22:13:25Z"})
    assert stamp.execution.history[-1].timestamp - START == 5


def test_wait_seconds_path_errors_name_the_path_and_value() -> None:
    outcome = run(machine(("W", {"Type": "Wait", "SecondsPath": "$.s", "End": True})), {"s": -2}).outcome
    assert outcome.error == "States.Runtime"
    assert outcome.cause == ("An error occurred while executing the state 'W' (entered at the event id #2). "
                             "The SecondsPath parameter references a negative value: $.s == -2")


def test_succeed_filters_with_input_and_output_paths() -> None:
    state = {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}
    assert run(machine(("S", state)), {"a": {"b": 3}}).outcome.output == 3


def test_fail_literal_and_paths() -> None:
    literal = run(machine(("F", {"Type": "Fail", "Error": "E", "Cause": "C"})), {}).outcome
    assert (literal.status, literal.error, literal.cause) == ("FAILED", "E", "C")
    paths = run(machine(("F", {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('x{}', $.c)"})),
                {"e": "Err", "c": 1}).outcome
    assert (paths.error, paths.cause) == ("Err", "x1")
    missing = run(machine(("F", {"Type": "Fail", "ErrorPath": "$.nope"})), {"e": 1}).outcome
    assert missing.error == "States.Runtime"
    assert "The JSONPath '$.nope' specified for the field 'ErrorPath' could not be found" in missing.cause


def test_fail_without_error_or_cause() -> None:
    outcome = run(machine(("F", {"Type": "Fail"})), {}).outcome
    assert (outcome.status, outcome.error, outcome.cause) == ("FAILED", None, None)


def test_assign_sees_old_values_and_is_scoped_to_map_items() -> None:
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": 1, "y.$": "$.v"}, "Next": "B"},
        "B": {"Type": "Pass", "Assign": {"x": 2, "old.$": "$x"}, "ResultPath": "$.b", "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.r", "OutputPath": "$.r", "Next": "Last",
              "ItemProcessor": {"StartAt": "I", "States": {
                  "I": {"Type": "Pass", "Assign": {"x": 99}, "Next": "J"},
                  "J": {"Type": "Pass", "Parameters": {"seen.$": "$x", "y.$": "$y"}, "End": True}}}},
        "Last": {"Type": "Pass", "Parameters": {"x.$": "$x", "old.$": "$old"}, "ResultPath": "$[0].vars",
                 "End": True}}}
    result = run(definition, {"v": "vee", "items": [0]})
    assert result.outcome.status == "SUCCEEDED", result.outcome
    exited_b = result.history()[4]["stateExitedEventDetails"]
    assert exited_b["assignedVariables"] == {"x": "2", "old": "1"}
    assert result.outcome.output == [{"seen": 99, "y": "vee", "vars": {"x": 2, "old": 1}}]


def test_output_path_sees_variables_from_before_the_state() -> None:
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
        "B": {"Type": "Pass", "Assign": {"x": 2}, "OutputPath": "$x", "End": True}}}
    assert run(definition, {}).outcome.output == 1
