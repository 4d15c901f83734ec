"""Task states that start executions on the same server (``arn:aws:states:::states:startExecution``), through
boto3 against a real ``statewright serve``: the four patterns' result shapes, failures, stops, and a SIGKILL."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from statewright.runtime.durable import DurableEngine
from statewright.runtime.resources import Invocation, TaskError
from statewright.server.children import attach
from statewright.server.context import ServerContext
from statewright.store.records import ResourceRecord
from tests.server.conftest import ROLE, Server
from tests.server.test_machines import wait_done

START = "arn:aws:states:::states:startExecution"
CHILD = {"StartAt": "Double", "States": {
    "Double": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": True}}}
SLOW_CHILD = {"StartAt": "Pause", "States": {
    "Pause": {"Type": "Wait", "Seconds": 2, "Next": "Double"}, **CHILD["States"]}}
FAILING_CHILD = {"StartAt": "Break", "States": {"Break": {"Type": "Fail", "Error": "Boom", "Cause": "it broke"}}}
DESCRIBE_KEYS = {"ExecutionArn", "StateMachineArn", "Name", "Status", "StartDate", "StopDate", "Input",
                 "InputDetails", "Output", "OutputDetails", "RedriveCount", "RedriveStatus", "RedriveStatusReason"}


def machine(sfn: Any, name: str, definition: dict[str, Any]) -> str:
    return str(sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"])


def task(resource: str, parameters: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, "Parameters": parameters, **fields}


def run(sfn: Any, arn: str, value: Any = None, timeout: float = 20) -> dict[str, Any]:
    started = sfn.start_execution(stateMachineArn=arn, input=json.dumps(value if value is not None else {}))
    return wait_done(sfn, started["executionArn"], timeout)


def children_of(sfn: Any, arn: str) -> list[dict[str, Any]]:
    return list(sfn.list_executions(stateMachineArn=arn)["executions"])


def test_start_execution_fires_and_forgets(sfn: Any) -> None:
    child = machine(sfn, "child", CHILD)
    parent = machine(sfn, "parent", {"StartAt": "Start", "States": {"Start": task(
        START, {"StateMachineArn": child, "Input": {"n": 4}, "Name": "kid-1"}, End=True)}})
    done = run(sfn, parent)
    assert done["status"] == "SUCCEEDED"
    output = json.loads(done["output"])
    assert set(output) == {"ExecutionArn", "StartDate"}
    assert output["ExecutionArn"] == "arn:aws:states:us-east-1:123456789012:execution:child:kid-1"
    assert isinstance(output["StartDate"], int)  # epoch milliseconds, as AWS's integration returns dates
    kid = wait_done(sfn, output["ExecutionArn"])
    assert kid["status"] == "SUCCEEDED" and json.loads(kid["output"]) == {"doubled": 8}
    assert abs(kid["startDate"].timestamp() * 1000 - output["StartDate"]) < 2


def test_sync_and_sync2_result_shapes(sfn: Any) -> None:
    child = machine(sfn, "child", CHILD)
    parameters = {"StateMachineArn": child,
                  "Input": {"n.$": "$.n", "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"}}
    parent = machine(sfn, "parent", {"StartAt": "Sync", "States": {
        "Sync": task(START + ".sync", parameters, ResultPath="$.sync", Next="Sync2"),
        "Sync2": task(START + ".sync:2", {**parameters, "Input": '{"n": 5}'}, ResultPath="$.sync2", End=True)}})
    done = run(sfn, parent, {"n": 3})
    assert done["status"] == "SUCCEEDED", done
    output = json.loads(done["output"])
    sync, sync2 = output["sync"], output["sync2"]
    assert set(sync) == DESCRIBE_KEYS and set(sync2) == DESCRIBE_KEYS
    # .sync: Input and Output are JSON texts; .sync:2: JSON values (an Input given as a text is parsed).
    assert json.loads(sync["Output"]) == {"doubled": 6}
    assert json.loads(sync["Input"]) == {"n": 3, "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": done["executionArn"]}
    assert sync2["Output"] == {"doubled": 10} and sync2["Input"] == {"n": 5}
    assert sync["Status"] == "SUCCEEDED" and sync["InputDetails"] == {"Included": True}
    assert sync["StateMachineArn"] == child and sync["RedriveCount"] == 0
    assert isinstance(sync["StartDate"], int) and sync["StopDate"] >= sync["StartDate"]
    # No Name given: each child is named after its task (a UUID), and each task started its own.
    names = {execution["name"] for execution in children_of(sfn, child)}
    assert names == {sync["Name"], sync2["Name"]} and all(len(name) == 36 for name in names)


def test_wait_for_task_token_is_answered_by_anyone(sfn: Any) -> None:
    child = machine(sfn, "child", {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 30,
                                                                          "End": True}}})
    parent = machine(sfn, "parent", {"StartAt": "Ask", "States": {"Ask": task(
        START + ".waitForTaskToken", {"StateMachineArn": child, "Input": {"token.$": "$$.Task.Token"}}, End=True)}})
    arn = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    deadline = time.monotonic() + 10
    while not children_of(sfn, child) and time.monotonic() < deadline:
        time.sleep(0.05)
    [kid] = children_of(sfn, child)
    token = json.loads(sfn.describe_execution(executionArn=kid["executionArn"])["input"])["token"]
    sfn.send_task_success(taskToken=token, output='{"approved": true}')
    done = wait_done(sfn, arn)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"approved": True}
    assert sfn.describe_execution(executionArn=kid["executionArn"])["status"] == "RUNNING"  # it carries on


def test_failing_child_fails_the_task_and_catch_sees_it(sfn: Any) -> None:
    child = machine(sfn, "breaker", FAILING_CHILD)
    parent = machine(sfn, "parent", {"StartAt": "Run", "States": {
        "Run": task(START + ".sync:2", {"StateMachineArn": child}, End=True,
                    Catch=[{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.failure", "Next": "Handled"}]),
        "Handled": {"Type": "Pass", "End": True}}})
    done = run(sfn, parent)
    assert done["status"] == "SUCCEEDED", done
    failure = json.loads(done["output"])["failure"]
    assert failure["Error"] == "States.TaskFailed"
    cause = json.loads(failure["Cause"])  # the child's description, as AWS gives it
    assert cause["Status"] == "FAILED" and cause["Error"] == "Boom" and cause["Cause"] == "it broke"
    assert cause["ExecutionArn"].startswith("arn:aws:states:us-east-1:123456789012:execution:breaker:")


def test_missing_machine_fails_the_task_at_once(sfn: Any) -> None:
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:nowhere"
    parent = machine(sfn, "parent", {"StartAt": "Run", "States": {
        "Run": task(START + ".sync", {"StateMachineArn": missing}, End=True)}})
    done = run(sfn, parent, timeout=10)
    assert done["status"] == "FAILED"
    assert done["error"] == "StepFunctions.StateMachineDoesNotExistException"
    assert "Error Code: StateMachineDoesNotExist" in done["cause"] and missing in done["cause"]


def test_stopping_the_parent_stops_its_sync_child(sfn: Any) -> None:
    child = machine(sfn, "child", {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 60,
                                                                          "End": True}}})
    parent = machine(sfn, "parent", {"StartAt": "Run", "States": {
        "Run": task(START + ".sync", {"StateMachineArn": child}, End=True)}})
    arn = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    deadline = time.monotonic() + 10
    while not children_of(sfn, child) and time.monotonic() < deadline:
        time.sleep(0.05)
    [kid] = children_of(sfn, child)
    sfn.stop_execution(executionArn=arn)
    assert wait_done(sfn, arn)["status"] == "ABORTED"
    stopped = wait_done(sfn, kid["executionArn"], timeout=10)
    assert stopped["status"] == "ABORTED" and arn in stopped["cause"]


def test_a_timed_out_sync_task_stops_its_child(sfn: Any) -> None:
    child = machine(sfn, "child", {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 60,
                                                                          "End": True}}})
    parent = machine(sfn, "parent", {"StartAt": "Run", "States": {
        "Run": task(START + ".sync:2", {"StateMachineArn": child}, TimeoutSeconds=1, End=True)}})
    done = run(sfn, parent, timeout=10)
    assert done["status"] == "FAILED" and done["error"] == "States.Timeout"
    [kid] = children_of(sfn, child)
    assert wait_done(sfn, kid["executionArn"], timeout=10)["status"] == "ABORTED"


def test_sync_children_in_a_map_survive_sigkill_without_duplicates(server: Server) -> None:
    sfn = server.client()
    child = machine(sfn, "slow", SLOW_CHILD)
    parent = machine(sfn, "fan-out", {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "End": True,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Child", "States": {
            "Child": task(START + ".sync:2", {"StateMachineArn": child, "Input": {"n.$": "$"}},
                          ResultSelector={"doubled.$": "$.Output.doubled"}, End=True)}}}}})
    arn = sfn.start_execution(stateMachineArn=parent, input='{"items": [1, 2, 3]}')["executionArn"]
    deadline = time.monotonic() + 10
    while len(children_of(sfn, child)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [kid["status"] for kid in children_of(sfn, child)] == ["RUNNING"] * 3
    server.kill()  # while all three children wait and the parent's tasks wait for them
    server.restart()
    done = wait_done(sfn, arn, timeout=20)
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == [{"doubled": 2}, {"doubled": 4}, {"doubled": 6}]
    kids = children_of(sfn, child)
    assert len(kids) == 3 and {kid["status"] for kid in kids} == {"SUCCEEDED"}


def test_resent_task_reads_its_ended_child_and_a_foreign_name_is_taken(tmp_path: Path) -> None:
    """The re-send of a .sync task after a restart, when its child ended meanwhile: the same invocation
    (same recorded key, so the same child name) reads the child's result instead of failing; a Name
    taken by an execution another parent started is ExecutionAlreadyExists, as AWS's StartExecution."""

    async def scenario() -> None:
        async with DurableEngine(tmp_path / "children.db") as engine:
            context = ServerContext(engine)
            children = attach(context)
            arn = "arn:aws:states:us-east-1:123456789012:stateMachine:child"
            await engine.store.put_resource(ResourceRecord("machine", arn, "child", {
                "definition": json.dumps(CHILD), "type": "STANDARD", "roleArn": ROLE}))
            parent = "arn:aws:states:us-east-1:123456789012:execution:parent:p1"
            invocation = Invocation(START + ".sync:2", {"StateMachineArn": arn, "Input": {"n": 7}}, "Run",
                                    execution_arn=parent, seq=3, idempotency_key="5f0e8c1e-0000-5000-8000-000000000001")
            first = await children.start_execution_sync2(invocation)
            again = await children.start_execution_sync2(invocation)  # as the re-send after a restart
            assert again == first and first["Output"] == {"doubled": 14}
            assert first["Name"] == invocation.idempotency_key
            assert (await engine.describe(first["ExecutionArn"])).parent_arn == parent
            assert len((await engine.list(machine="child")).executions) == 1
            named = Invocation(START + ".sync", {"StateMachineArn": arn, "Input": {"n": 7}, "Name": first["Name"]},
                               "Run", execution_arn=parent.replace("p1", "p2"), seq=3)
            with pytest.raises(TaskError) as caught:
                await children.start_execution_sync(named)
            assert caught.value.error == "StepFunctions.ExecutionAlreadyExistsException"
            await children.close()

    asyncio.run(scenario())
