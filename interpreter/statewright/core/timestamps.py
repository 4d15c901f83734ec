"""Timestamps as the States Language reads and writes them (spec/wait.md rule 3, spec/choice.md).

AWS runs on the JVM and its error texts name the format it parses with: "cannot be parsed as an
ISO-8601 extended offset date-time format string", the wording of Java's
``DateTimeFormatter.ISO_OFFSET_DATE_TIME``. So this module accepts what that formatter accepts
(strict resolver, ISO chronology):

* ``YYYY-MM-DD`` then ``T`` (the formatter parses case-insensitively, so ``t`` too), then
  ``hh:mm``, optionally ``:ss``, optionally ``.`` and up to 9 fraction digits;
* an offset: ``Z`` (or ``z``) or ``+hh:mm`` / ``-hh:mm`` (optionally ``:ss``), at most 18 hours;
* a real calendar date (leap years), hours 0-23, minutes and seconds 0-59 (no leap second).

Everything rejected by the recorded AWS cases is rejected here: no ``T``, no offset, month 13,
hour 25, ``DD-MM-YYYY``. Instants are kept as integer nanoseconds so that comparisons are exact;
no clock is read and ``datetime`` is used only for formatting a given instant.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

_NANOS = 1_000_000_000

_PATTERN = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{0,9}))?)?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2})(?::(\d{2}))?)",
    re.ASCII,
)

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).

    Used instead of ``datetime`` so that year 0000, which Java accepts, needs no special case.
    """
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def parse_timestamp_ns(text: Any) -> int | None:
    """The instant ``text`` names, in integer nanoseconds since the epoch; ``None`` if not a timestamp.

    Any non-string gives ``None``, so callers can pass JSON values straight through.
    """
    return _parse_string(text) if text.__class__ is str else None


# Choice rules re-read the same few timestamps on every visit (a loop polling until a deadline):
# caching turns a regex match and eight int() calls into one dict look-up.
@lru_cache(maxsize=4096)
def _parse_string(text: str) -> int | None:
    match = _PATTERN.fullmatch(text)
    if match is None:
        return None
    y, mo, d, h, mi, sec, fraction, zulu, sign, oh, om, osec = match.groups()
    year, month, day, hour, minute = int(y), int(mo), int(d), int(h), int(mi)
    second = int(sec) if sec else 0
    if not 1 <= month <= 12 or hour > 23 or minute > 59 or second > 59:
        return None
    days_in_month = 29 if month == 2 and _is_leap(year) else _DAYS_IN_MONTH[month - 1]
    if not 1 <= day <= days_in_month:
        return None
    offset = 0
    if zulu is None:
        off_minutes, off_seconds = int(om), int(osec) if osec else 0
        if off_minutes > 59 or off_seconds > 59:
            return None
        offset = int(oh) * 3600 + off_minutes * 60 + off_seconds
        if offset > 18 * 3600:  # java.time.ZoneOffset's range
            return None
        if sign == "-":
            offset = -offset
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    return seconds * _NANOS + nanos


def parse_rfc3339(text: Any) -> float | None:
    """Epoch seconds of a timestamp as AWS accepts it in ``Timestamp``, ``TimestampPath`` and
    ``Timestamp*`` comparisons; ``None`` when ``text`` is not one (or not a string).

    Floats lose precision below about a microsecond; compare with :func:`parse_timestamp_ns` when
    exactness matters.
    """
    nanos = parse_timestamp_ns(text)
    return None if nanos is None else nanos / _NANOS


def is_timestamp(value: Any) -> bool:
    """Whether ``value`` is a string holding a valid timestamp (the ``IsTimestamp`` test)."""
    return parse_timestamp_ns(value) is not None


def format_timestamp(epoch: float) -> str:
    """Format an instant as AWS shows it in the context object: UTC, milliseconds, ``Z``.

    ``$$.Execution.StartTime`` and ``$$.State.EnteredTime`` look like ``2019-03-26T20:14:13.192Z``
    (always three fraction digits). The instant is truncated, not rounded, to the millisecond, so a
    formatted time never lies after the instant it stands for.
    """
    # The tiny bias absorbs binary float error (1705314030.123 * 1000 is 1705314030122.9998).
    millis = math.floor(epoch * 1000 + 1e-6)
    seconds, fraction = divmod(millis, 1000)
    prefix = _SECOND_PREFIXES.get(seconds)
    if prefix is None:
        # strftime costs ~8 µs; the times of one run fall in few distinct seconds, so cache per second.
        if len(_SECOND_PREFIXES) >= 4096:
            _SECOND_PREFIXES.clear()
        prefix = _SECOND_PREFIXES[seconds] = (_EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.")
    return f"{prefix}{fraction:03d}Z"


_SECOND_PREFIXES: dict[int, str] = {}


def wait_seconds_valid(value: Any) -> bool:
    """Whether ``value`` is a number of seconds a Wait state accepts through ``SecondsPath``.

    A non-negative integer (JSON booleans are not numbers; ``2.0`` is accepted, as Java's
    ``longValueExact`` accepts a decimal with no fraction). Use :func:`seconds_path_error` for the
    cause text when this is false.
    """
    cls = value.__class__
    if cls is int:
        return value >= 0
    if cls is float:
        return value.is_integer() and value >= 0
    return False


def seconds_path_error(path: str, value: Any, *, present: bool = True) -> str:
    """AWS's cause for a ``SecondsPath`` value a Wait state refuses (without the state prefix).

    The interpreter adds "An error occurred while executing the state 'X' (entered at the event id
    #N). " in front, as it does for every run-time cause.
    """
    if not present:
        return f"The SecondsPath parameter does not reference an input value: {path}"
    cls = value.__class__
    if cls is int or (cls is float and value.is_integer()):
        shown = int(value) if cls is float else value
        return f"The SecondsPath parameter references a negative value: {path} == {shown}"
    return f"The SecondsPath parameter cannot be parsed as a long value: {path} == {_show(value)}"


def timestamp_path_error(path: str, value: Any) -> str:
    """AWS's cause for a ``TimestampPath`` value that is not a valid timestamp (without the state prefix)."""
    return (
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time "
        f"format string: {path} == {_show(value)}"
    )


def timestamp_field_error(value: Any) -> str:
    """AWS's cause for a JSONata ``Timestamp`` that is not a valid timestamp (without the state prefix)."""
    return (
        "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: "
        + _show(value)
    )


def _show(value: Any) -> str:
    # AWS prints strings bare and other values as JSON (as the recorded causes show for strings
    # and numbers).
    if value.__class__ is str:
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
