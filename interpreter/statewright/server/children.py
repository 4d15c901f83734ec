"""Task states that start executions of machines on this server: ``arn:aws:states:::states:startExecution``.

The four integration patterns of AWS's optimised Step Functions integration (docs/child-executions.md):

* ``startExecution``: start the child, succeed with ``{ExecutionArn, StartDate}``;
* ``startExecution.sync``: start it and wait for its end; the result is DescribeExecution's output with
  PascalCase keys and ``Input``/``Output`` as JSON texts;
* ``startExecution.sync:2``: the same with ``Input``/``Output`` as JSON values;
* ``startExecution.waitForTaskToken``: start it; the task then waits for its token's answer, from the child
  or anyone else.

A child that ends FAILED, TIMED_OUT or ABORTED fails a ``.sync`` task with ``States.TaskFailed`` and the
child's description (the same shape, as a JSON text) as the cause. An API error starting it (a machine that
does not exist, a bad name or input) fails the task with ``StepFunctions.<Code>Exception``, as AWS words it.

Durable without holding anything a restart loses: a child started without a ``Name`` is named after the
parent task's idempotency key (recorded with the task command, the same on the re-send after a restart), so
the re-send finds the same child instead of starting another: StartExecution of a running execution's name
and input returns it, and an ended one that this parent started is read instead of failing with
ExecutionAlreadyExists. The wait itself is ``engine.wait(child)``, answered from the record after a restart.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from typing import Any

import orjson

from statewright.core.errors import ErrorName
from statewright.runtime.durable import ExecutionAlreadyExists, ExecutionDescription, InvalidName, Origin
from statewright.runtime.http_tasks import key_of
from statewright.runtime.resources import Invocation, TaskError
from statewright.server.arns import PREFIX
from statewright.server.context import ServerContext
from statewright.server.protocol import ApiError
from statewright.server.shapes import described_execution

log = logging.getLogger("statewright.server.children")

START_EXECUTION = "arn:aws:states:::states:startExecution"
SYNC, SYNC2, WAIT_FOR_TOKEN = ".sync", ".sync:2", ".waitForTaskToken"
# AWS's documented convention: the child's input names the execution that started it (kept in the input).
STARTED_BY = "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"
_ENDED_BADLY = ("FAILED", "TIMED_OUT", "ABORTED")
_MAX_INPUT = 262_144


def attach(context: ServerContext) -> ChildExecutions:
    """Serve the four ``states:startExecution`` resources from ``context``'s engine.

    Call it before the engine opens: opening sends again the tasks a restart found open, and they resolve
    their handler as they start.
    """
    children = ChildExecutions(context)
    # The engine's own registry: each machine's registry view reads its handlers table, so handlers
    # registered here are found by every execution, those resumed on opening included.
    engine = context.engine
    engine.register_handler(START_EXECUTION, children.start_execution)
    engine.register_handler(START_EXECUTION + SYNC, children.start_execution_sync)
    engine.register_handler(START_EXECUTION + SYNC2, children.start_execution_sync2)
    engine.register_handler(START_EXECUTION + WAIT_FOR_TOKEN, children.start_execution_wait_for_token)
    context.on_close.append(children.close)
    context.extensions["children"] = children
    return children


class ChildExecutions:
    """The handlers, and the stops of ``.sync`` children whose parent task was cancelled."""

    def __init__(self, context: ServerContext) -> None:
        self.context = context
        self.engine = context.engine
        self.closing = False  # set when the server drains: cancelled tasks then are not stops
        self._stopping: set[asyncio.Task[None]] = set()

    # --- the four resources ------------------------------------------------------------------------

    async def start_execution(self, invocation: Invocation) -> dict[str, Any]:
        """Fire and forget: ``{ExecutionArn, StartDate}`` (dates as epoch milliseconds, as AWS's tasks see them)."""
        child = await self._start(invocation)
        return {"ExecutionArn": child.execution_arn, "StartDate": _millis(child.start_date)}

    async def start_execution_sync(self, invocation: Invocation) -> dict[str, Any]:
        return await self._run_to_end(invocation, parsed=False)

    async def start_execution_sync2(self, invocation: Invocation) -> dict[str, Any]:
        return await self._run_to_end(invocation, parsed=True)

    async def start_execution_wait_for_token(self, invocation: Invocation) -> None:
        """Start the child; the task runner then waits for the token (``$$.Task.Token`` in the child's input)."""
        await self._start(invocation)

    # --- starting and waiting ----------------------------------------------------------------------

    async def _run_to_end(self, invocation: Invocation, *, parsed: bool) -> dict[str, Any]:
        child = await self._start(invocation)
        try:
            await self.engine.wait(child.execution_arn)
        except asyncio.CancelledError:
            # The parent's task was cancelled (its execution stopped or timed out, a sibling branch failed):
            # AWS stops what a .sync task runs. A drain cancels tasks too; the child then carries on.
            if not self.closing:
                self._stop_later(child.execution_arn, invocation)
            raise
        ended = await self.engine.describe(child.execution_arn)
        result = sync_result(ended, parsed=parsed)
        if ended.status in _ENDED_BADLY:
            raise TaskError(ErrorName.TASK_FAILED, orjson.dumps(result).decode())
        return result

    async def _start(self, invocation: Invocation) -> ExecutionDescription:
        """StartExecution with the task's payload; the child's description once its start is recorded."""
        machine_arn, value, name = _parameters(invocation.payload)
        if not name:
            # Named after the task command's recorded key: the re-send after a restart finds this child.
            name = invocation.idempotency_key or key_of(invocation.execution_arn, invocation.state,
                                                        invocation.seq, invocation.attempt)
        try:
            target = await self.context.target(machine_arn)
        except ApiError as error:
            raise api_failure(error.code, error.message) from None
        origin = dataclasses.replace(target.origin or Origin(), parent_arn=invocation.execution_arn)
        try:
            arn = await self.engine.start(target.loaded, value, name=name, origin=origin)
        except InvalidName as error:
            raise api_failure("InvalidName", str(error)) from None
        except ExecutionAlreadyExists as error:
            arn = f"{PREFIX}execution:{target.loaded.name}:{name}"
            existing = await self.engine.describe(arn)
            # Ours from before a restart (same parent, same input): read it rather than fail.
            if existing.parent_arn != invocation.execution_arn or existing.input != value:
                raise api_failure("ExecutionAlreadyExists", str(error)) from None
            return existing
        return await self.engine.describe(arn)

    # --- stopping children of cancelled tasks -------------------------------------------------------

    def _stop_later(self, arn: str, invocation: Invocation) -> None:
        """Stop the child from a task of our own: the cancelled task must not await anything more."""
        cause = f"The task '{invocation.state}' of {invocation.execution_arn} that started it was cancelled"
        task = asyncio.get_running_loop().create_task(self._stop(arn, cause))
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)

    async def _stop(self, arn: str, cause: str) -> None:
        try:
            await self.engine.stop(arn, None, cause)
        except Exception:  # logged, not raised: nobody awaits this but close()
            log.exception("cannot stop the child execution %s", arn)

    async def close(self) -> None:
        """The server drains: let the stops under way finish (the engine closes after this)."""
        self.closing = True
        if self._stopping:
            await asyncio.gather(*self._stopping, return_exceptions=True)


def _parameters(payload: Any) -> tuple[str, Any, str | None]:
    """(StateMachineArn, the input as a value, Name) from StartExecution's parameters as the task gives them."""
    if not isinstance(payload, dict):
        raise api_failure("ValidationException", f"The parameters of StartExecution must be an object, not "
                                                 f"{orjson.dumps(payload).decode()}")
    machine_arn = payload.get("StateMachineArn")
    if not isinstance(machine_arn, str) or not machine_arn:
        raise api_failure("ValidationException", "1 validation error detected: Value null at 'stateMachineArn' "
                                                 "failed to satisfy constraint: Member must not be null")
    name = payload.get("Name")
    if name is not None and not isinstance(name, str):
        raise api_failure("ValidationException", f"The Name must be a string, not {orjson.dumps(name).decode()}")
    value = payload.get("Input", {})
    if isinstance(value, str):  # a JSON text, as the API takes it
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError as error:
            raise api_failure("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{error}'") from None
    elif value is None:
        value = {}
    if len(orjson.dumps(value)) > _MAX_INPUT:
        raise api_failure("InvalidExecutionInput", f"The input is larger than {_MAX_INPUT} bytes")
    return machine_arn, value, name


def api_failure(code: str, message: str) -> TaskError:
    """How AWS fails a Step Functions integration task on an API error: ``StepFunctions.<Code>Exception``."""
    cause = (f"{message} (Service: AWSStepFunctions; Status Code: 400; Error Code: {code}; "
             f"Request ID: {uuid.uuid4()}; Proxy: null)")
    return TaskError(f"StepFunctions.{code}Exception", cause)


def sync_result(description: ExecutionDescription, *, parsed: bool) -> dict[str, Any]:
    """DescribeExecution's output as a ``.sync`` task sees it: PascalCase keys, dates in epoch milliseconds;
    ``Input`` and ``Output`` JSON texts (``.sync``) or values (``.sync:2``)."""
    shaped = _pascal(described_execution(description))
    for key in ("StartDate", "StopDate"):
        if key in shaped:
            shaped[key] = _millis(shaped[key])
    if parsed:
        for key in ("Input", "Output"):
            if key in shaped:
                shaped[key] = orjson.loads(shaped[key])
    return shaped


def _pascal(document: dict[str, Any]) -> dict[str, Any]:
    return {key[:1].upper() + key[1:]: _pascal(value) if isinstance(value, dict) else value
            for key, value in document.items()}


def _millis(seconds: float) -> int:
    return round(seconds * 1000)

