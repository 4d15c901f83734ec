"""The error names the Amazon States Language reserves, and a failure as data.

A state that fails does not unwind the interpreter: it produces an ``(error, cause)`` pair that
becomes a history event and is matched against ``Retry``/``Catch``. :class:`StatesError` is the one
exception the core raises for such failures; whoever catches it records ``error`` and ``cause``.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorName(StrEnum):
    """Every error name the language defines (all start with ``States.``; users may not use the prefix)."""

    ALL = "States.ALL"
    """Wildcard in Retry/Catch; matches every error except States.DataLimitExceeded and States.Runtime."""
    DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
    EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
    HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
    HTTP_SOCKET = "States.Http.Socket"
    INTRINSIC_FAILURE = "States.IntrinsicFailure"
    ITEM_READER_FAILED = "States.ItemReaderFailed"
    NO_CHOICE_MATCHED = "States.NoChoiceMatched"
    PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
    PERMISSIONS = "States.Permissions"
    QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
    RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
    RESULT_WRITER_FAILED = "States.ResultWriterFailed"
    RUNTIME = "States.Runtime"
    TASK_FAILED = "States.TaskFailed"
    TIMEOUT = "States.Timeout"
    BRANCH_FAILED = "States.BranchFailed"


# Terminal errors that States.ALL does not catch (the error-handling chapter of the AWS guide).
NOT_CAUGHT_BY_ALL: frozenset[str] = frozenset({ErrorName.DATA_LIMIT_EXCEEDED, ErrorName.RUNTIME})


class StatesError(Exception):
    """A failure as data: the ``error`` name and a human ``cause`` that names the path, field and value.

    Args:
        error: an :class:`ErrorName` or any user error name (Fail states, task results).
        cause: the explanation recorded in the history, phrased as AWS phrases it where known.
    """

    __slots__ = ("cause", "error")

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(error, cause)
        self.error = str(error)
        self.cause = cause

    def __str__(self) -> str:
        return f"{self.error}: {self.cause}"

    def __repr__(self) -> str:
        return f"StatesError({self.error!r}, {self.cause!r})"
