"""Errors raised inside the JSONata engine carry JSONata's reference wording (spec/jsonata.md 13, 16)."""

from __future__ import annotations

import pytest

from statewright.core.jsonata.engine import QueryEvaluationError, compile_expression
from statewright.core.jsonata.errors import function_called_at, reference_message


def _cause(text: str, states: dict | None = None) -> str:
    with pytest.raises(QueryEvaluationError) as raised:
        compile_expression(text).evaluate(states or {"input": {}}, None, "Output")
    prefix = f"The JSONata expression '{text}' specified for the field 'Output' threw an error during evaluation"
    assert raised.value.cause.startswith(prefix), raised.value.cause
    assert raised.value.location == "Output"
    return raised.value.cause[len(prefix):]


@pytest.mark.parametrize(("text", "tail"), [
    ("$abs('x')", '. T0410: Argument 1 of function "abs" does not match function signature'),
    ("$lookup(1, 2)", '. T0410: Argument 1 of function "lookup" does not match function signature'),
    ("$max(['a'])", '. T0412: Argument 1 of function "max" must be an array of "numbers"'),
    ("$merge(1)", '. T0412: Argument 1 of function "merge" must be an array of "objects"'),
    ("$substring(1)", '. T0411: Context value is not a compatible type with argument 1 of function "substring"'),
    ("1 <= 'a'", '. T2009: The values 1 and "a" either side of operator "<=" must be of the same data type'),
    ("'a' - 1", '. T2001: The left side of the "-" operator must evaluate to a number'),
    ("{1: 2}", ". T1003: Key in object structure must evaluate to a string; got: 1"),
    ("$power(-1, 0.5)", ". D3061: The power function has resulted in a value that cannot be represented as a JSON "
                        "number: base=-1, exponent=0.5"),
    ("$replace('a', '', 'b')", ". D3010: Second argument of replace function cannot be an empty string"),
    ("$assert(false, 'Object \"x\" is 1')", '. D3141: Object "x" is 1'),
    ("$hash('a', 'CRC32')",
     ": The hash algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512, but was: CRC32"),
    ("$partition([1], 0)", ": Partition size must be a positive integer"),
])
def test_engine_errors_are_worded_as_jsonata_words_them(text: str, tail: str) -> None:
    assert _cause(text) == tail


def test_no_engine_text_keeps_its_slips() -> None:
    for text in ("$abs('x')", "$sum(['a'])", "$join([1], ',')", "'a' > 1", "$sqrt(-1)", "$single([1, 2])"):
        cause = _cause(text)
        assert "Object" not in cause and "{{" not in cause, cause


def test_a_comparison_whose_operator_is_not_certain_keeps_the_engine_text() -> None:
    # Two kinds of comparison and no position: naming one would be a guess (spec/jsonata.md 16).
    assert _cause("1 < 2 and 'a' > 1") == ('. T2009: The values "a" and 1 either side of operator {{token}} must be '
                                          'of the same data type')


def test_the_function_name_is_read_before_the_error_position() -> None:
    assert function_called_at("  $sum( [1]", 8) == "sum"
    assert function_called_at("1 + 2", 3) is None


def test_text_without_a_code_is_left_alone() -> None:
    assert reference_message(None, "something odd", "$x", 0) == "something odd"


def test_an_aws_function_that_gives_nothing_is_the_undefined_cause() -> None:
    with pytest.raises(QueryEvaluationError) as raised:
        compile_expression("$range(1, 3)").evaluate({"input": {}}, None, "Arguments/n")
    assert raised.value.cause == ("The JSONata expression '$range(1, 3)' specified for the field 'Arguments/n' "
                                  "returned nothing (undefined).")
