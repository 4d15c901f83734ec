"""Every node's position, by JSON Pointer, for YAML and JSON."""

from __future__ import annotations

import json

import pytest

from statewright.source import Span, parse_source

YAML_TEXT = """\
StartAt: First
States:
  First:
    Type: Pass
    Parameters:
      a/b: 1
      c~d: [x, {e: é}]
    Next: Last
  "Last": {Type: Succeed}
"""

# (pointer, value span, key span) with 1-based lines and columns, end exclusive.
YAML_EXPECTED = [
    ("/StartAt", Span(1, 10, 1, 15), Span(1, 1, 1, 8)),
    ("/States/First/Type", Span(4, 11, 4, 15), Span(4, 5, 4, 9)),
    ("/States/First/Parameters/a~1b", Span(6, 12, 6, 13), Span(6, 7, 6, 10)),
    ("/States/First/Parameters/c~0d", Span(7, 12, 7, 23), Span(7, 7, 7, 10)),
    ("/States/First/Parameters/c~0d/0", Span(7, 13, 7, 14), None),
    ("/States/First/Parameters/c~0d/1/e", Span(7, 20, 7, 21), Span(7, 17, 7, 18)),
    ("/States/Last", Span(9, 11, 9, 26), Span(9, 3, 9, 9)),
    ("/States/Last/Type", Span(9, 18, 9, 25), Span(9, 12, 9, 16)),
]


@pytest.mark.parametrize(("pointer", "value_span", "key_span"), YAML_EXPECTED)
def test_yaml_positions(pointer: str, value_span: Span, key_span: Span | None, yaml_parser: type) -> None:
    document = parse_source(YAML_TEXT, filename="x.yaml")
    assert document.span(pointer) == value_span
    assert document.key_span(pointer) == (key_span or value_span)


def test_yaml_block_collection_spans_start_at_their_first_key(yaml_parser: type) -> None:
    document = parse_source(YAML_TEXT, filename="x.yaml")
    first = document.span("/States/First")
    assert (first.line, first.column) == (4, 5)
    assert document.key_span("/States/First") == Span(3, 3, 3, 8)
    root = document.span("")
    assert (root.line, root.column) == (1, 1)
    assert document.key_span("") == document.span("")


def test_missing_pointer_falls_back_to_nearest_ancestor(yaml_parser: type) -> None:
    document = parse_source(YAML_TEXT, filename="x.yaml")
    assert document.span("/States/First/Missing/deeper") == document.span("/States/First")
    assert document.span("/States/First/Parameters/c~0d/9") == document.span("/States/First/Parameters/c~0d")


def test_positions_of_aliased_and_merged_values(yaml_parser: type) -> None:
    text = "base: &b {Type: Pass}\nA:\n  <<: *b\n  Next: B\nC: *b\n"
    document = parse_source(text, filename="x.yaml")
    assert document.span("/C") == Span(5, 4, 5, 6)  # where the alias stands
    assert document.span("/C/Type") == Span(5, 4, 5, 6)  # inside an alias: the alias itself
    assert document.key_span("/A/Next") == Span(4, 3, 4, 7)


JSON_TEXT = """{
  "StartAt": "First",
  "States": {
    "First": {"Type": "Pass", "Parameters": {"a/b": 1, "c~d": ["x", {"e": "\\u00e9"}]}, "Next": "Last"},
    "Last": {"Type": "Succeed"}
  },
  "": [],
  "q\\"uote": null
}"""

JSON_EXPECTED = [
    ("", Span(1, 1, 9, 2), None),
    ("/StartAt", Span(2, 14, 2, 21), Span(2, 3, 2, 12)),
    ("/States/First/Type", Span(4, 23, 4, 29), Span(4, 15, 4, 21)),
    ("/States/First/Parameters/a~1b", Span(4, 53, 4, 54), Span(4, 46, 4, 51)),
    ("/States/First/Parameters/c~0d", Span(4, 63, 4, 85), Span(4, 56, 4, 61)),
    ("/States/First/Parameters/c~0d/0", Span(4, 64, 4, 67), None),
    ("/States/First/Parameters/c~0d/1/e", Span(4, 75, 4, 83), Span(4, 70, 4, 73)),
    ("/States/Last", Span(5, 13, 5, 32), Span(5, 5, 5, 11)),
    ("/", Span(7, 7, 7, 9), Span(7, 3, 7, 5)),
    ('/q"uote', Span(8, 14, 8, 18), Span(8, 3, 8, 12)),
]


@pytest.mark.parametrize(("pointer", "value_span", "key_span"), JSON_EXPECTED)
def test_json_positions(pointer: str, value_span: Span, key_span: Span | None) -> None:
    document = parse_source(JSON_TEXT, filename="x.json")
    assert document.span(pointer) == value_span
    assert document.key_span(pointer) == (key_span or value_span)


@pytest.mark.parametrize("pointer", ["/States/First/Parameters/c~0d/01", "/States/First/Parameters/c~0d/-",
                                     "/StartAt/x", "/nope"])
def test_json_missing_pointers_fall_back(pointer: str) -> None:
    document = parse_source(JSON_TEXT, filename="x.json")
    parent = pointer.rsplit("/", 1)[0]
    assert document.span(pointer) == document.span(parent)


def test_json_positions_agree_with_the_text_for_every_node() -> None:
    value = {"A": {"B": [1, {"C~/": "x"}, [True, None]], "D": "é" * 3}, "E": 2.5}
    text = json.dumps(value, indent=3, ensure_ascii=False)
    document = parse_source(text)
    lines = text.splitlines()

    def slice_of(span: Span) -> str:
        assert span.line == span.end_line
        return lines[span.line - 1][span.column - 1 : span.end_column - 1]

    assert slice_of(document.span("/A/B/1/C~0~1")) == '"x"'
    assert slice_of(document.key_span("/A/B/1/C~0~1")) == '"C~/"'
    assert slice_of(document.span("/A/B/2/1")) == "null"
    assert slice_of(document.span("/A/D")) == '"ééé"'
    assert slice_of(document.span("/E")) == "2.5"
