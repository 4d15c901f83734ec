"""StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory, StopExecution,
DescribeStateMachineForExecution."""

from __future__ import annotations

from typing import Any

import orjson

from statewright.runtime.durable import ExecutionAlreadyExists, InvalidName
from statewright.runtime.engine import ExecutionNotFound
from statewright.server.arns import canonical_execution
from statewright.server.context import ServerContext
from statewright.server.paging import page_after, page_token
from statewright.server.protocol import ApiError, Params, operation, validation
from statewright.server.shapes import described_execution, history_event, listed_execution

_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
_REDRIVE_FILTERS = {"REDRIVEN": True, "NOT_REDRIVEN": False}  # ListExecutions' redriveFilter
_MAX_INPUT = 262_144  # AWS's payload limit (256 KiB)


def parse_input(text: str | None, what: str = "input") -> Any:
    """A JSON text a request carries (raises InvalidExecutionInput / InvalidOutput as AWS names them)."""
    if text is None:
        return {}
    code = "InvalidExecutionInput" if what == "input" else "InvalidOutput"
    if len(text.encode()) > _MAX_INPUT:
        raise ApiError(code, f"The {what} is larger than {_MAX_INPUT} bytes")
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise ApiError(code, f"Invalid State Machine Execution {what.capitalize()}: '{error}'") from None


def execution_missing(arn: str) -> ApiError:
    return ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")


@operation("StartExecution")
async def start_execution(context: ServerContext, params: Params) -> dict[str, Any]:
    arn = params.required_str("stateMachineArn")
    name = params.str("name")
    value = parse_input(params.str("input"))
    target = await context.target(arn)
    started = context.clock.now()
    try:
        execution_arn = await context.engine.start(target.loaded, value, name=name, origin=target.origin)
    except InvalidName as error:
        raise ApiError("InvalidName", str(error)) from None
    except ExecutionAlreadyExists as error:
        raise ApiError("ExecutionAlreadyExists", str(error)) from None
    return {"executionArn": execution_arn, "startDate": started}


async def describe(context: ServerContext, arn: str) -> Any:
    try:
        return await context.engine.describe(canonical_execution(arn))
    except ExecutionNotFound:
        raise execution_missing(arn) from None


@operation("DescribeExecution")
async def describe_execution(context: ServerContext, params: Params) -> dict[str, Any]:
    return described_execution(await describe(context, params.required_str("executionArn")))


@operation("DescribeStateMachineForExecution")
async def describe_state_machine_for_execution(context: ServerContext, params: Params) -> dict[str, Any]:
    """The definition the execution runs (as recorded with it, whatever the machine has become since)."""
    arn = params.required_str("executionArn")
    description = await describe(context, arn)
    record = await context.store.execution(description.execution_arn)
    definition = await context.store.definition(record.definition_hash) if record is not None else None
    if definition is None:
        raise execution_missing(arn)
    machine = await context.store.resource("machine", description.state_machine_arn)
    body = machine.body if machine is not None else {}
    document: dict[str, Any] = {
        "stateMachineArn": description.state_machine_arn, "name": definition.machine_name,
        "definition": definition.text, "roleArn": body.get("roleArn", record.role_arn if record else ""),
        "updateDate": machine.updated if machine is not None else description.start_date,
        "loggingConfiguration": body.get("loggingConfiguration") or {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": body.get("tracingConfiguration") or {"enabled": False},
    }
    if body.get("revisionId"):
        document["revisionId"] = body["revisionId"]
    return document


@operation("ListExecutions")
async def list_executions(context: ServerContext, params: Params) -> dict[str, Any]:
    machine = params.str("stateMachineArn")
    if machine is None and params.str("mapRunArn") is not None:
        raise validation("Map Runs are not listed by this server yet: give stateMachineArn")
    # Statewright's extensions (docs/serve.md): no stateMachineArn lists every machine's executions (AWS
    # refuses that), and namePrefix keeps the names starting with it; the console searches with both.
    name_prefix = params.str("namePrefix", max_length=80)
    # A version or alias ARN must name one that exists.
    ref = (await context.resolve(machine, missing_alias="ResourceNotFound"))[0] if machine is not None else None
    status = params.str("statusFilter")
    if status is not None and status not in _STATUSES:
        raise validation(f"1 validation error detected: Value '{status}' at 'statusFilter' failed to satisfy "
                         f"constraint: Member must satisfy enum value set: [{', '.join(_STATUSES)}]")
    redrive_filter = params.str("redriveFilter")
    if redrive_filter is not None and redrive_filter not in _REDRIVE_FILTERS:
        raise validation(f"1 validation error detected: Value '{redrive_filter}' at 'redriveFilter' failed to "
                         f"satisfy constraint: Member must satisfy enum value set: [{', '.join(_REDRIVE_FILTERS)}]")
    redriven = None if redrive_filter is None else _REDRIVE_FILTERS[redrive_filter]
    limit = params.int("maxResults", low=0, high=1000, default=0) or 100
    token = page_after(params.str("nextToken"))
    qualified = ref.qualified_arn if ref is not None and ref.qualified_arn != ref.arn else None
    listed: list[dict[str, Any]] = []
    next_token: str | None = token
    while True:
        try:
            page = await context.engine.list(machine=ref.name if ref is not None else None, status=status,
                                             limit=limit - len(listed), next_token=next_token, redriven=redriven,
                                             name_prefix=name_prefix)
        except ValueError:
            raise ApiError("InvalidToken", "Invalid Token: not a nextToken this server returned") from None
        for description in page.executions:
            if qualified is None or qualified in (description.version_arn, description.alias_arn):
                listed.append(listed_execution(description))
        next_token = page.next_token
        if next_token is None or len(listed) >= limit:
            break
    response: dict[str, Any] = {"executions": listed}
    if next_token is not None:
        response["nextToken"] = page_token(next_token)
    return response


@operation("GetExecutionHistory")
async def get_execution_history(context: ServerContext, params: Params) -> dict[str, Any]:
    arn = params.required_str("executionArn")
    limit = params.int("maxResults", low=0, high=1000, default=0) or 100
    reverse = params.bool("reverseOrder", False)
    include_data = params.bool("includeExecutionData", True)
    after = page_after(params.str("nextToken"))
    try:
        events = await context.engine.history(canonical_execution(arn))
    except ExecutionNotFound:
        raise execution_missing(arn) from None
    ordered = list(reversed(events)) if reverse else list(events)
    start = 0
    if after is not None:
        try:
            start = int(after)
        except ValueError:
            raise ApiError("InvalidToken", "Invalid Token: not a nextToken this server returned") from None
    chosen = ordered[start:start + limit]
    response: dict[str, Any] = {"events": [history_event(event, include_data) for event in chosen]}
    if start + limit < len(ordered):
        response["nextToken"] = page_token(str(start + limit))
    return response


@operation("StopExecution")
async def stop_execution(context: ServerContext, params: Params) -> dict[str, Any]:
    arn = params.required_str("executionArn")
    error = params.str("error", max_length=256)
    cause = params.str("cause", max_length=32_768)
    try:
        description = await context.engine.stop(canonical_execution(arn), error, cause)
    except ExecutionNotFound:
        raise execution_missing(arn) from None
    return {"stopDate": description.stop_date if description.stop_date is not None else context.clock.now()}
