"""State machines and executions through boto3 against a real server: create, start, describe, list, history."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import ROLE, Server

PASS_WAIT = {"StartAt": "Greet", "States": {
    "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.who)"}, "Next": "Pause"},
    "Pause": {"Type": "Wait", "Seconds": 0, "End": True}}}


def code_of(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


def wait_done(sfn: Any, arn: str, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return dict(described)
        time.sleep(0.05)


def create(sfn: Any, name: str = "greeter", definition: dict[str, Any] | None = None, **extra: Any) -> str:
    return str(sfn.create_state_machine(name=name, definition=json.dumps(definition or PASS_WAIT), roleArn=ROLE,
                                        **extra)["stateMachineArn"])


def test_create_start_describe_and_history(sfn: Any) -> None:
    arn = create(sfn)
    assert arn == "arn:aws:states:us-east-1:123456789012:stateMachine:greeter"
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["status"] == "ACTIVE" and described["type"] == "STANDARD" and described["roleArn"] == ROLE
    assert json.loads(described["definition"]) == PASS_WAIT
    started = sfn.start_execution(stateMachineArn=arn, name="first", input='{"who": "world"}')
    assert started["executionArn"].endswith(":execution:greeter:first")
    done = wait_done(sfn, started["executionArn"])
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"greeting": "hello world"}
    assert done["stopDate"] >= done["startDate"]
    events = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    assert [event["type"] for event in events] == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered", "WaitStateExited",
        "ExecutionSucceeded"]
    assert [event["id"] for event in events] == [1, 2, 3, 4, 5, 6]
    assert events[0]["executionStartedEventDetails"]["roleArn"] == ROLE  # the machine's role, as AWS


def test_history_pages_reverse_and_leave_data_out(sfn: Any) -> None:
    arn = sfn.start_execution(stateMachineArn=create(sfn), input='{"who": "pages"}')["executionArn"]
    wait_done(sfn, arn)
    paginator = sfn.get_paginator("get_execution_history")
    pages = list(paginator.paginate(executionArn=arn, PaginationConfig={"PageSize": 4}))
    assert [len(page["events"]) for page in pages] == [4, 2]
    forward = [event["id"] for page in pages for event in page["events"]]
    reverse = sfn.get_execution_history(executionArn=arn, reverseOrder=True)["events"]
    assert [event["id"] for event in reverse] == list(reversed(forward))
    bare = sfn.get_execution_history(executionArn=arn, includeExecutionData=False)["events"]
    assert "input" not in bare[0]["executionStartedEventDetails"]
    assert "input" in sfn.get_execution_history(executionArn=arn)["events"][0]["executionStartedEventDetails"]


def test_list_executions_filters_by_status_and_pages(sfn: Any) -> None:
    arn = create(sfn)
    waiting = create(sfn, "sleeper", {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}})
    done = [sfn.start_execution(stateMachineArn=arn, name=f"run-{index}", input='{"who": "x"}')["executionArn"]
            for index in range(5)]
    for execution in done:
        wait_done(sfn, execution)
    sleeping = sfn.start_execution(stateMachineArn=waiting, name="long")["executionArn"]
    paginator = sfn.get_paginator("list_executions")
    pages = list(paginator.paginate(stateMachineArn=arn, PaginationConfig={"PageSize": 2}))
    assert [len(page["executions"]) for page in pages] == [2, 2, 1]
    listed = [item["executionArn"] for page in pages for item in page["executions"]]
    assert listed == list(reversed(done))  # newest first, as AWS
    assert sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"] == []
    running = sfn.list_executions(stateMachineArn=waiting, statusFilter="RUNNING")["executions"]
    assert [item["executionArn"] for item in running] == [sleeping]
    stopped = sfn.stop_execution(executionArn=sleeping, error="Operator", cause="no longer needed")
    assert stopped["stopDate"]
    described = sfn.describe_execution(executionArn=sleeping)
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Operator",
                                                                             "no longer needed")
    assert described["redriveStatus"] == "REDRIVABLE"  # an ABORTED execution can run again (test_redrive.py)


def test_state_machines_list_update_and_delete(sfn: Any) -> None:
    arns = [create(sfn, f"machine-{index}") for index in range(3)]
    pages = list(sfn.get_paginator("list_state_machines").paginate(PaginationConfig={"PageSize": 2}))
    assert [item["stateMachineArn"] for page in pages for item in page["stateMachines"]] == arns
    before = sfn.describe_state_machine(stateMachineArn=arns[0])
    changed = {**PASS_WAIT, "Comment": "changed"}
    updated = sfn.update_state_machine(stateMachineArn=arns[0], definition=json.dumps(changed))
    after = sfn.describe_state_machine(stateMachineArn=arns[0])
    assert updated["revisionId"] == after["revisionId"] != before["revisionId"]
    assert json.loads(after["definition"]) == changed
    assert create(sfn, "machine-1") == arns[1]  # the same definition again: idempotent, as AWS
    sfn.delete_state_machine(stateMachineArn=arns[2])
    assert code_of(lambda: sfn.describe_state_machine(stateMachineArn=arns[2])) == "StateMachineDoesNotExist"
    # Deleting again (or a machine that never was) answers 200 with nothing, as AWS does.
    assert set(sfn.delete_state_machine(stateMachineArn=arns[2])) == {"ResponseMetadata"}


def test_an_execution_runs_the_definition_it_started_with(sfn: Any) -> None:
    arn = create(sfn, "pinned", {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "P"},
                                                              "P": {"Type": "Pass", "Result": "old", "End": True}}})
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "new", "End": True}}}))
    assert json.loads(wait_done(sfn, execution)["output"]) == "old"
    recorded = sfn.describe_state_machine_for_execution(executionArn=execution)
    assert json.loads(recorded["definition"])["States"]["P"]["Result"] == "old"


def test_error_shapes(sfn: Any, server: Server) -> None:
    arn = create(sfn)
    missing_machine = arn.replace("greeter", "absent")
    assert code_of(lambda: sfn.describe_state_machine(stateMachineArn=missing_machine)) == "StateMachineDoesNotExist"
    assert code_of(lambda: sfn.start_execution(stateMachineArn=missing_machine)) == "StateMachineDoesNotExist"
    assert code_of(lambda: sfn.create_state_machine(name="greeter", definition=json.dumps(
        {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}), roleArn=ROLE)) == "StateMachineAlreadyExists"
    assert code_of(lambda: sfn.create_state_machine(name="bad name", definition="{}", roleArn=ROLE)) == "InvalidName"
    assert code_of(lambda: sfn.describe_execution(executionArn=arn.replace(
        "stateMachine:greeter", "execution:greeter:none"))) == "ExecutionDoesNotExist"
    assert code_of(lambda: sfn.describe_execution(executionArn="not-an-arn")) == "InvalidArn"
    assert code_of(lambda: sfn.describe_state_machine(stateMachineArn="arn:aws:states:::nothing")) == "InvalidArn"
    assert code_of(lambda: sfn.start_execution(stateMachineArn=arn, name="bad/name")) == "InvalidName"
    assert code_of(lambda: sfn.start_execution(stateMachineArn=arn, input="{not json")) == "InvalidExecutionInput"
    sfn.start_execution(stateMachineArn=arn, name="once", input='{"who": "a"}')
    wait_done(sfn, arn.replace("stateMachine:greeter", "execution:greeter:once"))
    assert code_of(lambda: sfn.start_execution(stateMachineArn=arn, name="once", input='{"who": "a"}')) == \
        "ExecutionAlreadyExists"
    assert code_of(lambda: sfn.send_task_success(taskToken="no-such-token", output="{}")) == "InvalidToken"
    assert code_of(lambda: sfn.list_executions(stateMachineArn=arn, nextToken="forged")) == "InvalidToken"
    with pytest.raises(ClientError) as caught:
        sfn.create_state_machine(name="broken", roleArn=ROLE, definition=json.dumps(
            {"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": True}}}))
    assert caught.value.response["Error"]["Code"] == "InvalidDefinition"
    assert "Nowhere" in caught.value.response["Error"]["Message"]


def test_unknown_actions_and_bad_bodies_answer_in_aws_shape(server: Server) -> None:
    import urllib.error
    import urllib.request

    def post(target: str, body: bytes) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(server.url, data=body, method="POST", headers={
            "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    status, document = post("AWSStepFunctions.FlyToTheMoon", b"{}")
    assert status == 400 and document["__type"].endswith("#UnknownOperationException")
    status, document = post("AWSStepFunctions.ListMapRuns", b'{"executionArn": "x"}')  # not built: docs/serve.md
    assert status == 400 and document["__type"].endswith("#UnknownOperationException")
    status, document = post("AWSStepFunctions.ListStateMachines", b"[1, 2")
    assert status == 400 and document["__type"].endswith("#SerializationException")
    status, document = post("AWSStepFunctions.DescribeExecution", b"{}")
    assert status == 400 and document["__type"].endswith("#ValidationException") and "executionArn" in \
        document["message"]
