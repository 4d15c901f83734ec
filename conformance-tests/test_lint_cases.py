"""Statewright's own lint cases (conformance-tests/lint/*.json), run through ``lint_value``.

Each file: ``{"description", "cases": [{"description", "definition", "valid", "codes"}]}``, and a case may
name its ``workflow_type`` (``STANDARD``, the default, or ``EXPRESS``: lint's ``--type``). ``codes`` is
the exact set of semantic-rule codes (errors and warnings) the definition must produce; ``valid`` says
whether it is free of errors (from any pass). Codes of the reader and the schema pass (SW0xx, SW1xx,
SW801) are left out of the comparison so these cases stay about the semantic rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from statewright.lint.engine import lint_value
from statewright.lint.registry import RULES, all_rules

CASES_DIR = Path(__file__).resolve().parent / "lint"


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        for index, case in enumerate(suite["cases"]):
            params.append(pytest.param(case, id=f"{path.stem}[{index}] {case['description']}"))
    return params


def _semantic(code: str) -> bool:
    """A code of a semantic rule (registered with a check), not of the reader or the schema pass."""
    registered = RULES.get(code)
    return registered is not None and registered.check is not None


@pytest.mark.parametrize("case", _cases())
def test_lint_case(case: dict[str, Any]) -> None:
    diagnostics = lint_value(case["definition"], workflow_type=case.get("workflow_type", "STANDARD"))
    produced = {d.code for d in diagnostics if _semantic(d.code)}
    assert produced == set(case["codes"]), [f"{d.code} {d.message}" for d in diagnostics]
    errors = [f"{d.code} {d.message}" for d in diagnostics if d.is_error]
    if case["valid"]:
        assert not errors
    else:
        assert errors


def test_every_rule_has_a_case_that_triggers_it() -> None:
    failing: set[str] = set()
    for path in CASES_DIR.glob("*.json"):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            failing.update(case["codes"])
    rules = [r.code for r in all_rules() if r.check is not None]
    missing = [code for code in rules if code not in failing]
    assert not missing, f"rules without a case that triggers them: {missing}"
