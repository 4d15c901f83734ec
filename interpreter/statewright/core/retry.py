"""Retriers, catchers and error-name matching (spec/errors-and-retries.md).

Pure: the jittered delay draws from a :class:`~statewright.core.intrinsics.RandomSource` the
runtime seeds from the history, so a replay waits exactly as the first run did.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from statewright.core.errors import ErrorName
from statewright.core.intrinsics import RandomSource
from statewright.core.jsonpath import JsonPath, PathSyntaxError, parse_path

# Never retried or caught, whatever ErrorEquals says (spec rule 6 and the States.Runtime row).
_NEVER_HANDLED = frozenset({ErrorName.RUNTIME.value})
# Terminal errors the wildcards skip; listing one by name still matches it.
_SKIPPED_BY_WILDCARDS = frozenset({ErrorName.RUNTIME.value, ErrorName.DATA_LIMIT_EXCEEDED.value})

# A delay with no MaxDelaySeconds can grow past any real timer (2.0 ** 99,999,999 overflows a
# float); it is held at the largest MaxDelaySeconds the language allows (366 days).
_DELAY_CEILING = 31_622_400.0


class RetryDefinitionError(ValueError):
    """A retrier or catcher that cannot be compiled (a definition error; lint reports these first)."""


def error_matches(error_equals: Sequence[str], error: str) -> bool:
    """Whether an ``ErrorEquals`` list handles ``error`` (spec/errors-and-retries.md rule 9).

    * An entry equal to the error (case-sensitive) matches it.
    * ``States.ALL`` matches every error except ``States.Runtime`` and ``States.DataLimitExceeded``.
    * ``States.TaskFailed`` matches every error except ``States.Timeout`` and those two.
    * ``States.Runtime`` is never matched, not even by name: it always fails the execution.
    """
    if error in _NEVER_HANDLED:
        return False
    for name in error_equals:
        if name == error:
            return True
        if error in _SKIPPED_BY_WILDCARDS:
            continue
        if name == ErrorName.ALL or (name == ErrorName.TASK_FAILED and error != ErrorName.TIMEOUT):
            return True
    return False


def _error_equals(d: Mapping[str, Any], what: str) -> tuple[str, ...]:
    names = d.get("ErrorEquals")
    if not isinstance(names, list) or not names or not all(isinstance(name, str) for name in names):
        raise RetryDefinitionError(f"a {what} needs 'ErrorEquals', a non-empty array of error names")
    return tuple(names)


def _number(d: Mapping[str, Any], key: str, default: float | None, what: str) -> Any:
    value = d.get(key, default)
    if value is None and default is None:
        return None
    if value.__class__ not in (int, float):
        raise RetryDefinitionError(f"'{key}' of a {what} must be a number, not {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Retrier:
    """One element of a state's ``Retry`` array.

    Attributes:
        error_equals: the error names it handles.
        interval_seconds: delay before the first retry (default 1).
        max_attempts: how many retries it allows (default 3; 0 means never retry).
        backoff_rate: the factor the delay grows by per retry (default 2.0).
        max_delay_seconds: the cap on a retry's delay, or ``None``.
        jitter_strategy: ``"FULL"`` (random delay between 0 and the computed one) or ``"NONE"``.
    """

    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_strategy: str = "NONE"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Retrier:
        """Compile a retrier as written in the definition.

        Raises:
            RetryDefinitionError: a field has the wrong type or an unknown value.
        """
        jitter = d.get("JitterStrategy", "NONE")
        if jitter not in ("FULL", "NONE"):
            raise RetryDefinitionError(f"'JitterStrategy' must be FULL or NONE, not {jitter!r}")
        max_attempts = d.get("MaxAttempts", 3)
        if max_attempts.__class__ is not int or max_attempts < 0:
            raise RetryDefinitionError(f"'MaxAttempts' must be a non-negative integer, not {max_attempts!r}")
        return cls(
            error_equals=_error_equals(d, "retrier"),
            interval_seconds=_number(d, "IntervalSeconds", 1, "retrier"),
            max_attempts=max_attempts,
            backoff_rate=_number(d, "BackoffRate", 2.0, "retrier"),
            max_delay_seconds=_number(d, "MaxDelaySeconds", None, "retrier"),
            jitter_strategy=jitter,
        )

    def matches(self, error: str) -> bool:
        """Whether this retrier handles ``error`` (see :func:`error_matches`)."""
        return error_matches(self.error_equals, error)

    def backoff(self, retry_index: int) -> float:
        """The delay in seconds before retry ``retry_index + 1``, before jitter.

        ``IntervalSeconds * BackoffRate ** retry_index``, capped at ``MaxDelaySeconds`` when set.
        """
        try:
            delay = self.interval_seconds * self.backoff_rate**retry_index
        except OverflowError:
            delay = math.inf
        if self.max_delay_seconds is not None and delay > self.max_delay_seconds:
            delay = self.max_delay_seconds
        return float(min(delay, _DELAY_CEILING))

    def delay(self, retry_index: int, rng: RandomSource | None = None) -> float:
        """Seconds to wait before retry ``retry_index + 1`` (``retry_index`` counts from 0).

        The cap applies before jitter, so with ``FULL`` the delay is uniform in
        ``[0, min(backoff, MaxDelaySeconds)]``. The draw is in whole milliseconds
        (``rng.randrange(0, ms + 1)``), the finest step a timer is scheduled with, so one draw
        per retry from the recorded seed reproduces the same wait on replay.

        Raises:
            ValueError: ``FULL`` jitter without a random source.
        """
        delay = self.backoff(retry_index)
        if self.jitter_strategy != "FULL":
            return delay
        if rng is None:
            raise ValueError("JitterStrategy FULL needs a random source")
        return rng.randrange(0, round(delay * 1000) + 1) / 1000


@dataclass(frozen=True, slots=True)
class Catcher:
    """One element of a state's ``Catch`` array.

    Attributes:
        error_equals: the error names it handles.
        next: the state to continue at.
        result_path: where the error output goes in the raw input (a compiled reference path), or
            ``None`` for ``ResultPath: null`` (the raw input passes on unchanged). Default ``$``.
        output: the raw JSONata ``Output``, or ``None``.
        assign: the raw ``Assign``, or ``None``.
    """

    error_equals: tuple[str, ...]
    next: str
    result_path: JsonPath | None
    output: Any = None
    assign: Any = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Catcher:
        """Compile a catcher as written in the definition.

        Raises:
            RetryDefinitionError: ``Next`` is missing or ``ResultPath`` is not a reference path.
        """
        target = d.get("Next")
        if not isinstance(target, str):
            raise RetryDefinitionError("a catcher needs 'Next' naming a state")
        result_path: JsonPath | None = None
        text = d.get("ResultPath", "$")
        if text is not None:
            try:
                result_path = parse_path(text) if isinstance(text, str) else None
            except PathSyntaxError as exc:
                raise RetryDefinitionError(f"'ResultPath' of a catcher is not a valid path: {exc}") from None
            if result_path is None or not result_path.is_reference or result_path.root != "input":
                raise RetryDefinitionError(f"'ResultPath' of a catcher must be a reference path, not {text!r}")
        return cls(_error_equals(d, "catcher"), target, result_path, d.get("Output"), d.get("Assign"))

    def matches(self, error: str) -> bool:
        """Whether this catcher handles ``error`` (see :func:`error_matches`)."""
        return error_matches(self.error_equals, error)


def error_output(error: str, cause: str | None) -> dict[str, Any]:
    """The error output a catcher passes on: ``{"Error": ..., "Cause": ...}``.

    AWS leaves ``Cause`` out when the failure has none (a Fail state without ``Cause``).
    """
    return {"Error": error} if cause is None else {"Error": error, "Cause": cause}
