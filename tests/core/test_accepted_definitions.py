"""No false alarms: every path and intrinsic call in a definition AWS accepted must parse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from statewright.core.intrinsics import is_intrinsic, parse_intrinsic
from statewright.core.jsonpath import parse_path

SHARED = Path(__file__).resolve().parents[3] / "shared" / "conformance"
PATH_KEYS = ("InputPath", "OutputPath", "ResultPath", "ItemsPath", "SecondsPath", "TimestampPath", "Variable",
             "ErrorPath", "CausePath", "MaxConcurrencyPath", "ToleratedFailureCountPath",
             "ToleratedFailurePercentagePath", "TimeoutSecondsPath", "HeartbeatSecondsPath")


def _definitions() -> Iterator[tuple[str, Any]]:
    for path in sorted(SHARED.glob("cases/*/*.json")):
        yield path.stem, json.loads(path.read_text(encoding="utf-8"))["definition"]
    for path in sorted(SHARED.glob("lint/*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if case["expected"]["valid"] and case["definition"] is not None:
            yield path.stem, case["definition"]


def _expressions(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("QueryLanguage") == "JSONata":
            return
        for key, value in node.items():
            if key == "Result":
                continue  # a literal: ".$" keys inside it are not evaluated
            if isinstance(value, str) and (key.endswith(".$") or key in PATH_KEYS or key.endswith("Path.$")):
                yield value
            else:
                yield from _expressions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _expressions(item)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared conformance corpus is not next to this checkout")
def test_every_expression_in_accepted_definitions_parses() -> None:
    checked = 0
    for name, definition in _definitions():
        for text in _expressions(definition):
            if text.startswith("{%"):
                continue
            if is_intrinsic(text):
                parse_intrinsic(text)
            else:
                assert text.startswith("$"), (name, text)
                parse_path(text)
            checked += 1
    assert checked > 500
