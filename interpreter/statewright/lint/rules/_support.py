"""Small helpers the rule modules share: field lists, value tests and the path/intrinsic checks.

Nothing here trusts the shape of the definition; every helper accepts any JSON value.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from statewright.core.intrinsics import IntrinsicSyntaxError, check_intrinsic
from statewright.core.jsonpath import PathSyntaxError, is_plain_path, parse_path
from statewright.core.jsonpath.steps import BrokenFilter
from statewright.lint.context import JSONATA, PLACEHOLDER, StateRef

# Fields whose value is a path into the input, the context object or a variable (spec/data-flow.md).
# ResultPath is a Reference Path and is checked on its own.
PATH_FIELDS = (
    "InputPath",
    "OutputPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
)
# Fail's ErrorPath and CausePath take a path or an intrinsic function call.
PATH_OR_INTRINSIC_FIELDS = ("ErrorPath", "CausePath")

# Fields holding a number that a JSONata state may compute with a {% %} expression instead.
NUMERIC_FIELDS = ("Seconds", "TimeoutSeconds", "HeartbeatSeconds", "MaxConcurrency", "ToleratedFailureCount",
                  "ToleratedFailurePercentage")

# Payload templates: objects whose keys ending in ".$" take a path or an intrinsic (JSONPath states).
TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Credentials", "Assign",
                   "ItemReader", "ResultWriter", "ItemBatcher")


def is_jsonata_expression(value: Any) -> bool:
    """``{% ... %}`` exactly: AWS treats `` {% x %} `` (with outer spaces) as a literal string."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}") and len(value) >= 4


def jsonata_body(value: str) -> str:
    return value[2:-2].strip()


def has_placeholder(value: Any) -> bool:
    # The substring test first: it is several times cheaper than the regex and almost always false.
    return isinstance(value, str) and "${" in value and PLACEHOLDER.search(value) is not None


def is_number(value: Any) -> bool:
    # bool is an int subclass in Python but never a JSON number.
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_jsonata_state(state: StateRef) -> bool:
    return state.query_language == JSONATA


class Problem(NamedTuple):  # not a dataclass: cheaper to create, and lint start-up is measured
    """Why a path or intrinsic text is invalid, and where: ``offset`` is the 0-based index in the text of
    the character the parser stopped at (``None`` when the whole text is at fault). Prints as ``reason``."""

    reason: str
    offset: int | None = None

    def __str__(self) -> str:
        return self.reason


# The syntax checks are pure functions of the text, and a definition repeats its paths ($.order.id in
# every state): each distinct text is checked once per process.
@lru_cache(maxsize=16384)
def path_error(text: str, *, reference: bool = False) -> Problem | None:
    """Why ``text`` is not a valid path (or Reference Path), or ``None`` when it is."""
    if is_plain_path(text):
        return None  # names and indexes only: valid, and a Reference Path
    try:
        parsed = parse_path(text)
    except PathSyntaxError as error:
        return _syntax_problem(error, text)
    if reference and not parsed.is_reference:
        return Problem("a Reference Path may only use '.name', \"['name']\" and '[index]' steps (no filters, "
                       "wildcards or slices)")
    return None


@lru_cache(maxsize=16384)
def broken_filter(text: str) -> Problem | None:
    """Why a filter of path ``text`` cannot be compiled (AWS accepts it and fails at run time), or None."""
    if "[?" not in text or text.startswith("States."):
        return None
    try:
        parsed = parse_path(text)
    except PathSyntaxError:
        return None  # an error, which path_error reports
    for step in parsed.steps:
        if isinstance(step, BrokenFilter):
            offset = step.column - 1 if "\n" not in text and "\r" not in text else None
            return Problem(f"the filter {step.text} cannot be compiled: {step.reason}", offset)
    return None


@lru_cache(maxsize=16384)
def intrinsic_error(text: str) -> Problem | None:
    """Why ``text`` is not a valid intrinsic function call, or ``None`` when it is."""
    try:
        check_intrinsic(text)
    except IntrinsicSyntaxError as error:
        return _syntax_problem(error, text)
    return None


@lru_cache(maxsize=16384)
def path_or_intrinsic_error(text: str) -> Problem | None:
    """Why ``text`` is neither a path nor an intrinsic call; the intrinsic's reason when it looks like one."""
    if text.startswith("States."):
        return intrinsic_error(text)
    return path_error(text)


def _syntax_problem(error: PathSyntaxError | IntrinsicSyntaxError, text: str) -> Problem:
    message = error.message or str(error)
    column = error.column
    if not isinstance(column, int):
        return Problem(str(message))
    # Both parsers count 1-based columns from the start of the text; lark counts per line, so a call
    # written over several lines points at the whole value rather than at a wrong character.
    single_line = "\n" not in text and "\r" not in text
    offset = min(max(column - 1, 0), len(text)) if single_line else None
    return Problem(f"{message} (column {column})", offset)


def list_items(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, object) for each object in a list; nothing when ``value`` is not a list."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def quote(value: Any) -> str:
    """A value as it would appear in the definition, shortened for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# RFC 3339 date-time: full date, "T", full time with seconds, optional fraction, "Z" or a numeric offset.
# AWS rejects "05-12-2016T21:29:29Z" (no full date), "2016-12-05 21:29:29Z" (no "T") and hour 25.
# Compiled on first use (re's cache): most definitions have no timestamp.
_RFC3339 = r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))"


def is_rfc3339(text: str) -> bool:
    """True when ``text`` is an RFC 3339 date-time naming a real day and time."""
    match = re.fullmatch(_RFC3339, text)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    offset_hours, offset_minutes = match.group(7), match.group(8)
    if offset_hours is not None and (int(offset_hours) > 23 or int(offset_minutes) > 59):
        return False
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    # 60 is a leap second, which RFC 3339 allows.
    return hour <= 23 and minute <= 59 and second <= 60
