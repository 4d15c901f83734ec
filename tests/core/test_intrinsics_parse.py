"""Parsing intrinsic calls: what AWS accepts, what it rejects, and where the error is."""

from __future__ import annotations

import pytest

from statewright.core.intrinsics import (
    FUNCTIONS,
    IntrinsicCall,
    IntrinsicSyntaxError,
    Literal,
    PathArgument,
    StringLiteral,
    is_intrinsic,
    literal_type_errors,
    parse_intrinsic,
)

ALL_NAMES = {
    "States.Format", "States.StringToJson", "States.JsonToString", "States.Array", "States.ArrayPartition",
    "States.ArrayContains", "States.ArrayRange", "States.ArrayGetItem", "States.ArrayLength",
    "States.ArrayUnique", "States.Base64Encode", "States.Base64Decode", "States.Hash", "States.JsonMerge",
    "States.MathRandom", "States.MathAdd", "States.StringSplit", "States.UUID",
}


def test_all_eighteen_functions_are_known() -> None:
    assert set(FUNCTIONS) == ALL_NAMES
    assert FUNCTIONS["States.Format"].arity == (1, None)
    assert FUNCTIONS["States.MathRandom"].arity == (2, 3)
    assert FUNCTIONS["States.UUID"].arity == (0, 0)
    assert FUNCTIONS["States.ArrayGetItem"].param_type(1) == "integer"


def test_is_intrinsic() -> None:
    assert is_intrinsic("States.Array()")
    assert not is_intrinsic("$.States")
    assert not is_intrinsic(" States.Array()")


def test_parse_builds_the_model() -> None:
    call = parse_intrinsic("States.Format('Hi {}, {}', $.name, States.MathAdd(1, -2.5), true, null)")
    assert call.name == "States.Format" and call.column == 1
    first, path, nested, flag, nothing = call.args
    assert isinstance(first, StringLiteral) and first.value == "Hi {}, {}" and first.column == 15
    assert first.segments == ("Hi ", ", ", "")
    assert isinstance(path, PathArgument) and path.path.text == "$.name" and path.column == 28
    assert isinstance(nested, IntrinsicCall) and nested.name == "States.MathAdd"
    assert nested.args == (Literal(1, 51), Literal(-2.5, 54))
    assert (flag.value, nothing.value) == (True, None)  # type: ignore[union-attr]
    assert [p.text for p in call.paths()] == ["$.name"]
    assert [c.name for c in call.calls()] == ["States.Format", "States.MathAdd"]


ACCEPTED = [
    "States.Array()",
    "States.UUID()",
    "States.Array( 1 ,2 )",
    "States.Array($)",
    "States.Array($$)",
    "States.Array($$.Execution.Input.x)",
    "States.Array($var)",
    "States.Array($var.x[0])",
    "States.Array($.a[0,1], $.b[?(@.x > 1)], $['k y'], $.c.length())",
    "States.Array(0, -1, 1.5, -0.25, 1e3)",
    "States.Format('it\\'s \\{literal\\} \\\\ {}', $.x)",
    "States.StringSplit('Hello\nWorld', '\n')",  # a raw newline in a literal (AWS)
    "States.JsonMerge(States.StringToJson('{\"constant_in_literal\": \"false\"}'), $$.Execution.Input.f, false)",
    "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit("
    "$.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
    "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepts(text: str) -> None:
    assert isinstance(parse_intrinsic(text), IntrinsicCall)


REJECTED = [
    ("States.Format('He said, \\\"Hello, {}!\\\"', $.x)", 25, "illegal escape sequence '\\\"'"),
    ("States.Format('tab\\t')", 19, "illegal escape sequence '\\t'"),
    ("States.Format('x\\n', $.a)", 17, "illegal escape"),
    ("States.Fromat('x')", 1, "did you mean 'States.Format'"),
    ("States.arraylength($)", 1, "did you mean 'States.ArrayLength'"),
    ("States.Nope()", 1, "known functions: States.Format"),
    ("States.MathAdd(1)", 1, "takes 2 arguments, but 1 was given"),
    ("States.UUID(1)", 1, "takes no arguments"),
    ("States.Format()", 1, "takes at least 1 argument"),
    ("States.MathRandom(1, 2, 3, 4)", 1, "takes 2 to 3 arguments"),
    ("States.Array(States.MathAdd(1))", 14, "States.MathAdd takes 2"),
    ("States.Array(", 14, "ends too early"),
    ("States.Array(1,)", 16, "unexpected ')'"),
    ("States.Array(1) x", 17, "unexpected character 'x'"),
    ('States.Format("x")', 15, "single quotes"),
    ("States.Format('x", 15, "unterminated string"),
    ("States.Array($.)", 16, "invalid path '$.'"),
    ("States.Array($..)", 17, "invalid path '$..'"),
    ("States.Array($[?(@.x <])", 23, "invalid path"),  # the filter's ')' is missing: it never ends
    ("States.Array(tru)", 14, "unexpected"),
    ("Foo.Bar()", 1, "must start with 'States.'"),
    ("", 1, "must start with 'States.'"),
]


@pytest.mark.parametrize(("text", "column", "fragment"), REJECTED)
def test_rejects_with_column(text: str, column: int, fragment: str) -> None:
    with pytest.raises(IntrinsicSyntaxError) as caught:
        parse_intrinsic(text)
    assert fragment in caught.value.message, caught.value
    assert caught.value.column == column, caught.value


def test_literal_type_errors_for_lint() -> None:
    text = "States.Array(States.MathAdd('1', 2), States.JsonMerge($.a, $.b, true))"
    problems = literal_type_errors(parse_intrinsic(text))
    assert [p.column for p in problems] == [text.index("'1'") + 1, text.index("true") + 1]
    assert "must be a number" in problems[0].message
    assert "shallow merge" in problems[1].message
    assert literal_type_errors(parse_intrinsic("States.ArrayGetItem($.a, 1.5)"))[0].message.endswith("is not")
    assert literal_type_errors(parse_intrinsic("States.Format('{}', 1)")) == []
