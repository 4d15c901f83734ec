"""One test per semantic rule: the finding names the state and the field, points at the node, and has
the rule's severity. (Which definitions each rule accepts and rejects is in conformance-tests/lint/.)
"""

from __future__ import annotations

from typing import Any

import pytest

from statewright.lint.diagnostic import Diagnostic, Severity
from statewright.lint.engine import lint_value
from statewright.lint.registry import RULES, all_rules

E, W = Severity.ERROR, Severity.WARNING
TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"}


def machine(states: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states, **top}


def choice(*rules: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return machine({"C": {"Type": "Choice", "Choices": list(rules), "Default": "D", **extra},
                    "D": {"Type": "Succeed"}})


# code, definition, state, field (None: the state only), pointer, severity
CASES: list[tuple[str, dict[str, Any], str | None, str | None, str, Severity]] = [
    ("SW201", {"StartAt": "Nope", "States": {"A": {"Type": "Succeed"}}}, None, "StartAt", "/StartAt", E),
    ("SW202", machine({"A": {"Type": "Pass", "Next": "Gone"}}), "A", "Next", "/States/A/Next", E),
    ("SW203", machine({"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}), "B", None, "/States/B", E),
    ("SW204", machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}), "A", None,
     "/States/A", E),
    ("SW205", machine({"A": {"Type": "Pass", "Next": "B", "End": True}, "B": {"Type": "Succeed"}}), "A", "End",
     "/States/A/End", E),
    ("SW206", machine({"A": dict(TASK)}), "A", "Next", "/States/A", E),
    ("SW209", machine({"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "W", "States": {"W": {"Type": "Succeed"}}},
        {"StartAt": "W", "States": {"W": {"Type": "Succeed"}}}]}}), "W", None, "/States/P/Branches/1/States/W", E),
    ("SW301", choice({"Variable": "$.n", "NumericEquals": 1, "NumericLessThan": 2, "Next": "D"}), "C", "Choices[0]",
     "/States/C/Choices/0", E),
    ("SW302", choice({"StringEquals": "x", "Next": "D"}), "C", "Choices[0].Variable", "/States/C/Choices/0", E),
    ("SW305", choice({"Variable": "$.t", "TimestampEquals": "2024-13-01T00:00:00Z", "Next": "D"}), "C",
     "Choices[0].TimestampEquals", "/States/C/Choices/0/TimestampEquals", E),
    ("SW306", machine({"C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": True, "Next": "D"}]},
                       "D": {"Type": "Succeed"}}), "C", "Default", "/States/C", W),
    ("SW307", choice({"Next": "D"}, QueryLanguage="JSONata"), "C", "Choices[0].Condition", "/States/C/Choices/0", E),
    ("SW308", choice({"Variable": "$.f", "StringMatches": "*\\.csv", "Next": "D"}), "C", "Choices[0].StringMatches",
     "/States/C/Choices/0/StringMatches", W),
    ("SW401", machine({"A": {"Type": "Pass", "InputPath": "$.a[", "End": True}}), "A", "InputPath",
     "/States/A/InputPath", E),
    ("SW402", machine({"A": {"Type": "Pass", "ResultPath": "$.a[*]", "End": True}}), "A", "ResultPath",
     "/States/A/ResultPath", E),
    ("SW403", machine({"A": {"Type": "Pass", "Parameters": {"x": {"y.$": "States.Nope()"}}, "End": True}}), "A",
     "Parameters", "/States/A/Parameters/x/y.$", E),
    ("SW404", machine({"A": {"Type": "Pass", "Parameters": {"n.$": 3}, "End": True}}), "A", "Parameters",
     "/States/A/Parameters/n.$", E),
    ("SW501", machine({"A": {**TASK, "End": True, "Retry": [{"ErrorEquals": ["States.ALL", "X"]}]}}), "A",
     "Retry[0].ErrorEquals", "/States/A/Retry/0/ErrorEquals", E),
    ("SW502", machine({"A": {**TASK, "End": True, "Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]}}),
     "A", "Retry[0].ErrorEquals", "/States/A/Retry/0/ErrorEquals", E),
    ("SW504", machine({"A": {**TASK, "End": True, "Retry": [{"ErrorEquals": ["States.Timeou"]}]}}), "A",
     "Retry[0].ErrorEquals", "/States/A/Retry/0/ErrorEquals/0", W),
    ("SW505", machine({"A": {**TASK, "End": True, "Retry": [{"ErrorEquals": ["States.Runtime"]}]}}), "A",
     "Retry[0].ErrorEquals", "/States/A/Retry/0/ErrorEquals/0", W),
    ("SW601", machine({"W": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True}}), "W", "SecondsPath",
     "/States/W/SecondsPath", E),
    ("SW602", machine({"W": {"Type": "Wait", "Timestamp": "2016-12-05 21:29:29Z", "End": True}}), "W", "Timestamp",
     "/States/W/Timestamp", E),
    ("SW603", machine({"F": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}}), "F", "ErrorPath",
     "/States/F/ErrorPath", E),
    ("SW604", machine({"A": {**TASK, "End": True, "TimeoutSeconds": 5, "HeartbeatSeconds": 5}}), "A",
     "HeartbeatSeconds", "/States/A/HeartbeatSeconds", E),
    ("SW605", machine({"M": {"Type": "Map", "End": True, "Label": "L",
                             "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}}}), "M", "Label",
     "/States/M/Label", W),
    ("SW701", machine({"A": {"Type": "Pass", "OutputPath": "$.x", "End": True}}, QueryLanguage="JSONata"), "A",
     "OutputPath", "/States/A/OutputPath", E),
    ("SW702", machine({"A": {"Type": "Pass", "Output": "{% 1 %}", "End": True}}), "A", "Output", "/States/A/Output", E),
    ("SW703", machine({"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}, QueryLanguage="JSONata"),
     "A", "QueryLanguage", "/States/A/QueryLanguage", E),
    ("SW704", machine({"A": {"Type": "Pass", "Output": {"v": "{% %}"}, "End": True}}, QueryLanguage="JSONata"), "A",
     "Output", "/States/A/Output/v", E),
    ("SW711", machine({"A": {"Type": "Pass", "Output": {"v": "{% $never %}"}, "End": True}}, QueryLanguage="JSONata"),
     "A", "Output", "/States/A/Output/v", W),
    ("SW712", machine({"A": {"Type": "Pass", "Output": {"v": "{% 1 + %}"}, "End": True}}, QueryLanguage="JSONata"),
     "A", "Output", "/States/A/Output/v", E),
    ("SW802", machine({"A": {"Type": "Pass", "InputPath": "$.${Key}", "End": True}}), "A", "InputPath",
     "/States/A/InputPath", W),
    ("SW405", machine({"A": {"Type": "Pass", "InputPath": "$.xs[?(@.type == PAID)]", "End": True}}), "A",
     "InputPath", "/States/A/InputPath", W),
    ("SW606", machine({"A": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:query", "End": True}}), "A",
     "Resource", "/States/A/Resource", E),
    ("SW901", machine({"A": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "End": True}}), "A",
     "Resource", "/States/A/Resource", E),
    ("SW902", machine({"A": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:a",
                             "End": True}}), "A", "Resource", "/States/A/Resource", E),
]


# Rules that only an EXPRESS machine triggers (lint --type EXPRESS).
EXPRESS_ONLY = {"SW901", "SW902"}


def _only(code: str, definition: dict[str, Any]) -> Diagnostic:
    workflow_type = "EXPRESS" if code in EXPRESS_ONLY else "STANDARD"
    everything = lint_value(definition, workflow_type=workflow_type)
    found = [d for d in everything if d.code == code]
    assert len(found) == 1, [f"{d.code} {d.message}" for d in everything]
    return found[0]


@pytest.mark.parametrize(("code", "definition", "state", "field", "pointer", "severity"), CASES,
                         ids=[c[0] for c in CASES])
def test_rule_finding(code: str, definition: dict[str, Any], state: str | None, field: str | None, pointer: str,
                      severity: Severity) -> None:
    diagnostic = _only(code, definition)
    assert diagnostic.severity is severity is RULES[code].severity
    assert diagnostic.pointer == pointer
    if state is not None:
        assert f"'{state}" in diagnostic.message
        assert diagnostic.state is not None and diagnostic.state.startswith(state)
    if field is not None:
        assert diagnostic.field == field
        assert field.split(".")[-1] in diagnostic.message


def test_every_semantic_rule_has_a_case_here() -> None:
    semantic = {r.code for r in all_rules() if r.check is not None}
    assert semantic == {c[0] for c in CASES}


@pytest.mark.parametrize("code", sorted(c[0] for c in CASES))
def test_rule_documentation_has_the_four_sections(code: str) -> None:
    doc = RULES[code].doc
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in doc, f"{code} doc lacks {section!r}"
    assert RULES[code].summary and not RULES[code].summary.startswith("#")
