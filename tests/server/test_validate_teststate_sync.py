"""ValidateStateMachineDefinition, TestState and StartSyncExecution through boto3 against a real server.

Every response is checked against botocore's output shapes (tests/server/conftest.py). TestState and
StartSyncExecution carry the model's ``sync-`` host prefix: the clients here turn it off, as
docs/serve-sync.md tells users to.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import ROLE, Server
from tests.server.test_machines import code_of

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module, with a resource map: a task that doubles and one that raises."""
    folder = tmp_path_factory.mktemp("sync")
    (folder / "tasks.py").write_text(textwrap.dedent("""
        def double(payload):
            return {"doubled": payload["n"] * 2}

        def broken(payload):
            raise LookupError(f"no record {payload['n']}")
    """))
    (folder / "resources.yaml").write_text(f"resources:\n  {LAMBDA}double: tasks:double\n"
                                           f"  {LAMBDA}broken: tasks:broken\n")
    running = Server(folder, "--resources", str(folder / "resources.yaml"))
    yield running
    running.stop()


@pytest.fixture
def sfn(served: Server) -> Any:
    return served.client(inject_host_prefix=False)


# --- ValidateStateMachineDefinition -------------------------------------------------------------------------

def test_validate_ok_fail_and_locations(sfn: Any) -> None:
    good = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    answer = sfn.validate_state_machine_definition(definition=json.dumps(good))
    assert (answer["result"], answer["diagnostics"], answer["truncated"]) == ("OK", [], False)
    broken = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}}
    answer = sfn.validate_state_machine_definition(definition=json.dumps(broken))
    assert answer["result"] == "FAIL" and not answer["truncated"]
    assert [(d["severity"], d["code"], d["location"]) for d in answer["diagnostics"]] == [
        ("ERROR", "SW202", "/States/A/Next")]
    assert "Missing" in answer["diagnostics"][0]["message"]
    answer = sfn.validate_state_machine_definition(definition='{"StartAt": ')
    assert answer["result"] == "FAIL" and answer["diagnostics"][0]["code"] == "SW001"
    assert "location" not in answer["diagnostics"][0]  # a syntax error has no pointer
    placeholder = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}", "End": True}}}
    answer = sfn.validate_state_machine_definition(definition=json.dumps(placeholder))
    assert answer["result"] == "FAIL" and answer["diagnostics"][0]["location"] == "/States/A/Resource"


def test_validate_and_create_apply_the_express_checks_for_type_express(sfn: Any) -> None:
    """As AWS: a callback Task is fine in a STANDARD machine and refused in an EXPRESS one, by Validate and by
    CreateStateMachine alike."""
    callback = json.dumps({"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"Token.$": "$$.Task.Token"}}, "End": True}}})
    assert sfn.validate_state_machine_definition(definition=callback)["result"] == "OK"
    answer = sfn.validate_state_machine_definition(definition=callback, type="EXPRESS")
    assert answer["result"] == "FAIL"
    assert [(d["code"], d["location"]) for d in answer["diagnostics"]] == [("SW901", "/States/A/Resource")]
    role = "arn:aws:iam::123456789012:role/r"
    sfn.create_state_machine(name="standard-callback", definition=callback, roleArn=role)
    with pytest.raises(sfn.exceptions.InvalidDefinition, match="Express state machine does not support"):
        sfn.create_state_machine(name="express-callback", definition=callback, roleArn=role, type="EXPRESS")


def test_validate_severity_and_max_results(sfn: Any) -> None:
    # A Choice without Default is a warning: OK, and shown only when WARNING is asked for.
    choice = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "D"}]},
        "D": {"Type": "Succeed"}}}
    text = json.dumps(choice)
    assert sfn.validate_state_machine_definition(definition=text)["diagnostics"] == []
    warned = sfn.validate_state_machine_definition(definition=text, severity="WARNING", type="EXPRESS")
    assert warned["result"] == "OK"
    assert [(d["severity"], d["code"], d["location"]) for d in warned["diagnostics"]] == [
        ("WARNING", "SW306", "/States/C")]
    many = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "X", "Foo": 1, "Bar": 2}}}
    full = sfn.validate_state_machine_definition(definition=json.dumps(many))
    assert len(full["diagnostics"]) == 3 and not full["truncated"]
    cut = sfn.validate_state_machine_definition(definition=json.dumps(many), maxResults=2)
    assert cut["diagnostics"] == full["diagnostics"][:2] and cut["truncated"]
    assert code_of(lambda: sfn.validate_state_machine_definition(definition=text, severity="INFO")) == (
        "ValidationException")


# --- TestState ------------------------------------------------------------------------------------------------

def run_state(sfn: Any, state: dict[str, Any], value: Any = None, **extra: Any) -> dict[str, Any]:
    answer = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input=json.dumps(value or {}), **extra)
    answer.pop("ResponseMetadata")
    return dict(answer)


def data(answer: dict[str, Any]) -> dict[str, Any]:
    """inspectionData with its JSON texts decoded."""
    return {key: value if key == "errorDetails" else json.loads(value)
            for key, value in answer.get("inspectionData", {}).items()}


def test_pass_with_parameters_and_result_path(sfn: Any) -> None:
    state = {"Type": "Pass", "InputPath": "$.order", "Parameters": {"id.$": "$.id", "tag": "new"},
             "ResultPath": "$.placed", "Next": "Ship"}
    order = {"order": {"id": 7}, "keep": True}
    answer = run_state(sfn, state, order, inspectionLevel="DEBUG")
    placed = {"order": {"id": 7}, "keep": True, "placed": {"id": 7, "tag": "new"}}
    assert answer["status"] == "SUCCEEDED" and answer["nextState"] == "Ship"
    assert json.loads(answer["output"]) == placed
    assert data(answer) == {"input": order, "afterInputPath": {"id": 7}, "afterParameters": {"id": 7, "tag": "new"},
                            "result": {"id": 7, "tag": "new"}, "afterResultPath": placed}
    info = run_state(sfn, state, order)  # INFO: the output, no data-flow stages
    assert "inspectionData" not in info and json.loads(info["output"]) == placed


def test_choice_gives_the_next_state_and_wait_does_not_wait(sfn: Any) -> None:
    choice = {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}],
              "Default": "Small"}
    assert run_state(sfn, choice, {"n": 11})["nextState"] == "Big"
    assert run_state(sfn, choice, {"n": 1})["nextState"] == "Small"
    answer = run_state(sfn, {"Type": "Wait", "Seconds": 3600, "Next": "Later"}, {"n": 1})
    assert (answer["status"], answer["nextState"], json.loads(answer["output"])) == ("SUCCEEDED", "Later", {"n": 1})


def test_task_with_mocked_result_selector_and_result_path(sfn: Any) -> None:
    state = {"Type": "Task", "Resource": f"{LAMBDA}charge", "Parameters": {"amount.$": "$.total"},
             "ResultSelector": {"receipt.$": "$.Payload.id"}, "ResultPath": "$.charge", "End": True}
    mock = {"result": json.dumps({"Payload": {"id": "r-1", "noise": 1}})}
    answer = run_state(sfn, state, {"total": 5}, mock=mock, inspectionLevel="TRACE")
    assert answer["status"] == "SUCCEEDED" and "nextState" not in answer
    assert json.loads(answer["output"]) == {"total": 5, "charge": {"receipt": "r-1"}}
    assert data(answer) == {
        "input": {"total": 5}, "afterInputPath": {"total": 5}, "afterParameters": {"amount": 5},
        "result": {"Payload": {"id": "r-1", "noise": 1}}, "afterResultSelector": {"receipt": "r-1"},
        "afterResultPath": {"total": 5, "charge": {"receipt": "r-1"}}}


def test_jsonata_task_with_mock_and_variables(sfn: Any) -> None:
    state = {"QueryLanguage": "JSONata", "Type": "Task", "Resource": f"{LAMBDA}charge",
             "Arguments": {"amount": "{% $states.input.total * $rate %}"},
             "Output": "{% $states.result.id %}", "Assign": {"charged": "{% $states.result.id %}"}, "End": True}
    answer = run_state(sfn, state, {"total": 5}, mock={"result": '{"id": "c-9"}'}, variables='{"rate": 3}',
                       inspectionLevel="DEBUG")
    assert answer["status"] == "SUCCEEDED" and json.loads(answer["output"]) == "c-9"
    assert data(answer) == {"input": {"total": 5}, "afterArguments": {"amount": 15}, "result": {"id": "c-9"},
                            "variables": {"rate": 3, "charged": "c-9"}}


RETRIED = {"Type": "Task", "Resource": f"{LAMBDA}charge", "Next": "Done",
           "Retry": [{"ErrorEquals": ["Other"], "MaxAttempts": 5},
                     {"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 2}],
           "Catch": [{"ErrorEquals": ["Other"], "Next": "Elsewhere"},
                     {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Recover"}]}
BUSY = {"errorOutput": {"error": "Busy", "cause": "try later"}}


def test_task_mock_error_retried_then_caught(sfn: Any) -> None:
    first = run_state(sfn, RETRIED, {"n": 1}, mock=BUSY)
    # The state goes to itself again: nextState names the state under test.
    assert (first["status"], first["error"], first["cause"], first["nextState"]) == (
        "RETRIABLE", "Busy", "try later", "TestState")
    assert first["inspectionData"]["errorDetails"] == {"retryIndex": 1, "retryBackoffIntervalSeconds": 2}
    assert "output" not in first
    second = run_state(sfn, RETRIED, {"n": 1}, mock=BUSY, stateConfiguration={"retrierRetryCount": 1})
    assert second["status"] == "RETRIABLE"
    assert second["inspectionData"]["errorDetails"]["retryBackoffIntervalSeconds"] == 6  # 2 * 3^1
    # The retrier is spent after MaxAttempts retries: the catcher takes the error.
    caught = run_state(sfn, RETRIED, {"n": 1}, mock=BUSY, stateConfiguration={"retrierRetryCount": 2})
    assert (caught["status"], caught["error"], caught["nextState"]) == ("CAUGHT_ERROR", "Busy", "Recover")
    assert json.loads(caught["output"]) == {"n": 1, "failure": {"Error": "Busy", "Cause": "try later"}}
    assert caught["inspectionData"]["errorDetails"] == {"catchIndex": 1}


def test_task_mock_error_uncaught_fails_and_fail_state(sfn: Any) -> None:
    bare = {"Type": "Task", "Resource": f"{LAMBDA}charge", "End": True}
    failed = run_state(sfn, bare, mock={"errorOutput": {"error": "Declined", "cause": "card expired"}})
    assert failed == {"status": "FAILED", "error": "Declined", "cause": "card expired"}
    fail = run_state(sfn, {"Type": "Fail", "Error": "Rejected", "Cause": "over the limit"})
    assert fail == {"status": "FAILED", "error": "Rejected", "cause": "over the limit"}
    dynamic = run_state(sfn, {"Type": "Fail", "ErrorPath": "$.code", "CausePath": "$.why"},
                        {"code": "E42", "why": "because"})
    assert (dynamic["error"], dynamic["cause"]) == ("E42", "because")
    missing = run_state(sfn, {"Type": "Pass", "InputPath": "$.nothing", "End": True}, {"n": 1})
    assert missing["status"] == "FAILED" and missing["error"] == "States.Runtime"


def test_task_without_mock_calls_the_served_resource(sfn: Any) -> None:
    state = {"Type": "Task", "Resource": f"{LAMBDA}double", "ResultPath": "$.out", "End": True}
    answer = run_state(sfn, state, {"n": 21})
    assert json.loads(answer["output"]) == {"n": 21, "out": {"doubled": 42}}
    caught = run_state(sfn, {**state, "Resource": f"{LAMBDA}broken",
                             "Catch": [{"ErrorEquals": ["LookupError"], "Next": "Handle"}]}, {"n": 3})
    assert (caught["status"], caught["error"], caught["cause"]) == ("CAUGHT_ERROR", "LookupError", "no record 3")
    unknown = run_state(sfn, {**state, "Resource": f"{LAMBDA}nobody"}, {"n": 1})
    assert unknown["status"] == "FAILED" and unknown["error"] == "States.TaskFailed"
    assert "No handler is registered" in unknown["cause"]


def test_state_name_variables_and_mocked_parallel(sfn: Any) -> None:
    machine = {"StartAt": "Fan", "States": {
        "Fan": {"Type": "Parallel", "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}}],
                "ResultPath": "$.branches", "Next": "Sum"},
        "Sum": {"Type": "Pass", "Assign": {"total.$": "States.MathAdd($base, $.n)"}, "End": True}}}
    fanned = run_state(sfn, machine, {"n": 1}, stateName="Fan", mock={"result": "[1, 2]"})
    assert (fanned["status"], fanned["nextState"]) == ("SUCCEEDED", "Sum")
    assert json.loads(fanned["output"]) == {"n": 1, "branches": [1, 2]}
    summed = run_state(sfn, machine, {"n": 2}, stateName="Sum", variables='{"base": 40}', inspectionLevel="DEBUG")
    assert data(summed)["variables"] == {"base": 40, "total": 42}
    assert code_of(lambda: run_state(sfn, machine, {}, stateName="Fan")) == "ValidationException"  # no mock
    assert code_of(lambda: run_state(sfn, machine, {}, stateName="Nope")) == "ValidationException"


def test_test_state_errors(sfn: Any) -> None:
    assert code_of(lambda: run_state(sfn, {"Type": "Pass", "Nxt": "A"})) == "InvalidDefinition"
    assert code_of(lambda: sfn.test_state(definition="{not json", roleArn=ROLE)) == "InvalidDefinition"
    assert code_of(lambda: sfn.test_state(definition='{"Type": "Pass", "End": true}', roleArn=ROLE,
                                          input="{bad")) == "InvalidExecutionInput"
    assert code_of(lambda: sfn.test_state(definition='{"Type": "Pass", "End": true}', roleArn="role")) == (
        "InvalidArn")
    assert code_of(lambda: run_state(sfn, {"Type": "Pass", "End": True}, mock={"result": "1"})) == (
        "ValidationException")  # a mock only for Task, Map or Parallel
    assert code_of(lambda: run_state(sfn, {"Type": "Task", "Resource": f"{LAMBDA}x", "End": True},
                                     mock={"result": "1", "errorOutput": {"error": "E"}})) == "ValidationException"
    with pytest.raises(ClientError) as caught:
        run_state(sfn, {"Type": "Pass", "Nxt": "A"})
    assert "Nxt" in caught.value.response["Error"]["Message"]


# --- StartSyncExecution ---------------------------------------------------------------------------------------

def machine(sfn: Any, name: str, states: dict[str, Any], kind: str = "EXPRESS") -> str:
    definition = {"StartAt": next(iter(states)), "States": states}
    return str(sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE,
                                        type=kind)["stateMachineArn"])


def test_sync_execution_succeeds_and_fails(sfn: Any) -> None:
    arn = machine(sfn, "sync-double", {
        "Double": {"Type": "Task", "Resource": f"{LAMBDA}double", "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.doubled", "NumericLessThan": 100, "Next": "Ok"}],
                  "Default": "TooBig"},
        "Ok": {"Type": "Succeed"},
        "TooBig": {"Type": "Fail", "Error": "TooBig", "Cause": "the doubled value is 100 or more"}})
    done = sfn.start_sync_execution(stateMachineArn=arn, name="small", input='{"n": 4}')
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"doubled": 8}
    assert done["executionArn"].startswith("arn:aws:states:us-east-1:123456789012:express:sync-double:small:")
    assert (done["name"], done["stateMachineArn"], json.loads(done["input"])) == ("small", arn, {"n": 4})
    assert done["stopDate"] >= done["startDate"]
    assert done["billingDetails"]["billedDurationInMilliseconds"] % 100 == 0
    failed = sfn.start_sync_execution(stateMachineArn=arn, input='{"n": 60}')
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "TooBig",
                                                                     "the doubled value is 100 or more")
    assert "output" not in failed
    quiet = sfn.start_sync_execution(stateMachineArn=arn, input='{"n": 1}', includedData="METADATA_ONLY")
    assert quiet["status"] == "SUCCEEDED" and "output" not in quiet and "input" not in quiet


def test_sync_execution_times_out_with_the_machine_timeout(sfn: Any) -> None:
    definition = {"StartAt": "W", "TimeoutSeconds": 1, "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}}
    arn = sfn.create_state_machine(name="sync-slow", definition=json.dumps(definition), roleArn=ROLE,
                                   type="EXPRESS")["stateMachineArn"]
    answer = sfn.start_sync_execution(stateMachineArn=arn)
    assert answer["status"] == "TIMED_OUT" and answer["error"] == "States.Timeout"


def test_sync_execution_errors(sfn: Any) -> None:
    standard = machine(sfn, "sync-standard", {"P": {"Type": "Pass", "End": True}}, kind="STANDARD")
    assert code_of(lambda: sfn.start_sync_execution(stateMachineArn=standard)) == "StateMachineTypeNotSupported"
    missing = standard.replace("sync-standard", "sync-none")
    assert code_of(lambda: sfn.start_sync_execution(stateMachineArn=missing)) == "StateMachineDoesNotExist"
    express = machine(sfn, "sync-pass", {"P": {"Type": "Pass", "End": True}})
    assert code_of(lambda: sfn.start_sync_execution(stateMachineArn=express, input="{bad")) == (
        "InvalidExecutionInput")
    assert code_of(lambda: sfn.start_sync_execution(stateMachineArn=express, name="a b")) == "InvalidName"


# --- the sync- host prefix (docs/serve-sync.md) -----------------------------------------------------------------

def test_default_client_would_send_to_the_sync_host(served: Server) -> None:
    """botocore's default puts 'sync-' before the endpoint's host: proven without sending anything."""
    client = served.client(check_shapes=False)
    seen: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        seen.append(request.url)
        raise RuntimeError("captured")

    client.meta.events.register("before-send.sfn.StartSyncExecution", capture)
    with pytest.raises(RuntimeError, match="captured"):
        client.start_sync_execution(stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:x")
    assert seen == [f"http://sync-127.0.0.1:{served.port}/"]


def test_environment_variable_turns_the_prefix_off(served: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")
    client = served.client()  # no inject_host_prefix in its Config: the environment decides
    express = machine(client, "sync-env", {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}})
    assert json.loads(client.start_sync_execution(stateMachineArn=express)["output"]) == {"ok": True}


def test_aws_cli_with_the_environment_variable(served: Server, sfn: Any, tmp_path: Path) -> None:
    express = machine(sfn, "sync-cli", {"P": {"Type": "Pass", "Result": {"cli": 1}, "End": True}})
    environment = {"AWS_DISABLE_HOST_PREFIX_INJECTION": "true", "AWS_ACCESS_KEY_ID": "testing",
                   "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_CONFIG_FILE": str(tmp_path / "none"), "PATH": "/usr/bin:/bin:" + _aws_path()}
    try:
        done = subprocess.run(["aws", "stepfunctions", "start-sync-execution", "--endpoint-url", served.url,
                               "--state-machine-arn", express], capture_output=True, text=True, timeout=60,
                              env=environment)
    except FileNotFoundError:
        pytest.skip("the aws CLI is not installed")
    assert done.returncode == 0, done.stderr
    assert json.loads(json.loads(done.stdout)["output"]) == {"cli": 1}


def _aws_path() -> str:
    import shutil

    found = shutil.which("aws")
    return str(Path(found).parent) if found else ""
