"""Tags on state machines and activities: ``[{"key": k, "value": v}]`` in requests, a ``tags`` resource kept."""

from __future__ import annotations

from typing import Any

from statewright.server.protocol import validation

_MAX_TAGS = 50


def tags_of_request(tags: list[Any]) -> dict[str, str]:
    """The ``tags`` member of a request as a dict (raises ValidationException naming what is wrong)."""
    found: dict[str, str] = {}
    for index, tag in enumerate(tags):
        if not isinstance(tag, dict) or not isinstance(tag.get("key"), str):
            raise validation(f"Value at 'tags.{index + 1}.member.key' failed to satisfy constraint: "
                             "Member must not be null")
        key, value = tag["key"], tag.get("value", "")
        if not 1 <= len(key) <= 128 or not isinstance(value, str) or len(value) > 256:
            raise validation(f"Value at 'tags.{index + 1}' failed to satisfy constraint: a key of 1 to 128 "
                             "characters and a value of at most 256")
        found[key] = value
    if len(found) > _MAX_TAGS:
        raise validation(f"Too many tags: at most {_MAX_TAGS} per resource")
    return found


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in tags.items()]
