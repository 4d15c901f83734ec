"""Task states with Retry and Catch, and the timeouts the core enforces with its own timers."""

from __future__ import annotations

from typing import Any

from statewright.core.events import CancelTask, ExecutionInfo, InvokeTask, Started, StopRequested, TimerFired
from statewright.core.execution import Execution
from statewright.core.model import compile_machine
from tests.core.engine.driver import INFO, START, run

LAMBDA = "arn:aws:lambda:us-east-1:111111111111:function:work"


def task(**fields: Any) -> dict[str, Any]:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True, **fields},
                                       "Caught": {"Type": "Pass", "End": True}}}


def failing(*errors: str) -> Any:
    remaining = list(errors)

    def answer(command: InvokeTask) -> tuple[Any, ...]:
        return ("fail", remaining.pop(0), "cause") if remaining else ("ok", {"done": command.attempt})

    return answer


def test_task_success_runs_output_processing() -> None:
    result = run(task(Parameters={"x.$": "$.v"}, ResultSelector={"r.$": "$.x"}, ResultPath="$.out"), {"v": 3},
                 tasks=lambda command: ("ok", command.payload))
    assert result.outcome.output == {"v": 3, "out": {"r": 3}}
    assert result.types()[1:-1] == ["TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
                                    "LambdaFunctionSucceeded", "TaskStateExited"]


def test_retry_backoff_delays_and_retry_count() -> None:
    retry = [{"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3}]
    result = run(task(Retry=retry, Parameters={"n.$": "$$.State.RetryCount"}), {}, tasks=failing("Busy", "Busy"))
    assert result.outcome.output == {"done": 2}
    assert [command.payload["n"] for command in result.invoked] == [0, 1, 2]
    scheduled = [e.timestamp - START for e in result.execution.history if e.type == "LambdaFunctionScheduled"]
    assert scheduled == [0, 2, 8]


def test_first_matching_retrier_only_and_exhaustion_goes_to_catch() -> None:
    retry = [{"ErrorEquals": ["Busy"], "MaxAttempts": 1}, {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}]
    catch = [{"ErrorEquals": ["Busy"], "ResultPath": "$.error", "Next": "Caught"}]
    result = run(task(Retry=retry, Catch=catch), {"a": 1}, tasks=failing("Busy", "Busy", "Busy"))
    assert len(result.invoked) == 2
    assert result.outcome.output == {"a": 1, "error": {"Error": "Busy", "Cause": "cause"}}


def test_catch_default_result_path_replaces_input() -> None:
    catch = [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}]
    result = run(task(Catch=catch), {"a": 1}, tasks=failing("Anything"))
    assert result.outcome.output == {"Error": "Anything", "Cause": "cause"}


def test_states_all_does_not_catch_runtime_errors() -> None:
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
    retry = [{"ErrorEquals": ["States.ALL"]}]
    outcome = run(task(Catch=catch, Retry=retry, InputPath="$.missing"), {}).outcome
    assert (outcome.status, outcome.error) == ("FAILED", "States.Runtime")


def test_task_timeout_cancels_the_task_and_can_be_caught() -> None:
    catch = [{"ErrorEquals": ["States.Timeout"], "Next": "Caught"}]
    result = run(task(TimeoutSeconds=5, Catch=catch), {}, tasks=lambda command: ("hang",))
    assert result.outcome.output == {"Error": "States.Timeout"}
    assert "LambdaFunctionTimedOut" in result.types()


def test_heartbeat_timeout_and_heartbeats() -> None:
    outcome = run(task(HeartbeatSeconds=2, TimeoutSeconds=100), {}, tasks=lambda command: ("hang",)).outcome
    assert outcome.error == "States.HeartbeatTimeout"
    late = run(task(HeartbeatSeconds=2, TimeoutSeconds=100), {}, tasks=lambda command: ("after", 1, 7)).outcome
    assert late.output == 7


def test_callback_token_is_in_the_context_and_the_command() -> None:
    definition = task(Parameters={"token.$": "$$.Task.Token"})
    definition["States"]["T"]["Resource"] = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    result = run(definition, {}, tasks=lambda command: ("ok", command.payload))
    command = result.invoked[0]
    assert command.token and command.payload == {"token": command.token}


def test_execution_timeout_and_stop() -> None:
    machine = compile_machine({**task(), "TimeoutSeconds": 10})
    execution = Execution(machine)
    execution.receive(Started(START, {}, 1, INFO))
    commands = execution.decide().commands
    timer = next(c for c in commands if not isinstance(c, InvokeTask))
    execution.receive(TimerFired(timer.seq, START + 10))
    decision = execution.decide()
    assert execution.outcome.status == "TIMED_OUT"
    assert any(isinstance(c, CancelTask) for c in decision.commands)
    assert decision.events[-1].type == "ExecutionTimedOut"

    stopped = Execution(compile_machine(task()))
    stopped.receive(Started(START, {}, 1, ExecutionInfo("e", "n", "arn:aws:states:eu-west-1:1:stateMachine:m", "m")))
    stopped.decide()
    stopped.receive(StopRequested(START + 1, "Stop", "by hand"))
    stopped.decide()
    assert (stopped.outcome.status, stopped.outcome.error) == ("ABORTED", "Stop")
