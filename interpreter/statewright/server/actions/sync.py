"""StartSyncExecution: start an EXPRESS execution and answer with its end.

botocore sends this action (and TestState) to the host ``sync-<endpoint host>`` (the model's
``hostPrefix``): a client pointed at ``http://127.0.0.1:PORT`` must turn host prefixes off
(docs/serve-sync.md). The server itself does not look at the Host header.

The execution is durable like any other (the EXPRESS machine's executions are recorded): if the client goes
away, it runs on. As AWS's, the answer is 200 whatever the execution's status; AWS ends an express execution
that runs past five minutes, and so does this action (TIMED_OUT with States.Timeout).
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from statewright.runtime.durable import InvalidName
from statewright.server.actions.executions import parse_input
from statewright.server.context import ServerContext
from statewright.server.protocol import ApiError, Params, operation
from statewright.server.shapes import json_text

_EXPRESS_LIMIT = 300.0  # seconds: AWS's maximum duration of an express execution
_INCLUDED = {"included": True}
_BILLED_MEMORY_MB = 64  # AWS bills express executions in 64 MB steps; a local run has nothing to measure


@operation("StartSyncExecution")
async def start_sync_execution(context: ServerContext, params: Params) -> dict[str, Any]:
    arn = params.required_str("stateMachineArn")
    name = params.str("name", max_length=80)
    value = parse_input(params.str("input"))
    included = params.str("includedData", default="ALL_DATA")
    if included not in ("ALL_DATA", "METADATA_ONLY"):
        raise ApiError("ValidationException", f"1 validation error detected: Value '{included}' at 'includedData' "
                       "failed to satisfy constraint: Member must satisfy enum value set: [ALL_DATA, METADATA_ONLY]")
    target = await context.target(arn)
    if target.loaded.workflow_type != "EXPRESS":
        raise ApiError("StateMachineTypeNotSupported",
                       "This operation is not supported by this type of state machine")
    engine = context.engine
    try:
        execution_arn = await engine.start(target.loaded, value, name=name, origin=target.origin)
    except InvalidName as error:
        raise ApiError("InvalidName", str(error)) from None
    timed_out = False
    try:
        result = await asyncio.wait_for(asyncio.shield(engine.wait(execution_arn)), _EXPRESS_LIMIT)
    except TimeoutError:
        timed_out = True
        await engine.stop(execution_arn, "States.Timeout", "The execution ran past the 5-minute express limit")
        result = await engine.wait(execution_arn)
    document: dict[str, Any] = {
        "executionArn": execution_arn, "stateMachineArn": target.machine.arn,
        "name": _name_of(execution_arn), "startDate": result.start_date, "stopDate": result.stop_date,
        "status": "TIMED_OUT" if timed_out else _status(result.status),
        "input": json_text(value), "inputDetails": _INCLUDED,
        "billingDetails": {
            "billedMemoryUsedInMB": _BILLED_MEMORY_MB,
            # AWS rounds an express execution's duration up to the next 100 ms.
            "billedDurationInMilliseconds": max(100, math.ceil((result.stop_date - result.start_date) * 10) * 100),
        },
    }
    if included == "METADATA_ONLY":  # as AWS: the data stays out of the answer
        del document["input"], document["inputDetails"]
    elif result.status == "SUCCEEDED":
        document["output"] = json_text(result.output)
        document["outputDetails"] = _INCLUDED
    if timed_out:
        document["error"] = "States.Timeout"
    elif result.error is not None:
        document["error"] = result.error
    if result.cause is not None and not timed_out:
        document["cause"] = result.cause
    trace = params.str("traceHeader")
    if trace is not None:
        document["traceHeader"] = trace
    return document


def _status(status: str) -> str:
    # SyncExecutionStatus has no ABORTED: an express execution is stopped only by failing or timing out.
    return status if status in ("SUCCEEDED", "FAILED", "TIMED_OUT") else "FAILED"


def _name_of(execution_arn: str) -> str:
    """``...:express:<machine>:<name>:<id>`` -> ``<name>``."""
    parts = execution_arn.split(":")
    return parts[7] if len(parts) > 8 and parts[5] == "express" else parts[-1]
