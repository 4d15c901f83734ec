"""The compiled validator agrees with jsonschema, stays fast, and plugs into the lint engine."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from statewright.lint.registry import RULES
from statewright.lint.schema_file import load_schema
from statewright.lint.schema_pass import schema_errors, schema_findings
from tests.shared import shared_conformance_dir

SHARED_CASES = (shared_conformance_dir() or Path("/nonexistent")) / "cases"
REFERENCE = Draft202012Validator(load_schema())

SEED_DEFINITION: dict[str, Any] = {
    "StartAt": "Load",
    "States": {
        "Load": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 30,
                 "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "BackoffRate": 2}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}], "Next": "Route"},
        "Route": {"Type": "Choice", "Choices": [
            {"And": [{"Variable": "$.a", "NumericGreaterThan": 1}, {"Not": {"Variable": "$.b", "IsNull": True}}],
             "Next": "Fan"}], "Default": "Failed"},
        "Fan": {"Type": "Parallel", "Branches": [
            {"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 2, "End": True, "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "W",
                "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}}}}}], "Next": "Done"},
        "Done": {"Type": "Succeed"},
        "Failed": {"Type": "Fail", "Error": "E", "Cause": "c"},
    },
}

ODD_VALUES: list[Any] = [None, True, 0, -1, 1.5, 10**9, "", "x", "{% 1 %}", [], [1], {}, {"Zz": 1}, "N" * 90]


def _reference(value: Any) -> set[tuple[tuple[str | int, ...], str]]:
    return {(tuple(e.absolute_path), e.validator) for e in REFERENCE.iter_errors(value)}


def _ours(value: Any) -> set[tuple[tuple[str | int, ...], str]]:
    return {(e.absolute_path, e.validator) for e in schema_errors(value)}


def _nodes(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _nodes(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _nodes(child, (*path, index))
    return found


def _mutate(definition: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Replace, delete or add one node somewhere in the definition."""
    mutated = copy.deepcopy(definition)
    path = rng.choice(_nodes(mutated)[1:])
    parent = mutated
    for token in path[:-1]:
        parent = parent[token]
    action = rng.choice(["replace", "delete", "add"])
    if action == "replace":
        parent[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
    elif action == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
    elif isinstance(parent[path[-1]], dict):
        parent[path[-1]][rng.choice(["Next", "Type", "Foo", "Resource", "End", "Seconds"])] = rng.choice(ODD_VALUES)
    return mutated


def test_compiled_validator_matches_jsonschema_on_mutated_definitions() -> None:
    rng = random.Random(20260131)
    invalid = 0
    for _ in range(600):
        mutated = _mutate(SEED_DEFINITION, rng)
        expected = _reference(mutated)
        assert _ours(mutated) == expected, json.dumps(mutated)[:400]
        invalid += bool(expected)
    assert invalid > 300, "the mutations should mostly produce invalid definitions"


@pytest.mark.skipif(not SHARED_CASES.is_dir(), reason=f"shared conformance corpus not found at {SHARED_CASES}")
def test_compiled_validator_matches_jsonschema_on_mutated_corpus_definitions() -> None:
    rng = random.Random(7)
    paths = sorted(SHARED_CASES.glob("**/*.json"))
    for path in rng.sample(paths, 150):
        definition = json.loads(path.read_text(encoding="utf-8"))["definition"]
        assert _ours(definition) == _reference(definition) == set()
        mutated = _mutate(definition, rng)
        assert _ours(mutated) == _reference(mutated), f"{path.name}: {json.dumps(mutated)[:300]}"


def _generated(count: int) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for index in range(count):
        flow = {"Next": f"S{index + 1}"} if index < count - 1 else {"End": True}
        kind = index % 4
        if kind == 0:
            state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"x.$": "$.a"},
                     "TimeoutSeconds": 30, "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
                     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": f"S{count - 1}"}], **flow}
        elif kind == 1:
            target = flow.get("Next", "S0")
            state = {"Type": "Choice", "Default": target, "Choices": [
                {"Variable": "$.a", "NumericEquals": 1, "Next": target},
                {"And": [{"Variable": "$.b", "IsPresent": True}, {"Variable": "$.c", "StringEquals": "x"}],
                 "Next": target}]}
        elif kind == 2:
            state = {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 4, **flow, "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}
        else:
            state = {"Type": "Pass", "Result": {"i": index}, "ResultPath": "$.r", **flow}
        states[f"S{index}"] = state
    return {"StartAt": "S0", "States": states}


def test_a_1000_state_definition_validates_clean() -> None:
    # Speed is measured by benchmarks/lint_bench.py, not asserted here (shared machines are noisy).
    from statewright.lint.context import LintContext

    assert list(schema_findings(LintContext(_generated(1000)))) == []


def test_errors_in_a_1000_state_definition_are_all_found() -> None:
    from statewright.lint.context import LintContext

    definition = _generated(1000)
    definition["States"]["S500"]["TimeoutSeconds"] = "soon"
    definition["States"]["S3"]["Nxt"] = "S4"
    found = list(schema_findings(LintContext(definition)))
    assert sorted(code for code, _ in found) == ["SW102", "SW103"]


def test_codes_are_registered_with_ruff_style_docs() -> None:
    for code in ("SW101", "SW102", "SW103", "SW104", "SW801"):
        rule = RULES[code]
        assert rule.check is None, "the schema pass reports these codes itself"
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert section in rule.doc, f"{code} doc lacks {section}"
    assert [RULES[c].name for c in ("SW101", "SW102", "SW103", "SW104", "SW801")] == [
        "missing-required-field", "unknown-field", "wrong-type", "invalid-value", "placeholder-in-typed-field"]


def test_lint_value_reports_schema_diagnostics_with_severity() -> None:
    from statewright.lint import lint_value

    definition = {"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "${Fn}", "TimeoutSeconds": "${Timeout}", "End": True}}}
    schema_codes = [(d.code, str(d.severity)) for d in lint_value(definition) if d.code in RULES
                    and RULES[d.code].check is None]
    assert schema_codes == [("SW801", "warning")]
