"""Every example under examples/ is checked: the real ones lint clean, the broken one fails as README shows."""

from __future__ import annotations

from pathlib import Path

import pytest

import statewright

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DEFINITIONS = sorted(p for p in EXAMPLES.rglob("*.asl.*") if "invalid" not in p.parts)


def test_there_are_at_least_five_real_examples() -> None:
    assert len(DEFINITIONS) >= 5, DEFINITIONS


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_example_lints_clean(path: Path) -> None:
    errors = [d for d in statewright.lint(path) if d.is_error]
    assert errors == []
    statewright.load(path)  # and loads


def test_the_invalid_example_reports_several_distinct_errors() -> None:
    broken = sorted((EXAMPLES / "invalid").glob("*.asl.*"))
    assert broken, "examples/invalid/ must hold the deliberately broken definition"
    diagnostics = statewright.lint(broken[0])
    codes = {d.code for d in diagnostics if d.is_error}
    assert len(codes) >= 4, codes
    with pytest.raises(statewright.DefinitionError) as raised:
        statewright.load(broken[0])
    assert raised.value.diagnostics == diagnostics
