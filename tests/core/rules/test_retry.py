"""Retriers, catchers and ErrorEquals matching (spec/errors-and-retries.md)."""

from __future__ import annotations

from typing import Any

import pytest

from statewright.core.intrinsics import SeededRandom
from statewright.core.retry import (
    Catcher,
    Retrier,
    RetryDefinitionError,
    error_matches,
    error_output,
)


@pytest.mark.parametrize(
    ("error_equals", "error", "expected"),
    [
        (["MyError"], "MyError", True),
        (["MyError"], "myerror", False),
        (["Other", "MyError"], "MyError", True),
        (["States.ALL"], "MyError", True),
        (["States.ALL"], "States.Timeout", True),
        (["States.ALL"], "States.HeartbeatTimeout", True),
        (["States.ALL"], "States.Runtime", False),
        (["States.ALL"], "States.DataLimitExceeded", False),
        (["States.DataLimitExceeded"], "States.DataLimitExceeded", True),
        (["States.Runtime"], "States.Runtime", False),
        (["States.TaskFailed"], "MyError", True),
        (["States.TaskFailed"], "States.Permissions", True),
        (["States.TaskFailed"], "States.HeartbeatTimeout", True),
        (["States.TaskFailed"], "States.Timeout", False),
        (["States.TaskFailed"], "States.Runtime", False),
        (["States.TaskFailed"], "States.DataLimitExceeded", False),
        (["States.Timeout"], "States.Timeout", True),
        (["States.Timeout"], "States.HeartbeatTimeout", False),
        (["States.Permissions"], "States.Permissions", True),
        (["States.Timeout", "States.TaskFailed"], "States.Timeout", True),
    ],
)
def test_error_matches(error_equals: list[str], error: str, expected: bool) -> None:
    assert error_matches(error_equals, error) is expected


def test_retrier_defaults() -> None:
    retrier = Retrier.from_dict({"ErrorEquals": ["States.ALL"]})
    assert (retrier.interval_seconds, retrier.max_attempts, retrier.backoff_rate) == (1, 3, 2.0)
    assert retrier.max_delay_seconds is None and retrier.jitter_strategy == "NONE"
    assert [retrier.delay(n) for n in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert retrier.matches("Anything") and not retrier.matches("States.Runtime")


def test_backoff_and_cap() -> None:
    retrier = Retrier.from_dict({"ErrorEquals": ["E"], "IntervalSeconds": 3, "BackoffRate": 1.5,
                                 "MaxDelaySeconds": 8, "MaxAttempts": 0})
    assert retrier.max_attempts == 0
    assert [retrier.delay(n) for n in range(4)] == [3.0, 4.5, 6.75, 8.0]
    assert Retrier.from_dict({"ErrorEquals": ["E"], "BackoffRate": 1}).delay(10) == 1.0


def test_huge_backoff_does_not_overflow() -> None:
    retrier = Retrier.from_dict({"ErrorEquals": ["E"], "MaxAttempts": 99_999_999})
    assert retrier.delay(5000) == 31_622_400.0
    capped = Retrier.from_dict({"ErrorEquals": ["E"], "MaxDelaySeconds": 60})
    assert capped.delay(5000) == 60.0


def test_full_jitter_is_seeded_and_within_the_capped_delay() -> None:
    retrier = Retrier.from_dict({"ErrorEquals": ["E"], "IntervalSeconds": 2, "MaxDelaySeconds": 5,
                                 "JitterStrategy": "FULL"})
    first = [retrier.delay(n, SeededRandom(7)) for n in range(6)]
    again = [retrier.delay(n, SeededRandom(7)) for n in range(6)]
    assert first == again
    rng = SeededRandom(1)
    draws = [retrier.delay(3, rng) for _ in range(500)]
    assert all(0 <= d <= 5 for d in draws)
    assert all(abs(round(d * 1000) - d * 1000) < 1e-6 for d in draws)  # whole milliseconds
    assert min(draws) < 1 and max(draws) > 4
    with pytest.raises(ValueError, match="random source"):
        retrier.delay(0)


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"ErrorEquals": []},
        {"ErrorEquals": "States.ALL"},
        {"ErrorEquals": ["E"], "JitterStrategy": "HALF"},
        {"ErrorEquals": ["E"], "MaxAttempts": -1},
        {"ErrorEquals": ["E"], "MaxAttempts": 1.5},
        {"ErrorEquals": ["E"], "IntervalSeconds": "1"},
        {"ErrorEquals": ["E"], "BackoffRate": None},
    ],
)
def test_retrier_definition_errors(bad: dict[str, Any]) -> None:
    with pytest.raises(RetryDefinitionError):
        Retrier.from_dict(bad)


def test_catcher() -> None:
    catcher = Catcher.from_dict({"ErrorEquals": ["States.ALL"], "Next": "Recover"})
    assert catcher.next == "Recover" and catcher.result_path is not None
    assert catcher.result_path.text == "$"
    assert catcher.matches("Boom") and not catcher.matches("States.Runtime")
    placed = Catcher.from_dict({"ErrorEquals": ["E"], "Next": "N", "ResultPath": "$.error"})
    assert placed.result_path is not None and placed.result_path.text == "$.error"
    assert not placed.matches("F")
    assert Catcher.from_dict({"ErrorEquals": ["E"], "Next": "N", "ResultPath": None}).result_path is None
    jsonata = Catcher.from_dict({"ErrorEquals": ["E"], "Next": "N", "Output": "{% $states.errorOutput %}",
                                 "Assign": {"x": 1}})
    assert jsonata.output == "{% $states.errorOutput %}" and jsonata.assign == {"x": 1}


@pytest.mark.parametrize(
    "bad",
    [
        {"ErrorEquals": ["E"]},
        {"Next": "N"},
        {"ErrorEquals": ["E"], "Next": "N", "ResultPath": "$.items[*]"},
        {"ErrorEquals": ["E"], "Next": "N", "ResultPath": "$$.State"},
        {"ErrorEquals": ["E"], "Next": "N", "ResultPath": "$.["},
        {"ErrorEquals": ["E"], "Next": "N", "ResultPath": 3},
    ],
)
def test_catcher_definition_errors(bad: dict[str, Any]) -> None:
    with pytest.raises(RetryDefinitionError):
        Catcher.from_dict(bad)


def test_error_output() -> None:
    assert error_output("E", "why") == {"Error": "E", "Cause": "why"}
    assert error_output("E", None) == {"Error": "E"}
