"""The JSONPath pipeline, step by step (spec/data-flow.md), and the context object."""

from __future__ import annotations

from typing import Any

import pytest

from statewright.core.dataflow import JsonPathFlow, check_size, compile_template
from statewright.core.errors import StatesError
from tests.core.engine.driver import run


def one(state: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": "S", "States": {"S": {**state, "End": True}}}


def test_template_compiles_constants_once_and_shares_them() -> None:
    template = compile_template({"a": {"b": [1, 2]}, "c": "x"})
    assert template.shape == "const"
    assert template.evaluate({}) is template.evaluate({"other": 1})


def test_template_paths_intrinsics_and_nesting() -> None:
    template = compile_template({"v.$": "$.a[0]", "n": {"w.$": "States.Array($.b, 2)"}, "all.$": "$..c"})
    assert template.evaluate({"a": [5], "b": 1, "x": {"c": 3}}) == {"v": 5, "n": {"w": [1, 2]}, "all": [3]}
    assert not template.uses_context
    assert compile_template({"id.$": "$$.Execution.Id"}).uses_context


def test_template_missing_path_is_a_runtime_error_naming_the_field() -> None:
    with pytest.raises(StatesError) as caught:
        compile_template({"value.$": "$.nope"}).evaluate({"a": 1})
    assert caught.value.error == "States.Runtime"
    assert caught.value.cause == ("The JSONPath '$.nope' specified for the field 'value.$' could not be found in "
                                  "the input '{\"a\":1}'")


def test_flow_steps_in_order() -> None:
    flow = JsonPathFlow.compile({"InputPath": "$.in", "Parameters": {"x.$": "$.v"},
                                 "ResultSelector": {"y.$": "$.x"}, "ResultPath": "$.in.r", "OutputPath": "$.in"})
    raw = {"in": {"v": 7}}
    effective = flow.effective_input(raw)
    result = flow.task_input(effective)  # a Pass-like echo of the task input as its result
    combined = flow.place_result(raw, flow.select_result(result))
    assert flow.output(combined) == {"v": 7, "r": {"y": 7}}
    assert raw == {"in": {"v": 7}}


def test_null_paths() -> None:
    flow = JsonPathFlow.compile({"InputPath": None, "ResultPath": None, "OutputPath": None})
    assert flow.effective_input({"a": 1}) == {}
    assert flow.place_result({"a": 1}, 2) == {"a": 1}
    assert flow.output({"a": 1}) == {}


def test_input_path_missing_uses_aws_wording() -> None:
    outcome = run(one({"Type": "Pass", "InputPath": "$.NoSuch"}), {"a": 1}).outcome
    assert outcome.cause == ("An error occurred while executing the state 'S' (entered at the event id #2). "
                             "Invalid path '$.NoSuch' : No results for path: $['NoSuch']")


def test_result_path_through_a_non_object_fails() -> None:
    outcome = run(one({"Type": "Pass", "Result": 1, "ResultPath": "$.a.b"}), {"a": 5}).outcome
    assert (outcome.status, outcome.error) == ("FAILED", "States.ResultPathMatchFailure")


def test_context_object_content() -> None:
    output = run(one({"Type": "Pass", "Parameters": {"c.$": "$$"}}), {"k": 1}).outcome.output["c"]
    assert output["Execution"]["Input"] == {"k": 1}
    assert output["Execution"]["RedriveCount"] == 0
    assert output["Execution"]["StartTime"].endswith("Z")
    assert output["State"] == {"Name": "S", "EnteredTime": output["Execution"]["StartTime"]}
    assert set(output["StateMachine"]) == {"Id", "Name"}


def test_data_limit() -> None:
    check_size({"a": "x" * 1000}, "what")
    with pytest.raises(StatesError) as caught:
        check_size(["x" * 300_000], "what")
    assert caught.value.error == "States.DataLimitExceeded"
    outcome = run(one({"Type": "Pass"}), {"big": "y" * 300_000}).outcome
    assert (outcome.status, outcome.error) == ("FAILED", "States.DataLimitExceeded")
