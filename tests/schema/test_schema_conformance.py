"""The schema pass against definitions AWS accepted or rejected (../shared/conformance)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from statewright.lint.context import LintContext
from statewright.lint.schema_pass import schema_findings
from tests.shared import SKIP_REASON, shared_conformance_dir

SHARED = shared_conformance_dir() or Path("/nonexistent")
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=SKIP_REASON)


def _files(pattern: str) -> list[Path]:
    return sorted(SHARED.glob(pattern)) if SHARED.is_dir() else []


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _lint_cases(valid: bool) -> list[Path]:
    return [p for p in _files("lint/*.json") if _load(p)["expected"]["valid"] is valid]


# Rejected lint cases whose problem is one of structure (what the schema checks). The others (a timestamp
# that is not RFC 3339, a bad intrinsic, a query-language downgrade, text that is not JSON) are for the
# reader and the semantic rules.
SCHEMA_PROBLEMS = ("missing-States", "missing-StartAt", "empty", "Credentials-without-RoleArn")


def _schema_problem(definition: Any) -> str | None:
    if not isinstance(definition, dict):
        return None
    if definition == {}:
        return "empty"
    if "StartAt" not in definition:
        return "missing-StartAt"
    if "States" not in definition:
        return "missing-States"
    for state in definition["States"].values():
        credentials = state.get("Credentials")
        if isinstance(credentials, dict) and not {"RoleArn", "RoleArn.$"} & set(credentials):
            return "Credentials-without-RoleArn"
    return None


def test_corpus_is_complete() -> None:
    assert len(_files("cases/**/*.json")) >= 638
    assert len(_lint_cases(valid=True)) >= 1


@pytest.mark.parametrize("path", _files("cases/**/*.json"), ids=lambda p: p.stem[:80])
def test_accepted_execution_definitions_have_no_schema_finding(path: Path) -> None:
    findings = list(schema_findings(LintContext(_load(path)["definition"])))
    assert findings == []


@pytest.mark.parametrize("path", _lint_cases(valid=True), ids=lambda p: p.stem[:80])
def test_accepted_lint_definitions_have_no_schema_finding(path: Path) -> None:
    assert list(schema_findings(LintContext(_load(path)["definition"]))) == []


def test_rejected_schema_problems_each_get_an_sw1xx_error() -> None:
    seen: set[str] = set()
    for path in _lint_cases(valid=False):
        definition = _load(path)["definition"]
        problem = _schema_problem(definition)
        if problem is None:
            continue
        seen.add(problem)
        codes = [code for code, _ in schema_findings(LintContext(definition))]
        assert any(code.startswith("SW1") for code in codes), f"{path.name}: no schema error ({codes})"
    assert seen == set(SCHEMA_PROBLEMS), f"expected every kind of schema problem in the corpus, saw {seen}"
