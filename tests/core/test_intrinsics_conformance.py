"""Calibration against AWS: the intrinsic calls in the shared conformance cases, evaluated directly.

Each case under ``../shared/conformance/cases/intrinsic_functions`` is an execution AWS recorded. Where
the machine is one JSONPath Pass state whose ``Parameters`` hold the calls, the state's output can be
computed with the core alone (no interpreter): evaluate every ``.$`` value, apply ResultPath and
OutputPath, compare with what AWS returned. Other cases are skipped with their reason; the
interpreter's conformance runner covers them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from statewright.core.intrinsics import SeededRandom, is_intrinsic, parse_intrinsic
from statewright.core.jsonpath import json_equal, parse_path, set_reference_path

CASES = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "cases" / "intrinsic_functions"
CASE_FILES = sorted(CASES.glob("*.json")) if CASES.is_dir() else []


def _skip_reason(case: dict[str, Any]) -> str | None:
    definition = case["definition"]
    text = json.dumps(definition)
    if "JSONata" in text or "{%" in text:
        return "a JSONata case: this harness evaluates JSONPath templates only (conformance-tests runs every case)"
    states = definition.get("States", {})
    if len(states) != 1:
        return "more than one state: needs the interpreter"
    state = next(iter(states.values()))
    if state.get("Type") != "Pass" or not isinstance(state.get("Parameters"), dict) or "InputPath" in state:
        return "not a single Pass state with Parameters"
    if case["expected"]["status"] != "SUCCEEDED":
        return "a failed execution: the cause text is the interpreter's"
    return None


def _context(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "Execution": {"Id": "arn:aws:states:us-east-1:111111111111:execution:sm:exec", "Input": case["input"],
                      "Name": "exec", "StartTime": "2024-01-01T00:00:00Z"},
        "StateMachine": {"Id": "arn:aws:states:us-east-1:111111111111:stateMachine:sm", "Name": "sm"},
        "State": {"Name": next(iter(case["definition"]["States"])), "EnteredTime": "2024-01-01T00:00:00Z"},
    }


def _template(value: Any, input: Any, context: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key.endswith(".$") and isinstance(item, str):
                if is_intrinsic(item):
                    out[key[:-2]] = parse_intrinsic(item).evaluate(input, context, {}, SeededRandom(0))
                else:
                    out[key[:-2]] = parse_path(item).resolve(input, context, {})
            else:
                out[key] = _template(item, input, context)
        return out
    if isinstance(value, list):
        return [_template(item, input, context) for item in value]
    return value


def _matches(actual: Any, expected: Any, wildcards: set[str]) -> bool:
    if isinstance(expected, str) and expected in wildcards:
        return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and actual.keys() == expected.keys() and all(
            _matches(actual[key], expected[key], wildcards) for key in expected)
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            _matches(a, e, wildcards) for a, e in zip(actual, expected, strict=True))
    return json_equal(actual, expected)


@pytest.mark.skipif(not CASE_FILES, reason="the shared conformance corpus is not next to this checkout")
@pytest.mark.parametrize("case_file", CASE_FILES, ids=lambda p: p.stem[len("intrinsic_functions_test_"):][:90])
def test_intrinsics_match_aws(case_file: Path) -> None:
    case = json.loads(case_file.read_text(encoding="utf-8"))
    reason = _skip_reason(case)
    if reason:
        pytest.skip(reason)
    state = next(iter(case["definition"]["States"].values()))
    input = case["input"]
    result = _template(state["Parameters"], input, _context(case))
    result_path = state.get("ResultPath", "$")
    output = input if result_path is None else set_reference_path(input, result_path, result)
    if "OutputPath" in state:
        output = {} if state["OutputPath"] is None else parse_path(state["OutputPath"]).get(output)
    assert _matches(output, case["expected"]["output"], set(case.get("wildcards") or ())), (output, case["expected"])


def test_the_calibration_covers_most_cases() -> None:
    if not CASE_FILES:
        pytest.skip("the shared conformance corpus is not next to this checkout")
    direct = [path for path in CASE_FILES if _skip_reason(json.loads(path.read_text(encoding="utf-8"))) is None]
    assert len(direct) >= 80
