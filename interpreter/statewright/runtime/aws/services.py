"""The optimised integrations of SQS, SNS, DynamoDB, EventBridge and Step Functions, in AWS's shapes.

Each takes the Task's parameters as AWS documents them (PascalCase, as the service API names them) and
answers what the integration's page in AWS's Step Functions guide shows: the API's response, plus
``SdkHttpMetadata``/``SdkResponseMetadata`` for SQS, SNS and DynamoDB. A message body, an event detail or
an execution input given as JSON data is sent as its JSON text, as AWS does.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from statewright.runtime.aws.calls import call
from statewright.runtime.aws.config import Clients
from statewright.runtime.aws.members import from_model, operation_model, to_model
from statewright.runtime.aws.shapes import as_text, epoch_millis, json_value, parsed, sdk_metadata
from statewright.runtime.resources import TaskError

Integration = Callable[[Clients, dict[str, Any], str], Awaitable[Any]]


async def sqs_send_message(clients: Clients, parameters: dict[str, Any], pattern: str) -> Any:
    parameters["MessageBody"] = as_text(parameters.get("MessageBody"))
    response = await call("SQS", clients.get("sqs").send_message, parameters)
    return {**json_value(response), **sdk_metadata(response)}


async def sns_publish(clients: Clients, parameters: dict[str, Any], pattern: str) -> Any:
    parameters["Message"] = as_text(parameters.get("Message"))
    response = await call("SNS", clients.get("sns").publish, parameters)
    return {**json_value(response), **sdk_metadata(response)}


def _dynamodb(action: str) -> Integration:
    async def run(clients: Clients, parameters: dict[str, Any], pattern: str) -> Any:
        client = clients.get("dynamodb")
        response = await call("DynamoDB", getattr(client, action), parameters)
        return {**json_value(response), **sdk_metadata(response)}

    return run


async def events_put_events(clients: Clients, parameters: dict[str, Any], pattern: str) -> Any:
    entries = parameters.get("Entries")
    if isinstance(entries, list):
        parameters["Entries"] = [{**entry, "Detail": as_text(entry["Detail"])}
                                 if isinstance(entry, dict) and "Detail" in entry else entry for entry in entries]
    response = await call("EventBridge", clients.get("events").put_events, parameters)
    result = json_value(response)
    if result.get("FailedEntryCount"):
        # AWS fails the task when any entry failed (the EventBridge integration's page).
        raise TaskError("EventBridge.FailedEntry", json.dumps(result, separators=(",", ":")))
    return result


async def states_start_execution(clients: Clients, parameters: dict[str, Any], pattern: str) -> Any:
    if "Input" in parameters:
        parameters["Input"] = as_text(parameters["Input"])
    client = clients.get("stepfunctions")
    start = operation_model(client, "StartExecution")
    started = await call("StepFunctions", client.start_execution, to_model(parameters, start.input_shape))
    if not pattern.startswith(".sync"):
        return {"ExecutionArn": started["executionArn"], "StartDate": epoch_millis(started["startDate"]),
                **sdk_metadata(started)}
    return await _wait_for_execution(client, started["executionArn"], parsed_output=pattern == ".sync:2")


async def _wait_for_execution(client: Any, arn: str, *, parsed_output: bool) -> Any:
    """``.sync``/``.sync:2``: poll the child until it ends (AWS polls too; the child may be anywhere).
    The result is DescribeExecution's answer in PascalCase, its dates in epoch milliseconds."""
    delay = 0.05
    while True:
        described = await call("StepFunctions", client.describe_execution, {"executionArn": arn})
        status = described.get("status")
        if status not in ("RUNNING", "PENDING_REDRIVE"):
            break
        await asyncio.sleep(delay)
        delay = min(delay * 2, 2.0)
    shape = operation_model(client, "DescribeExecution").output_shape
    dated = {key: epoch_millis(value) for key, value in described.items()}
    result = json_value(from_model(dated, shape))
    if parsed_output and isinstance(result.get("Output"), str):
        result["Output"] = parsed(result["Output"])
    if status == "SUCCEEDED":
        return result
    error = "States.TaskFailed" if status == "FAILED" else f"States.{str(status).title().replace('_', '')}"
    raise TaskError(error, json.dumps(result, separators=(",", ":"), default=str))


OPTIMISED: dict[str, Integration] = {
    "sqs:sendMessage": sqs_send_message,
    "sns:publish": sns_publish,
    "dynamodb:getItem": _dynamodb("get_item"),
    "dynamodb:putItem": _dynamodb("put_item"),
    "dynamodb:updateItem": _dynamodb("update_item"),
    "dynamodb:deleteItem": _dynamodb("delete_item"),
    "events:putEvents": events_put_events,
    "states:startExecution": states_start_execution,
}
"""``<service>:<action>`` of ``arn:aws:states:::<service>:<action>`` -> the integration (lambda:invoke is in
lambda_.py)."""

# The patterns each integration supports beside request-response (AWS's integration pages).
PATTERNS: dict[str, tuple[str, ...]] = {
    "sqs:sendMessage": (".waitForTaskToken",),
    "sns:publish": (".waitForTaskToken",),
    "events:putEvents": (".waitForTaskToken",),
    "states:startExecution": (".sync", ".sync:2", ".waitForTaskToken"),
}
