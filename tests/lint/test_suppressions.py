"""`# statewright: ignore[...]` comments: which lines and codes they hide, and where they do not apply."""

from __future__ import annotations

import json

from statewright.lint.engine import lint_source
from statewright.lint.suppressions import find_suppressions

BROKEN = "StartAt: A\nStates:\n  A: {Type: Pass, Next: Gone}COMMENT\n"
PLAIN = BROKEN.replace("COMMENT", "")


def _codes(text: str, filename: str = "t.asl.yaml", **options) -> list[str]:
    return [d.code for d in lint_source(text, filename=filename, **options)]


def test_a_comment_hides_only_the_codes_it_names_on_its_own_line() -> None:
    assert _codes(PLAIN, inline_ignores=True) == ["SW202"]
    assert _codes(BROKEN.replace("COMMENT", "  # statewright: ignore[SW202]"), inline_ignores=True) == []
    assert _codes(BROKEN.replace("COMMENT", "  #statewright:ignore[sw203,SW202]"), inline_ignores=True) == []
    assert _codes(BROKEN.replace("COMMENT", "  # statewright: ignore[SW203]"), inline_ignores=True) == ["SW202"]
    assert _codes(BROKEN.replace("COMMENT", "  # statewright: ignore[SW2]"), inline_ignores=True) == ["SW202"]  # exact
    assert _codes(BROKEN.replace("COMMENT", "  # statewright: ignore"), inline_ignores=True) == []
    moved = "# statewright: ignore[SW202]\n" + PLAIN  # on another line: no effect
    assert _codes(moved, inline_ignores=True) == ["SW202"]


def test_not_a_comment_without_the_space_before_the_hash() -> None:
    text = "StartAt: A\nStates:\n  A: {Type: Pass, Next: Gone#statewright:ignore}\n"
    assert find_suppressions(text).lines == {}
    assert _codes(text, inline_ignores=True) == ["SW202"]


def test_ignore_file() -> None:
    assert _codes("# statewright: ignore-file[SW202]\n" + PLAIN, inline_ignores=True) == []
    assert _codes(PLAIN + "# statewright: ignore-file\n", inline_ignores=True) == []
    assert _codes("# statewright: ignore-file[SW201]\n" + PLAIN, inline_ignores=True) == ["SW202"]


def test_off_unless_asked_so_that_load_never_passes_a_hidden_error() -> None:
    assert _codes(BROKEN.replace("COMMENT", "  # statewright: ignore[SW202]")) == ["SW202"]


def test_json_has_no_comments() -> None:
    text = json.dumps({"Comment": "x # statewright: ignore-file", "StartAt": "A",
                       "States": {"A": {"Type": "Pass", "Next": "Gone"}}})
    assert _codes(text, filename="t.asl.json", inline_ignores=True) == ["SW202"]
