"""``arn:aws:states:::aws-sdk:<service>:<action>``: any SDK action, its PascalCase parameters passed as the
API names them, its response as JSON, its errors as ``<Service>.<Name>Exception``."""

from __future__ import annotations

from typing import Any

from statewright.runtime.aws.calls import call, parameters_of
from statewright.runtime.aws.config import Clients
from statewright.runtime.aws.errors import sdk_service_name
from statewright.runtime.aws.members import from_model, operation_model, to_model
from statewright.runtime.aws.shapes import json_value
from statewright.runtime.resources import Invocation, TaskError


async def sdk_call(clients: Clients, invocation: Invocation, service: str, action: str) -> Any:
    from botocore import xform_name  # with the extra

    try:
        client = clients.get(service)
    except Exception as exc:  # botocore's UnknownServiceError
        raise TaskError("States.TaskFailed", f"The state '{invocation.state}' calls the AWS SDK service "
                        f"'{service}', which the installed SDK does not know: {exc}") from None
    service_model = client.meta.service_model
    operation = action[:1].upper() + action[1:]
    if operation not in service_model.operation_names:
        raise TaskError("States.TaskFailed", f"The AWS SDK service '{service}' has no action '{action}' "
                        f"(state '{invocation.state}')")
    prefix = sdk_service_name(service, service_model.service_id)
    parameters = parameters_of(invocation.payload if invocation.payload is not None else {}, invocation.state,
                               invocation.resource)
    model = operation_model(client, operation)
    response = await call(prefix, getattr(client, xform_name(operation)), to_model(parameters, model.input_shape))
    return json_value(from_model(response, model.output_shape))
