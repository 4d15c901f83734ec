"""Lambda: a function ARN as the Resource, and the ``lambda:invoke`` integration (AWS's result shapes)."""

from __future__ import annotations

from typing import Any

from statewright.runtime.aws.calls import call, parameters_of
from statewright.runtime.aws.config import Clients
from statewright.runtime.aws.shapes import as_text, parsed, sdk_metadata
from statewright.runtime.resources import Invocation, TaskError


async def invoke_function_arn(clients: Clients, invocation: Invocation) -> Any:
    """``Resource: arn:aws:lambda:...:function:f``: the input is the event, the function's answer the result."""
    response = await _invoke(clients, {"FunctionName": invocation.resource,
                                       "Payload": invocation.payload if invocation.payload is not None else {}})
    return response["Payload"]


async def invoke(clients: Clients, invocation: Invocation) -> Any:
    """``arn:aws:states:::lambda:invoke``: ``{ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata,
    StatusCode}``."""
    parameters = parameters_of(invocation.payload, invocation.state, invocation.resource)
    response = await _invoke(clients, parameters)
    result: dict[str, Any] = {"ExecutedVersion": response.get("ExecutedVersion", "$LATEST"),
                              "Payload": response["Payload"]}
    result.update(sdk_metadata(response))
    result["StatusCode"] = response.get("StatusCode", 200)
    return result


async def _invoke(clients: Clients, parameters: dict[str, Any]) -> dict[str, Any]:
    if "Payload" in parameters:
        text = as_text(parameters["Payload"])
        parameters["Payload"] = (text if text is not None else "null").encode("utf-8")
    client = clients.get("lambda")
    response = await call("Lambda", client.invoke, parameters)
    body = response.get("Payload")
    text = body.read().decode("utf-8") if body is not None else ""
    if response.get("FunctionError"):
        # The function raised: its error type is the error name (what Retry/Catch match), the error
        # document the cause; a crash without one (a timeout, an out-of-memory) is Lambda.Unknown.
        document = parsed(text) if text else None
        error = document.get("errorType") if isinstance(document, dict) else None
        raise TaskError(error if isinstance(error, str) and error else "Lambda.Unknown", text or None)
    response["Payload"] = parsed(text) if text else (None if response.get("StatusCode") != 202 else "")
    return response


def is_function_arn(resource: str) -> bool:
    parts = resource.split(":")
    return len(parts) >= 7 and parts[0] == "arn" and parts[2] == "lambda" and parts[5] == "function"

