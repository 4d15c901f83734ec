"""ResultPath: writing a value through a Reference Path without copying more than the path."""

from __future__ import annotations

import pytest

from statewright.core.errors import StatesError
from statewright.core.jsonpath import set_reference_path


def test_dollar_replaces_everything() -> None:
    assert set_reference_path({"a": 1}, "$", [1, 2]) == [1, 2]


def test_sets_a_member_and_leaves_the_input_untouched() -> None:
    document = {"a": {"keep": [1, 2]}, "b": 2}
    result = set_reference_path(document, "$.a.new", "x")
    assert result == {"a": {"keep": [1, 2], "new": "x"}, "b": 2}
    assert document == {"a": {"keep": [1, 2]}, "b": 2}
    # Only the containers along the path are copied; siblings are shared, not deep-copied.
    assert result["a"]["keep"] is document["a"]["keep"]
    assert result is not document and result["a"] is not document["a"]


def test_creates_missing_objects() -> None:
    assert set_reference_path({}, "$.x.y.z", 1) == {"x": {"y": {"z": 1}}}
    assert set_reference_path({"x": None}, "$['x']", 5) == {"x": 5}


def test_replaces_an_existing_value_of_another_type() -> None:
    assert set_reference_path({"a": "text"}, "$.a", {"b": 1}) == {"a": {"b": 1}}


def test_array_index() -> None:
    document = {"list": [{"v": 1}, {"v": 2}]}
    assert set_reference_path(document, "$.list[1].v", 3) == {"list": [{"v": 1}, {"v": 3}]}
    assert document["list"][1] == {"v": 2}


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ("a string", "$.x"),
        ({"a": 1}, "$.a.b"),
        ({"a": [1]}, "$.a[3]"),
        ({"a": {"k": 1}}, "$.a[0]"),
        ({}, "$.a[0]"),
    ],
)
def test_unreachable_targets_fail_with_result_path_match_failure(document: object, path: str) -> None:
    with pytest.raises(StatesError) as caught:
        set_reference_path(document, path, 1)
    assert caught.value.error == "States.ResultPathMatchFailure"
    assert path in caught.value.cause


@pytest.mark.parametrize("path", ["$.a[*]", "$..a", "$$.Execution", "$var.a", "$.a[?(@.x)]"])
def test_only_input_reference_paths_are_accepted(path: str) -> None:
    with pytest.raises(ValueError, match="Reference Path"):
        set_reference_path({}, path, 1)
