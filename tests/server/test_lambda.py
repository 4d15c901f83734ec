"""Lambda resources on a real `statewright serve`: a function ARN and `lambda:invoke` reach the same --resources
function, recorded as AWS records each (spec/task.md, *Lambda functions*); boto3 checks every response's shape."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import ROLE, Server

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
TASKS = '''
def quote(event):
    if event.get("amount", 0) > 100:
        raise ValueError(f"{event['amount']} is over the limit")
    return {"price": event["amount"] * 2}
'''
# The same function called both ways: by ARN (the answer is the result), and through the optimised
# integration (the answer is wrapped in {ExecutedVersion, Payload, StatusCode}).
MACHINE = {"StartAt": "Direct", "States": {
    "Direct": {"Type": "Task", "Resource": FN + "quote", "ResultPath": "$.direct", "Next": "Invoke"},
    "Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": "$.invoked",
               "Parameters": {"FunctionName": "quote:3", "Payload": {"amount.$": "$.amount"}}, "End": True}}}


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Server]:
    (tmp_path / "tasks.py").write_text(TASKS)
    (tmp_path / "resources.yaml").write_text(f"resources:\n  {FN}quote: tasks:quote\n")
    running = Server(tmp_path, "--resources", str(tmp_path / "resources.yaml"))
    yield running
    running.stop()


def finished(sfn: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, f"{arn} is still running"
        time.sleep(0.05)
    return described


def test_a_function_arn_and_lambda_invoke_reach_the_mapped_function(server: Server) -> None:
    sfn = server.client()
    machine = sfn.create_state_machine(name="quote", definition=json.dumps(MACHINE), roleArn=ROLE)["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, input='{"amount": 4}')["executionArn"]
    described = finished(sfn, arn)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {
        "amount": 4, "direct": {"price": 8},
        "invoked": {"ExecutedVersion": "3", "Payload": {"price": 8}, "StatusCode": 200}}

    events = sfn.get_execution_history(executionArn=arn)["events"]
    types = [event["type"] for event in events]
    assert types[2:5] == ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"]
    assert events[2]["lambdaFunctionScheduledEventDetails"]["resource"] == FN + "quote"
    assert json.loads(events[2]["lambdaFunctionScheduledEventDetails"]["input"]) == {"amount": 4}
    scheduled = next(event for event in events if event["type"] == "TaskScheduled")["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("lambda", "invoke")


def test_a_failing_function_and_an_unmapped_one_fail_with_their_reasons(server: Server) -> None:
    sfn = server.client()
    machine = sfn.create_state_machine(name="quote", definition=json.dumps(MACHINE), roleArn=ROLE)["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, input='{"amount": 400}')["executionArn"]
    described = finished(sfn, arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED", "ValueError", "400 is over the limit")
    failed = [e for e in sfn.get_execution_history(executionArn=arn)["events"] if e["type"] == "LambdaFunctionFailed"]
    assert failed[0]["lambdaFunctionFailedEventDetails"] == {"error": "ValueError", "cause": "400 is over the limit"}

    unmapped = json.loads(json.dumps(MACHINE))
    unmapped["StartAt"] = "Invoke"
    del unmapped["States"]["Direct"]
    unmapped["States"]["Invoke"]["Parameters"]["FunctionName"] = FN + "refund"
    machine = sfn.create_state_machine(name="refund", definition=json.dumps(unmapped), roleArn=ROLE)["stateMachineArn"]
    described = finished(sfn, sfn.start_execution(stateMachineArn=machine, input='{"amount": 1}')["executionArn"])
    assert (described["status"], described["error"]) == ("FAILED", "States.TaskFailed")
    assert described["cause"] == (f"No handler is registered for the Lambda function '{FN}refund' that state "
                                  "'Invoke' invokes (map its ARN or name in a --resources file)")
