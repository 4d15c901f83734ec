"""The semantic rules never raise, whatever JSON they get, and stay fast on large definitions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from statewright.lint.context import LintContext
from statewright.lint.engine import INTERNAL_ERROR_CODE, _rule_findings
from statewright.lint.registry import all_rules

CASES_DIR = Path(__file__).resolve().parents[2] / "conformance-tests" / "lint"
ODD_VALUES: list[Any] = [None, 7, "x", [], {}, True, "${Odd}", "{% %}", [None, {"Next": 3}]]


def _definitions() -> list[Any]:
    return [case["definition"] for path in sorted(CASES_DIR.glob("*.json"))
            for case in json.loads(path.read_text(encoding="utf-8"))["cases"]]


def _mutations(value: Any) -> Iterator[Any]:
    """The value with one node at a time replaced by each odd value (keys kept)."""
    if isinstance(value, dict):
        for key in value:
            for odd in ODD_VALUES:
                yield {**value, key: odd}
            for inner in _mutations(value[key]):
                yield {**value, key: inner}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for inner in _mutations(item):
                yield [*value[:index], inner, *value[index + 1:]]


def _internal_errors(definition: Any) -> list[str]:
    return [f.message for code, f in _rule_findings(LintContext(definition)) if code == INTERNAL_ERROR_CODE]


@pytest.mark.parametrize("definition", _definitions()[::3])
def test_rules_survive_every_single_node_mutation(definition: Any) -> None:
    all_rules()
    for mutated in _mutations(definition):
        assert _internal_errors(mutated) == [], json.dumps(mutated)[:500]


@pytest.mark.parametrize("value", [None, 1, "s", [], {}, {"States": []}, {"States": {"A": None}},
                                   {"StartAt": 1, "States": {"A": {"Type": 5, "Next": {}}}},
                                   {"QueryLanguage": "JSONata", "States": {"A": {"Type": "Choice", "Choices": "x"}}}])
def test_rules_survive_odd_top_levels(value: Any) -> None:
    all_rules()
    assert _internal_errors(value) == []


def test_deeply_nested_choice_rule_does_not_recurse() -> None:
    rule: dict[str, Any] = {"Variable": "$.a", "IsNull": True}
    for _ in range(5000):
        rule = {"Not": rule}
    definition = {"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{**rule, "Next": "D"}],
                                                   "Default": "D"}, "D": {"Type": "Succeed"}}}
    assert _internal_errors(definition) == []


def large_definition(count: int = 1000) -> dict[str, Any]:
    """A mix of every kind of state, each with the fields the rules read."""
    states: dict[str, Any] = {}
    for i in range(count):
        nxt = f"S{i + 1}" if i < count - 1 else None
        kind = i % 5
        if kind == 0:
            state: dict[str, Any] = {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"a.$": "$.x", "b.$": "States.Format('{}', $.y)"}, "ResultPath": "$.r",
                "Retry": [{"ErrorEquals": ["States.TaskFailed"]}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": f"S{count - 1}"}]}
        elif kind == 1:
            target = nxt or "S0"
            state = {"Type": "Choice", "Default": target, "Choices": [
                {"Variable": "$.n", "NumericEquals": 1, "Next": target},
                {"And": [{"Variable": "$.a", "IsPresent": True},
                         {"Variable": "$.t", "TimestampLessThan": "2024-01-01T00:00:00Z"}], "Next": target}]}
        elif kind == 2:
            state = {"Type": "Wait", "Timestamp": "2024-01-01T00:00:00Z"}
        elif kind == 3:
            state = {"Type": "Pass", "InputPath": "$.a.b", "OutputPath": "$.c"}
        else:
            state = {"Type": "Wait", "SecondsPath": "$.s"}
        if state["Type"] != "Choice":
            state.update({"Next": nxt} if nxt else {"End": True})
        states[f"S{i}"] = state
    return {"StartAt": "S0", "States": states}


def test_a_thousand_states_lint_clean() -> None:
    # Speed is measured by benchmarks/lint_bench.py, not asserted here (shared machines are noisy).
    definition = large_definition()
    all_rules()
    assert _internal_errors(definition) == []
    assert list(_rule_findings(LintContext(definition))) == []
