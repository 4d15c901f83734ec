"""Targeted findings of the schema pass: code, message, pointer, state and field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from statewright.lint.context import LintContext
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import RULES
from statewright.lint.schema_pass import schema_findings


def machine(**states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


def task(**fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True, **fields}


def findings(definition: Any) -> list[tuple[str, Finding]]:
    return list(schema_findings(LintContext(definition)))


def only(definition: Any) -> tuple[str, Finding]:
    found = findings(definition)
    assert len(found) == 1, found
    return found[0]


# --- SW101 missing-required-field -----------------------------------------------------------------------


def test_missing_start_at_at_the_top_level() -> None:
    code, finding = only({"States": {"A": {"Type": "Succeed"}}})
    assert code == "SW101"
    assert finding.message == "Missing required field 'StartAt' at the top level"
    assert (finding.pointer, finding.state, finding.field) == ("", None, "StartAt")


def test_missing_type_in_a_state_points_at_the_state_name() -> None:
    code, finding = only(machine(A={"End": True}))
    assert code == "SW101"
    assert finding.message == "Missing required field 'Type' in state 'A'"
    assert (finding.pointer, finding.state, finding.field, finding.at_key) == ("/States/A", "A", "Type", True)


def test_missing_resource_in_a_task() -> None:
    code, finding = only(machine(Load={"Type": "Task", "End": True}))
    assert (code, finding.message) == ("SW101", "Missing required field 'Resource' in state 'Load'")


def test_missing_start_at_in_a_parallel_branch() -> None:
    branch = {"States": {"B": {"Type": "Succeed"}}}
    code, finding = only(machine(P={"Type": "Parallel", "Branches": [branch], "End": True}))
    assert code == "SW101"
    assert finding.message == "Missing required field 'StartAt' in 'Branches[0]' of state 'P'"
    assert (finding.pointer, finding.field) == ("/States/P/Branches/0", "Branches[0].StartAt")


def test_catcher_needs_next_and_retrier_needs_error_equals() -> None:
    state = task(Retry=[{"MaxAttempts": 2}], Catch=[{"ErrorEquals": ["States.ALL"]}])
    messages = sorted(f.message for _, f in findings(machine(Load=state)))
    assert messages == [
        "Missing required field 'ErrorEquals' in 'Retry[0]' of state 'Load'",
        "Missing required field 'Next' in 'Catch[0]' of state 'Load'",
    ]


def test_credentials_without_role_arn_is_one_missing_field() -> None:
    found = findings(machine(Load=task(Credentials={})))
    assert [(code, f.message) for code, f in found] == [
        ("SW101", "Missing required field 'RoleArn' in 'Credentials' of state 'Load' "
                  "(or 'RoleArn.$' with a JSONPath)"),
    ]
    assert findings(machine(Load=task(Credentials={"RoleArn.$": "$.role"}))) == []


# --- SW102 unknown-field --------------------------------------------------------------------------------


def test_unknown_field_suggests_the_likely_typo() -> None:
    code, finding = only(machine(A={"Type": "Pass", "Nxt": "B"}))
    assert code == "SW102"
    assert finding.message == "Unknown field 'Nxt' in state 'A'; did you mean 'Next'?"
    assert (finding.pointer, finding.state, finding.field, finding.at_key) == ("/States/A/Nxt", "A", "Nxt", True)


def test_unknown_field_suggests_across_case() -> None:
    _, finding = only(machine(Load=task(timeoutSeconds=3)))
    assert finding.message.endswith("did you mean 'TimeoutSeconds'?")


def test_unknown_field_without_a_likely_typo_lists_what_the_state_accepts() -> None:
    code, finding = only(machine(A={"Type": "Pass", "Colour": "blue"}))
    assert code == "SW102"
    assert finding.message == (
        "Unknown field 'Colour' in state 'A' (a Pass state accepts: Assign, Comment, End, InputPath, Next, "
        "Output, OutputPath, Parameters, QueryLanguage, Result, ResultPath, Type)"
    )


def test_unknown_top_level_field_and_one_finding_per_field() -> None:
    definition = {**machine(A={"Type": "Succeed"}), "Foo": 1, "Bar": 2}
    found = findings(definition)
    assert [code for code, _ in found] == ["SW102", "SW102"]
    assert {f.pointer for _, f in found} == {"/Foo", "/Bar"}
    assert found[0][1].message.startswith("Unknown field 'Foo' at the top level (accepted: Comment, QueryLanguage")


def test_field_of_another_state_type_is_unknown() -> None:
    code, finding = only(machine(A={"Type": "Pass", "Resource": "x", "End": True}))
    assert code == "SW102" and "a Pass state accepts" in finding.message


def test_fail_state_takes_no_input_path() -> None:
    code, finding = only(machine(F={"Type": "Fail", "InputPath": "$.x"}))
    assert code == "SW102" and finding.pointer == "/States/F/InputPath"


def test_nested_choice_rule_takes_no_next() -> None:
    rule = {"And": [{"Variable": "$.a", "IsPresent": True, "Next": "B"}], "Next": "B"}
    code, finding = only(machine(C={"Type": "Choice", "Choices": [rule]}, B={"Type": "Succeed"}))
    assert code == "SW102"
    assert finding.field == "Choices[0].And[0].Next"
    assert "comparison operators" in finding.message


def test_statewright_extension_is_accepted_on_task_only() -> None:
    extension = {"Method": "POST", "Headers": {"X-Trace": "1"}}
    assert findings(machine(Load=task(Statewright=extension))) == []
    code, finding = only(machine(A={"Type": "Pass", "Statewright": extension, "End": True}))
    assert code == "SW102"
    code, finding = only(machine(Load=task(Statewright={"Method": "POST", "Timeout": 3})))
    assert (code, finding.field) == ("SW102", "Statewright.Timeout")


# --- SW103 wrong-type ------------------------------------------------------------------------------------


def test_wrong_type_names_state_field_and_value() -> None:
    code, finding = only(machine(Load=task(TimeoutSeconds="ten")))
    assert code == "SW103"
    assert finding.message == "State 'Load': field 'TimeoutSeconds' must be a positive integer, got \"ten\""
    assert (finding.pointer, finding.state, finding.field) == ("/States/Load/TimeoutSeconds", "Load", "TimeoutSeconds")


def test_wrong_type_in_jsonata_state_offers_an_expression() -> None:
    definition = {**machine(Load=task(TimeoutSeconds="ten")), "QueryLanguage": "JSONata"}
    _, finding = only(definition)
    assert finding.message == (
        "State 'Load': field 'TimeoutSeconds' must be a positive integer or a JSONata expression '{% ... %}', "
        "got \"ten\""
    )


@pytest.mark.parametrize(
    "state, field, expected",
    [
        ({"Type": "Pass", "End": "yes"}, "End", "must be true or false, got \"yes\""),
        ({"Type": "Pass", "Next": 3}, "Next", "must be a string, got 3"),
        (task(Retry={"ErrorEquals": ["X"]}), "Retry", "must be an array, got {\"ErrorEquals\": [\"X\"]}"),
        (task(Retry=[{"ErrorEquals": "States.ALL"}]), "Retry[0].ErrorEquals", "must be a non-empty array"),
        (task(TimeoutSeconds=1.5), "TimeoutSeconds", "must be a positive integer, got 1.5"),
        (task(TimeoutSeconds=True), "TimeoutSeconds", "must be a positive integer, got true"),
        ({"Type": "Wait", "Seconds": "5", "End": True}, "Seconds", "must be a non-negative integer, got \"5\""),
        ({"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": "1", "Next": "A"}]},
         "Choices[0].NumericEquals", "must be a number, got \"1\""),
        ({"Type": "Fail", "Error": 42}, "Error", "must be a string, got 42"),
        ({"Type": "Pass", "Parameters": [1], "End": True}, "Parameters", "must be an object, got [1]"),
    ],
)
def test_wrong_types(state: dict[str, Any], field: str, expected: str) -> None:
    code, finding = only(machine(A=state))
    assert code == "SW103"
    assert finding.field == field
    assert expected in finding.message


def test_a_state_that_is_not_an_object() -> None:
    code, finding = only(machine(A=5))
    assert (code, finding.message, finding.pointer) == ("SW103", "State 'A' must be an object, got 5", "/States/A")


# --- SW104 invalid-value ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state, field, expected",
    [
        ({"Type": "Tsk"}, "Type", 'must be one of "Pass", "Task", "Choice", "Wait", "Succeed", "Fail", '
         '"Parallel", "Map", got "Tsk" (did you mean "Task"?)'),
        (task(Retry=[{"ErrorEquals": ["X"], "MaxAttempts": -1}]), "Retry[0].MaxAttempts",
         "must be a non-negative integer, got -1"),
        (task(Retry=[{"ErrorEquals": ["X"], "MaxAttempts": 100000000}]), "Retry[0].MaxAttempts",
         "must be 99999999 or less, got 100000000"),
        (task(Retry=[{"ErrorEquals": ["X"], "BackoffRate": 0.5}]), "Retry[0].BackoffRate",
         "must be a number of at least 1, got 0.5"),
        (task(Retry=[{"ErrorEquals": ["X"], "IntervalSeconds": 0}]), "Retry[0].IntervalSeconds",
         "must be a positive integer, got 0"),
        (task(Retry=[{"ErrorEquals": ["X"], "MaxDelaySeconds": 0}]), "Retry[0].MaxDelaySeconds",
         "must be a positive integer, got 0"),
        (task(Retry=[{"ErrorEquals": ["X"], "JitterStrategy": "full"}]), "Retry[0].JitterStrategy",
         'must be one of "FULL", "NONE", got "full" (did you mean "FULL"?)'),
        (task(Retry=[{"ErrorEquals": []}]), "Retry[0].ErrorEquals", "must be a non-empty array, got []"),
        (task(TimeoutSeconds=0), "TimeoutSeconds", "must be a positive integer, got 0"),
        (task(HeartbeatSeconds=0), "HeartbeatSeconds", "must be a positive integer, got 0"),
        ({"Type": "Choice", "Choices": []}, "Choices", "must be a non-empty array, got []"),
        ({"Type": "Parallel", "Branches": [], "End": True}, "Branches", "must be a non-empty array, got []"),
        ({"Type": "Pass", "QueryLanguage": "jsonata", "End": True}, "QueryLanguage",
         'must be one of "JSONPath", "JSONata", got "jsonata" (did you mean "JSONata"?)'),
        ({"Type": "Map", "MaxConcurrency": -1, "End": True, "ItemProcessor": {"StartAt": "I", "States": {
            "I": {"Type": "Succeed"}}}}, "MaxConcurrency", "must be a non-negative integer, got -1"),
        ({"Type": "Map", "ToleratedFailurePercentage": 101, "End": True}, "ToleratedFailurePercentage",
         "must be 100 or less, got 101"),
        ({"Type": "Map", "Label": "x" * 41, "End": True}, "Label", "must be a string of at most 40 characters"),
        ({"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "inline"}, "StartAt": "I", "States": {
            "I": {"Type": "Succeed"}}}, "End": True}, "ItemProcessor.ProcessorConfig.Mode",
         'must be one of "INLINE", "DISTRIBUTED", got "inline" (did you mean "INLINE"?)'),
    ],
)
def test_invalid_values(state: dict[str, Any], field: str, expected: str) -> None:
    code, finding = only(machine(A=state))
    assert code == "SW104", finding
    assert finding.field == field
    assert finding.message.startswith(f"State 'A': field '{field}' {expected}"), finding.message


def test_state_name_longer_than_80_characters() -> None:
    name = "N" * 81
    code, finding = only({"StartAt": name, "States": {name: {"Type": "Succeed"}}})
    assert code == "SW104"
    assert finding.message.endswith("is 81 characters long; the limit is 80")
    assert (finding.pointer, finding.state, finding.at_key) == (f"/States/{name}", name, True)
    assert findings({"StartAt": "N" * 80, "States": {"N" * 80: {"Type": "Succeed"}}}) == []


def test_empty_states() -> None:
    code, finding = only({"StartAt": "A", "States": {}})
    assert code == "SW104"
    assert finding.message == "Field 'States' at the top level must be an object holding at least one state, got {}"


def test_one_problem_one_finding_in_a_deeply_nested_state() -> None:
    inner = machine(Deep=task(TimeoutSeconds=-5))
    outer = machine(P={"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": inner}}}]})
    code, finding = only(outer)
    assert code == "SW104"
    assert finding.state == "Deep"
    assert finding.pointer == "/States/P/Branches/0/States/M/ItemProcessor/States/Deep/TimeoutSeconds"
    assert finding.message == "State 'Deep': field 'TimeoutSeconds' must be a positive integer, got -5"


# --- SW801 placeholder-in-typed-field --------------------------------------------------------------------


def test_placeholder_in_a_typed_field_is_a_warning() -> None:
    code, finding = only(machine(Load=task(TimeoutSeconds="${Timeout}")))
    assert code == "SW801"
    assert RULES["SW801"].severity is Severity.WARNING
    assert finding.message.startswith(
        "State 'Load': field 'TimeoutSeconds' holds the deployment placeholder \"${Timeout}\" where a positive "
        "integer is expected; it is not checked until deployed"
    )
    assert (finding.pointer, finding.field) == ("/States/Load/TimeoutSeconds", "TimeoutSeconds")


@pytest.mark.parametrize(
    "state",
    [
        {"Type": "Map", "MaxConcurrency": "${Token[TOKEN.12]}", "End": True},
        task(Retry=[{"ErrorEquals": ["X"], "JitterStrategy": "${Jitter}"}]),
        {"Type": "Pass", "End": "${IsLast}"},
        task(Credentials="${Credentials}"),
    ],
)
def test_placeholders_in_typed_fields(state: dict[str, Any]) -> None:
    assert [code for code, _ in findings(machine(A=state))] == ["SW801"]


@pytest.mark.parametrize(
    "state",
    [
        {"Type": "Task", "Resource": "${LambdaArn}", "End": True},
        {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
         "Parameters": {"FunctionName": "${Token[TOKEN.55]}", "Payload.$": "$"}},
        {"Type": "Pass", "Comment": "deployed to ${Stage}", "Next": "${NextState}"},
    ],
)
def test_placeholders_in_string_fields_are_silent(state: dict[str, Any]) -> None:
    assert findings(machine(A=state)) == []


def test_placeholder_does_not_hide_a_real_error_next_to_it() -> None:
    found = findings(machine(Load=task(TimeoutSeconds="${Timeout}", HeartbeatSeconds=0)))
    assert sorted(code for code, _ in found) == ["SW104", "SW801"]


# --- Both query languages, every state type --------------------------------------------------------------

FULL_JSONPATH: dict[str, Any] = {
    "Comment": "every JSONPath field", "Version": "1.0", "TimeoutSeconds": 3600, "QueryLanguage": "JSONPath",
    "StartAt": "Pass",
    "States": {
        "Pass": {"Type": "Pass", "Comment": "c", "InputPath": "$", "OutputPath": None, "Parameters": {"a.$": "$.a"},
                 "ResultPath": "$.r", "Result": [1], "Assign": {"x.$": "$.a"}, "Next": "Task"},
        "Task": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"p": 1},
                 "ResultSelector": {"r.$": "$.Payload"}, "ResultPath": None, "TimeoutSecondsPath": "$.t",
                 "HeartbeatSecondsPath": "$.h", "Credentials": {"RoleArn": "arn:aws:iam::1:role/r"},
                 "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 2, "MaxAttempts": 0,
                            "BackoffRate": 1.5, "MaxDelaySeconds": 60, "JitterStrategy": "FULL", "Comment": "c"}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Fail", "ResultPath": "$.error",
                            "Comment": "c"}],
                 "Statewright": {"Method": "PUT", "Headers": {"A": "b"}}, "Next": "Choice"},
        "Choice": {"Type": "Choice", "Choices": [
            {"Not": {"Variable": "$.a", "IsNull": True}, "Next": "Wait"},
            {"Or": [{"Variable": "$.s", "StringMatches": "a*"}, {"Variable": "$.t", "TimestampLessThanPath": "$.u"}],
             "Next": "Wait", "Comment": "c"}], "Default": "Parallel"},
        "Wait": {"Type": "Wait", "TimestampPath": "$.when", "Next": "Parallel"},
        "Parallel": {"Type": "Parallel", "Branches": [{"StartAt": "S", "States": {"S": {"Type": "Succeed"}},
                                                      "Comment": "b"}], "Next": "Map"},
        "Map": {"Type": "Map", "ItemsPath": "$.items", "ItemSelector": {"i.$": "$$.Map.Item.Value"},
                "MaxConcurrencyPath": "$.m", "ToleratedFailureCountPath": "$.c",
                "ToleratedFailurePercentagePath": "$.p", "Label": "label",
                "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b"},
                               "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN",
                                                "CSVHeaders": ["a"], "CSVDelimiter": "TAB", "MaxItemsPath": "$.n"}},
                "ItemBatcher": {"MaxItemsPerBatchPath": "$.b", "MaxInputBytesPerBatch": 1024,
                                "BatchInput": {"k": 1}},
                "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b"},
                                 "WriterConfig": {"OutputType": "JSONL", "Transformation": "FLATTEN"}},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                                  "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                "Next": "Legacy"},
        "Legacy": {"Type": "Map", "Parameters": {"x.$": "$$.Map.Item.Value"}, "MaxConcurrency": 0,
                   "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}, "Next": "Fail"},
        "Fail": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"},
    },
}

FULL_JSONATA: dict[str, Any] = {
    "QueryLanguage": "JSONata", "StartAt": "Task",
    "States": {
        "Task": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": "{% $states.input %}",
                 "TimeoutSeconds": "{% $t %}", "HeartbeatSeconds": 10, "Output": {"a": "{% $states.result %}"},
                 "Assign": {"x": "{% 1 %}"}, "Credentials": {"RoleArn": "{% $role %}"},
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Fail", "Output": "{% $states.errorOutput %}",
                            "Assign": {"e": 1}}], "Next": "Choice"},
        "Choice": {"Type": "Choice", "Choices": [{"Condition": "{% $x > 1 %}", "Next": "Wait", "Output": 1,
                                                  "Assign": {}}, {"Condition": True, "Next": "Wait"}],
                   "Default": "Wait", "Output": "{% $states.input %}"},
        "Wait": {"Type": "Wait", "Seconds": "{% 1 %}", "Next": "Map", "Assign": {"w": 1}},
        "Map": {"Type": "Map", "Items": "{% [1, 2] %}", "ItemSelector": "{% $states.context.Map.Item %}",
                "MaxConcurrency": "{% 2 %}", "ToleratedFailureCount": "{% 0 %}",
                "ToleratedFailurePercentage": 12.5,
                "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2", "Arguments": {"Bucket": "b"},
                               "ReaderConfig": {"MaxItems": "{% 10 %}"}},
                "ItemBatcher": {"MaxItemsPerBatch": "{% 5 %}", "BatchInput": "{% {} %}"},
                "ResultWriter": {"WriterConfig": {"OutputType": "JSON", "Transformation": "COMPACT"}},
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed", "Output": "{% 1 %}"}}},
                "Next": "Parallel"},
        "Parallel": {"Type": "Parallel", "Arguments": {"a": 1}, "Branches": [
            {"StartAt": "S", "QueryLanguage": "JSONata", "States": {"S": {"Type": "Pass", "End": True}}}],
                     "Next": "Fail"},
        "Fail": {"Type": "Fail", "Error": "{% 'E' %}", "Cause": "{% 'c' %}"},
    },
}


@pytest.mark.parametrize("definition", [FULL_JSONPATH, FULL_JSONATA], ids=["JSONPath", "JSONata"])
def test_every_field_of_both_query_languages_is_accepted(definition: dict[str, Any]) -> None:
    assert findings(copy.deepcopy(definition)) == []
