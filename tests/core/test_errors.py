"""ASL error names and failures as data."""

from __future__ import annotations

from statewright.core.errors import NOT_CAUGHT_BY_ALL, ErrorName, StatesError


def test_error_names_are_the_spec_strings() -> None:
    assert ErrorName.ALL == "States.ALL"
    assert ErrorName.INTRINSIC_FAILURE == "States.IntrinsicFailure"
    assert ErrorName.HTTP_SOCKET == "States.Http.Socket"
    assert all(str(name).startswith("States.") for name in ErrorName)
    assert len(set(ErrorName)) == 17


def test_runtime_and_data_limit_are_not_caught_by_all() -> None:
    assert {"States.Runtime", "States.DataLimitExceeded"} == NOT_CAUGHT_BY_ALL


def test_states_error_carries_error_and_cause() -> None:
    failure = StatesError(ErrorName.TIMEOUT, "the task timed out")
    assert failure.error == "States.Timeout" and type(failure.error) is str
    assert failure.cause == "the task timed out"
    assert str(failure) == "States.Timeout: the task timed out"
    assert StatesError("Custom.Error", "x").error == "Custom.Error"
