"""RedriveExecution: AWS restarts a FAILED, TIMED_OUT or ABORTED STANDARD execution from the step that failed.

Not done yet: the core cannot re-enter an execution that has ended (there is no ``Redriven`` input that
re-enters the failed states and, in Map and Parallel, re-runs only the failed iterations and branches), so
every request is answered as AWS answers one it refuses: ``ExecutionNotRedrivable``, saying why. Unknown and
malformed ARNs get AWS's ExecutionDoesNotExist and InvalidArn first, so clients see the same order of checks.
"""

from __future__ import annotations

from typing import Any

from statewright.server.actions.executions import describe
from statewright.server.context import ServerContext
from statewright.server.protocol import ApiError, Params, operation, validation

_TOKEN_CHARS = frozenset(chr(code) for code in range(0x21, 0x7F))  # AWS's pattern [!-~]+


def _refusal(status: str, express: bool) -> str:
    if express:
        return "Execution is EXPRESS and cannot be redriven: only STANDARD executions can be"
    if status in ("RUNNING", "SUCCEEDED"):
        return f"Execution is {status} and cannot be redriven"
    return (f"Execution is {status}, but this server cannot redrive executions yet: the engine cannot resume an "
            "ended execution from its failed states. Start a new execution with the same input instead")


@operation("RedriveExecution")
async def redrive_execution(context: ServerContext, params: Params) -> dict[str, Any]:
    arn = params.required_str("executionArn", max_length=256)
    token = params.str("clientToken", max_length=64)
    if token is not None and (not token or not set(token) <= _TOKEN_CHARS):
        raise validation(f"1 validation error detected: Value '{token}' at 'clientToken' failed to satisfy "
                         "constraint: Member must satisfy regular expression pattern: [!-~]+")
    description = await describe(context, arn)
    express = ":express:" in description.execution_arn
    raise ApiError("ExecutionNotRedrivable", _refusal(description.status, express))
