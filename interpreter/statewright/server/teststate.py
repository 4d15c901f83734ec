"""TestState's engine: one state run on one input by the pure core, with a mocked (or real) task result.

The state under test is put in a small harness machine: every state it can move to (``Next``, a Choice
rule's ``Next``, ``Default``, a catcher's ``Next``) becomes a Wait state that parks forever, so the core's
own :class:`~statewright.core.execution.Execution` runs exactly the state under test (data flow, Choice
rules, Retry and Catch as an execution would) and the history says where it went next. Variables given
with the request are assigned by a Pass state run before it. Nothing waits: a Wait state's timer is fired
at once, and a retry is reported (RETRIABLE) rather than waited for.

The stages of the data flow that the history does not record (after InputPath, after ResultSelector, ...)
are evaluated again here with the state's compiled flow, which is pure, for ``inspectionData``.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from statewright.core.context import ContextSource
from statewright.core.dataflow import ABSENT, JsonPathFlow
from statewright.core.errors import StatesError
from statewright.core.events import (
    ExecutionInfo,
    InvokeTask,
    Started,
    StartTimer,
    TaskFailed,
    TaskSucceeded,
    TimerFired,
)
from statewright.core.execution import LimitedExecution
from statewright.core.intrinsics.rng import SeededRandom

SETUP_STATE = "Statewright-TestState-Variables"
_MAX_SECONDS = 300.0  # AWS: TestState runs for up to five minutes, then fails with States.Timeout
_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:TestStateMachine"

# Calls a task for real with the InvokeTask the core decided; raises TaskCallFailed to fail it.
Caller = Callable[[InvokeTask], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Mock:
    """``mock``: the task's result, or the error it fails with."""

    result: Any = None
    error: str | None = None
    cause: str | None = None


@dataclass(slots=True)
class Outcome:
    """What TestState answers, before it is shaped (values, not JSON texts)."""

    status: str
    output: Any = None
    has_output: bool = False
    error: str | None = None
    cause: str | None = None
    next_state: str | None = None
    inspection: dict[str, Any] = field(default_factory=dict)
    error_details: dict[str, int] = field(default_factory=dict)


def transition_targets(state: dict[str, Any]) -> list[str]:
    """Every state name the state can move to, in order, without duplicates."""
    targets: list[str] = []
    candidates = [state.get("Next"), state.get("Default")]
    for key in ("Choices", "Catch"):
        items = state.get(key)
        if isinstance(items, list):
            candidates += [item.get("Next") for item in items if isinstance(item, dict)]
    for name in candidates:
        if isinstance(name, str) and name not in targets:
            targets.append(name)
    return targets


def harness(name: str, state: dict[str, Any], query_language: str | None,
            variables: dict[str, Any] | None) -> dict[str, Any]:
    """The machine that runs ``state`` alone (see the module docstring)."""
    states: dict[str, Any] = {}
    start = name
    jsonata = query_language == "JSONata"
    if variables:
        start = SETUP_STATE
        # The values travel in the input and are read by paths, so no value is ever parsed as a template.
        if jsonata:
            assign = {key: f"{{% $states.input.v.`{key}` %}}" for key in variables}
            states[SETUP_STATE] = {"Type": "Pass", "Assign": assign, "Output": "{% $states.input.i %}", "Next": name}
        else:
            assign = {f"{key}.$": f"$.v['{key}']" for key in variables}
            states[SETUP_STATE] = {"Type": "Pass", "Assign": assign, "OutputPath": "$.i", "Next": name}
    states[name] = state
    for target in transition_targets(state):
        if target != name:
            states.setdefault(target, {"Type": "Wait", "Seconds": 1, "End": True})  # parks: never fired
    machine: dict[str, Any] = {"StartAt": start, "States": states}
    if query_language:
        machine["QueryLanguage"] = query_language
    return machine


def execution_info(context: dict[str, Any] | None, role_arn: str | None) -> ExecutionInfo:
    """The names ``$$`` shows: from the request's ``context`` where it gives them."""
    context = context or {}
    execution = context.get("Execution") if isinstance(context.get("Execution"), dict) else {}
    machine = context.get("StateMachine") if isinstance(context.get("StateMachine"), dict) else {}
    name = str(execution.get("Name") or "TestState")
    return ExecutionInfo(
        execution_arn=str(execution.get("Id") or f"arn:aws:states:us-east-1:123456789012:execution:TestStateMachine:"
                                                 f"{name}"),
        execution_name=name,
        state_machine_arn=str(machine.get("Id") or _MACHINE_ARN),
        state_machine_name=str(machine.get("Name") or "TestStateMachine"),
        role_arn=str(execution.get("RoleArn") or role_arn or "arn:aws:iam::123456789012:role/statewright"),
    )


class StateRun:
    """One TestState run: call :meth:`run` once."""

    def __init__(self, compiled: Any, name: str, value: Any, *, variables: dict[str, Any] | None = None,
                 mock: Mock | None = None, retry_count: int = 0, info: ExecutionInfo,
                 call: Caller | None = None, now: float) -> None:
        self.compiled = compiled
        self.name = name
        self.state = compiled.states[name]
        self.input = value
        self.variables = variables
        self.mock = mock
        self.retry_count = retry_count
        self.info = info
        self.call = call
        self.now = now
        self.seed = secrets.randbits(63)  # States.UUID and the like differ per request, as they would on AWS
        self.task_result: Any = None
        self.task_error: tuple[str, str | None] | None = None

    async def run(self) -> Outcome:
        # Bounded as executions are: a Choice whose rule leads back to itself loops, and retrierRetryCount
        # replays that many failed attempts (three events each).
        exe = LimitedExecution(self.compiled)
        first = {"v": self.variables, "i": self.input} if self.variables else self.input
        exe.receive(Started(self.now, first, self.seed, self.info))
        decision = exe.decide()
        failures = 0
        events = list(decision.events)
        retry_timer: StartTimer | None = None
        while exe.outcome.status == "RUNNING" and not self._left(events):
            invoke = next((c for c in decision.commands if isinstance(c, InvokeTask)), None)
            timers = [c for c in decision.commands if isinstance(c, StartTimer)]
            if invoke is not None:
                exe.receive(await self._answer(invoke))
            elif timers and self.state.entered_type == "WaitStateEntered":
                exe.receive(TimerFired(timers[0].seq, self.now))  # TestState does not wait
            elif timers and failures < self.retry_count:
                failures += 1  # retrierRetryCount: these retries happened before the attempt under test
                exe.receive(TimerFired(timers[0].seq, self.now))
            else:
                retry_timer = timers[0] if timers else None
                break
            decision = exe.decide()
            events += decision.events
        return self._outcome(exe, events, retry_timer)

    async def _answer(self, invoke: InvokeTask) -> TaskSucceeded | TaskFailed:
        mock = self.mock
        if mock is not None:
            if mock.error is not None:
                self.task_error = (mock.error, mock.cause)
                return TaskFailed(invoke.seq, self.now, mock.error, mock.cause)
            self.task_result = mock.result
            return TaskSucceeded(invoke.seq, self.now, mock.result)
        assert self.call is not None
        limit = min(invoke.timeout_seconds or _MAX_SECONDS, _MAX_SECONDS)
        try:
            result = await asyncio.wait_for(self.call(invoke), limit)
        except TimeoutError:
            self.task_error = ("States.Timeout", None)
            return TaskFailed(invoke.seq, self.now, "States.Timeout", None)
        except TaskCallFailed as failed:
            self.task_error = (failed.error, failed.cause)
            return TaskFailed(invoke.seq, self.now, failed.error, failed.cause)
        self.task_result = result
        return TaskSucceeded(invoke.seq, self.now, result)

    def _left(self, events: list[Any]) -> bool:
        """Whether the state under test has exited (by its end, a transition or a catcher)."""
        return any(event.type == self.state.exited_type and (event.details or {}).get("name") == self.name
                   for event in events)

    def _outcome(self, exe: Any, events: list[Any], retry_timer: StartTimer | None) -> Outcome:
        inspection, flow_error = self._inspect(events)
        error = self.task_error or flow_error
        if exe.outcome.status == "FAILED":
            outcome = Outcome("FAILED", error=exe.outcome.error, cause=exe.outcome.cause)
        elif not self._left(events):
            # Parked without leaving: a retry is due (RETRIABLE), its back-off reported, not waited for.
            outcome = Outcome("RETRIABLE", next_state=self.name)
            if error is not None:
                outcome.error, outcome.cause = error
            index = self._first(self.state.retriers, error)
            if index is not None:
                outcome.error_details["retryIndex"] = index
            if retry_timer is not None:
                outcome.error_details["retryBackoffIntervalSeconds"] = round(retry_timer.fire_at - self.now)
        else:
            exited = next(event for event in events if event.type == self.state.exited_type
                          and (event.details or {}).get("name") == self.name)
            after = [event for event in events if event.id > exited.id]
            outcome = Outcome("SUCCEEDED", output=exited.details["output"], has_output=True)
            entered = next((event for event in after if event.type.endswith("StateEntered")), None)
            if entered is not None:
                outcome.next_state = (entered.details or {}).get("name")
            assigned = exited.details.get("assignedVariables")
            if assigned is not None or self.variables:
                inspection["variables"] = {**(self.variables or {}), **(assigned or {})}
            if error is not None and self.state.catchers:
                outcome.status = "CAUGHT_ERROR"
                outcome.error, outcome.cause = error
                index = self._first(self.state.catchers, error)
                if index is not None:
                    outcome.error_details["catchIndex"] = index
        outcome.inspection = inspection
        return outcome

    @staticmethod
    def _first(handlers: tuple[Any, ...], error: tuple[str, str | None] | None) -> int | None:
        if error is None:
            return None
        return next((index for index, handler in enumerate(handlers) if handler.matches(error[0])), None)

    def _inspect(self, events: list[Any]) -> tuple[dict[str, Any], tuple[str, str | None] | None]:
        """The data-flow stages, evaluated again; stops at the stage that fails, giving its error."""
        state, raw = self.state, self.input
        flow = state.flow
        stages: dict[str, Any] = {"input": raw}
        context = None
        if state.needs_context:
            source = ContextSource(self.info, raw, self.now)
            context = source.for_state(self.name, self.now, 0 if state.counts_retries else None)
        variables = self.variables
        rng = SeededRandom.seeded(self.seed)  # the execution's draws, so inspectionData matches the output
        kind = state.entered_type.removesuffix("StateEntered")
        try:
            if flow.__class__ is not JsonPathFlow:
                if kind in ("Task", "Map", "Parallel"):
                    stages["afterArguments"] = self._scheduled(events, flow.task_input(raw, context, variables, rng))
                    if self.task_error is None and (self.task_result is not None or self.mock is not None):
                        stages["result"] = self.task_result
                return stages, None
            effective = stages["afterInputPath"] = flow.effective_input(raw, context, variables)
            if kind == "Pass":
                if flow.parameters is not None:
                    stages["afterParameters"] = flow.task_input(effective, context, variables, rng)
                result = state.result
                stages["result"] = stages.get("afterParameters", effective) if result is ABSENT else result
                stages["afterResultPath"] = flow.place_result(raw, stages["result"])
            elif kind in ("Task", "Map", "Parallel"):
                stages["afterParameters"] = self._scheduled(events, flow.task_input(effective, context, variables, rng))
                if self.task_error is None and (self.task_result is not None or self.mock is not None):
                    stages["result"] = self.task_result
                    selected = stages["afterResultSelector"] = flow.select_result(self.task_result, context,
                                                                                  variables, rng)
                    stages["afterResultPath"] = flow.place_result(raw, selected)
        except StatesError as failure:
            return stages, (failure.error, failure.cause)
        return stages, None

    def _scheduled(self, events: list[Any], computed: Any) -> Any:
        """The payload the core sent (TaskScheduled's parameters, LambdaFunctionScheduled's input) when there is
        one: it is what ran."""
        for event in events:
            if event.type == "TaskScheduled":
                return event.details["parameters"]
            if event.type == "LambdaFunctionScheduled":
                return event.details["input"]
        return computed


class TaskCallFailed(Exception):
    """A real task call failed with ``error`` and ``cause``."""

    def __init__(self, error: str, cause: str | None) -> None:
        super().__init__(cause or error)
        self.error = error
        self.cause = cause
