"""Timestamps: what AWS accepts (Java's ISO_OFFSET_DATE_TIME), and how the context object shows times."""

from __future__ import annotations

from typing import Any

import pytest

from statewright.core.timestamps import (
    format_timestamp,
    is_timestamp,
    parse_rfc3339,
    parse_timestamp_ns,
    seconds_path_error,
    timestamp_field_error,
    timestamp_path_error,
    wait_seconds_valid,
)


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("2016-03-14T01:59:00Z", 1457920740.0),
        ("1970-01-01T00:00:00Z", 0.0),
        ("2012-10-09T19:00:55+01:00", 1349805655.0),
        ("2012-10-09T19:00:55-01:30", 1349814655.0),
        ("2016-03-05T21:29:29.243Z", 1457213369.243),
        ("2024-02-29T12:00:00Z", 1709208000.0),
        ("2000-02-29T00:00:00Z", 951782400.0),
        ("2016-12-05t21:29:29z", 1480973369.0),  # Java's ISO formatters parse case-insensitively
        ("2016-12-05T21:29Z", 1480973340.0),  # seconds are optional in ISO_LOCAL_TIME
        ("1969-12-31T23:59:59Z", -1.0),
        ("2016-12-05T21:29:29+18:00", 1480908569.0),
    ],
)
def test_valid(text: str, epoch: float) -> None:
    assert parse_rfc3339(text) == pytest.approx(epoch, abs=1e-6)
    assert is_timestamp(text)


def test_nanoseconds_are_exact() -> None:
    assert parse_timestamp_ns("2016-03-05T21:29:29.243167252Z") == 1457213369_243167252
    assert parse_timestamp_ns("2016-03-05T21:29:29.1Z") == 1457213369_100000000


@pytest.mark.parametrize(
    "text",
    [
        "2016-12-05 21:29:29Z",  # no T (recorded: AWS refuses)
        "2016-12-05T21:29:29",  # no offset (recorded)
        "2016-13-05T21:29:29Z",  # month 13 (recorded)
        "2016-12-05T25:29:29Z",  # hour 25 (recorded)
        "05-12-2016T21:29:29Z",  # day first (recorded)
        "2023-02-29T00:00:00Z",  # not a leap year
        "1900-02-29T00:00:00Z",  # century, not a leap year
        "2016-04-31T00:00:00Z",
        "2016-12-05T24:00:00Z",
        "2016-12-05T23:60:00Z",
        "2016-12-05T23:59:60Z",  # no leap second in java.time
        "2016-12-05T21:29:29+19:00",
        "2016-12-05T21:29:29+0100",
        "2016-12-05T21:29:29+01",
        "2016-12-05T21:29:29.1234567890Z",
        "2023-02-24",
        "2023-02-24 12:15:56.832957",
        " 2016-12-05T21:29:29Z",
        "2016-12-05T21:29:29Z ",
        "",
    ],
)
def test_invalid(text: str) -> None:
    assert parse_rfc3339(text) is None
    assert not is_timestamp(text)


@pytest.mark.parametrize("value", [None, 0, 1.5, True, [], {}])
def test_non_strings_are_not_timestamps(value: Any) -> None:
    assert parse_rfc3339(value) is None


@pytest.mark.parametrize(
    ("epoch", "text"),
    [
        (0, "1970-01-01T00:00:00.000Z"),
        (1705314030.123, "2024-01-15T10:20:30.123Z"),
        (1705314030.1239, "2024-01-15T10:20:30.123Z"),
        (1705314030, "2024-01-15T10:20:30.000Z"),
        (-0.5, "1969-12-31T23:59:59.500Z"),
    ],
)
def test_format(epoch: float, text: str) -> None:
    assert format_timestamp(epoch) == text


def test_format_round_trips() -> None:
    for epoch in (0.001, 1.999, 1457213369.243, 4102444800.5):
        assert parse_rfc3339(format_timestamp(epoch)) == pytest.approx(epoch, abs=1e-6)


@pytest.mark.parametrize(
    ("value", "ok"),
    [(0, True), (10, True), (2.0, True), (-1, False), (1.5, False), (-1.5, False), ("10", False), (True, False),
     (None, False)],
)
def test_wait_seconds(value: Any, ok: bool) -> None:
    assert wait_seconds_valid(value) is ok


def test_causes_match_the_recorded_texts() -> None:
    path = "$.input.waitSeconds"
    assert seconds_path_error(path, -1) == f"The SecondsPath parameter references a negative value: {path} == -1"
    assert seconds_path_error(path, 1.5) == f"The SecondsPath parameter cannot be parsed as a long value: {path} == 1.5"
    assert seconds_path_error(path, -1.5).endswith("cannot be parsed as a long value: $.input.waitSeconds == -1.5")
    assert seconds_path_error(path, None, present=False) == (
        "The SecondsPath parameter does not reference an input value: $.input.waitSeconds"
    )
    assert timestamp_path_error("$.TimestampValue", "2016-12-05T21:29:29") == (
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format "
        "string: $.TimestampValue == 2016-12-05T21:29:29"
    )
    assert timestamp_field_error("2016-12-05 21:29:29Z") == (
        "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: "
        "2016-12-05 21:29:29Z"
    )
