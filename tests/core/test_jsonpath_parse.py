"""Parsing paths: roots, every step form, classification, and errors with their columns."""

from __future__ import annotations

import pytest

from statewright.core.jsonpath import JsonPath, PathSyntaxError, parse_path
from statewright.core.jsonpath.errors import FilterNotReadable


@pytest.mark.parametrize(
    ("text", "root", "variable"),
    [
        ("$", "input", None),
        ("$.a", "input", None),
        ("$$", "context", None),
        ("$$.Execution.Input", "context", None),
        ("$x", "variable", "x"),
        ("$my_var.items[0]", "variable", "my_var"),
        ("$_private['k']", "variable", "_private"),
    ],
)
def test_roots(text: str, root: str, variable: str | None) -> None:
    path = parse_path(text)
    assert (path.root, path.variable) == (root, variable)


ACCEPTED = [
    "$.a.b.c", "$['a']", '$["a"]', "$['a b']['c.d']", "$.delivery-partner", "$[0]", "$.a[-1]", "$[*]",
    "$.*", "$.a.*.b", "$..name", "$..*", "$..[0]", "$.a[1:5]", "$.a[:2]", "$.a[-2:]", "$.a[::2]",
    "$.a[0,2]", "$['a','b']", "$[?(@.price < 10)]", "$.a[?(@.isbn)]", "$.a[?(!@.isbn)]",
    "$.a[?(@.x == 'y' && @.z != 1 || @.w >= 2.5)]", "$.a[?((@.x > 1) && (@.y < 2))]",
    "$.a[?(@.tag in ['a','b'])]", "$.a[?(@.name =~ /^A.*/i)]", "$.a[?(@.x == $.limit)]",
    "$.a[?(@.ok == true)]", "$.a[?(@.v == null)]", "$.a[?(@.list.length() > 2)]", "$.a[?(@['k'] == 1)]",
    "$.items.length()", "$.nums.sum()", "$[ 'a' ]", "$[ 0 ]",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepts(text: str) -> None:
    assert isinstance(parse_path(text), JsonPath)


REJECTED = [
    ("", 1, "must start with '$'"),
    ("a.b", 1, "must start with '$'"),
    ("$.", 3, "expected a name"),
    ("$..", 4, "after '..'"),
    ("$a.", 4, "expected a name"),
    ("$.a..", 6, "after '..'"),
    ("$[", 2, "unclosed '['"),
    ("$[0", 2, "unclosed '['"),
    ("$['a'", 2, "unclosed '['"),
    ("$['a", 3, "unterminated quoted name"),
    ("$[]", 3, "empty brackets"),
    ("$[a]", 3, "invalid array index"),
    ("$[1.5]", 3, "invalid array index"),
    ("$.a[::0]", 7, "step cannot be 0"),
    ("$ .a", 2, "unexpected character ' '"),
    ("$.a b", 4, "unexpected character ' '"),
    ("$1", 2, "cannot start with a digit"),
    ("$$x", 3, "unexpected character 'x'"),
    ("$.a.foo()", 5, "unknown path function"),
    ("$.a.length(1)", 12, "takes no arguments"),
    ("$.a.length().b", 13, "nothing may follow"),
    ("$[?(@.x <", 10, "expected a value"),
    ("$[?@.x]", 4, "expected '('"),
    ("$[?(@.x == 'a)]", 12, "unterminated string"),
    ("$[?(@.x =~ /[/)]", 12, "invalid regular expression"),
    ("$[?(@.x > 1]", 12, "expected ')'"),
]


@pytest.mark.parametrize(("text", "column", "fragment"), REJECTED)
def test_rejects_with_column(text: str, column: int, fragment: str) -> None:
    with pytest.raises(PathSyntaxError) as caught:
        parse_path(text)
    assert caught.value.column == column, caught.value
    assert fragment in caught.value.message
    assert f"column {column}" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "reference", "definite"),
    [
        ("$", True, True),
        ("$.a.b", True, True),
        ("$['a'][0]", True, True),
        ("$.a[-1]", True, True),
        ("$$.Execution.Id", True, True),
        ("$var.x", True, True),
        ("$.a[*]", False, False),
        ("$.a.*", False, False),
        ("$..a", False, False),
        ("$.a[1:2]", False, False),
        ("$.a[0,1]", False, False),
        ("$.a[?(@.x)]", False, False),
        ("$['a','b']", False, True),  # Jayway merges a trailing multi-name step into one object
        ("$['a','b'].c", False, False),
        ("$.a.length()", False, True),
    ],
)
def test_reference_and_definite_classification(text: str, reference: bool, definite: bool) -> None:
    path = parse_path(text)
    assert (path.is_reference, path.is_definite) == (reference, definite)


def test_parse_results_are_cached_and_frozen() -> None:
    first = parse_path("$.cached.path[0]")
    assert parse_path("$.cached.path[0]") is first
    with pytest.raises(AttributeError):
        first.text = "$"  # type: ignore[misc]


def test_normalized_form_is_jaywayish() -> None:
    assert parse_path("$.a.b[0]").normalized == "$['a']['b'][0]"
    assert parse_path("$$.Execution.Id").normalized == "$$['Execution']['Id']"
    assert parse_path("$..x[*]").normalized == "$..['x'][*]"


def test_backslash_in_quoted_name_is_kept() -> None:
    # Recorded on AWS: $['Test\""Name"'] reads the key Test\""Name" (the backslash stays).
    path = parse_path("$['Test\\\"\"Name\"']")
    assert path.get({'Test\\""Name"': "v"}) == "v"
    assert parse_path("$['it\\'s']").get({"it\\'s": 1}) == 1


# Filters whose brackets close but whose body does not compile: AWS deploys them, and the state fails when
# it evaluates the path (spec/paths.md). They parse; evaluating them raises FilterNotReadable.
DEFERRED = [
    ("$[?(@.x <)]", "[?(@.x <)]", "found ')' (column 10)"),
    ("$.Items[?(@.Type.Text==AMOUNT_PAID)].n", "[?(@.Type.Text==AMOUNT_PAID)]", "found 'A' (column 24)"),
    ("$.a[?(@.b == 'x)]' && @.c == Y)]", "[?(@.b == 'x)]' && @.c == Y)]", "found 'Y'"),
    ("$.a[?(@.b[?(@.c == Z)])]", "[?(@.c == Z)]", "found 'Z'"),
]


@pytest.mark.parametrize(("text", "filter", "fragment"), DEFERRED)
def test_a_filter_that_does_not_compile_fails_when_evaluated(text: str, filter: str, fragment: str) -> None:
    path = parse_path(text)
    assert not path.is_definite
    document = {"Items": [{"Type": {"Text": "AMOUNT_PAID"}, "n": 1}], "a": [{"b": [{"c": 1}]}]}
    with pytest.raises(FilterNotReadable) as caught:
        path.find(document)
    assert caught.value.path == text and caught.value.filter == filter
    assert fragment in caught.value.reason and str(caught.value).startswith(f"Failed to parse filter {filter}: ")


def test_a_filter_is_not_evaluated_where_nothing_reaches_it() -> None:
    assert parse_path("$.missing[?(@.x == Y)]").find({"a": 1}) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("$[?(@.s < .95)]", [{"s": 0.9}]), ("$[?(@.s == 5.)]", [{"s": 5}]), ("$[?(@.s == 007)]", [{"s": 7}]),
    ("$[?(@.s < 1e1)]", [{"s": 0.9}, {"s": 5}, {"s": 7}]), ("$[?(@.s > -.5e-1)]", [{"s": 0.9}, {"s": 5}, {"s": 7}]),
])
def test_numbers_in_a_filter_are_read_as_jayway_reads_them(text: str, expected: list) -> None:
    assert parse_path(text).find([{"s": 0.9}, {"s": 5}, {"s": 7}, {"s": "x"}]) == expected
