"""The Python fast path gives what the engine gives, or steps aside (spec/jsonata.md, "Speed")."""

from __future__ import annotations

from typing import Any

import pytest

from statewright.core.jsonata import UNDEFINED, compile_expression
from statewright.core.jsonata.engine import _compile
from statewright.core.jsonata.fastpath import FALLBACK, MISSING, compile_fast

STATES: dict[str, Any] = {"input": {"n": 3, "s": "x", "list": [1, [2]], "obj": {"a": {"b": None}}, "f": 1.5,
                                    "t": True}}
VARIABLES: dict[str, Any] = {"v": {"k": "w"}, "num": 7, "nothing": None}

EXPRESSIONS = [
    "$states.input.n", "$states.input.s", "$states.input.list", "$states.input.obj", "$states.input.obj.a.b",
    "$states.input.absent", "$states.input.f", "$states.input.t", "$v", "$v.k", "$v.absent", "$num",
    "$nothing", "$unset", "'a' & $num & \"b\"", "$states.input.s & $states.input.absent",
    "'x&y' & $v.k", "$states.input.t & 'x'", "42", "$states.input.list.x", "$states.input.n.x",
]


def _engine(text: str) -> Any:
    compiled = _compile(text)
    try:
        return compiled.evaluate(STATES["input"], {**VARIABLES, "states": STATES})
    except Exception as exc:  # the fast path must then step aside too
        return exc


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_fast_path_agrees_with_engine(text: str) -> None:
    fast = compile_fast(text)
    expected = _engine(text)
    if fast is None:
        return
    value = fast(STATES, VARIABLES)
    if value is FALLBACK:
        return
    assert not isinstance(expected, Exception)
    assert (UNDEFINED if value is MISSING else value) == expected


def test_expression_results_are_the_same_either_way() -> None:
    for text in EXPRESSIONS:
        expected = _engine(text)
        if isinstance(expected, Exception):
            continue
        assert compile_expression(text).evaluate(STATES, VARIABLES, "Output") == expected, text


def test_compiled_once() -> None:
    assert compile_expression("$states.input.n + 1") is compile_expression("$states.input.n + 1")
