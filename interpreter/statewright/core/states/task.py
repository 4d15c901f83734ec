"""The Task state (spec/task.md): a command to the runtime, timeouts enforced with the core's own timers.

An activity resource (``arn:aws:states:<region>:<account>:activity:<name>``) is a task whose work a worker
polls for: it gets a task token as ``.waitForTaskToken`` tasks do (the worker answers through it), and AWS's
Activity* history events instead of Task* ones (spec/task.md, "Activities").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statewright.core.dataflow import Template, check_result_size, runtime_error
from statewright.core.errors import ErrorName, StatesError
from statewright.core.events import InvokeTask
from statewright.core.jsonata.flow import ExpressionField
from statewright.core.jsonpath import JsonPath, PathNotFound
from statewright.core.states.base import State

if TYPE_CHECKING:
    from statewright.core.execution import Execution, Frame

# Timer purposes (shared numbering with the engine's, see execution.py).
TASK_TIMEOUT, HEARTBEAT = 3, 4

_ACTIVITY_ARN = re.compile(r"^arn:aws[a-z-]*:states:[^:]*:[^:]*:activity:[^:]+$")


def is_activity(resource: str) -> bool:
    """Whether ``resource`` is an activity ARN (a worker polls GetActivityTask for its tasks)."""
    return _ACTIVITY_ARN.match(resource) is not None


def resource_parts(resource: str) -> tuple[str, str]:
    """``(resourceType, resource)`` as AWS records them in Task* events.

    ``arn:aws:states:::lambda:invoke.sync`` -> ``("lambda", "invoke.sync")``; a Lambda function ARN ->
    ``("lambda", <arn>)``; anything else (URLs, registry names) -> ``("statewright", <resource>)``.
    """
    if resource.startswith("arn:aws:states:::"):
        service, _, action = resource[len("arn:aws:states:::"):].partition(":")
        return service, action
    if resource.startswith("arn:aws:lambda:"):
        return "lambda", resource
    if ":activity:" in resource:
        return "activity", resource
    return "statewright", resource


class TaskRun:
    """The pending sequence numbers of one task attempt (kept on the frame while it waits)."""

    __slots__ = ("effective", "heartbeat", "heartbeat_timer", "started", "task", "timeout_timer")

    def __init__(self, task: int, effective: Any, heartbeat: float | None) -> None:
        self.task = task
        self.started = False  # an activity task a worker has taken (ActivityStarted recorded)
        self.effective = effective
        self.heartbeat = heartbeat
        self.timeout_timer: int | None = None
        self.heartbeat_timer: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskState(State):
    entered_type = "TaskStateEntered"
    exited_type = "TaskStateExited"
    counts_retries = True

    resource: str = ""
    resource_type: str = ""
    resource_name: str = ""
    callback: bool = False
    activity: bool = False
    timeout_seconds: float | None = None
    timeout_path: JsonPath | None = None
    heartbeat_seconds: float | None = None
    heartbeat_path: JsonPath | None = None
    credentials: Template | None = None

    @property
    def lambda_function(self) -> bool:
        """A Lambda function ARN as the resource: AWS records LambdaFunction* events, not Task* ones."""
        return self.resource_name.startswith("arn:aws:lambda:")

    def enter(self, exe: Execution, frame: Frame) -> bool:
        frame.retry_counts = None
        frame.retry_total = 0
        return State.enter(self, exe, frame)

    def attempt(self, exe: Execution, frame: Frame) -> bool:
        frame.entered_time = exe.now  # $$.State.EnteredTime is per attempt (spec/context-object.md 1)
        frame.token = exe.rng.uuid() if self.callback and exe.rng is not None else None
        flow = self.flow
        try:
            context = self.context(exe, frame)
            effective = flow.effective_input(frame.data, context, frame.variables)
            payload = flow.task_input(effective, context, frame.variables, exe.rng)
            variables = frame.variables
            timeout = self._seconds(self.timeout_seconds, self.timeout_path, "TimeoutSecondsPath", effective, context,
                                    variables)
            heartbeat = self._seconds(self.heartbeat_seconds, self.heartbeat_path, "HeartbeatSecondsPath", effective,
                                      context, variables)
            credentials = self.credentials.evaluate(effective, context, frame.variables) if self.credentials else None
        except StatesError as error:
            return exe.state_failed(frame, self, error)
        self._record_scheduled(exe, frame, payload, timeout, heartbeat)
        seq = exe.next_seq()
        exe.invoke(frame, InvokeTask(seq, self.resource, payload, self.name, frame.retry_total, frame.token,
                                     credentials, heartbeat, timeout))
        run = TaskRun(seq, effective, heartbeat)
        if timeout is not None:
            run.timeout_timer = exe.start_timer(frame, exe.now + timeout, TASK_TIMEOUT)
        if heartbeat is not None:
            run.heartbeat_timer = exe.start_timer(frame, exe.now + heartbeat, HEARTBEAT)
        frame.timers = run
        return False

    def _seconds(self, literal: float | None, path: JsonPath | None, field: str, effective: Any, context: Any,
                 variables: Any) -> float | None:
        if path is None:
            return literal
        if path.__class__ is ExpressionField:  # JSONata TimeoutSeconds / HeartbeatSeconds
            return float(path.number(effective, context, variables, 1))  # type: ignore[attr-defined]
        try:
            value = path.resolve(effective, None, None)
        except PathNotFound:
            raise runtime_error(f"Invalid path '{path.text}' : No results for path: {path.normalized}") from None
        if value.__class__ is not int or value <= 0:
            raise runtime_error(f"The {field} field refers to value \"{value}\" which is not a valid positive "
                                f"integer: {path.text}")
        return float(value)

    def _record_scheduled(self, exe: Execution, frame: Frame, payload: Any, timeout: float | None,
                          heartbeat: float | None) -> None:
        if self.activity:  # AWS records no ActivityStarted until a worker takes the task
            details: dict[str, Any] = {"resource": self.resource, "input": payload}
            if timeout is not None:
                details["timeoutInSeconds"] = int(timeout)
            if heartbeat is not None:
                details["heartbeatInSeconds"] = int(heartbeat)
            exe.emit(frame, "ActivityScheduled", details)
            return
        if self.lambda_function:
            details = {"resource": self.resource, "input": payload}
            if timeout is not None:
                details["timeoutInSeconds"] = int(timeout)
            exe.emit(frame, "LambdaFunctionScheduled", details)
            exe.emit(frame, "LambdaFunctionStarted", None)
            return
        details = {"resourceType": self.resource_type, "resource": self.resource_name,
                                   "region": exe.region, "parameters": payload}
        if timeout is not None:
            details["timeoutInSeconds"] = int(timeout)
        if heartbeat is not None:
            details["heartbeatInSeconds"] = int(heartbeat)
        exe.emit(frame, "TaskScheduled", details)
        exe.emit(frame, "TaskStarted", {"resourceType": self.resource_type, "resource": self.resource_name})

    def _stop_timers(self, exe: Execution, frame: Frame) -> Any:
        run = frame.timers
        frame.timers = None
        if run is not None:
            exe.cancel(run.timeout_timer)
            exe.cancel(run.heartbeat_timer)
        return run

    def on_task_succeeded(self, exe: Execution, frame: Frame, output: Any) -> bool:
        try:
            # AWS records a result over the limit as the task's failure, not as a success (spec/task.md).
            check_result_size(output, self.resource_name if self.lambda_function else self.name)
        except StatesError as error:
            return self.on_task_failed(exe, frame, error.error, error.cause)
        self._stop_timers(exe, frame)
        if self.activity:
            exe.emit(frame, "ActivitySucceeded", {"output": output})
        elif self.lambda_function:
            exe.emit(frame, "LambdaFunctionSucceeded", {"output": output})
        else:
            exe.emit(frame, "TaskSucceeded", {"resourceType": self.resource_type, "resource": self.resource_name,
                                              "output": output})
        flow = self.flow
        try:
            context = self.context(exe, frame)
            selected = flow.select_result(output, context, frame.variables, exe.rng)
            assigned = self.assigned(exe, frame, selected, context)
            result = flow.output(flow.place_result(frame.data, selected), context, frame.variables)
        except StatesError as error:
            return exe.state_failed(frame, self, error)
        frame.token = None
        return self.exit(exe, frame, result, assigned)

    def on_task_failed(self, exe: Execution, frame: Frame, error: str, cause: str | None) -> bool:
        run = self._stop_timers(exe, frame)
        frame.token = None
        if self.activity:
            return self._activity_failed(exe, frame, run, error, cause)
        if self.lambda_function:
            exe.emit(frame, "LambdaFunctionFailed", {"error": error, "cause": cause})
            return exe.handle_error(frame, self, error, cause)
        exe.emit(frame, "TaskFailed", {"resourceType": self.resource_type, "resource": self.resource_name,
                                       "error": error, "cause": cause})
        return exe.handle_error(frame, self, error, cause)

    def _activity_failed(self, exe: Execution, frame: Frame, run: TaskRun | None, error: str,
                         cause: str | None) -> bool:
        if error == ErrorName.RUNTIME and run is not None and not run.started:
            # The runtime could not hand the task to any worker (the activity does not exist): AWS fails the
            # state with States.Runtime, which no Retry or States.ALL handles (spec/task.md, "Activities").
            cause = (f"An error occurred while executing the state '{self.name}' (entered at the event id "
                     f"#{frame.entered_id}). {cause}")
            exe.emit(frame, "ActivityScheduleFailed", {"error": error, "cause": cause})
        else:
            exe.emit(frame, "ActivityFailed", {"error": error, "cause": cause})
        return exe.handle_error(frame, self, error, cause)

    def on_timer(self, exe: Execution, frame: Frame, purpose: int) -> bool:
        run = frame.timers
        if run is not None:
            if purpose == TASK_TIMEOUT:
                run.timeout_timer = None
            else:
                run.heartbeat_timer = None
            exe.cancel(run.task)
        self._stop_timers(exe, frame)
        frame.token = None
        error = ErrorName.TIMEOUT.value if purpose == TASK_TIMEOUT else ErrorName.HEARTBEAT_TIMEOUT.value
        if self.activity:
            exe.emit(frame, "ActivityTimedOut", {"error": error, "cause": None})
        elif self.lambda_function:
            exe.emit(frame, "LambdaFunctionTimedOut", {"error": error, "cause": None})
        else:
            exe.emit(frame, "TaskTimedOut", {"resourceType": self.resource_type, "resource": self.resource_name,
                                             "error": error, "cause": None})
        return exe.handle_error(frame, self, error, None)

    def on_heartbeat(self, exe: Execution, frame: Frame) -> None:
        run = frame.timers
        if run is None or run.heartbeat is None:
            return
        exe.cancel(run.heartbeat_timer)
        run.heartbeat_timer = exe.start_timer(frame, exe.now + run.heartbeat, HEARTBEAT)

    def on_activity_started(self, exe: Execution, frame: Frame, worker_name: str | None) -> None:
        """A worker took this activity task: record ActivityStarted; the heartbeat clock starts again from now."""
        run = frame.timers
        if not self.activity or run is None or run.started:
            return
        run.started = True
        exe.emit(frame, "ActivityStarted", {} if worker_name is None else {"workerName": worker_name})
        self.on_heartbeat(exe, frame)
