"""Fuzzing the reader: whatever the input, a Document or a SourceError, never anything else."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statewright.source import Document, SourceError, parse_source
from statewright.source.document import pointer_of

YAML_DEFINITION = """\
Comment: "Fuzz seed"
StartAt: Check
retry: &retry
  - ErrorEquals: [States.ALL]
    IntervalSeconds: 2
    BackoffRate: 1.5
States:
  Check:
    Type: Choice
    Choices:
      - Variable: $.ok
        BooleanEquals: true
        Next: On
    Default: "Off"
  On:
    Type: Task
    Resource: arn:aws:states:::lambda:invoke
    Parameters: {FunctionName: f, Payload.$: $}
    Retry: *retry
    <<: {TimeoutSeconds: 30}
    Next: "Off"
  "Off": {Type: Succeed}
"""
JSON_DEFINITION = json.dumps(
    {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Result": {"x": [1, 2.5, None, True], "y~/": "é"}, "Next": "B"},
            "B": {"Type": "Wait", "Seconds": 10, "End": True},
        },
    },
    indent=2,
    ensure_ascii=False,
)
# Characters that mean something to YAML or JSON, so mutations reach the interesting code paths.
SIGNIFICANT = [*"{}[]:,-?&*!|>'\"#%@`~\\/ \t\n\r\x00\x85\ufeff<", "---", "...", "<<", "!!", "NaN", "1e999"]


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> str:
    text = seed
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "replace"]))
        if kind == "insert":
            piece = draw(st.sampled_from(SIGNIFICANT) | st.text(max_size=4))
            text = text[:at] + piece + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        elif kind == "duplicate":
            end = min(len(text), at + draw(st.integers(1, 80)))
            text = text[:end] + text[at:end] + text[end:]
        else:
            text = text[:at] + draw(st.sampled_from(SIGNIFICANT)) + text[at + 1 :]
    return text


def check(source: str | bytes, filename: str | None = None) -> None:
    try:
        document = parse_source(source, filename=filename)
    except SourceError as error:
        assert error.code in {"SW001", "SW002", "SW003", "SW004", "SW005", "SW006", "SW007", "SW009"}
        assert error.span.line >= 1 and error.span.column >= 1
        str(error)
        return
    assert isinstance(document, Document)
    assert_plain_json(document.value)
    for pointer in sample_pointers(document.value):
        span = document.span(pointer)
        assert span.line >= 1 and span.column >= 1
        document.key_span(pointer)


def assert_plain_json(value: Any) -> None:
    pending = [value]
    seen = 0
    while pending and seen < 10_000:
        node = pending.pop()
        seen += 1
        if isinstance(node, dict):
            assert all(isinstance(key, str) for key in node)
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, float):
            assert math.isfinite(node)
        else:
            assert node is None or isinstance(node, (str, int, bool))


def sample_pointers(value: Any, limit: int = 30) -> list[str]:
    found: list[str] = [""]
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while pending and len(found) < limit:
        node, path = pending.pop()
        if isinstance(node, dict):
            children: Any = node.items()
        else:
            children = enumerate(node) if isinstance(node, list) else ()
        for token, child in children:
            found.append(pointer_of(*path, token))
            pending.append((child, (*path, token)))
    return [*found, "/missing/deeper"]


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=300), st.sampled_from([None, "x.json", "x.yaml"]))
def test_random_text(text: str, filename: str | None) -> None:
    check(text, filename)


@FUZZ
@given(st.binary(max_size=300), st.sampled_from([None, "x.json", "x.yaml"]))
def test_random_bytes(data: bytes, filename: str | None) -> None:
    check(data, filename)


@FUZZ
@given(mutated(YAML_DEFINITION), st.sampled_from([None, "x.yaml"]), st.booleans())
def test_mutated_yaml(text: str, filename: str | None, as_bytes: bool) -> None:
    check(text.encode("utf-8", "surrogatepass") if as_bytes else text, filename)


@FUZZ
@given(mutated(JSON_DEFINITION), st.sampled_from([None, "x.json", "x.yaml"]), st.booleans())
def test_mutated_json(text: str, filename: str | None, as_bytes: bool) -> None:
    check(text.encode("utf-8", "surrogatepass") if as_bytes else text, filename)


@FUZZ
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=30,
))
def test_any_json_value_round_trips(value: Any) -> None:
    document = parse_source(json.dumps(value), filename="x.json")
    assert document.value == value
    check(json.dumps(value, indent=1), "x.json")
