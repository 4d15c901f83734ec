"""JSONata states end to end on the pure core (spec/jsonata.md, spec/variables.md)."""

from __future__ import annotations

from typing import Any

from tests.core.engine.driver import run


def _machine(states: dict[str, Any], start: str | None = None) -> dict[str, Any]:
    return {"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)), "States": states}


def test_output_and_assign_see_values_from_before_the_state() -> None:
    definition = _machine({
        "A": {"Type": "Pass", "Assign": {"x": 1, "y": 2}, "Next": "B"},
        "B": {"Type": "Pass", "Assign": {"x": "{% $y %}", "y": "{% $x %}"},
              "Output": {"x": "{% $x %}", "y": "{% $y %}"}, "Next": "C"},
        "C": {"Type": "Pass", "Output": {"x": "{% $x %}", "y": "{% $y %}"}, "End": True},
    })
    result = run(definition, {})
    assert result.outcome.status == "SUCCEEDED"
    assert result.outcome.output == {"x": 2, "y": 1}


def test_task_arguments_output_and_result() -> None:
    definition = _machine({"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f",
        "Arguments": {"n": "{% $states.input.n * 2 %}"},
        "Output": {"in": "{% $states.input.n %}", "out": "{% $states.result.v %}"},
        "Assign": {"seen": "{% $states.result.v %}"}, "End": True}})
    result = run(definition, {"n": 3}, tasks=lambda command: ("ok", {"v": command.payload["n"] + 1}))
    assert result.outcome.output == {"in": 3, "out": 7}


def test_catch_output_and_assign_see_error_output() -> None:
    definition = _machine({
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done",
                         "Assign": {"err": "{% $states.errorOutput.Error %}"},
                         "Output": {"cause": "{% $states.errorOutput.Cause %}", "was": "{% $states.input %}"}}],
              "End": True},
        "Done": {"Type": "Pass", "Output": {"err": "{% $err %}", "cause": "{% $states.input.cause %}"}, "End": True},
    })
    result = run(definition, {"a": 1}, tasks=lambda command: ("fail", "Boom", "it broke"))
    assert result.outcome.output == {"err": "Boom", "cause": "it broke"}


def test_catch_without_output_passes_the_error_output() -> None:
    definition = _machine({
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": True},
        "Done": {"Type": "Succeed"},
    })
    result = run(definition, {"a": 1}, tasks=lambda command: ("fail", "Boom", "it broke"))
    assert result.outcome.output == {"Error": "Boom", "Cause": "it broke"}


def test_map_reads_outer_variables_and_cannot_assign_them() -> None:
    definition = _machine({
        "Set": {"Type": "Pass", "Assign": {"factor": 10}, "Next": "M"},
        "M": {"Type": "Map", "Items": "{% $states.input.items %}",
              "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}",
                               "i": "{% $states.context.Map.Item.Index %}"},
              "ItemProcessor": {"StartAt": "Inner", "States": {"Inner": {
                  "Type": "Pass", "Assign": {"factor": 0},
                  "Output": "{% $states.input.v * $factor + $states.input.i %}", "End": True}}},
              "Next": "After"},
        "After": {"Type": "Pass", "Output": {"r": "{% $states.input %}", "factor": "{% $factor %}"}, "End": True},
    })
    result = run(definition, {"items": [1, 2, 3]})
    assert result.outcome.output == {"r": [10, 21, 32], "factor": 10}


def test_parallel_arguments_and_output() -> None:
    branch = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% $states.input.x + 1 %}", "End": True}}}
    definition = _machine({"Par": {"Type": "Parallel", "Arguments": {"x": "{% $states.input.n %}"},
                                   "Branches": [branch, branch], "Output": "{% $sum($states.result) %}",
                                   "End": True}})
    assert run(definition, {"n": 4}).outcome.output == 10


def test_choice_condition_rule_output_and_default() -> None:
    definition = _machine({
        "C": {"Type": "Choice", "Choices": [
            {"Condition": "{% $states.input.n > 5 %}", "Next": "Big", "Output": {"size": "big"},
             "Assign": {"rule": 0}}],
              "Default": "Small", "Output": {"size": "small"}},
        "Big": {"Type": "Pass", "Output": {"size": "{% $states.input.size %}", "rule": "{% $rule %}"}, "End": True},
        "Small": {"Type": "Succeed"},
    })
    assert run(definition, {"n": 9}).outcome.output == {"size": "big", "rule": 0}
    assert run(definition, {"n": 1}).outcome.output == {"size": "small"}


def test_choice_condition_that_is_not_boolean_fails() -> None:
    definition = _machine({"C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.n %}", "Next": "E"}],
                                 "Default": "E"}, "E": {"Type": "Succeed"}})
    outcome = run(definition, {"n": 1}).outcome
    assert outcome.error == "States.QueryEvaluationError"
    assert "Expected 'boolean', but was 'number'" in outcome.cause


def test_fail_error_and_cause_expressions() -> None:
    definition = _machine({"F": {"Type": "Fail", "Error": "{% $states.input.e %}", "Cause": "{% 'c-' & 1 %}"}})
    outcome = run(definition, {"e": "Mine"}).outcome
    assert (outcome.error, outcome.cause) == ("Mine", "c-1")


def test_wait_seconds_expression_uses_the_virtual_clock() -> None:
    definition = _machine({"W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "End": True}})
    result = run(definition, {"s": 30})
    assert result.outcome.output == {"s": 30}


def test_undefined_output_names_the_field() -> None:
    definition = _machine({"P": {"Type": "Pass", "Output": {"a": [1, "{% $nope %}"]}, "End": True}})
    result = run(definition, {})
    assert result.outcome.error == "States.QueryEvaluationError"
    assert "specified for the field 'Output/a[1]' returned nothing (undefined)." in result.outcome.cause
    assert "EvaluationFailed" in result.types()


def test_aws_functions_and_context() -> None:
    definition = _machine({"P": {"Type": "Pass", "Output": {
        "parts": "{% $partition([1, 2, 3], 2) %}", "range": "{% $range(0, 4, 2) %}",
        "hash": "{% $hash('abc', 'SHA-256') %}", "parsed": "{% $parse('{\"a\": [1]}') %}",
        "uuid": "{% $length($uuid()) %}", "random": "{% $random() < 1 %}",
        "name": "{% $states.context.State.Name %}", "input": "{% $states.context.Execution.Input.k %}"},
        "End": True}})
    output = run(definition, {"k": "v"}).outcome.output
    assert output == {"parts": [[1, 2], [3]], "range": [0, 2, 4],
                      "hash": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                      "parsed": {"a": [1]}, "uuid": 36, "random": True, "name": "P", "input": "v"}


def test_random_and_uuid_replay_from_the_seed() -> None:
    definition = _machine({"P": {"Type": "Pass", "Output": ["{% $uuid() %}", "{% $random() %}"], "End": True}})
    assert run(definition, {}, seed=7).outcome.output == run(definition, {}, seed=7).outcome.output
    assert run(definition, {}, seed=7).outcome.output != run(definition, {}, seed=8).outcome.output


def test_now_reads_the_recorded_time() -> None:
    definition = _machine({"P": {"Type": "Pass", "Output": "{% $now() %}", "End": True}})
    assert run(definition, {}, start=0.0).outcome.output == "1970-01-01T00:00:00.000Z"


def test_eval_is_removed() -> None:
    definition = _machine({"P": {"Type": "Pass", "Output": "{% $eval('1') %}", "End": True}})
    assert run(definition, {}).outcome.error == "States.QueryEvaluationError"


def test_jsonpath_state_inside_jsonata_machine_shares_variables() -> None:
    definition = _machine({
        "A": {"Type": "Pass", "QueryLanguage": "JSONPath", "Assign": {"v.$": "$.x"}, "Next": "B"},
        "B": {"Type": "Pass", "Output": "{% $v %}", "End": True},
    })
    assert run(definition, {"x": [1, 2]}).outcome.output == [1, 2]
