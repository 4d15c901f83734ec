"""Calibration against AWS: every recorded ``choice_operators`` case, decided by the compiled rules alone.

Each case under ``../shared/conformance/cases/choice_operators`` is an execution AWS ran: a Choice
state (the ``StartAt``) whose rules send the input to one of several end states, each of which
returns a distinct marker. From the recorded output we know which state AWS went to; the test
compiles the Choice rules, evaluates them on the case's input (after the state's ``InputPath``)
and checks that the first matching rule (or ``Default``) leads to that state. A failed execution
must make the rules raise the recorded error. Cases this shape cannot decide are skipped with
their reason; the interpreter's conformance runner covers them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from statewright.core.choice import compile_choice_rules
from statewright.core.errors import StatesError
from statewright.core.jsonpath import json_equal, parse_path
from tests.shared import SKIP_REASON, shared_conformance_dir

SHARED = shared_conformance_dir()
CASES = SHARED / "cases" / "choice_operators" if SHARED else Path("/nonexistent")
CASE_FILES = sorted(CASES.glob("*.json")) if CASES.is_dir() else []


def _marker(state: dict[str, Any]) -> tuple[bool, Any]:
    """The output an end state produces on its own, if it does not depend on its input."""
    fixed = state.get("Type") == "Pass" and state.get("End") and "Result" in state
    if fixed and not any(key in state for key in ("ResultPath", "OutputPath", "InputPath", "Parameters")):
        return True, state["Result"]
    return False, None


def _expected_target(case: dict[str, Any]) -> tuple[str | None, str | None]:
    """(target state name, skip reason) from the recorded output."""
    definition = case["definition"]
    states = definition.get("States", {})
    output = case["expected"].get("output")
    targets = []
    for name, state in states.items():
        if name == definition.get("StartAt"):
            continue
        known, marker = _marker(state)
        if not known:
            return None, f"state '{name}' does not return a fixed marker"
        if json_equal(marker, output):
            targets.append(name)
    if len(targets) != 1:
        return None, f"the recorded output matches {len(targets)} end states"
    return targets[0], None


def _skip_reason(case: dict[str, Any]) -> str | None:
    definition = case["definition"]
    if definition.get("QueryLanguage") == "JSONata":
        return "JSONata Condition rules are evaluated by the interpreter"
    start = definition.get("States", {}).get(definition.get("StartAt"), {})
    if start.get("Type") != "Choice":
        return "the machine does not start with its Choice state"
    if start.get("QueryLanguage") == "JSONata":
        return "JSONata Condition rules are evaluated by the interpreter"
    if case["expected"]["status"] == "SUCCEEDED":
        return _expected_target(case)[1]
    if case["expected"]["status"] != "FAILED":
        return f"status {case['expected']['status']}"
    return None


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _context(case: dict[str, Any]) -> dict[str, Any]:
    # Enough of $$ for rules that read it; a case recorded with placeholders skips itself.
    return {"Execution": {"Input": case["input"]}, "State": {"Name": case["definition"]["StartAt"]}}


@pytest.mark.skipif(not CASE_FILES, reason=SKIP_REASON)
@pytest.mark.parametrize("path", CASE_FILES, ids=[path.stem for path in CASE_FILES])
def test_recorded_choice(path: Path) -> None:
    case = _load(path)
    reason = _skip_reason(case)
    if reason:
        pytest.skip(reason)
    definition = case["definition"]
    state = definition["States"][definition["StartAt"]]
    rules = compile_choice_rules(state["Choices"])
    effective = case["input"]
    if state.get("InputPath", "$") is not None:
        effective = parse_path(state.get("InputPath", "$")).resolve(effective, _context(case))
    else:
        effective = {}
    expected = case["expected"]

    def decide() -> str | None:
        for rule in rules:
            if rule.matches(effective, lambda: _context(case)):
                return rule.next
        return state.get("Default")

    if expected["status"] == "FAILED":
        with pytest.raises(StatesError) as failure:
            decide()
        assert failure.value.error == expected.get("error")
        if expected.get("cause"):
            assert failure.value.cause in expected["cause"]
        return
    target, _ = _expected_target(case)
    assert decide() == target


def test_corpus_is_mostly_decidable() -> None:
    """Guard against the runner silently skipping everything when the case format changes."""
    if not CASE_FILES:
        pytest.skip(SKIP_REASON)
    decided = sum(_skip_reason(_load(path)) is None for path in CASE_FILES)
    assert decided >= 0.95 * len(CASE_FILES)
