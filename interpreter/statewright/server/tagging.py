"""Tags on state machines and activities: ``[{"key": k, "value": v}]`` in requests, a ``tags`` resource kept.

The ``tags`` resource is keyed by the tagged resource's ARN; its body maps keys to values in the order they
were first set. At most 50 tags a resource (AWS's quota: ``TooManyTags``).
"""

from __future__ import annotations

from typing import Any

from statewright.server.protocol import ApiError, validation

MAX_TAGS = 50
_SYMBOLS = frozenset("_.:/=+-@")


def _allowed(text: str) -> bool:
    """AWS's rule: Unicode letters, digits, white space, or ``_ . : / = + - @``."""
    return all(char.isalnum() or char.isspace() or char in _SYMBOLS for char in text)


def tags_of_request(tags: list[Any]) -> dict[str, str]:
    """The ``tags`` member of a request as a dict (raises ValidationException naming what is wrong)."""
    found: dict[str, str] = {}
    for index, tag in enumerate(tags):
        where = f"tags.{index + 1}.member"
        if not isinstance(tag, dict) or not isinstance(tag.get("key"), str):
            raise validation(f"1 validation error detected: Value null at '{where}.key' failed to satisfy "
                             "constraint: Member must not be null")
        key, value = tag["key"], tag.get("value", "")
        if not isinstance(value, str):
            raise validation(f"Value at '{where}.value' must be a string")
        if not 1 <= len(key) <= 128 or len(value) > 256:
            raise validation(f"1 validation error detected: Value at '{where}' failed to satisfy constraint: a "
                             "key of 1 to 128 characters and a value of at most 256")
        if not _allowed(key) or not _allowed(value):
            raise validation(f"Invalid tag {key!r}: {value!r}: tags may only contain Unicode letters, digits, white "
                             "space, or these symbols: _ . : / = + - @")
        found[key] = value
    check_count(found, "")
    return found


def check_count(tags: dict[str, str], arn: str) -> None:
    if len(tags) > MAX_TAGS:
        where = f" of '{arn}'" if arn else ""
        raise ApiError("TooManyTags", f"Too many tags: {len(tags)} tags{where}; a resource can have at most "
                       f"{MAX_TAGS}")


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in tags.items()]
