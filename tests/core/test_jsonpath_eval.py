"""Evaluating paths with AWS's rules: definite paths must match, indefinite ones yield lists."""

from __future__ import annotations

from typing import Any

import pytest

from statewright.core.jsonpath import PathNotFound, UndefinedVariable, json_equal, parse_path

STORE: dict[str, Any] = {
    "store": {
        "book": [
            {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
            {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
            {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick",
             "isbn": "0-553-21311-3", "price": 8.99},
            {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord",
             "isbn": "0-395-19395-8", "price": 22.99},
        ],
        "bicycle": {"color": "red", "price": 19.95},
    },
    "expensive": 10,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$.store.bicycle.color", "red"),
        ("$.store.book[0].author", "Nigel Rees"),
        ("$.store.book[-1].title", "The Lord"),
        ("$['store']['bicycle']['price']", 19.95),
        ("$.store.book.length()", 4),
        ("$.expensive", 10),
        ("$", STORE),
    ],
)
def test_get_definite(text: str, expected: Any) -> None:
    assert parse_path(text).get(STORE) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$.store.book[*].author", ["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]),
        ("$..author", ["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]),
        ("$.store.*.color", ["red"]),
        ("$..price", [8.95, 12.99, 8.99, 22.99, 19.95]),
        ("$.store.book[2:].title", ["Moby Dick", "The Lord"]),
        ("$.store.book[:2].title", ["Sayings", "Sword"]),
        ("$.store.book[-2:].title", ["Moby Dick", "The Lord"]),
        ("$.store.book[::2].title", ["Sayings", "Moby Dick"]),
        ("$.store.book[0,3].title", ["Sayings", "The Lord"]),
        ("$.store.book[?(@.isbn)].title", ["Moby Dick", "The Lord"]),
        ("$.store.book[?(!@.isbn)].title", ["Sayings", "Sword"]),
        ("$.store.book[?(@.price < 10)].title", ["Sayings", "Moby Dick"]),
        ("$.store.book[?(@.price < $.expensive)].title", ["Sayings", "Moby Dick"]),
        ("$.store.book[?(@.category == 'fiction' && @.price > 20)].title", ["The Lord"]),
        ("$.store.book[?(@.price > 20 || @.price < 9)].title", ["Sayings", "Moby Dick", "The Lord"]),
        ("$.store.book[?(@.author =~ /.*rees/i)].title", ["Sayings"]),
        ("$.store.book[?(@.category in ['reference'])].title", ["Sayings"]),
        ("$.store.book[?(@.category nin ['fiction'])].title", ["Sayings"]),
        ("$..book[?(@.price == 8.99)].author", ["Herman Melville"]),
        ("$..book[0].title", ["Sayings"]),
        ("$.store.book[*].missing", []),
        ("$.nothing[*]", []),
        ("$.store.book[10:20]", []),
    ],
)
def test_find_indefinite(text: str, expected: list[Any]) -> None:
    path = parse_path(text)
    assert not path.is_definite
    assert path.find(STORE) == expected


def test_filter_on_numbers_recorded_on_aws() -> None:
    users = {"users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}]}
    assert parse_path("$.users[?(@.status == 0)]").find(users) == [{"year": 1997, "status": 0}]


def test_equality_across_number_and_numeric_string_follows_jayway() -> None:
    items = {"a": [{"v": "1"}, {"v": 1}, {"v": True}, {"v": "x"}]}
    assert parse_path("$.a[?(@.v == 1)]").find(items) == [{"v": "1"}, {"v": 1}]
    assert parse_path("$.a[?(@.v == true)]").find(items) == [{"v": True}]


def test_indefinite_paths_on_empty_input_yield_empty_lists() -> None:
    # Recorded on AWS: these four paths on {} gave [] rather than an error.
    for text in ("$.item.items[1:5].itemValue", "$.item.items[1:5]", "$.items[*].itemValue", "$[*]"):
        assert parse_path(text).evaluate({}) == []


@pytest.mark.parametrize(
    ("text", "document"),
    [
        ("$.missing", {"a": 1}),
        ("$.a.b", {"a": 1}),
        ("$.a.b", {"a": [1]}),
        ("$.a[0]", {"a": {"0": 1}}),
        ("$.a[0]", {"a": "text"}),
        ("$.a[3]", {"a": [1, 2]}),
        ("$.a[-3]", {"a": [1, 2]}),
        ("$.a.length()", {"a": 5}),
        ("$['x','y']", [1]),
    ],
)
def test_definite_path_matching_nothing_raises(text: str, document: Any) -> None:
    with pytest.raises(PathNotFound) as caught:
        parse_path(text).get(document)
    assert caught.value.path == text


def test_path_not_found_names_the_path_as_aws_does() -> None:
    with pytest.raises(PathNotFound) as caught:
        parse_path("$.NoSuchInputPath").get({})
    assert str(caught.value) == "No results for path: $['NoSuchInputPath']"


def test_null_is_a_value_not_a_miss() -> None:
    assert parse_path("$.a").get({"a": None}) is None
    assert parse_path("$.a[?(@.b)]").find({"a": [{"b": None}, {}]}) == [{"b": None}]


def test_multi_name_leaf_merges_found_members() -> None:
    assert parse_path("$['a','b','z']").get({"a": 1, "b": 2, "c": 3}) == {"a": 1, "b": 2}
    assert parse_path("$['a','b'].v").find({"a": {"v": 1}, "b": {"v": 2}}) == [1, 2]


def test_functions() -> None:
    doc = {"nums": [1, 2, 3, 4], "obj": {"x": 1, "y": 2}, "s": "abc"}
    assert parse_path("$.nums.length()").get(doc) == 4
    assert parse_path("$.obj.length()").get(doc) == 2
    assert parse_path("$.nums.sum()").get(doc) == 10.0
    assert parse_path("$.nums.avg()").get(doc) == 2.5
    assert parse_path("$.nums.min()").get(doc) == 1.0
    assert parse_path("$.nums.max()").get(doc) == 4.0
    assert parse_path("$.obj.keys()").get(doc) == ["x", "y"]
    assert parse_path("$.nums[*].length()").get(doc) == 4
    assert parse_path("$.nums[?(@ > 2)].length()").get(doc) == 2


def test_resolve_picks_the_document_by_root() -> None:
    context = {"Execution": {"Id": "arn:x"}}
    variables = {"v": {"k": [10, 20]}}
    assert parse_path("$.a").resolve({"a": 1}, context, variables) == 1
    assert parse_path("$$.Execution.Id").resolve({}, context, variables) == "arn:x"
    assert parse_path("$v.k[1]").resolve({}, context, variables) == 20
    assert parse_path("$v.k[*]").resolve({}, context, variables) == [10, 20]
    with pytest.raises(UndefinedVariable) as caught:
        parse_path("$nope.k").resolve({}, context, variables)
    assert caught.value.variable == "nope"


def test_json_equal_keeps_booleans_apart_from_numbers() -> None:
    assert json_equal(1, 1.0)
    assert not json_equal(True, 1)
    assert not json_equal([True], [1])
    assert json_equal({"a": [1, {"b": None}]}, {"a": [1.0, {"b": None}]})
    assert not json_equal({"a": 1}, {"a": 1, "b": 2})
