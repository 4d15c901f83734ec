"""Choice rules: every operator, type mismatches, missing paths, nesting, $$ and $var roots."""

from __future__ import annotations

from typing import Any

import pytest

from statewright.core.choice import (
    OPERATORS,
    ChoiceRuleError,
    CompiledRule,
    compile_choice_rule,
    compile_choice_rules,
    compile_string_pattern,
)
from statewright.core.errors import ErrorName, StatesError


def rule(**fields: Any) -> CompiledRule:
    return compile_choice_rule({"Variable": "$.x", **fields, "Next": "Yes"})


def check(operator: str, operand: Any, value: Any) -> bool:
    return rule(**{operator: operand}).matches({"x": value})


def check_path(operator: str, left: Any, right: Any) -> bool:
    return compile_choice_rule({"Variable": "$.x", operator: "$.y", "Next": "Yes"}).matches({"x": left, "y": right})


@pytest.mark.parametrize(
    ("operator", "operand", "value", "expected"),
    [
        ("StringEquals", "a", "a", True),
        ("StringEquals", "a", "b", False),
        ("StringEquals", "1", 1, False),
        ("StringLessThan", "b", "a", True),
        ("StringLessThan", "a", "a", False),
        ("StringLessThanEquals", "a", "a", True),
        ("StringGreaterThan", "a", "b", True),
        ("StringGreaterThan", "ABC", "AB", False),
        ("StringGreaterThanEquals", "AB", "AB", True),
        ("StringGreaterThanEquals", "AB", "A", False),
        ("NumericEquals", 1, 1.0, True),
        ("NumericEquals", 1.0, 1, True),
        ("NumericEquals", 1, True, False),
        ("NumericEquals", 0, False, False),
        ("NumericEquals", 1, "1", False),
        ("NumericLessThan", 2, 1.5, True),
        ("NumericLessThan", 1, 1, False),
        ("NumericLessThanEquals", 1, 1, True),
        ("NumericGreaterThan", 1, 2, True),
        ("NumericGreaterThan", 1, None, False),
        ("NumericGreaterThanEquals", 1.5, 1.5, True),
        ("BooleanEquals", True, True, True),
        ("BooleanEquals", False, False, True),
        ("BooleanEquals", False, 0, False),
        ("BooleanEquals", True, "true", False),
        ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T20:00:55+01:00", True),
        ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55", False),
        ("TimestampEquals", "2012-10-09T19:00:55Z", 1349809255, False),
        ("TimestampLessThan", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55.999999999Z", True),
        ("TimestampLessThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55.000Z", True),
        ("TimestampGreaterThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55.000000001Z", True),
        ("TimestampGreaterThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:54Z", False),
    ],
)
def test_literal_operators(operator: str, operand: Any, value: Any, expected: bool) -> None:
    assert check(operator, operand, value) is expected


@pytest.mark.parametrize(
    ("operator", "left", "right", "expected"),
    [
        ("StringEqualsPath", "a", "a", True),
        ("StringEqualsPath", "a", 1, False),
        ("StringLessThanPath", "a", "b", True),
        ("StringLessThanEqualsPath", "b", "b", True),
        ("StringGreaterThanPath", "b", "a", True),
        ("StringGreaterThanEqualsPath", "a", "b", False),
        ("NumericEqualsPath", 1, 1.0, True),
        ("NumericEqualsPath", 1, True, False),
        ("NumericLessThanPath", 0, 1, True),
        ("NumericLessThanEqualsPath", 1, 1, True),
        ("NumericGreaterThanPath", 1, 0, True),
        ("NumericGreaterThanEqualsPath", 0, 1, False),
        ("BooleanEqualsPath", False, False, True),
        ("BooleanEqualsPath", False, 0, False),
        ("TimestampEqualsPath", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", True),
        ("TimestampEqualsPath", "2012-10-09T19:00:55Z", "not a time", False),
        ("TimestampLessThanPath", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", True),
        ("TimestampLessThanEqualsPath", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", False),
        ("TimestampGreaterThanPath", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", True),
        ("TimestampGreaterThanEqualsPath", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", False),
    ],
)
def test_path_operators(operator: str, left: Any, right: Any, expected: bool) -> None:
    assert check_path(operator, left, right) is expected


def test_every_operator_is_covered_by_the_tables() -> None:
    # BooleanEquals(Path), 5 comparisons x 2 forms for String/Numeric/Timestamp, StringMatches, 6 Is* tests
    assert len(OPERATORS) == 2 + 3 * 10 + 1 + 6


def test_string_order_is_utf16_code_units() -> None:
    # U+1F600 is a surrogate pair (D83D DE00) in UTF-16: it sorts below U+FF61, unlike code points.
    assert check("StringLessThan", "\uff61", "\U0001f600") is True
    assert check("StringGreaterThan", "\U0001f600", "\uff61") is True
    assert check_path("StringLessThanPath", "\U0001f600", "\uff61") is True
    assert check_path("StringGreaterThanPath", "\uff61", "\U0001f600") is True
    assert check("StringLessThan", "é", "e") is True  # mixed ASCII / non-ASCII
    assert check("StringGreaterThan", "e", "é") is True


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*.log", "app.log", True),
        ("*.log", "app.log.gz", False),
        ("log-*-done", "log-2024-done", True),
        ("a*b*c", "abc", True),
        ("*", "", True),
        ("*", "multi\nline", True),
        (r"a\*b", "a*b", True),
        (r"a\*b", "axb", False),
        ("a\\\\b", "a\\b", True),
        ("a.b", "axb", False),
        ("(x)+[y]?", "(x)+[y]?", True),
        (r"a\b", "a\\b", True),
        ("abc", "ABC", False),
    ],
)
def test_string_matches(pattern: str, value: str, expected: bool) -> None:
    assert check("StringMatches", pattern, value) is expected


def test_string_matches_needs_a_string() -> None:
    assert check("StringMatches", "*", 1) is False
    assert compile_string_pattern(r"\*").fullmatch("*")


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("IsNull", None, True),
        ("IsNull", 0, False),
        ("IsNumeric", 0, True),
        ("IsNumeric", 1.5, True),
        ("IsNumeric", True, False),
        ("IsNumeric", "1", False),
        ("IsString", "", True),
        ("IsString", None, False),
        ("IsBoolean", False, True),
        ("IsBoolean", 0, False),
        ("IsTimestamp", "2012-10-09T19:00:55Z", True),
        ("IsTimestamp", "2012-10-09T19:00:55+01:00", True),
        ("IsTimestamp", "2012-10-09T19:00:55", False),
        ("IsTimestamp", "2023-02-24", False),
        ("IsTimestamp", 0, False),
        ("IsPresent", None, True),
    ],
)
def test_type_tests(operator: str, value: Any, expected: bool) -> None:
    assert check(operator, True, value) is expected
    assert check(operator, False, value) is (not expected)


def test_is_present_on_a_missing_path() -> None:
    assert rule(IsPresent=True).matches({}) is False
    assert rule(IsPresent=False).matches({}) is True
    assert rule(IsPresent=False).matches("not an object") is True


@pytest.mark.parametrize("operator", ["StringEquals", "NumericEquals", "IsNull", "IsString", "StringMatches"])
def test_missing_variable_is_a_runtime_error(operator: str) -> None:
    operand = {"StringEquals": "a", "NumericEquals": 1, "StringMatches": "*"}.get(operator, True)
    with pytest.raises(StatesError) as failure:
        rule(**{operator: operand}).matches({"y": 1})
    assert failure.value.error == ErrorName.RUNTIME
    assert failure.value.cause == (
        "Invalid path '$.x': The choice state's condition path references an invalid value."
    )


def test_missing_operand_path_is_a_runtime_error() -> None:
    with pytest.raises(StatesError) as failure:
        compile_choice_rule({"Variable": "$.x", "NumericEqualsPath": "$.nope", "Next": "A"}).matches({"x": 1})
    assert "'$.nope'" in failure.value.cause


def test_and_or_not_nest_and_short_circuit() -> None:
    compiled = compile_choice_rule({
        "And": [
            {"Variable": "$.a", "NumericGreaterThan": 1},
            {"Or": [
                {"Variable": "$.b", "StringEquals": "x"},
                {"Not": {"Variable": "$.c", "IsPresent": true_()}},
            ]},
            {"Variable": "$.a", "NumericLessThan": 10},
        ],
        "Next": "Both",
    })
    assert compiled.matches({"a": 5, "b": "x"}) is True
    assert compiled.matches({"a": 5, "b": "y"}) is True  # $.c is absent
    assert compiled.matches({"a": 5, "b": "y", "c": 1}) is False
    assert compiled.matches({"a": 50, "b": "x"}) is False
    # And stops at the first false rule: the missing $.b is never read.
    assert compiled.matches({"a": 0}) is False
    pair = compile_choice_rule({"Or": [{"Variable": "$.a", "IsNull": True}, {"Variable": "$.z", "IsNull": True}],
                                "Next": "N"})
    assert pair.matches({"a": None}) is True
    assert compile_choice_rule({"And": [{"Variable": "$.a", "IsNull": False}], "Next": "N"}).matches({"a": 1})


def true_() -> bool:
    return True


def test_context_object_value_or_lazy_callable() -> None:
    compiled = compile_choice_rule({"Variable": "$$.State.RetryCount", "NumericEquals": 2, "Next": "A"})
    context = {"State": {"RetryCount": 2}}
    assert compiled.matches({}, context) is True
    calls = []

    def build() -> dict[str, Any]:
        calls.append(1)
        return context

    assert compiled.matches({}, build) is True
    assert calls == [1]
    input_rule = compile_choice_rule({"Variable": "$.x", "NumericEquals": 1, "Next": "A"})
    assert input_rule.matches({"x": 1}, build) is True
    assert calls == [1]  # $ paths never build $$


def test_variables() -> None:
    compiled = compile_choice_rule({"Variable": "$limit", "NumericLessThanPath": "$.total", "Next": "A"})
    assert compiled.matches({"total": 10}, None, {"limit": 5}) is True
    with pytest.raises(StatesError):
        compiled.matches({"total": 10}, None, {})
    present = compile_choice_rule({"Variable": "$limit", "IsPresent": True, "Next": "A"})
    assert present.matches({}, None, {}) is False


def test_indefinite_variable_compares_the_list() -> None:
    present = compile_choice_rule({"Variable": "$.items[?(@.ok == true)]", "IsPresent": True, "Next": "A"})
    assert present.matches({"items": [{"ok": True}]}) is True
    assert present.matches({"items": [{"ok": False}]}) is False


def test_rules_keep_order_and_fields() -> None:
    rules = compile_choice_rules([
        {"Variable": "$.x", "NumericEquals": 1, "Next": "One", "Assign": {"v": 1}},
        {"Condition": True, "Next": "Always", "Output": {"k": 1}},
    ])
    assert [r.next for r in rules] == ["One", "Always"]
    assert rules[0].assign == {"v": 1} and rules[1].output == {"k": 1}
    assert rules[1].matches({}) is True and rules[1].condition is True
    jsonata = compile_choice_rule({"Condition": "{% true %}", "Next": "A"})
    assert jsonata.condition == "{% true %}"
    with pytest.raises(TypeError):
        jsonata.matches({})


@pytest.mark.parametrize(
    "bad",
    [
        {"Variable": "$.x", "Next": "A"},
        {"Variable": "$.x", "NumericEquals": 1, "StringEquals": "a", "Next": "A"},
        {"NumericEquals": 1, "Next": "A"},
        {"Variable": "$.x", "NumericEquals": "1", "Next": "A"},
        {"Variable": "$.x", "NumericEquals": True, "Next": "A"},
        {"Variable": "$.x", "BooleanEquals": 1, "Next": "A"},
        {"Variable": "$.x", "StringEquals": 1, "Next": "A"},
        {"Variable": "$.x", "TimestampEquals": "2012-10-09", "Next": "A"},
        {"Variable": "$.x", "IsNull": "yes", "Next": "A"},
        {"Variable": "$.x", "StringMatchesPath": "$.y", "Next": "A"},
        {"Variable": "$.x", "BooleanLessThan": True, "Next": "A"},
        {"Variable": "$.x", "Bogus": 1, "Next": "A"},
        {"Variable": "$..[", "IsNull": True, "Next": "A"},
        {"And": [], "Next": "A"},
        {"And": [{"Variable": "$.x", "IsNull": True}], "Or": [], "Next": "A"},
        {"Variable": "$.x", "IsNull": True},
    ],
)
def test_definition_errors(bad: dict[str, Any]) -> None:
    with pytest.raises(ChoiceRuleError):
        compile_choice_rules([bad])


def test_compiled_rule_is_frozen() -> None:
    compiled = rule(IsNull=True)
    with pytest.raises(AttributeError):
        compiled.next = "Other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("variable", "document", "expected"),
    [
        ("$.a.b", {"a": {"b": 5}}, True),
        ("$.a.b", {"a": {"b": 1}}, False),
        ("$.a.b.c", {"a": {"b": {"c": 5}}}, True),
        ("$.a[0].b", {"a": [{"b": 5}]}, True),
        ("$", 5, True),
    ],
)
def test_member_paths(variable: str, document: Any, expected: bool) -> None:
    compiled = compile_choice_rule({"Variable": variable, "NumericGreaterThan": 2, "Next": "A"})
    assert compiled.matches(document) is expected


@pytest.mark.parametrize(
    ("variable", "document"),
    [
        ("$.a.b", {"a": []}),
        ("$.a.b", {"a": "text"}),
        ("$.a.b", {"a": {}}),
        ("$.a.b", {}),
        ("$.a.b.c", {"a": {"b": [1]}}),
        ("$.a", [1, 2]),
        ("$.a", "text"),
        ("$.a", None),
        ("$.a[3]", {"a": [1]}),
    ],
)
def test_member_paths_that_match_nothing(variable: str, document: Any) -> None:
    compiled = compile_choice_rule({"Variable": variable, "NumericGreaterThan": 2, "Next": "A"})
    with pytest.raises(StatesError):
        compiled.matches(document)
    present = compile_choice_rule({"Variable": variable, "IsPresent": True, "Next": "A"})
    assert present.matches(document) is False


def test_other_mappings_are_read_like_objects() -> None:
    from types import MappingProxyType

    compiled = compile_choice_rule({"Variable": "$.a.b", "NumericGreaterThan": 2, "Next": "A"})
    assert compiled.matches(MappingProxyType({"a": MappingProxyType({"b": 5})})) is True
