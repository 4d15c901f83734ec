"""History events in AWS Step Functions' own shape (spec: GetExecutionHistory).

During an execution the core records :class:`~statewright.core.events.HistoryEvent` objects whose
``details`` hold JSON *values* (shared with the running data, never copied) under short keys. Only
:func:`render_event` turns them into what ``GetExecutionHistory`` returns: the details under
``<camelCaseType>EventDetails`` (or the shared ``stateEnteredEventDetails`` /
``stateExitedEventDetails`` for every ``*StateEntered`` / ``*StateExited`` type), ``input`` and
``output`` as JSON texts with ``inputDetails`` / ``outputDetails``, and an ISO-8601 timestamp. Keeping
the rendering here keeps the per-transition cost of recording history to one small object.
"""

from __future__ import annotations

import json
from typing import Any

from statewright.core.events import HistoryEvent
from statewright.core.timestamps import format_timestamp

# Detail keys whose value is a JSON value rendered as text, with the companion "truncated" flag.
_TEXT_FIELDS = {"input": "inputDetails", "output": "outputDetails", "parameters": None}

# Types whose details AWS files under a name that is not derived from the type itself.
_DETAILS_KEY_OVERRIDES = {
    "ParallelStateStarted": None,
    "ParallelStateSucceeded": None,
    "ParallelStateFailed": None,
    "MapStateSucceeded": None,
    "MapStateFailed": None,
    "MapRunSucceeded": None,
    "LambdaFunctionStarted": None,
}


def json_text(value: Any) -> str:
    """Compact JSON as AWS writes state data (no spaces, non-ASCII kept)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def details_key(event_type: str) -> str | None:
    """The name of the ``*EventDetails`` member for ``event_type`` (``None``: the event has none)."""
    if event_type in _DETAILS_KEY_OVERRIDES:
        return _DETAILS_KEY_OVERRIDES[event_type]
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


def render_details(details: dict[str, Any]) -> dict[str, Any]:
    """The details with JSON values turned into texts, as GetExecutionHistory shows them."""
    rendered: dict[str, Any] = {}
    for key, value in details.items():
        if key == "assignedVariables":
            rendered[key] = {name: json_text(item) for name, item in value.items()}
            rendered["assignedVariablesDetails"] = {"truncated": False}
        elif key in _TEXT_FIELDS:
            rendered[key] = json_text(value)
            flag = _TEXT_FIELDS[key]
            if flag is not None:
                rendered[flag] = {"truncated": False}
        elif value is not None:
            rendered[key] = value
    return rendered


def render_event(event: HistoryEvent) -> dict[str, Any]:
    """One event as a ``GetExecutionHistory`` entry (a new dict; the event is not changed)."""
    shaped: dict[str, Any] = {
        "id": event.id,
        "previousEventId": event.previous_event_id,
        "timestamp": format_timestamp(event.timestamp),
        "type": event.type,
    }
    key = details_key(event.type)
    if key is not None and event.details is not None:
        shaped[key] = render_details(event.details)
    return shaped


def render_history(events: list[HistoryEvent]) -> list[dict[str, Any]]:
    """Every event of a history, rendered (see :func:`render_event`)."""
    return [render_event(event) for event in events]
