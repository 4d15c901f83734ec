"""``arn:aws:states:::lambda:invoke`` served by the functions a registry maps (spec/task.md, *Lambda invoke*).

Definitions written for AWS call Lambda through the optimised integration far more often than by a function
ARN: ``Resource: arn:aws:states:::lambda:invoke`` with ``Parameters: {FunctionName, Payload}``, then read the
function's answer at ``$.Payload``. So a definition runs unchanged, a registry that has no handler of its own
for ``lambda:invoke`` finds the function that ``FunctionName`` names among its registered resources, calls it
with ``Payload``, and answers in the integration's shape: ``{"ExecutedVersion", "Payload", "StatusCode"}``.

``FunctionName`` may be written as AWS accepts it: ``charge``, ``charge:prod``, ``123456789012:function:charge``
or a function ARN, with or without a qualifier. It matches a registered resource written as the same string,
or as a function ARN or a plain name of the same function (the registered one's qualifier, if it has one, must
be the same). Region and account are not compared: a server answers for one account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from statewright.core.errors import ErrorName
from statewright.runtime.resources import Handler, Invocation, TaskError

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


def function_of(name: str) -> tuple[str, str | None]:
    """``(function name, qualifier or None)`` of a FunctionName or a function ARN, as Lambda reads them."""
    parts = name.split(":")
    if len(parts) >= 7 and parts[0] == "arn" and parts[5] == "function":  # arn:aws:lambda:r:acct:function:f[:q]
        return parts[6], parts[7] if len(parts) > 7 else None
    if len(parts) >= 3 and parts[1] == "function":  # acct:function:f[:q]
        return parts[2], parts[3] if len(parts) > 3 else None
    if len(parts) == 2:  # f:q
        return parts[0], parts[1]
    return name, None


def find_function(function_name: str, handlers: Mapping[str, Handler]) -> tuple[str, Handler] | None:
    """The registered ``(resource, handler)`` that ``function_name`` names, or None."""
    exact = handlers.get(function_name)
    if exact is not None:
        return function_name, exact
    wanted, qualifier = function_of(function_name)
    for resource, handler in handlers.items():
        if not (resource.startswith("arn:aws:lambda:") or ":" not in resource):
            continue  # only function ARNs and plain names stand for functions
        name, registered_qualifier = function_of(resource)
        if name == wanted and registered_qualifier in (None, qualifier):
            return resource, handler
    return None


class LambdaInvoke:
    """The handler of one ``lambda:invoke`` resolution: calls the named function, answers in Lambda's shape."""

    __slots__ = ("handlers",)

    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        self.handlers = handlers

    async def __call__(self, invocation: Invocation) -> Any:
        parameters = invocation.payload
        function_name = parameters.get("FunctionName") if isinstance(parameters, dict) else None
        if not isinstance(function_name, str) or not function_name:
            raise TaskError(ErrorName.TASK_FAILED,
                            f"The state '{invocation.state}' calls {LAMBDA_INVOKE} without a FunctionName "
                            "(Parameters or Arguments must give the function's name or ARN)")
        found = find_function(function_name, self.handlers)
        if found is None:
            raise TaskError(ErrorName.TASK_FAILED,
                            f"No handler is registered for the Lambda function '{function_name}' that state "
                            f"'{invocation.state}' invokes (map its ARN or name in a --resources file)")
        resource, handler = found
        payload = parameters.get("Payload", {})  # Lambda hands a function that was sent nothing an empty object
        result = await handler(replace(invocation, resource=resource, payload=payload))
        _, qualifier = function_of(function_name)
        return {"ExecutedVersion": qualifier if qualifier and qualifier.isdigit() else "$LATEST",
                "Payload": result, "StatusCode": 200}
