"""RedriveExecution against a real `statewright serve` and boto3 (every response checked against botocore's model)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import Server

ROLE = "arn:aws:iam::123456789012:role/statewright"
FN = "arn:aws:lambda:us-east-1:123456789012:function:"
# Task code: each call appends its name to calls.log; "fragile" fails until the file "fixed" exists.
TASKS = '''
from pathlib import Path

HERE = Path(__file__).parent


class Outage(Exception):
    pass


def _count(name):
    with open(HERE / "calls.log", "a") as log:
        log.write(name + "\\n")


def sturdy(event):
    _count("sturdy")
    return {"sturdy": event}


def fragile(event):
    _count("fragile")
    if not (HERE / "fixed").exists():
        raise Outage("the service is down")
    return {"fragile": event}
'''
SINGLE = {"StartAt": "Prepare", "States": {
    "Prepare": {"Type": "Task", "Resource": FN + "sturdy", "Next": "Charge"},
    "Charge": {"Type": "Task", "Resource": FN + "fragile", "End": True}}}
BOTH = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
    {"StartAt": "Left", "States": {"Left": {"Type": "Task", "Resource": FN + "sturdy", "End": True}}},
    # The right branch fails a second after the left one succeeded (a left branch still running would be
    # aborted, and run again too).
    {"StartAt": "Later", "States": {"Later": {"Type": "Wait", "Seconds": 1, "Next": "Right"},
                                    "Right": {"Type": "Task", "Resource": FN + "fragile", "End": True}}}]}}}


@pytest.fixture()
def running(tmp_path: Path) -> Iterator[Server]:
    (tmp_path / "tasks.py").write_text(TASKS)
    (tmp_path / "resources.yaml").write_text(f"resources:\n  {FN}sturdy: tasks:sturdy\n  {FN}fragile: tasks:fragile\n")
    server = Server(tmp_path, "--resources", str(tmp_path / "resources.yaml"))
    yield server
    server.stop()


def calls(folder: Path) -> list[str]:
    log = folder / "calls.log"
    return log.read_text().split() if log.exists() else []


def settled(sfn: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def start(sfn: Any, name: str, definition: dict[str, Any], value: Any) -> str:
    machine = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    return sfn.start_execution(stateMachineArn=machine, input=json.dumps(value))["executionArn"]


def refusal(sfn: Any, arn: str) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        sfn.redrive_execution(executionArn=arn)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_a_failed_execution_redriven_after_the_fix_succeeds(running: Server, tmp_path: Path) -> None:
    sfn = running.client()
    arn = start(sfn, "single", SINGLE, {"order": 7})
    failed = settled(sfn, arn)
    assert failed["status"] == "FAILED" and failed["error"] == "Outage"
    assert failed["redriveStatus"] == "REDRIVABLE" and "redriveStatusReason" not in failed
    assert failed["redriveCount"] == 0 and "redriveDate" not in failed

    (tmp_path / "fixed").touch()
    before = time.time()
    redriven = sfn.redrive_execution(executionArn=arn, clientToken="retry-1")
    assert before - 1 <= redriven["redriveDate"].timestamp() <= time.time() + 1
    done = settled(sfn, arn)
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == {"fragile": {"sturdy": {"order": 7}}}
    assert done["redriveCount"] == 1 and done["redriveDate"] == redriven["redriveDate"]
    assert done["redriveStatus"] == "NOT_REDRIVABLE"
    assert done["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert calls(tmp_path) == ["sturdy", "fragile", "fragile"]  # Prepare is not run again

    events = sfn.get_execution_history(executionArn=arn)["events"]
    types = [event["type"] for event in events]
    at = types.index("ExecutionRedriven")
    assert types[at - 2:at] == ["LambdaFunctionFailed", "ExecutionFailed"] and types[-1] == "ExecutionSucceeded"
    assert events[at]["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert events[at + 1]["type"] == "TaskStateEntered"
    assert events[at + 1]["stateEnteredEventDetails"]["name"] == "Charge"

    machine = done["stateMachineArn"]
    listed = sfn.list_executions(stateMachineArn=machine, redriveFilter="REDRIVEN")["executions"]
    assert [(item["executionArn"], item["redriveCount"]) for item in listed] == [(arn, 1)]
    assert listed[0]["redriveDate"] == redriven["redriveDate"]
    assert sfn.list_executions(stateMachineArn=machine, redriveFilter="NOT_REDRIVEN")["executions"] == []

    assert refusal(sfn, arn) == ("ExecutionNotRedrivable", "Execution is SUCCEEDED and cannot be redriven")
    missing = arn.rsplit(":", 1)[0] + ":nobody"
    assert refusal(sfn, missing) == ("ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'")


def test_only_the_failed_parallel_branch_runs_again_and_survives_a_kill(running: Server, tmp_path: Path) -> None:
    sfn = running.client()
    arn = start(sfn, "both", BOTH, {"n": 1})
    assert settled(sfn, arn)["status"] == "FAILED"
    assert sorted(calls(tmp_path)) == ["fragile", "sturdy"]

    running.kill()  # SIGKILL: the redrive must work from the record alone
    running.restart()
    sfn = running.client()
    (tmp_path / "fixed").touch()
    sfn.redrive_execution(executionArn=arn)
    done = settled(sfn, arn)
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == [{"sturdy": {"n": 1}}, {"fragile": {"n": 1}}]
    assert sorted(calls(tmp_path)) == ["fragile", "fragile", "sturdy"]  # the left branch kept its result
    types = [event["type"] for event in sfn.get_execution_history(executionArn=arn)["events"]]
    after = types[types.index("ExecutionRedriven") + 1:]
    assert after.count("TaskStateEntered") == 1 and "ParallelStateEntered" not in after
    assert "WaitStateEntered" not in after  # the right branch goes on from the state that failed
    assert after[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_a_running_execution_is_not_redrivable(running: Server) -> None:
    sfn = running.client()
    arn = start(sfn, "waiting", {"StartAt": "Sleep", "States": {"Sleep": {"Type": "Wait", "Seconds": 600,
                                                                          "End": True}}}, {})
    described = sfn.describe_execution(executionArn=arn)
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert described["redriveStatusReason"] == "Execution is RUNNING and cannot be redriven"
    assert refusal(sfn, arn) == ("ExecutionNotRedrivable", "Execution is RUNNING and cannot be redriven")
    sfn.stop_execution(executionArn=arn)
    assert sfn.describe_execution(executionArn=arn)["redriveStatus"] == "REDRIVABLE"
