"""Templates compiled to code (core/template_code.py) build exactly what the template loop builds, and leave
every input they cannot build (not an object, a name missing) to the loop, which raises AWS's error."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statewright.core.dataflow import compile_template
from statewright.core.errors import StatesError

NAMES = ["order", "id", "a b", "ünï", "x.y"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from([2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2.5])
    | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6)


def _member(kind: str, name: str) -> tuple[str, Any]:
    path = f"$['{name}']" if " " in name or "." in name else f"$.{name}"
    if kind == "input":
        return f"{name}_in.$", path
    if kind == "format":
        return f"{name}_fmt.$", f"States.Format('<{{}}>', {path})"
    if kind == "add":
        return f"{name}_add.$", f"States.MathAdd({path}, {len(name) - 3})"
    return f"{name}_const", {"nested": [1, name]}


templates = st.lists(st.tuples(st.sampled_from(["input", "format", "add", "const"]), st.sampled_from(NAMES)),
                     min_size=1, max_size=6).map(lambda members: dict(_member(*member) for member in members))
inputs = st.dictionaries(st.sampled_from(NAMES), json_values, max_size=5) | json_values


def _outcome(template: Any, value: Any) -> Any:
    try:
        return ("value", template.evaluate(value))
    except StatesError as error:
        return ("error", error.error, error.cause)


@settings(max_examples=400, deadline=None)
@given(templates, inputs)
def test_the_generated_code_builds_what_the_loop_builds(written: dict[str, Any], value: Any) -> None:
    compiled = compile_template(written)
    assert compiled.build is not None or compiled.shape == "const"  # these kinds are all compiled
    loop_only = dataclasses.replace(compiled, build=None)
    assert _outcome(compiled, value) == _outcome(loop_only, value)


def test_a_missing_name_falls_back_to_the_loop_and_its_error() -> None:
    compiled = compile_template({"order.$": "$.order", "label.$": "States.Format('order-{}', $.order)"})
    assert compiled.build is not None and compiled.build({"id": 1}) is None and compiled.build([1]) is None
    with pytest.raises(StatesError) as failed:
        compiled.evaluate({"id": 1})
    assert failed.value.cause == ("The JSONPath '$.order' specified for the field 'order.$' could not be found in "
                                  "the input '{\"id\":1}'")
    assert compiled.evaluate({"order": 7}) == {"order": 7, "label": "order-7"}
    assert compiled.evaluate({"order": True})["label"] == "order-true"


def test_templates_of_other_kinds_are_not_compiled() -> None:
    assert compile_template({"a.$": "$.b.c"}).build is None  # a deeper path: the loop's
    assert compile_template({"a.$": "$$.Execution.Id"}).build is None
    assert compile_template({"a.$": "States.MathAdd($.n, $.m)"}).build is None
    assert compile_template({"a.$": "States.MathAdd($.n, 1.5)"}).build is None
    assert compile_template(["$.a"]).build is None
