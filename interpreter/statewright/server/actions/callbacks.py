"""SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat: answers to a task token."""

from __future__ import annotations

from typing import Any

from statewright.runtime.callbacks import InvalidToken, TaskTimedOut
from statewright.server.actions.executions import parse_input
from statewright.server.context import ServerContext
from statewright.server.protocol import ApiError, Params, operation


def _token(params: Params) -> str:
    return params.required_str("taskToken", max_length=2048)


async def _answered(call: Any) -> dict[str, Any]:
    try:
        await call
    except InvalidToken as error:
        raise ApiError("InvalidToken", f"Invalid Token: {error}") from None
    except TaskTimedOut as error:
        raise ApiError("TaskTimedOut", f"Task Timed Out: {error}") from None
    return {}


@operation("SendTaskSuccess")
async def send_task_success(context: ServerContext, params: Params) -> dict[str, Any]:
    token = _token(params)
    output = parse_input(params.required_str("output"), "output")
    return await _answered(context.engine.send_task_success(token, output))


@operation("SendTaskFailure")
async def send_task_failure(context: ServerContext, params: Params) -> dict[str, Any]:
    token = _token(params)
    return await _answered(context.engine.send_task_failure(
        token, params.str("error", max_length=256), params.str("cause", max_length=32_768)))


@operation("SendTaskHeartbeat")
async def send_task_heartbeat(context: ServerContext, params: Params) -> dict[str, Any]:
    return await _answered(context.engine.send_task_heartbeat(_token(params)))
