"""A tiny synchronous driver for the pure core: a virtual clock and scripted task answers.

It does what the runtime does, minus I/O: feed ``Started``, then answer every ``StartTimer`` with
``TimerFired`` at its ``fire_at`` (earliest first) and every ``InvokeTask`` with the answer a test
scripted, deciding after each input. Cancelled timers and tasks are dropped.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from statewright.core.events import (
    CancelTask,
    CancelTimer,
    ExecutionInfo,
    Input,
    InvokeTask,
    Started,
    StartTimer,
    TaskFailed,
    TaskSucceeded,
    TimerFired,
)
from statewright.core.execution import Execution
from statewright.core.model import Machine, compile_machine

START = 1_700_000_000.0
INFO = ExecutionInfo(
    execution_arn="arn:aws:states:us-east-1:111111111111:execution:machine:run-1",
    execution_name="run-1",
    state_machine_arn="arn:aws:states:us-east-1:111111111111:stateMachine:machine",
    state_machine_name="machine",
)

# A task answer: ("ok", output) or ("fail", error, cause) or ("hang",) (never answered).
TaskAnswer = tuple[Any, ...]


@dataclass
class Run:
    execution: Execution
    inputs: list[Input] = field(default_factory=list)
    invoked: list[InvokeTask] = field(default_factory=list)

    @property
    def outcome(self) -> Any:
        return self.execution.outcome

    def history(self) -> list[dict[str, Any]]:
        return [event.to_aws() for event in self.execution.history]

    def types(self) -> list[str]:
        return [event.type for event in self.execution.history]


def run(definition: dict[str, Any] | Machine, input: Any = None, *, seed: int = 42,
        tasks: Callable[[InvokeTask], TaskAnswer] | None = None, max_steps: int = 1_000_000,
        start: float = START, express: bool = False) -> Run:
    """Run an execution to its end on a virtual clock; ``tasks`` answers every InvokeTask."""
    machine = definition if isinstance(definition, Machine) else compile_machine(definition)
    execution = Execution(machine, express=express)
    result = Run(execution)
    queue: list[tuple[float, int, Input]] = []  # (time, seq, input)
    cancelled: set[int] = set()
    now = start

    def feed(item: Input) -> None:
        result.inputs.append(item)
        execution.receive(item)
        for command in execution.decide().commands:
            _plan(command, now)

    def _plan(command: Any, at: float) -> None:
        if isinstance(command, StartTimer):
            heapq.heappush(queue, (max(command.fire_at, at), command.seq, TimerFired(command.seq, 0.0)))
        elif isinstance(command, CancelTimer | CancelTask):
            cancelled.add(command.seq)
        elif isinstance(command, InvokeTask):
            result.invoked.append(command)
            answer = tasks(command) if tasks is not None else ("fail", "NoTask", "no task answers scripted")
            if answer[0] == "ok":
                heapq.heappush(queue, (at, command.seq, TaskSucceeded(command.seq, 0.0, answer[1])))
            elif answer[0] == "fail":
                heapq.heappush(queue, (at, command.seq, TaskFailed(command.seq, 0.0, answer[1], answer[2])))
            elif answer[0] == "after":  # ("after", seconds, ok-output)
                heapq.heappush(queue, (at + answer[1], command.seq, TaskSucceeded(command.seq, 0.0, answer[2])))

    feed(Started(start, input if input is not None else {}, seed, INFO))
    steps = 0
    while queue and execution.outcome.status == "RUNNING" and steps < max_steps:
        at, seq, item = heapq.heappop(queue)
        if seq in cancelled:
            continue
        now = at
        feed(type(item)(**{**_fields(item), "time": at}))
        steps += 1
    return result


def _fields(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__slots__}


def matches(expected: Any, actual: Any, wildcards: set[str]) -> bool:
    """JSON equality where a string listed in ``wildcards`` matches anything; 1 equals 1.0."""
    if isinstance(expected, str) and expected in wildcards:
        return True
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and expected.keys() == actual.keys()
                and all(matches(expected[k], actual[k], wildcards) for k in expected))
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(expected) == len(actual)
                and all(matches(e, a, wildcards) for e, a in zip(expected, actual, strict=True)))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    return bool(expected == actual)


def event_name(event: dict[str, Any]) -> str | None:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict) and "name" in value:
            return str(value["name"])
    return None


def decoded(text: Any) -> Any:
    if isinstance(text, str):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text
