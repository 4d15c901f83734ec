"""Activities against a real server: the API, workers in separate processes (plain boto3), heartbeats, a worker
SIGKILLed mid-task, the long poll, and a server SIGKILLed while a task waits for a worker."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import ROLE, Server
from tests.server.test_machines import code_of, wait_done

WORKER = Path(__file__).with_name("activity_worker.py")
ACCOUNT_ARN = "arn:aws:states:us-east-1:123456789012"
# The long poll is AWS's 60 s; these servers answer an empty poll after 1 s (server/activities.py).
SHORT_POLL = {"STATEWRIGHT_ACTIVITY_POLL_SECONDS": "1"}


@pytest.fixture
def quick(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path, env=SHORT_POLL)
    yield running
    running.stop()


class Worker:
    """``activity_worker.py`` in a process of its own; ``took()`` waits for its first task."""

    def __init__(self, server: Server, activity: str, name: str, *options: str) -> None:
        self.process = subprocess.Popen([sys.executable, str(WORKER), server.url, activity, name, *options],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def took(self, timeout: float = 15) -> Any:
        assert self.process.stdout is not None
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self.process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        assert result and result[0].startswith("took "), f"the worker took nothing: {self.stop()}"
        return json.loads(result[0][len("took "):])

    def wait(self, timeout: float = 20) -> int:
        return self.process.wait(timeout)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.kill()
        _, errors = self.process.communicate(timeout=10)
        return errors[-2000:]


def machine(sfn: Any, name: str, task: dict[str, Any]) -> str:
    definition = {"StartAt": "Review", "States": {"Review": {"Type": "Task", "End": True, **task}}}
    return str(sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"])


def history(sfn: Any, execution: str) -> list[dict[str, Any]]:
    return list(sfn.get_execution_history(executionArn=execution)["events"])


def wait_for_event(sfn: Any, execution: str, kind: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not any(event["type"] == kind for event in history(sfn, execution)):
        assert time.monotonic() < deadline, f"no {kind} in {[e['type'] for e in history(sfn, execution)]}"
        time.sleep(0.05)


def test_create_describe_list_delete_and_error_shapes(sfn: Any) -> None:
    created = sfn.create_activity(name="review", tags=[{"key": "team", "value": "ops"}])
    arn = created["activityArn"]
    assert arn == f"{ACCOUNT_ARN}:activity:review"
    again = sfn.create_activity(name="review", tags=[{"key": "team", "value": "other"}])
    assert (again["activityArn"], again["creationDate"]) == (arn, created["creationDate"])  # idempotent, as AWS
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "ops"}]  # unchanged
    described = sfn.describe_activity(activityArn=arn)
    assert (described["activityArn"], described["name"], described["creationDate"]) == (
        arn, "review", created["creationDate"])
    for index in range(4):
        sfn.create_activity(name=f"step-{index}")
    pages = list(sfn.get_paginator("list_activities").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["activities"]) for page in pages] == [2, 2, 1]
    assert sorted(item["name"] for page in pages for item in page["activities"]) == [
        "review", "step-0", "step-1", "step-2", "step-3"]
    assert code_of(lambda: sfn.create_activity(name="bad name$")) == "InvalidName"
    assert code_of(lambda: sfn.describe_activity(activityArn="not-an-arn")) == "InvalidArn"
    assert code_of(lambda: sfn.describe_activity(activityArn=f"{ACCOUNT_ARN}:stateMachine:review")) == "InvalidArn"
    assert code_of(lambda: sfn.get_activity_task(activityArn="arn:aws:states:::activity")) == "InvalidArn"
    assert code_of(lambda: sfn.list_activities(nextToken="forged")) == "InvalidToken"
    sfn.delete_activity(activityArn=arn)
    sfn.delete_activity(activityArn=arn)  # deleting what is gone succeeds, as AWS
    assert code_of(lambda: sfn.describe_activity(activityArn=arn)) == "ActivityDoesNotExist"
    assert code_of(lambda: sfn.get_activity_task(activityArn=arn)) == "ActivityDoesNotExist"
    assert code_of(lambda: sfn.delete_activity(activityArn="arn:aws:lambda:us-east-1:1:function:f")) == "InvalidArn"


def test_an_empty_long_poll_answers_without_a_token(quick: Server) -> None:
    sfn = quick.client()
    arn = sfn.create_activity(name="idle")["activityArn"]
    began = time.monotonic()
    answer = sfn.get_activity_task(activityArn=arn, workerName="w")
    took = time.monotonic() - began
    assert "taskToken" not in answer and "input" not in answer
    assert 0.9 <= took < 5, took


def test_a_worker_process_completes_the_workflow_with_heartbeats(quick: Server) -> None:
    sfn = quick.client()
    activity = sfn.create_activity(name="review")["activityArn"]
    arn = machine(sfn, "reviewed", {"Resource": activity, "HeartbeatSeconds": 1, "TimeoutSeconds": 30})
    # It works 2.5 s, longer than HeartbeatSeconds: only its heartbeats keep the task alive.
    worker = Worker(quick, activity, "worker-a", "--work", "2.5", "--heartbeat", "0.3")
    try:
        execution = sfn.start_execution(stateMachineArn=arn, input='{"doc": 7}')["executionArn"]
        assert worker.took() == {"doc": 7}
        assert worker.wait() == 0
    finally:
        worker.stop()
    done = wait_done(sfn, execution)
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == {"worker": "worker-a", "input": {"doc": 7}}
    events = history(sfn, execution)
    assert [event["type"] for event in events] == [
        "ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded",
        "TaskStateExited", "ExecutionSucceeded"]
    assert [event["previousEventId"] for event in events] == [0, 0, 2, 3, 4, 5, 6]  # as AWS links them
    scheduled = events[2]["activityScheduledEventDetails"]
    assert scheduled == {"resource": activity, "input": '{"doc":7}', "inputDetails": {"truncated": False},
                         "timeoutInSeconds": 30, "heartbeatInSeconds": 1}
    assert events[3]["activityStartedEventDetails"] == {"workerName": "worker-a"}
    assert json.loads(events[4]["activitySucceededEventDetails"]["output"])["worker"] == "worker-a"


def test_a_failure_from_the_worker_and_an_activity_that_does_not_exist(quick: Server) -> None:
    sfn = quick.client()
    activity = sfn.create_activity(name="review")["activityArn"]
    arn = machine(sfn, "refused", {"Resource": activity})
    execution = sfn.start_execution(stateMachineArn=arn, input='{"fail": true}')["executionArn"]
    task = sfn.get_activity_task(activityArn=activity)  # no workerName: ActivityStarted has empty details
    sfn.send_task_failure(taskToken=task["taskToken"], error="Worker.Refused", cause="not today")
    assert code_of(lambda: sfn.send_task_success(taskToken=task["taskToken"], output="{}")) == "TaskTimedOut"
    done = wait_done(sfn, execution)
    assert (done["status"], done["error"], done["cause"]) == ("FAILED", "Worker.Refused", "not today")
    events = history(sfn, execution)
    assert [event["type"] for event in events][2:] == ["ActivityScheduled", "ActivityStarted", "ActivityFailed",
                                                       "ExecutionFailed"]
    assert events[3]["activityStartedEventDetails"] == {}
    assert events[4]["activityFailedEventDetails"] == {"error": "Worker.Refused", "cause": "not today"}

    # Nothing will ever serve an activity nobody created: the state fails at once with AWS's States.Runtime,
    # which neither Retry nor States.ALL handles.
    missing = f"{ACCOUNT_ARN}:activity:never-created"
    orphan = machine(sfn, "orphan", {"Resource": missing, "Retry": [{"ErrorEquals": ["States.ALL"]}],
                                     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Review"}]})
    failed = wait_done(sfn, sfn.start_execution(stateMachineArn=orphan)["executionArn"], timeout=10)
    assert failed["status"] == "FAILED" and failed["error"] == "States.Runtime"
    assert failed["cause"] == ("An error occurred while executing the state 'Review' (entered at the event id #2). "
                               f"The activity {missing} does not exist.")


def test_a_killed_worker_times_out_and_a_retry_goes_to_another_worker(quick: Server) -> None:
    sfn = quick.client()
    activity = sfn.create_activity(name="review")["activityArn"]
    arn = machine(sfn, "retried", {
        "Resource": activity, "HeartbeatSeconds": 1,
        "Retry": [{"ErrorEquals": ["States.HeartbeatTimeout"], "IntervalSeconds": 1, "MaxAttempts": 1}]})
    doomed = Worker(quick, activity, "doomed", "--hang")
    try:
        execution = sfn.start_execution(stateMachineArn=arn, input='{"doc": 1}')["executionArn"]
        assert doomed.took() == {"doc": 1}
        doomed.process.kill()  # SIGKILL mid-task: no answer, no more heartbeats
        doomed.wait()
    finally:
        doomed.stop()
    wait_for_event(sfn, execution, "ActivityTimedOut")
    rescuer = Worker(quick, activity, "rescuer", "--heartbeat", "0.3", "--work", "0.5")
    try:
        assert rescuer.took() == {"doc": 1}
        assert rescuer.wait() == 0
    finally:
        rescuer.stop()
    done = wait_done(sfn, execution)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"])["worker"] == "rescuer"
    events = history(sfn, execution)
    assert [event["type"] for event in events] == [
        "ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivityTimedOut",
        "ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert events[4]["activityTimedOutEventDetails"] == {"error": "States.HeartbeatTimeout"}
    assert [events[index]["activityStartedEventDetails"]["workerName"] for index in (3, 6)] == ["doomed", "rescuer"]


def test_tasks_survive_a_server_sigkill(quick: Server) -> None:
    sfn = quick.client()
    activity = sfn.create_activity(name="review")["activityArn"]
    arn = machine(sfn, "durable", {"Resource": activity, "TimeoutSeconds": 120})
    taken = sfn.start_execution(stateMachineArn=arn, name="taken", input='{"n": 1}')["executionArn"]
    token = sfn.get_activity_task(activityArn=activity, workerName="before")["taskToken"]
    queued = sfn.start_execution(stateMachineArn=arn, name="queued", input='{"n": 2}')["executionArn"]
    wait_for_event(sfn, queued, "ActivityScheduled")
    quick.kill()
    quick.restart()
    # The task no worker took is queued again; the one a worker took is not: its token still answers.
    task = sfn.get_activity_task(activityArn=activity, workerName="after")
    assert json.loads(task["input"]) == {"n": 2}
    assert "taskToken" not in sfn.get_activity_task(activityArn=activity, workerName="after")
    sfn.send_task_success(taskToken=task["taskToken"], output='"second"')
    sfn.send_task_success(taskToken=token, output='"first"')
    assert [json.loads(wait_done(sfn, execution)["output"]) for execution in (taken, queued)] == ["first", "second"]
    workers = [[event["activityStartedEventDetails"]["workerName"] for event in history(sfn, execution)
                if event["type"] == "ActivityStarted"] for execution in (taken, queued)]
    assert workers == [["before"], ["after"]]


def test_sigterm_drains_without_waiting_for_parked_polls(server: Server) -> None:
    sfn = server.client()
    arn = sfn.create_activity(name="idle")["activityArn"]
    answers: list[Any] = []
    poll = threading.Thread(target=lambda: answers.append(sfn.get_activity_task(activityArn=arn)), daemon=True)
    poll.start()
    time.sleep(0.5)  # the poll is parked (the long poll is AWS's 60 s on this server)
    began = time.monotonic()
    assert server.terminate() == 0
    poll.join(10)
    assert time.monotonic() - began < 10
    assert answers and "taskToken" not in answers[0]
