"""The linter's fast paths agree with the slow, general code they stand in front of.

- the generated yes/no schema check (lint/schema_validator.py) and the closures that explain failures
  (lint/schema_explain.py);
- the hand-written intrinsic scanner and the lark grammar (core/intrinsics/parser.py): same model for
  every valid call, and the same error (from lark) for every invalid one;
- the regular-expression reading of plain paths and the path parser (core/jsonpath/path.py);
- and lint's start-up imports none of the heavy modules that only some definitions need.
"""

from __future__ import annotations

import copy
import random
import subprocess
import sys
from typing import Any

import pytest

from statewright.core.intrinsics import IntrinsicSyntaxError, check_intrinsic
from statewright.core.intrinsics import parser as intrinsics_parser
from statewright.core.jsonpath import PathSyntaxError, is_plain_path
from statewright.core.jsonpath.parser import PathParser
from statewright.core.jsonpath.path import JsonPath, parse_path
from statewright.lint.schema_file import load_schema
from statewright.lint.schema_validator import closure_check, generated_check

# --- schema: generated check == closures ----------------------------------------------------------------

BASE: dict[str, Any] = {
    "Comment": "c",
    "StartAt": "Load",
    "States": {
        "Load": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 30,
                 "HeartbeatSeconds": 10, "Parameters": {"x.$": "$.a"}, "ResultSelector": {"y.$": "$.b"},
                 "Credentials": {"RoleArn": "arn"},
                 "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "BackoffRate": 2,
                            "JitterStrategy": "FULL"}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed", "ResultPath": "$.e"}], "Next": "Route"},
        "Route": {"Type": "Choice", "Choices": [
            {"And": [{"Variable": "$.a", "NumericGreaterThan": 1}, {"Not": {"Variable": "$.b", "IsNull": True}}],
             "Next": "Fan"},
            {"Condition": "{% true %}", "Next": "Wait"}], "Default": "Failed"},
        "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Fan"},
        "Fan": {"Type": "Parallel", "Branches": [
            {"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 2, "End": True, "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "W",
                "States": {"W": {"Type": "Pass", "Result": {"k": [1]}, "End": True}}},
                "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"MaxItems": 5}}}}}],
                "Next": "Done"},
        "Done": {"Type": "Succeed"},
        "Failed": {"Type": "Fail", "Error": "E", "CausePath": "$.c"},
    },
}
ODD: list[Any] = [None, True, False, 0, -1, 1, 1.0, 1.5, 2**40, "", "x", "{% 1 %}", " {% 1 %}", [], [1], ["x"],
                  {}, {"Zz": 1}, {"Type": "Pass"}, "N" * 90, "FULL", "INLINE", "JSONata", "Pass", "Map"]
KEYS = ["Type", "Next", "End", "Resource", "Seconds", "Foo", "Comment", "QueryLanguage", "Output", "Assign",
        "Arguments", "Items", "ItemSelector", "RoleArn.$", "Mode", "MaxItems", "Condition", "Variable", "And"]


def _containers(node: Any, found: list[Any]) -> list[Any]:
    if isinstance(node, dict | list):
        found.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _containers(child, found)
    return found


def _mutated(rng: random.Random) -> dict[str, Any]:
    value = copy.deepcopy(BASE)
    for _ in range(rng.randint(1, 3)):
        node = rng.choice(_containers(value, []))
        if isinstance(node, dict) and node and rng.random() < 0.5:
            key = rng.choice(list(node))
            if rng.random() < 0.3:
                del node[key]
            else:
                node[key] = copy.deepcopy(rng.choice(ODD))
        elif isinstance(node, dict):
            node[rng.choice(KEYS)] = copy.deepcopy(rng.choice(ODD))
        elif node:
            node[rng.randrange(len(node))] = copy.deepcopy(rng.choice(ODD))
    return value


def test_the_generated_schema_check_agrees_with_the_closures() -> None:
    schema = load_schema()
    fast, slow = generated_check(schema), closure_check(schema).ok
    assert fast(BASE) and slow(BASE)
    rng = random.Random(31)
    invalid = 0
    for _ in range(3000):
        value = _mutated(rng)
        assert fast(value) == slow(value), value
        invalid += not slow(value)
    assert 1000 < invalid < 3000  # both outcomes are exercised
    for odd in ODD:
        assert fast(odd) == slow(odd)


# --- intrinsics: scanner == lark ------------------------------------------------------------------------

_NAMES = ["States.Format", "States.Array", "States.MathAdd", "States.UUID", "States.Foo", "States.JsonMerge",
          "States.ArrayGetItem", "States.StringSplit", "States.Hash", "States.ArrayRange"]
_PIECES = ["(", ")", ",", " ", "\t", "'a{}b'", "'x\\'y'", "'bad\\\"'", "'{}'", "''", "'\\\\'", "'\\{}'", "$", "$.a",
           "$$.Execution.Id", "$var", "$.a[0]", "$.a[?(@.x > 1)]", "$.a[0,1]", "$['q,x']", "$.a.length()", "$..b",
           "$.", "$[", "1", "-2", "1.5e3", "01", "0.", "true", "false", "null", "nul", "truex", '"s"', "x", "$.a b",
           "'", "-", "1e", "$.a()", "$.x,", "\u00e7", "\u0663"]


def _intrinsic(rng: random.Random, depth: int = 0) -> str:
    text = rng.choice(_NAMES) + rng.choice(["(", " (", "("])
    count = rng.randint(0, 4)
    for index in range(count):
        text += _intrinsic(rng, depth + 1) if rng.random() < 0.2 and depth < 3 else rng.choice(_PIECES)
        if index < count - 1:
            text += rng.choice([",", ", ", " ,", rng.choice(_PIECES)])
    return text + rng.choice([")", ")", ") ", "", "))", rng.choice(_PIECES)])


def _outcome(parse: Any, text: str) -> tuple[Any, ...]:
    try:
        return ("ok", parse(text))
    except IntrinsicSyntaxError as error:
        return ("error", error.message, error.column)


def test_the_intrinsic_scanner_reads_what_lark_reads() -> None:
    rng = random.Random(5)
    valid = 0
    for _ in range(6000):
        text = _intrinsic(rng)
        expected = _outcome(intrinsics_parser._parse_with_lark, text)
        assert _outcome(intrinsics_parser.parse_intrinsic.__wrapped__, text) == expected, text
        checked = _outcome(check_intrinsic, text)
        assert checked == (expected if expected[0] == "error" else ("ok", None)), text
        valid += expected[0] == "ok"
    assert valid > 150


@pytest.mark.parametrize("text", [
    "States.Format('He said {}', States.Array(1, -2.5e3, true, false, null, $$.Execution.Id, $v.x[0]))",
    "States.Format( 'a\\'b\\{}' , $.a['b,c'] ,$.list[?(@.n > 1)] )",
    "States.JsonMerge($.a, $.b, false)",
    "States.UUID()",
])
def test_the_scanner_builds_the_same_model(text: str) -> None:
    scanned, expected = intrinsics_parser._scan(text), intrinsics_parser._parse_with_lark(text)
    assert isinstance(scanned, type(expected))  # scanned, not left to lark
    assert (scanned.name, scanned.args, scanned.column) == (expected.name, expected.args, expected.column)
    assert intrinsics_parser.parse_intrinsic.__wrapped__(text) == expected


@pytest.mark.parametrize("text", ["States.Format(\n  'x {}',\n  $.a)", "States.Format(\n  'x', )"])
def test_multi_line_calls_are_lark_s_own(text: str) -> None:
    # lark counts columns per line; the scanner leaves such calls to it.
    expected = _outcome(intrinsics_parser._parse_with_lark, text)
    assert _outcome(intrinsics_parser.parse_intrinsic.__wrapped__, text) == expected
    assert _outcome(check_intrinsic, text) == (expected if expected[0] == "error" else ("ok", None))


# --- paths: plain-path reading == parser ----------------------------------------------------------------

_PATH_PIECES = ["$", "$$", "$v", "$_x1", "$1", ".a", ".B_2", ".0", "[0]", "[12]", "[-1]", "['a']", ".", "..", "[",
                "]", "x", ".length()", " ", "[*]", ".*", "\u00e9", ".\u00e9", "[01]", "[\u0663]", ".a-b", "(", "$.a"]


def _by_parser(text: str) -> JsonPath:
    root, variable, steps, function = PathParser(text).parse()
    return JsonPath.build(text, root, variable, steps, function)  # type: ignore[arg-type]


def _path_outcome(parse: Any, text: str) -> tuple[Any, ...]:
    try:
        path = parse(text)
    except PathSyntaxError as error:
        return ("error", error.message, error.column)
    return ("ok", path, path.normalized, path._keys, path._steps_definite)


def test_plain_paths_read_without_the_parser_are_the_parsers_paths() -> None:
    rng = random.Random(11)
    plain = 0
    for _ in range(20000):
        text = rng.choice(["$", "$$", "$v", "$ab_9", "$1", ""]) + "".join(
            rng.choice(_PATH_PIECES) for _ in range(rng.randint(0, 5)))
        expected = _path_outcome(_by_parser, text)
        assert _path_outcome(parse_path.__wrapped__, text) == expected, text
        if is_plain_path(text):
            plain += 1
            assert expected[0] == "ok" and expected[1].is_reference, text
    assert plain > 1000


# --- start-up ---------------------------------------------------------------------------------------------


def test_lint_start_up_leaves_the_heavy_modules_alone() -> None:
    code = (
        "import sys, statewright\n"
        "import statewright.lint.rules\n"
        "statewright.lint('StartAt: A\\nStates:\\n  A: {Type: Pass, Parameters: {x.$: \"States.Array($.a)\"}, "
        "End: true}\\n')\n"
        "print(sorted(m for m in ('lark', 'statewright.core.jsonata', 'statewright.core.jsonpath.filters', "
        "'statewright.lint.schema_explain') "
        "if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", (
        "lint imported a module only some definitions need (lark: invalid intrinsic calls; the JSONata engine: "
        "JSONata states; the path filters: filter paths; schema_explain: definitions failing the schema): "
        f"{done.stdout}{done.stderr}"
    )
