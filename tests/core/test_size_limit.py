"""States.DataLimitExceeded's size test (``over_limit``) measures with orjson and falls back to the exact
json_text length near the limit: it must answer exactly as measuring json_text's UTF-8 bytes does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statewright.core.dataflow import MAX_PAYLOAD_BYTES, over_limit
from statewright.core.history import json_text


def exact(value: Any) -> bool:
    return len(json_text(value).encode("utf-8")) > MAX_PAYLOAD_BYTES


# Floats whose texts differ between json and orjson (exponents, non-finite), texts with dots, e's,
# "true" and "null" inside strings, big ints orjson refuses, control characters and non-ASCII.
AWKWARD = [1e-5, 1.5e-7, 1.234e-05, 1e16, 1e-300, float("inf"), float("-inf"), float("nan"), 2**70, -(2**64),
           "true", "null e.e.", "ü\u2028\x00\x1f", True, False, None, 0.1]
values = st.recursive(
    st.sampled_from(AWKWARD) | st.floats() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(values, st.integers(-40, 40))
def test_the_answer_is_exact_around_the_limit(value: Any, offset: int) -> None:
    """A filler string brings each generated value to within a few bytes of the limit, both sides."""
    base = len(json_text([value, ""]).encode("utf-8"))
    padded = [value, "x" * max(0, MAX_PAYLOAD_BYTES - base + offset)]
    assert over_limit(padded) == exact(padded)
    assert over_limit(value) == exact(value)


@pytest.mark.parametrize("float_value", [1e-5, 1.5e-7, float("-inf"), float("nan"), 1e16])
@pytest.mark.parametrize("offset", range(-12, 13))
def test_floats_written_differently_by_orjson_near_the_limit(float_value: float, offset: int) -> None:
    many = [float_value] * 2000
    base = len(json_text([many, ""]).encode("utf-8"))
    value = [many, "y" * (MAX_PAYLOAD_BYTES - base + offset)]
    assert over_limit(value) == exact(value) == (offset > 0)


def test_values_orjson_refuses_are_measured_the_exact_way() -> None:
    huge = {1: "non-text key", "n": 2**80, "text": "z" * MAX_PAYLOAD_BYTES}
    assert over_limit(huge) is True and exact(huge) is True
    assert over_limit({1: "a" * 100, "b": [2**80] * 20}) is False
