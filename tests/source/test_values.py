"""YAML and JSON decode to the same plain values; YAML by the 1.2 core schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from statewright.source import Document, SourceError, parse_source

DEFINITION_YAML = """\
Comment: Orders
StartAt: Check
States:
  Check:
    Type: Choice
    Choices:
      - Variable: $.ok
        BooleanEquals: true
        Next: Done
    Default: Done
  Done:
    Type: Succeed
    TimeoutSeconds: 30
    Ratio: 1.5
    Nothing: null
"""


def test_yaml_and_json_give_the_same_value(yaml_parser: type) -> None:
    from_yaml = parse_source(DEFINITION_YAML, filename="order.yaml")
    from_json = parse_source(json.dumps(from_yaml.value), filename="order.asl.json")
    assert from_yaml.format == "yaml"
    assert from_json.format == "json"
    assert from_json.value == from_yaml.value
    assert from_yaml.value["States"]["Done"] == {
        "Type": "Succeed", "TimeoutSeconds": 30, "Ratio": 1.5, "Nothing": None,
    }
    assert from_yaml.value["States"]["Check"]["Choices"][0]["BooleanEquals"] is True


def test_document_keeps_text_and_filename(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_bytes(b"\xef\xbb\xbfStartAt: A\n")  # with a UTF-8 BOM
    document = parse_source(path.read_bytes(), filename=str(path))
    assert isinstance(document, Document)
    assert document.value == {"StartAt": "A"}
    assert document.text == "StartAt: A\n"
    assert document.filename == str(path)


@pytest.mark.parametrize(
    ("text", "filename", "forced", "expected"),
    [
        ('{"a": 1}', None, None, "json"),
        ('  \n[1]', None, None, "json"),
        ("a: 1", None, None, "yaml"),
        ("a: 1", "x.yml", None, "yaml"),
        ("{a: 1}", "x.yaml", None, "yaml"),
        ("{a: 1}", "X.YAML", None, "yaml"),
        ('{"a": 1}', "machine.asl.json", None, "json"),
        ('{"a": 1}', "machine.asl", None, "json"),
        ("a: 1", "machine.txt", None, "yaml"),
        ("[1]", "flows.v2/machine", None, "json"),
        ("{a: 1}", "C:\\flows.json\\machine.yml", None, "yaml"),
        ("{a: 1}", "x.json", "yaml", "yaml"),
        ("[1]", None, "YAML", "yaml"),
    ],
)
def test_format_choice(text: str, filename: str | None, forced: str | None, expected: str) -> None:
    assert parse_source(text, filename=filename, format=forced).format == expected


def test_unknown_format_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="format"):
        parse_source("a: 1", format="toml")


def test_json_shaped_text_without_filename_is_json() -> None:
    with pytest.raises(SourceError) as caught:
        parse_source("{a: 1}")
    assert caught.value.code == "SW001"


@pytest.mark.parametrize("word", ["On", "Off", "Yes", "No", "y", "n", "Y", "N", "on", "off", "yes", "no"])
def test_yaml_11_booleans_stay_strings_as_keys_and_values(word: str, yaml_parser: type) -> None:
    document = parse_source(f"{word}: {word}\nStates:\n  {word}:\n    Next: {word}\n", filename="x.yaml")
    assert document.value == {word: word, "States": {word: {"Next": word}}}


@pytest.mark.parametrize(
    ("plain", "expected"),
    [
        ("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False), ("FALSE", False),
        ("null", None), ("Null", None), ("NULL", None), ("~", None), ("", None),
        ("0", 0), ("-12", -12), ("+7", 7), ("0777", 777), ("0o17", 15), ("0x1F", 31),
        ("1.5", 1.5), ("-2e3", -2000.0), (".5", 0.5), ("1.", 1.0), ("6.02E23", 6.02e23),
        ("1_000", "1_000"), ("0b101", "0b101"), ("0o8", "0o8"), ("-0x1", "-0x1"), ("12:30", "12:30"),
        ("2024-01-01", "2024-01-01"), (".", "."), ("+", "+"), ("tRUE", "tRUE"), ("nil", "nil"),
        ("123456789012345678901234567890", 123456789012345678901234567890),
    ],
)
def test_core_schema_plain_scalars(plain: str, expected: object, yaml_parser: type) -> None:
    value = parse_source(f"v: {plain}\n", filename="x.yaml").value["v"]
    assert value == expected
    assert type(value) is type(expected)


def test_quoted_and_block_scalars_are_strings(yaml_parser: type) -> None:
    text = "a: 'true'\nb: \"1\"\nc: |\n  null\nd: >-\n  12\ne: !!str 5\nf: ! 12\n"
    assert parse_source(text, filename="x.yaml").value == {
        "a": "true", "b": "1", "c": "null\n", "d": "12", "e": "5", "f": "12",
    }


def test_standard_tags(yaml_parser: type) -> None:
    text = "a: !!int 0x10\nb: !!float 1\nc: !!bool false\nd: !!null ''\ne: !!map {k: v}\nf: !!seq [1]\n"
    assert parse_source(text, filename="x.yaml").value == {
        "a": 16, "b": 1.0, "c": False, "d": None, "e": {"k": "v"}, "f": [1],
    }


def test_keys_keep_their_source_text(yaml_parser: type) -> None:
    text = "1: a\ntrue: b\nnull: c\n1.50: d\n~: e\n'2': f\n"
    assert parse_source(text, filename="x.yaml").value == {
        "1": "a", "true": "b", "null": "c", "1.50": "d", "~": "e", "2": "f",
    }


def test_anchors_and_aliases(yaml_parser: type) -> None:
    text = """\
retry: &retry
  - ErrorEquals: [States.ALL]
    MaxAttempts: 3
name: &name Worker
States:
  A: {Retry: *retry, Resource: *name}
  B: {Retry: *retry}
"""
    value = parse_source(text, filename="x.yaml").value
    assert value["States"]["A"]["Retry"] == [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}]
    assert value["States"]["B"]["Retry"] == value["retry"]
    assert value["States"]["A"]["Resource"] == "Worker"


def test_merge_keys(yaml_parser: type) -> None:
    text = """\
base: &base {Type: Task, TimeoutSeconds: 30, Retry: [{ErrorEquals: [States.ALL]}]}
extra: &extra {HeartbeatSeconds: 5, TimeoutSeconds: 99}
A:
  TimeoutSeconds: 60
  <<: *base
  Next: B
B:
  <<: [*extra, *base]
C:
  '<<': literal
"""
    value = parse_source(text, filename="x.yaml").value
    assert value["A"] == {"Type": "Task", "TimeoutSeconds": 60, "Retry": [{"ErrorEquals": ["States.ALL"]}],
                          "Next": "B"}
    # Earlier sources win over later ones.
    assert value["B"] == {"HeartbeatSeconds": 5, "TimeoutSeconds": 99, "Type": "Task",
                          "Retry": [{"ErrorEquals": ["States.ALL"]}]}
    assert value["C"] == {"<<": "literal"}


def test_json_values() -> None:
    text = '{"i": 12345678901234567890, "f": -1.5e-3, "b": [true, false, null], "s": "\\u00e9\\n", "e": {}}'
    assert parse_source(text).value == {
        "i": 12345678901234567890, "f": -1.5e-3, "b": [True, False, None], "s": "é\n", "e": {},
    }


@pytest.mark.parametrize("text", ['"x"', "3", "null", "[1, 2]"])
def test_any_json_value_is_returned(text: str) -> None:
    assert parse_source(text, format="json").value == json.loads(text)


def test_document_start_marker_and_comments(yaml_parser: type) -> None:
    text = "# header\n---\nStartAt: A # trailing\n...\n"
    assert parse_source(text, filename="x.yaml").value == {"StartAt": "A"}
