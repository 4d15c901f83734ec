"""The semantic rules against definitions AWS itself judged (../shared/conformance).

Every execution case's definition ran on AWS, and every ``lint/`` file with ``expected.valid`` true was
accepted: the semantic rules must report no error on any of them (warnings are allowed). The rejected
files whose reason is semantic (timestamps, intrinsic escapes, query language) must get an error from
them; rejections for missing or unknown fields are the schema pass's and are checked with the whole lint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from statewright.lint.engine import INTERNAL_ERROR_CODE, lint_value
from statewright.lint.registry import RULES, all_rules
from tests.shared import SKIP_REASON, shared_conformance_dir

SHARED = shared_conformance_dir()
# AWS's reasons that the semantic rules (not the schema pass) must recognise.
SEMANTIC_REJECTIONS = ("RFC3339", "valid JSONPath or a valid intrinsic", "'QueryLanguage' can not be")


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _files(sub: str) -> list[Path]:
    return sorted((SHARED / sub).rglob("*.json")) if SHARED else []


def _semantic_errors(definition: Any) -> list[str]:
    all_rules()
    return [
        f"{d.code} {d.pointer}: {d.message}"
        for d in lint_value(definition)
        if d.is_error and (d.code == INTERNAL_ERROR_CODE or (d.code in RULES and RULES[d.code].check is not None))
    ]


def _reason(case: dict[str, Any]) -> str:
    expected = case["expected"]
    texts = [(expected.get("create_error") or {}).get("message", "")]
    texts += [d.get("message", "") for d in expected.get("diagnostics") or []]
    return " ".join(t for t in texts if t)


@pytest.mark.skipif(SHARED is None, reason=SKIP_REASON)
def test_no_semantic_error_on_any_executed_definition() -> None:
    files = _files("cases")
    assert files, "no execution cases found"
    flagged = {}
    for path in files:
        errors = _semantic_errors(_load(path)["definition"])
        if errors:
            flagged[path.name] = errors
    assert not flagged, f"{len(flagged)} of {len(files)} AWS-accepted definitions flagged: {flagged}"


@pytest.mark.skipif(SHARED is None, reason=SKIP_REASON)
@pytest.mark.parametrize("path", _files("lint"), ids=lambda p: p.stem[-50:])
def test_judged_lint_case(path: Path) -> None:
    case = _load(path)
    definition = case["definition"]
    if not isinstance(definition, dict):
        pytest.skip("not a JSON object: the reader's case, not the rules'")
    if case["expected"]["valid"]:
        assert _semantic_errors(definition) == []
        return
    assert [d for d in lint_value(definition) if d.is_error], f"AWS rejected it: {_reason(case)}"
    if any(marker in _reason(case) for marker in SEMANTIC_REJECTIONS):
        assert _semantic_errors(definition), f"AWS rejected it for a semantic reason: {_reason(case)}"
