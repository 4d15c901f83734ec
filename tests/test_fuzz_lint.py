"""Fuzzing the linter: mutated definitions and mutated text never raise, and no rule crashes (SW000)."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import statewright
from statewright.lint.engine import INTERNAL_ERROR_CODE

BASE: dict[str, Any] = {
    "Comment": "Base for mutation",
    "StartAt": "Choose",
    "States": {
        "Choose": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Work"},
                {"And": [{"Variable": "$.s", "StringMatches": "a*"}, {"Not": {"Variable": "$.b", "IsNull": True}}],
                 "Next": "Fan"},
            ],
            "Default": "Wait",
        },
        "Work": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "TimeoutSeconds": 5,
            "Parameters": {"x.$": "States.Format('{}', $.n)", "y.$": "$$.Execution.Id"},
            "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed", "ResultPath": "$.err"}],
            "Next": "Par",
        },
        "Par": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}],
                "Next": "Done"},
        "Fan": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}, "Next": "Done"},
        "Wait": {"Type": "Wait", "Timestamp": "2024-01-01T00:00:00Z", "Next": "Done"},
        "Failed": {"Type": "Fail", "Error": "E", "Cause": "c"},
        "Done": {"Type": "Succeed"},
    },
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**12) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12) | st.sampled_from(["$", "$.a", "$$.Map.Item.Value", "States.Array(1)", "{% 1 %}",
                                             "${Placeholder}", "Next", "End", "States.ALL"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
KEYS = st.sampled_from(["Type", "Next", "End", "Default", "Choices", "Variable", "StartAt", "States", "Branches",
                        "ItemProcessor", "ErrorEquals", "Seconds", "TimestampPath", "InputPath", "ResultPath",
                        "Parameters", "x.$", "QueryLanguage", "Arguments", "Output", "Assign", "Condition",
                        "MaxConcurrency", "Catch", "Retry", "HeartbeatSeconds", "Error", "ErrorPath"])


def _containers(node: Any, found: list) -> list:
    if isinstance(node, (dict, list)):
        found.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _containers(child, found)
    return found


@st.composite
def mutated_definitions(draw: st.DrawFn) -> Any:
    definition = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 6))):
        containers = _containers(definition, [])
        target = containers[draw(st.integers(0, len(containers) - 1))]
        if isinstance(target, dict):
            action = draw(st.sampled_from(["set", "delete"]))
            if action == "delete" and target:
                del target[draw(st.sampled_from(sorted(target)))]
            else:
                target[draw(KEYS | st.text(max_size=6))] = draw(json_values)
        elif target:
            target[draw(st.integers(0, len(target) - 1))] = draw(json_values)
    return definition


def _assert_sane(diagnostics: list) -> None:
    assert all(isinstance(d, statewright.Diagnostic) for d in diagnostics)
    crashed = [d.message for d in diagnostics if d.code == INTERNAL_ERROR_CODE]
    assert crashed == []
    assert all(d.line >= 1 and d.column >= 1 for d in diagnostics)


def test_the_base_definition_is_clean() -> None:
    assert [d for d in statewright.lint(BASE) if d.is_error] == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_definitions())
def test_mutated_definitions_never_crash_the_linter(definition: Any) -> None:
    _assert_sane(statewright.lint(json.dumps(definition)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_text_never_crashes_the_linter(data: st.DataObject) -> None:
    import yaml

    text = yaml.safe_dump(BASE, sort_keys=False)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            text = text[:at] + data.draw(st.text(alphabet=" :-[]{}'\"\n#&*!|>%@`\\ab1", max_size=4)) + text[at:]
        else:
            text = text[:at] + text[at + data.draw(st.integers(1, 5)):]
    _assert_sane(statewright.lint(text))
