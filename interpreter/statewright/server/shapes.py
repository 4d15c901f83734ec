"""AWS's response shapes for executions and history events (botocore's ``stepfunctions`` service model).

Dates go out as epoch seconds (numbers): the JSON 1.0 protocol's timestamp format. Inputs and outputs are
JSON texts, compact, as AWS returns them.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from statewright.core.events import HistoryEvent
from statewright.runtime.durable import ExecutionDescription
from statewright.runtime.durable.redrive import REDRIVABLE_SECONDS, REDRIVABLE_STATUSES

_INCLUDED = {"included": True}


def json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _origin(description: ExecutionDescription, document: dict[str, Any]) -> dict[str, Any]:
    if description.version_arn:
        document["stateMachineVersionArn"] = description.version_arn
    if description.alias_arn:
        document["stateMachineAliasArn"] = description.alias_arn
    return document


def redrive_refusal(description: ExecutionDescription, now: float | None = None) -> str | None:
    """AWS's ``redriveStatusReason`` as far as the execution's row tells, or ``None`` (REDRIVABLE).

    RedriveExecution itself also asks the rebuilt execution (a history at its event limit, a failure outside
    any state); DescribeExecution does not replay a history to answer, so those show as REDRIVABLE here.
    """
    if description.workflow_type == "EXPRESS":
        return "Execution is EXPRESS and cannot be redriven: only STANDARD executions can be"
    if description.status not in REDRIVABLE_STATUSES:
        return f"Execution is {description.status} and cannot be redriven"
    stop = description.stop_date
    if stop is not None and (time.time() if now is None else now) - stop > REDRIVABLE_SECONDS:
        return "Execution redrivable period exceeded"
    return None


def redrive_status(description: ExecutionDescription) -> str:
    return "NOT_REDRIVABLE" if redrive_refusal(description) is not None else "REDRIVABLE"


def described_execution(description: ExecutionDescription) -> dict[str, Any]:
    """DescribeExecution's output."""
    document: dict[str, Any] = {
        "executionArn": description.execution_arn, "stateMachineArn": description.state_machine_arn,
        "name": description.name, "status": description.status, "startDate": description.start_date,
        "input": json_text(description.input), "inputDetails": _INCLUDED,
        "redriveCount": description.redrive_count, "redriveStatus": redrive_status(description),
    }
    if description.stop_date is not None:
        document["stopDate"] = description.stop_date
    if description.status == "SUCCEEDED":
        document["output"] = json_text(description.output)
        document["outputDetails"] = _INCLUDED
    if description.error is not None:
        document["error"] = description.error
    if description.cause is not None:
        document["cause"] = description.cause
    reason = redrive_refusal(description)
    if reason is not None:
        document["redriveStatus"] = "NOT_REDRIVABLE"
        document["redriveStatusReason"] = reason
    if description.redrive_date is not None:
        document["redriveDate"] = description.redrive_date
    return _origin(description, document)


def listed_execution(description: ExecutionDescription) -> dict[str, Any]:
    """One ExecutionListItem."""
    document: dict[str, Any] = {
        "executionArn": description.execution_arn, "stateMachineArn": description.state_machine_arn,
        "name": description.name, "status": description.status, "startDate": description.start_date,
        "redriveCount": description.redrive_count,
    }
    if description.stop_date is not None:
        document["stopDate"] = description.stop_date
    if description.redrive_date is not None:
        document["redriveDate"] = description.redrive_date
    return _origin(description, document)


_DATA_KEYS = ("input", "output", "inputDetails", "outputDetails")


def history_event(event: HistoryEvent, include_data: bool) -> dict[str, Any]:
    """One HistoryEvent: as the core renders it, with the timestamp as epoch seconds."""
    shaped = event.to_aws()
    shaped["timestamp"] = event.timestamp
    if shaped.get("previousEventId") is None:
        shaped["previousEventId"] = 0
    if not include_data:
        for key, value in shaped.items():
            if key.endswith("EventDetails") and isinstance(value, dict):
                shaped[key] = {name: item for name, item in value.items() if name not in _DATA_KEYS}
    return shaped
