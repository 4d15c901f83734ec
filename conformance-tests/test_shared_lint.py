"""Lint conformance against definitions AWS itself accepted or rejected (../shared/conformance).

AWS accepted every execution case's definition, and judged each file under ``lint/``. Statewright must
report no error on any accepted definition and at least one error on every rejected one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.shared import SKIP_REASON, shared_conformance_dir

from statewright.lint import lint_source

SHARED = shared_conformance_dir()


def _files(sub: str) -> list[Path]:
    if SHARED is None:
        return []
    return sorted((SHARED / sub).rglob("*.json"))


def _id(path: Path) -> str:
    return path.stem[-60:]


LINT_FILES = _files("lint")
CASE_FILES = _files("cases")


def _errors(text: str) -> list[str]:
    return [f"{d.code}@{d.pointer}: {d.message}" for d in lint_source(text, filename="definition.json")
            if d.is_error]


@pytest.mark.skipif(SHARED is None, reason=SKIP_REASON)
@pytest.mark.parametrize("path", LINT_FILES, ids=_id)
def test_lint_case_judged_as_aws_did(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    errors = _errors(case["definition_text"])
    if case["expected"]["valid"]:
        assert errors == [], f"AWS accepted this definition: {case['definition_text']}"
    else:
        assert errors, f"AWS rejected this definition ({case['expected']}), Statewright reported no error"


@pytest.mark.skipif(SHARED is None, reason=SKIP_REASON)
@pytest.mark.parametrize("path", CASE_FILES, ids=_id)
def test_executed_definition_lints_clean(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    errors = _errors(json.dumps(case["definition"]))
    assert errors == [], f"AWS accepted and ran this definition ({case['id']})"
