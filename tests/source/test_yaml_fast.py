"""The quick YAML read agrees with the positioned read, or steps aside.

read_yaml takes the quick path (no positions) first and falls back to the positioned reader for anything
outside the common subset; positions come later from a positioned read. These tests hold the quick path
to its promise: on any text it returns exactly the value the positioned reader would (same types too:
1, 1.0 and True are told apart), or raises Unusual.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given

from statewright.source import SourceError, parse_source
from statewright.source.yaml_fast import Unusual, read_plain_yaml
from statewright.source.yaml_reader import LOADER, _positioned_read
from tests.shared import shared_conformance_dir
from tests.source.test_fuzz_reader import FUZZ, YAML_DEFINITION, mutated

ROOT = Path(__file__).resolve().parents[2]


def typed(value: Any) -> Any:
    """The value with every scalar's type made part of it, so that 1 == 1.0 == True no longer holds."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


def positioned_value(text: str, loader: type = LOADER) -> Any:
    return _positioned_read(text, None, loader).root


def assert_agrees_or_steps_aside(text: str, loader: type = LOADER) -> bool:
    """True when the quick path took the text (and agreed), False when it stepped aside."""
    try:
        quick = read_plain_yaml(text, loader)
    except Unusual:
        return False
    # The quick path accepted the text, so the positioned read must accept it too, with the same value.
    assert typed(quick) == typed(positioned_value(text, loader))
    return True


@FUZZ
@given(mutated(YAML_DEFINITION))
def test_fuzzed_yaml_agrees_or_steps_aside(text: str) -> None:
    assert_agrees_or_steps_aside(text)


PLAIN_SUBSET = """\
StartAt: "On"
States:
  "On": {Type: Pass, Result: [1, 1.0, -2.5e3, 0o17, 0x1F, true, True, null, ~, "", "1", yes, On, 2001-12-14],
         Next: Off}
  Off:
    Type: Choice
    Choices:
      - Variable: $.x
        NumericEquals: 010
        Next: "On"
    Default: Done
  Done:
    Type: Succeed
    Comment: |
      a literal block
  'single quoted':
    Type: Fail
    Cause: "a \\"quoted\\" cause"
    Error: >-
      folded text
  ? explicit key
  : value
  empty value:
  1: numeric key
  "key with / and ~": x
"""


def test_the_common_subset_takes_the_quick_path_with_the_same_value() -> None:
    assert assert_agrees_or_steps_aside(PLAIN_SUBSET)
    value = read_plain_yaml(PLAIN_SUBSET, LOADER)
    assert value["States"]["On"]["Result"] == [1, 1.0, -2500.0, 15, 31, True, True, None, None, "", "1", "yes",
                                                  "On", "2001-12-14"]
    assert value["States"]["Off"]["Choices"][0]["NumericEquals"] == 10
    assert value["States"]["1"] == "numeric key" and value["States"]["empty value"] is None


@pytest.mark.parametrize(
    "text",
    [
        "a: !!str 5\n",                              # a tag
        "a: &x 1\nb: *x\n",                          # an anchor and an alias
        "base: &b {k: 1}\nc: {<<: *b, j: 2}\n",      # a merge key
        "a: 1\na: 2\n",                              # a duplicate key: the positioned reader reports it
        "a: 1\n---\nb: 2\n",                         # two documents
        "just a scalar\n",                           # a scalar document
        "# only a comment\n",                        # nothing at all
        "a: .inf\n",                                 # a scalar JSON cannot hold
        "a: [1, 2\n",                                # a syntax error
        "a: \x07\n",                                 # a character YAML forbids
        "? [a, b]\n: c\n",                           # a collection as key
        "[" * 250 + "]" * 250,                       # nesting past the limit
    ],
)
def test_anything_unusual_steps_aside(text: str) -> None:
    with pytest.raises(Unusual):
        read_plain_yaml(text, LOADER)


@pytest.mark.parametrize("loader", [yaml.BaseLoader, LOADER], ids=["python-parser", "default-parser"])
def test_both_parsers_agree_on_the_subset(loader: type) -> None:
    assert assert_agrees_or_steps_aside(PLAIN_SUBSET, loader)


def test_errors_are_still_positioned() -> None:
    with pytest.raises(SourceError) as caught:
        parse_source("StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n  A: {Type: Pass, End: true}\n",
                     filename="x.yaml")
    assert (caught.value.code, caught.value.span.line) == ("SW002", 4)


def test_positions_of_a_quick_read_are_computed_when_asked() -> None:
    document = parse_source(PLAIN_SUBSET, filename="x.yaml")
    assert document.span("/States/Off/Choices/0/NumericEquals").line == 9
    assert document.key_span("/States/Done").line == 12
    assert document.span("/States/key with ~1 and ~0").line == 25


def real_definitions() -> list[tuple[str, str]]:
    """Every definition a user or AWS wrote that this repository holds, as YAML text."""
    found = [(str(path.relative_to(ROOT)), path.read_text()) for path in sorted((ROOT / "examples").rglob("*.yaml"))]
    shared = shared_conformance_dir()
    if shared is not None:
        for path in sorted((shared / "cases").glob("*/*.json")):
            definition = json.loads(path.read_text())["definition"]
            found.append((path.stem, yaml.safe_dump(definition, sort_keys=False, allow_unicode=True)))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import linear_workflow

    found.append(("generated 1,000 states", yaml.safe_dump(linear_workflow(1000), sort_keys=False)))
    return found


def test_real_definitions_take_the_quick_path_and_agree() -> None:
    definitions = real_definitions()
    assert len(definitions) > 10
    for name, text in definitions:
        # Anchors, aliases and merge keys are the only reasons a valid definition steps aside.
        assert assert_agrees_or_steps_aside(text) or "&" in text or "!" in text, name
