"""RedriveExecution: a FAILED, TIMED_OUT or ABORTED STANDARD execution runs again from the states that did not
finish, with the inputs they had (spec/redrive.md; the durable engine's ``redrive``).

Refusals are AWS's ``ExecutionNotRedrivable`` with AWS's reason (the same words DescribeExecution gives as
``redriveStatusReason``); unknown and malformed ARNs get ExecutionDoesNotExist and InvalidArn first, in AWS's
order of checks. ``clientToken`` is checked as AWS checks it; a repeated request is answered as AWS answers
one for an execution that is running again: ExecutionNotRedrivable.
"""

from __future__ import annotations

from typing import Any

from statewright.runtime.durable import ExecutionNotRedrivable
from statewright.runtime.engine import ExecutionNotFound
from statewright.server.actions.executions import describe, execution_missing
from statewright.server.context import ServerContext
from statewright.server.protocol import ApiError, Params, operation, validation

_TOKEN_CHARS = frozenset(chr(code) for code in range(0x21, 0x7F))  # AWS's pattern [!-~]+


@operation("RedriveExecution")
async def redrive_execution(context: ServerContext, params: Params) -> dict[str, Any]:
    arn = params.required_str("executionArn", max_length=256)
    token = params.str("clientToken", max_length=64)
    if token is not None and (not token or not set(token) <= _TOKEN_CHARS):
        raise validation(f"1 validation error detected: Value '{token}' at 'clientToken' failed to satisfy "
                         "constraint: Member must satisfy regular expression pattern: [!-~]+")
    description = await describe(context, arn)  # InvalidArn / ExecutionDoesNotExist as DescribeExecution's
    try:
        date = await context.engine.redrive(description.execution_arn)
    except ExecutionNotFound:
        raise execution_missing(arn) from None
    except ExecutionNotRedrivable as error:
        raise ApiError("ExecutionNotRedrivable", str(error)) from None
    return {"redriveDate": date}
