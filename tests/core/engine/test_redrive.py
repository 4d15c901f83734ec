"""Redrive in the pure core (spec/redrive.md): an ended execution re-enters the states that did not finish."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from statewright.core.events import (
    CancelTask,
    CancelTimer,
    Input,
    InvokeTask,
    Redriven,
    Started,
    StartTimer,
    StopRequested,
    TaskFailed,
    TaskSucceeded,
    TimerFired,
)
from statewright.core.execution import Execution
from statewright.core.model import compile_machine
from tests.core.engine.driver import INFO, START

Answer = Callable[[InvokeTask], tuple[Any, ...]]


class Driver:
    """Feeds an execution inputs and answers its commands at once (timers fire in order), across redrives."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.execution = Execution(compile_machine(definition))
        self.inputs: list[Input] = []
        self.calls: list[InvokeTask] = []
        self.now = START

    def feed(self, item: Input, tasks: Answer) -> None:
        queue: list[Input] = [item]
        timers: dict[int, float] = {}
        while queue or timers:
            if not queue:
                seq = min(timers, key=timers.__getitem__)
                self.now = max(self.now, timers.pop(seq))
                queue.append(TimerFired(seq, self.now))
            current = queue.pop(0)
            self.inputs.append(current)
            self.execution.receive(current)
            for command in self.execution.decide().commands:
                if isinstance(command, StartTimer):
                    timers[command.seq] = command.fire_at
                elif isinstance(command, CancelTimer):
                    timers.pop(command.seq, None)
                elif isinstance(command, InvokeTask):
                    self.calls.append(command)
                    answer = tasks(command)
                    if answer[0] == "ok":
                        queue.append(TaskSucceeded(command.seq, self.now, answer[1]))
                    elif answer[0] == "fail":
                        queue.append(TaskFailed(command.seq, self.now, answer[1], answer[2]))
                elif isinstance(command, CancelTask):
                    queue = [i for i in queue if getattr(i, "seq", None) != command.seq]

    def types(self) -> list[str]:
        return [event.type for event in self.execution.history]


def _fail_unless(allowed: set[str]) -> Answer:
    def answer(call: InvokeTask) -> tuple[Any, ...]:
        if call.state in allowed:
            return ("ok", {"from": call.state, "input": call.payload})
        return ("fail", "Broken", f"{call.state} is broken")
    return answer


def _task(name: str, **more: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": f"arn:aws:lambda:us-east-1:111111111111:function:{name}", **more}


def test_a_failed_task_runs_again_with_its_input_and_the_states_before_it_do_not() -> None:
    driver = Driver({"StartAt": "Prepare", "States": {
        "Prepare": {"Type": "Pass", "Result": {"x": 1}, "Next": "Charge"},
        "Charge": _task("charge", Retry=[{"ErrorEquals": ["Broken"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                        End=True)}})
    driver.feed(Started(START, {"order": 7}, 1, INFO), _fail_unless(set()))
    assert driver.execution.outcome.status == "FAILED"
    assert driver.execution.redrive_refusal() is None
    failed_calls = len(driver.calls)
    assert failed_calls == 2  # the first try and one retry

    driver.feed(Redriven(driver.now + 10), _fail_unless({"Charge"}))
    outcome = driver.execution.outcome
    assert outcome.status == "SUCCEEDED"
    assert outcome.output == {"from": "Charge", "input": {"x": 1}}
    types = driver.types()
    assert types.count("PassStateEntered") == 1  # the Pass state succeeded: not run again
    redriven = types.index("ExecutionRedriven")
    assert types[redriven - 1] == "ExecutionFailed"
    assert types[redriven + 1:redriven + 2] == ["TaskStateEntered"]
    event = driver.execution.history[redriven]
    assert event.to_aws()["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert event.previous_event_id == redriven  # linked to the ending
    entered = driver.execution.history[redriven + 1]
    assert entered.previous_event_id == redriven + 1 and entered.details["input"] == {"x": 1}


def test_replaying_the_inputs_with_the_redrive_reproduces_the_history() -> None:
    driver = Driver({"StartAt": "Charge", "States": {"Charge": _task("charge", End=True)}})
    driver.feed(Started(START, {}, 1, INFO), _fail_unless(set()))
    driver.feed(Redriven(driver.now + 1), _fail_unless(set()))  # fails again
    driver.feed(Redriven(driver.now + 2), _fail_unless({"Charge"}))
    assert driver.execution.outcome.status == "SUCCEEDED"
    replayed = Execution.replay(driver.execution.machine, driver.inputs, list(driver.execution.history))
    assert replayed.outcome.status == "SUCCEEDED"
    counts = [e.to_aws()["executionRedrivenEventDetails"]["redriveCount"] for e in replayed.history
              if e.type == "ExecutionRedriven"]
    assert counts == [1, 2]


def test_running_and_succeeded_executions_are_not_redriven() -> None:
    driver = Driver({"StartAt": "Charge", "States": {"Charge": _task("charge", End=True)}})
    driver.feed(Started(START, {}, 1, INFO), lambda call: ("hang",))
    assert driver.execution.redrive_refusal() == "Execution is RUNNING and cannot be redriven"
    driver.execution.receive(Redriven(START + 1))
    assert "ExecutionRedriven" not in driver.types()
    driver.feed(StopRequested(START + 2, "Stop", "by hand"), lambda call: ("hang",))
    assert driver.execution.outcome.status == "ABORTED"
    # An aborted execution runs again from the state it was stopped in.
    driver.feed(Redriven(START + 3), _fail_unless({"Charge"}))
    assert driver.execution.outcome.status == "SUCCEEDED"
    assert driver.execution.redrive_refusal() == "Execution is SUCCEEDED and cannot be redriven"


def test_only_the_failed_parallel_branch_runs_again_and_the_others_keep_their_results() -> None:
    driver = Driver({"StartAt": "Both", "States": {"Both": {
        "Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "A", "States": {"A": _task("a", End=True)}},
            {"StartAt": "B1", "States": {"B1": _task("b1", Next="B2"), "B2": _task("b2", End=True)}}]}}})
    driver.feed(Started(START, {"n": 1}, 1, INFO), _fail_unless({"A", "B1"}))
    assert driver.execution.outcome.status == "FAILED"
    driver.calls.clear()
    driver.feed(Redriven(driver.now + 5), _fail_unless({"A", "B1", "B2"}))
    assert driver.execution.outcome.status == "SUCCEEDED"
    assert [call.state for call in driver.calls] == ["B2"]  # not A, not B1
    assert driver.execution.outcome.output == [
        {"from": "A", "input": {"n": 1}},
        {"from": "B2", "input": {"from": "B1", "input": {"n": 1}}}]


def test_only_failed_and_unstarted_map_iterations_run_again() -> None:
    driver = Driver({"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "End": True, "MaxConcurrency": 1,
        "ItemProcessor": {"StartAt": "Work", "States": {"Work": _task("work", End=True)}}}}})
    bad = {2}

    def answer(call: InvokeTask) -> tuple[Any, ...]:
        if call.payload in bad:
            return ("fail", "Broken", json.dumps(call.payload))
        return ("ok", call.payload * 10)

    driver.feed(Started(START, [1, 2, 3], 1, INFO), answer)
    assert driver.execution.outcome.status == "FAILED"
    assert [call.payload for call in driver.calls] == [1, 2]  # 3 never started (MaxConcurrency 1)
    driver.calls.clear()
    bad.clear()
    driver.feed(Redriven(driver.now + 5), answer)
    assert driver.execution.outcome.status == "SUCCEEDED"
    assert [call.payload for call in driver.calls] == [2, 3]
    assert driver.execution.outcome.output == [10, 20, 30]
    types = driver.types()
    after = types[types.index("ExecutionRedriven"):]
    assert after.count("MapIterationStarted") == 2 and "MapStateEntered" not in after


def test_an_execution_that_failed_outside_any_state_is_not_redrivable() -> None:
    driver = Driver({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
    driver.feed(Started(START, {"big": "x" * 300_000}, 1, INFO), _fail_unless(set()))
    assert driver.execution.outcome.status == "FAILED"
    assert "no state to run again" in (driver.execution.redrive_refusal() or "")


def test_an_execution_that_failed_in_a_fail_state_fails_again() -> None:
    driver = Driver({"StartAt": "Stop", "States": {"Stop": {"Type": "Fail", "Error": "Nope", "Cause": "no"}}})
    driver.feed(Started(START, {}, 1, INFO), _fail_unless(set()))
    driver.feed(Redriven(START + 1), _fail_unless(set()))
    assert driver.execution.outcome.status == "FAILED"
    assert driver.types()[-3:] == ["ExecutionRedriven", "FailStateEntered", "ExecutionFailed"]


def test_a_timed_out_execution_reruns_its_open_state_and_its_timeout_starts_again() -> None:
    driver = Driver({"StartAt": "Slow", "TimeoutSeconds": 10, "States": {"Slow": _task("slow", End=True)}})
    driver.feed(Started(START, {"k": 1}, 1, INFO), lambda call: ("hang",))
    assert driver.execution.outcome.status == "TIMED_OUT"
    assert driver.now == START + 10
    driver.feed(Redriven(START + 100), lambda call: ("hang",))
    assert driver.execution.outcome.status == "TIMED_OUT"
    assert driver.now == START + 110  # ten seconds from the redrive, not from the start
    driver.feed(Redriven(START + 200), _fail_unless({"Slow"}))
    assert driver.execution.outcome.status == "SUCCEEDED"
    assert [call.payload for call in driver.calls] == [{"k": 1}] * 3


def test_a_stopped_parallel_reruns_its_open_branches_from_where_they_were() -> None:
    driver = Driver({"StartAt": "Both", "States": {"Both": {
        "Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "A", "States": {"A": _task("a", End=True)}},
            {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Next": "B2"}, "B2": _task("b2", End=True)}}]}}})
    driver.feed(Started(START, {"n": 1}, 1, INFO), lambda call: ("hang",))
    driver.feed(StopRequested(START + 1), lambda call: ("hang",))
    assert driver.execution.outcome.status == "ABORTED"
    driver.calls.clear()
    driver.feed(Redriven(START + 2), _fail_unless({"A", "B2"}))
    assert driver.execution.outcome.status == "SUCCEEDED"
    assert sorted(call.state for call in driver.calls) == ["A", "B2"]
    types = driver.types()
    assert types[types.index("ExecutionRedriven"):].count("PassStateEntered") == 0
