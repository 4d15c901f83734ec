"""The commands for people (`statewright machines`, `start`, `executions`, `describe`, `history`, `send-success`,
`send-failure`) run as a user runs them, against a real `statewright serve` holding machines made through boto3."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.conftest import ROLE, Server

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:"
ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
RETRY_ONCE = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}]
TASKS = '''
import pathlib


class SourceUnavailable(Exception):
    pass


class Rejected(Exception):
    pass


def extract(event):
    counter = pathlib.Path("extract-calls")  # the server runs in the test's folder
    calls = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(calls + 1))
    if calls == 0:
        raise SourceUnavailable("s3://acme-raw/orders.csv did not answer")
    return {"rows": 3}


def load(event):
    raise Rejected("row 2: 120 is more than the limit")


def notify(event):
    return None
'''
MACHINES = {
    "greeter": {"StartAt": "Greet", "States": {
        "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.who)"}, "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 2, "End": True}}},
    "pipeline": {"StartAt": "Extract", "States": {
        "Extract": {"Type": "Task", "Resource": FN + "extract", "Retry": RETRY_ONCE, "Next": "Load"},
        "Load": {"Type": "Task", "Resource": FN + "load", "Retry": RETRY_ONCE, "End": True}}},
    "approval": {"StartAt": "Ask", "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "approvals", "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True}}},
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module (each test uses its own executions): task code, virtual time for the retries."""
    folder = tmp_path_factory.mktemp("people")
    (folder / "tasks.py").write_text(TASKS)
    (folder / "resources.yaml").write_text(
        f"resources:\n  {FN}extract: tasks:extract\n  {FN}load: tasks:load\n"
        "  arn:aws:states:::sqs:sendMessage: tasks:notify\n")
    running = Server(folder, "--resources", str(folder / "resources.yaml"), "--virtual-time")
    sfn = running.client()
    for name, definition in MACHINES.items():
        sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)
    yield running
    running.stop()


def statewright(server: Server | None, *args: str, endpoint: str | None = None,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m statewright ARGS --endpoint URL`` (the server's unless ``endpoint``), as a user runs it."""
    url = endpoint or (server.url if server is not None else None)
    base = dict(server.env) if server is not None else dict(os.environ)
    base.pop("NO_COLOR", None)
    base.pop("STATEWRIGHT_ENDPOINT", None)
    command = [sys.executable, "-m", "statewright", *args, *(("--endpoint", url) if url else ())]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, env={**base, **(env or {})},
                          check=False)


def ok(server: Server, *args: str) -> str:
    done = statewright(server, *args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def test_start_wait_prints_the_output_and_listings_show_it(server: Server) -> None:
    machines = ok(server, "machines").splitlines()
    assert machines[0].split() == ["NAME", "TYPE", "CREATED", "ARN"]
    assert [line.split()[0] for line in machines[1:]] == ["approval", "greeter", "pipeline"]
    assert "arn:aws:states:us-east-1:123456789012:stateMachine:greeter" in machines[2]

    done = statewright(server, "start", "greeter", "--input", '{"who": "world"}', "--name", "first", "--wait")
    assert (done.returncode, json.loads(done.stdout), done.stderr) == (0, {"greeting": "hello world"}, "")

    listed = ok(server, "executions", "greeter").splitlines()
    assert listed[0].split() == ["NAME", "STATUS", "STARTED", "DURATION", "ARN"]
    first = next(line for line in listed if line.startswith("first "))
    assert re.search(r" SUCCEEDED +\S+ \S+ +2\.\d{3}s +arn:", first) and first.endswith(EXECUTION + "greeter:first")

    described = ok(server, "describe", EXECUTION + "greeter:first")
    assert re.search(r"^Status +SUCCEEDED$", described, re.M)
    assert re.search(r"^Stopped +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \(after 2\.\d{3}s\)$", described, re.M)
    assert '"greeting": "hello world"' in described and '"who": "world"' in described


def test_start_by_arn_from_a_file_without_wait_prints_the_arn(server: Server, tmp_path: Path) -> None:
    (tmp_path / "input.json").write_text('{"who": "file"}')
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:greeter"
    assert ok(server, "start", arn, "--input-file", str(tmp_path / "input.json"), "--name", "from-file") == (
        EXECUTION + "greeter:from-file\n")
    assert ok(server, "history", EXECUTION + "greeter:from-file", "--query", "events[0].type") == (
        '"ExecutionStarted"\n')


def test_a_failed_execution_exits_1_and_its_history_shows_retries_and_the_failure(server: Server) -> None:
    done = statewright(server, "start", "pipeline", "--name", "nightly", "--wait")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "FAILED Rejected: row 2: 120 is more than the limit\n"

    failed = ok(server, "executions", "pipeline", "--status", "failed").splitlines()
    assert [line.split()[:2] for line in failed[1:]] == [["nightly", "FAILED"]]
    every = ok(server, "executions", "--limit", "0")  # of every machine
    assert "nightly" in every and "pipeline:nightly" in every

    timeline = ok(server, "history", EXECUTION + "pipeline:nightly", "--no-color")
    assert not ESCAPE.search(timeline)
    # The retry back-offs are 1 s of virtual time; the tasks themselves take real (short) time.
    assert re.fullmatch(
        r"arn:\S+:execution:pipeline:nightly\n"
        r" +0\.\d{3}s  -> Extract \(Task\) +1\.\d{3}s  1 retry\n"
        r" +0\.\d{3}s     !! LambdaFunctionFailed \(attempt 1\): "
        r"SourceUnavailable: s3://acme-raw/orders\.csv did not answer\n"
        r" +1\.\d{3}s  -> Load \(Task\) +1\.\d{3}s  1 retry  failed\n"
        r" +1\.\d{3}s     !! LambdaFunctionFailed \(attempt 1\): Rejected: row 2: 120 is more than the limit\n"
        r" +2\.\d{3}s     !! LambdaFunctionFailed \(attempt 2\): Rejected: row 2: 120 is more than the limit\n"
        r" +2\.\d{3}s  FAILED after 2\.\d{3}s  Rejected: row 2: 120 is more than the limit\n", timeline), timeline

    coloured = ok(server, "history", EXECUTION + "pipeline:nightly", "--color")
    assert "\x1b[31m" in coloured and "\x1b[33m  1 retry" in coloured
    assert ESCAPE.sub("", coloured) == timeline
    # Not a terminal and no --color: plain, as a pipe wants it.
    assert ok(server, "history", EXECUTION + "pipeline:nightly") == timeline

    described = ok(server, "describe", EXECUTION + "pipeline:nightly", "--color")
    assert "\x1b[31mFAILED\x1b[0m" in described
    assert re.search(r"^Error +Rejected$", ESCAPE.sub("", described), re.M)
    assert re.search(r"^Cause +row 2: 120 is more than the limit$", ESCAPE.sub("", described), re.M)


def test_send_success_and_send_failure_answer_task_tokens(server: Server) -> None:
    def waiting(name: str) -> str:
        arn = ok(server, "start", "approval", "--name", name).strip()
        for _ in range(200):  # the token is recorded once the task is scheduled: a few milliseconds
            parameters = ok(server, "history", arn, "--query",
                            "events[?type=='TaskScheduled'] | [0].taskScheduledEventDetails.parameters")
            if parameters.strip() != "null":
                return str(json.loads(json.loads(parameters))["MessageBody"]["token"])
        raise AssertionError(f"{arn} never scheduled its task")

    token = waiting("approve-1")
    assert re.search(r"-> Ask \(Task\) +\d+\.\d{3}s  waiting for a task token\n +\d+\.\d{3}s  RUNNING\n$",
                     ok(server, "history", EXECUTION + "approval:approve-1"))
    assert ok(server, "send-success", token, "--output", '{"approved": true}') == (
        "the task succeeded with the output given\n")
    assert json.loads(ok(server, "describe", EXECUTION + "approval:approve-1", "--query", "output")) == (
        '{"approved":true}')
    again = statewright(server, "send-success", token, "--output", "{}")
    assert again.returncode == 1 and again.stdout == ""
    assert re.fullmatch(r"TaskTimedOut: .+\n", again.stderr)

    token = waiting("approve-2")
    assert ok(server, "send-failure", token, "--error", "Rejected", "--cause", "not this month", "--json") == "{}\n"
    described = json.loads(ok(server, "describe", EXECUTION + "approval:approve-2", "--json"))
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "Rejected", "not this month")
    timeline = ok(server, "history", EXECUTION + "approval:approve-2")
    assert "!! TaskFailed (attempt 1): Rejected: not this month" in timeline


def test_json_prints_the_apis_documents_and_query_filters_them(server: Server) -> None:
    listed = json.loads(ok(server, "machines", "--json"))
    assert [machine["name"] for machine in listed["stateMachines"]] == ["approval", "greeter", "pipeline"]
    assert json.loads(ok(server, "machines", "--query", "stateMachines[].name")) == ["approval", "greeter",
                                                                                    "pipeline"]
    started = json.loads(ok(server, "start", "greeter", "--input", '{"who": "json"}', "--name", "j", "--wait",
                            "--json"))
    assert started["status"] == "SUCCEEDED" and json.loads(started["output"]) == {"greeting": "hello json"}
    assert isinstance(started["startDate"], float)  # as the API sends it: epoch seconds
    assert json.loads(ok(server, "executions", "greeter", "--status", "SUCCEEDED", "--limit", "1",
                         "--query", "length(executions)")) == 1
    events = json.loads(ok(server, "history", EXECUTION + "greeter:j", "--json"))["events"]
    assert [event["type"] for event in events][-1] == "ExecutionSucceeded"
    assert ok(server, "history", EXECUTION + "greeter:j", "--query", "events[-1].type") == '"ExecutionSucceeded"\n'


def test_api_errors_are_one_line_with_the_code_and_exit_1(server: Server) -> None:
    missing = statewright(server, "describe", EXECUTION + "greeter:nobody")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == (f"ExecutionDoesNotExist: Execution Does Not Exist: '{EXECUTION}greeter:nobody'\n")
    bad_arn = statewright(server, "history", "nope")
    assert (bad_arn.returncode, bad_arn.stderr) == (1, "InvalidArn: Invalid Arn: 'nope' is not a valid execution ARN\n")
    assert statewright(server, "start", "nobody").stderr == "StateMachineDoesNotExist: no state machine is named " \
                                                             "'nobody'\n"
    ok(server, "start", "greeter", "--name", "twice")
    taken = statewright(server, "start", "greeter", "--name", "twice")
    assert taken.returncode == 1 and taken.stderr.startswith("ExecutionAlreadyExists: ")
    for usage in (("start", "greeter", "--input", "{nope"), ("machines", "--query", "[[["),
                  ("send-success", "t", "--output", "not json")):
        done = statewright(server, *usage)
        assert done.returncode == 2 and done.stderr.startswith(f"statewright {usage[0]}: error: "), done.stderr
        assert done.stderr.count("\n") == 1


def test_a_server_that_does_not_answer_is_one_line_and_exit_2() -> None:
    with socket.socket() as probe:  # a port nothing listens on: bound here, never listened on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
        for args in (("machines",), ("describe", EXECUTION + "x:y"), ("start", "greeter", "--wait")):
            done = statewright(None, *args, endpoint=url)
            assert done.returncode == 2 and done.stdout == ""
            assert done.stderr == f"cannot reach the Statewright server at {url}: Connection refused\n"
        by_env = statewright(None, "executions", env={"STATEWRIGHT_ENDPOINT": url})
        assert (by_env.returncode, by_env.stderr) == (2, f"cannot reach the Statewright server at {url}: "
                                                         "Connection refused\n")


def test_the_endpoint_comes_from_the_environment(server: Server) -> None:
    done = statewright(None, "machines", "--query", "length(stateMachines)", env={"STATEWRIGHT_ENDPOINT": server.url})
    assert (done.returncode, done.stdout) == (0, "3\n")


def test_client_library_raises_the_aws_code(server: Server) -> None:
    from statewright.client import StepFunctionsClient, StepFunctionsError

    client = StepFunctionsClient(server.url)
    assert [m["name"] for m in client.paginate("ListStateMachines", {}, "stateMachines", page_size=1)] == [
        "approval", "greeter", "pipeline"]
    with pytest.raises(StepFunctionsError) as caught:
        client.call("DescribeStateMachine", {"stateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:no"})
    assert caught.value.code == "StateMachineDoesNotExist" and caught.value.status == 400
    assert "no" in caught.value.message
