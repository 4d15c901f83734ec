"""The AWS integrations through ``statewright serve --aws`` (a worker answers a ``.waitForTaskToken`` sent
to SQS or SNS), ``states:startExecution`` against that server, and ``statewright run --aws-endpoint``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.aws.conftest import CREDENTIALS, ROOT, queue_arn_of
from tests.server.conftest import ROLE, Server

CALLBACK = {
    "StartAt": "Ask",
    "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl.$": "$.queue",
                               "MessageBody": {"order.$": "$.order", "token.$": "$$.Task.Token"}},
                "TimeoutSeconds": 60, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    },
}


@pytest.fixture
def serve(tmp_path: Path, aws_env: dict[str, str]) -> Any:
    server = Server(tmp_path, "--aws", env=aws_env)
    yield server
    server.stop()


def _worker(aws: Any, queue_url: str, sfn: Any, answer: dict[str, Any], stop: threading.Event) -> None:
    """An SQS consumer as users write them: read the message, do the work, answer with its token."""
    while not stop.is_set():
        for message in aws("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", []):
            body = json.loads(message["Body"])
            if "Message" in body and "TopicArn" in body:  # an SNS envelope
                body = json.loads(body["Message"])
            sfn.send_task_success(taskToken=body["token"], output=json.dumps({**answer, "order": body["order"]}))
            aws("sqs").delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            return


def _wait(sfn: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.1)
    raise AssertionError(f"{arn} did not end")


def test_sqs_wait_for_task_token_end_to_end_through_serve(serve: Server, aws: Any) -> None:
    queue_url = aws("sqs").create_queue(QueueName="approvals")["QueueUrl"]
    sfn = serve.client()
    machine = sfn.create_state_machine(name="approve", definition=json.dumps(CALLBACK), roleArn=ROLE)
    stop = threading.Event()
    worker = threading.Thread(target=_worker, args=(aws, queue_url, sfn, {"approved": True}, stop), daemon=True)
    worker.start()
    try:
        started = sfn.start_execution(stateMachineArn=machine["stateMachineArn"],
                                      input=json.dumps({"queue": queue_url, "order": "o-17"}))
        described = _wait(sfn, started["executionArn"])
    finally:
        stop.set()
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"approved": True, "order": "o-17"}


def test_sns_wait_for_task_token_end_to_end_through_serve(serve: Server, aws: Any) -> None:
    topic = aws("sns").create_topic(Name="approval-requests")["TopicArn"]
    queue_url = aws("sqs").create_queue(QueueName="approval-inbox")["QueueUrl"]
    queue_arn = queue_arn_of(aws, queue_url)
    aws("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)  # wrapped in SNS's envelope
    definition = {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
        "Parameters": {"TopicArn": topic, "Message": {"order.$": "$.order", "token.$": "$$.Task.Token"}},
        "End": True}}}
    sfn = serve.client()
    machine = sfn.create_state_machine(name="approve-sns", definition=json.dumps(definition), roleArn=ROLE)
    stop = threading.Event()
    worker = threading.Thread(target=_worker, args=(aws, queue_url, sfn, {"ok": 1}, stop), daemon=True)
    worker.start()
    try:
        started = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input=json.dumps({"order": "o-3"}))
        described = _wait(sfn, started["executionArn"])
    finally:
        stop.set()
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"ok": 1, "order": "o-3"}


def test_states_start_execution_sync_against_a_statewright_server(serve: Server, tmp_path: Path,
                                                                 aws_env: dict[str, str]) -> None:
    """A parent run by ``statewright run`` starts a child on a ``serve`` process through the Step Functions
    API, as it would on AWS, and waits for it (``.sync:2``)."""
    sfn = serve.client()
    child = sfn.create_state_machine(name="child", roleArn=ROLE, definition=json.dumps({
        "StartAt": "Add", "States": {"Add": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"},
                                             "End": True}}}))
    parent = {"StartAt": "Start", "States": {
        "Start": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
                  "Parameters": {"StateMachineArn": child["stateMachineArn"], "Input": {"a": 1, "b": 2}},
                  "ResultSelector": {"arn.$": "$.ExecutionArn", "started.$": "$.StartDate"}, "ResultPath": "$.fire",
                  "Next": "Wait for"},
        "Wait for": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                     "Parameters": {"StateMachineArn": child["stateMachineArn"], "Input": {"a": 20, "b": 22}},
                     "ResultSelector": {"output.$": "$.Output", "status.$": "$.Status"}, "End": True}}}
    path = tmp_path / "parent.json"
    path.write_text(json.dumps(parent))
    completed = subprocess.run(
        [sys.executable, "-m", "statewright", "run", str(path), "--json", "--quiet",
         "--aws-endpoint", f"stepfunctions={serve.url}"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, **aws_env, "PYTHONPATH": str(ROOT / "interpreter")})
    assert completed.returncode == 0, completed.stderr + completed.stdout
    document = json.loads(completed.stdout)
    assert document["output"] == {"output": {"sum": 42}, "status": "SUCCEEDED"}
    fire = sfn.list_executions(stateMachineArn=child["stateMachineArn"])["executions"]
    assert len(fire) == 2 and all(item["status"] in ("SUCCEEDED", "RUNNING") for item in fire)


def test_statewright_run_with_aws_endpoint_options(tmp_path: Path, aws: Any, moto_url: str, lambda_url: str) -> None:
    queue_url = aws("sqs").create_queue(QueueName="cli-queue")["QueueUrl"]
    definition = {"StartAt": "Score", "States": {
        "Score": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
                  "ResultPath": "$.scored", "Next": "Send"},
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                 "Parameters": {"QueueUrl": queue_url, "MessageBody.$": "$.scored"},
                 "ResultSelector": {"sent.$": "$.MessageId"}, "End": True}}}
    path = tmp_path / "workflow.json"
    path.write_text(json.dumps(definition))
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_ENDPOINT_URL")}
    completed = subprocess.run(
        [sys.executable, "-m", "statewright", "run", str(path), "--input", '{"value": 5}', "--json", "--quiet",
         "--aws-endpoint", f"sqs={moto_url}", "--aws-endpoint", f"lambda={lambda_url}", "--aws-region", "us-east-1"],
        capture_output=True, text=True, timeout=120,
        env={**env, **CREDENTIALS, "PYTHONPATH": str(ROOT / "interpreter")})
    assert completed.returncode == 0, completed.stderr + completed.stdout
    assert json.loads(completed.stdout)["status"] == "SUCCEEDED"
    [message] = aws("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
    assert json.loads(message["Body"]) == {"value": 10}


def test_a_bad_aws_endpoint_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    completed = subprocess.run([sys.executable, "-m", "statewright", "run", str(path), "--aws-endpoint", "sqs"],
                               capture_output=True, text=True, timeout=60,
                               env={**os.environ, "PYTHONPATH": str(ROOT / "interpreter")})
    assert completed.returncode == 2
    assert "--aws-endpoint wants SERVICE=URL" in completed.stderr and "Traceback" not in completed.stderr


def test_every_integration_through_statewright_run(tmp_path: Path, aws: Any, aws_env: dict[str, str]) -> None:
    """One definition that calls each integration once for success and catches one error of each, run by
    ``statewright run --aws`` with the endpoints of the environment (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_LAMBDA)."""
    queue_url = aws("sqs").create_queue(QueueName="cli-all")["QueueUrl"]
    topic = aws("sns").create_topic(Name="cli-all")["TopicArn"]
    aws("s3").create_bucket(Bucket="cli-all")
    aws("dynamodb").create_table(TableName="cli-all", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                 AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                 BillingMode="PAY_PER_REQUEST")

    def step(name: str, resource: str, parameters: dict[str, Any], next_state: str, **more: Any) -> dict[str, Any]:
        return {name: {"Type": "Task", "Resource": resource, "Parameters": parameters, "ResultPath": f"$.ok.{name}",
                       "ResultSelector": {"done": True}, "Next": next_state, **more}}

    def failing(name: str, resource: str, parameters: dict[str, Any], next_state: str) -> dict[str, Any]:
        return {name: {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True,
                       "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": f"$.errors.{name}",
                                  "Next": next_state}]}}

    states: dict[str, Any] = {}
    states |= step("Lambda", "arn:aws:lambda:us-east-1:123456789012:function:double", {"value": 2}, "Invoke")
    states |= step("Invoke", "arn:aws:states:::lambda:invoke", {"FunctionName": "echo", "Payload": {}}, "Sqs")
    states |= step("Sqs", "arn:aws:states:::sqs:sendMessage", {"QueueUrl": queue_url, "MessageBody": {"a": 1}}, "Sns")
    states |= step("Sns", "arn:aws:states:::sns:publish", {"TopicArn": topic, "Message": {"a": 1}}, "Put")
    states |= step("Put", "arn:aws:states:::dynamodb:putItem",
                   {"TableName": "cli-all", "Item": {"id": {"S": "k"}}}, "Get")
    states |= step("Get", "arn:aws:states:::dynamodb:getItem", {"TableName": "cli-all", "Key": {"id": {"S": "k"}}},
                   "Update")
    states |= step("Update", "arn:aws:states:::dynamodb:updateItem",
                   {"TableName": "cli-all", "Key": {"id": {"S": "k"}}, "UpdateExpression": "SET n = :n",
                    "ExpressionAttributeValues": {":n": {"N": "1"}}}, "Delete")
    states |= step("Delete", "arn:aws:states:::dynamodb:deleteItem",
                   {"TableName": "cli-all", "Key": {"id": {"S": "k"}}}, "Events")
    states |= step("Events", "arn:aws:states:::events:putEvents",
                   {"Entries": [{"Source": "cli", "DetailType": "t", "Detail": {"a": 1}}]}, "Sdk")
    states |= step("Sdk", "arn:aws:states:::aws-sdk:s3:putObject", {"Bucket": "cli-all", "Key": "k", "Body": "x"},
                   "LambdaError")
    errors = [("LambdaError", "arn:aws:lambda:us-east-1:123456789012:function:charge", {"amount": 500}),
              ("InvokeError", "arn:aws:states:::lambda:invoke", {"FunctionName": "missing"}),
              ("SqsError", "arn:aws:states:::sqs:sendMessage", {"QueueUrl": queue_url + "-gone", "MessageBody": "x"}),
              ("SnsError", "arn:aws:states:::sns:publish", {"TopicArn": topic + "-gone", "Message": "x"}),
              ("DynamoError", "arn:aws:states:::dynamodb:getItem", {"TableName": "gone", "Key": {"id": {"S": "k"}}}),
              ("EventsError", "arn:aws:states:::events:putEvents",
               {"Entries": [{"Source": "cli", "DetailType": "t", "Detail": {}, "EventBusName": "gone"}]}),
              ("SdkError", "arn:aws:states:::aws-sdk:s3:getObject", {"Bucket": "cli-all", "Key": "gone"})]
    for (name, resource, parameters), following in zip(errors, [*[e[0] for e in errors[1:]], "Done"], strict=True):
        states |= failing(name, resource, parameters, following)
    states["Done"] = {"Type": "Pass", "End": True}
    path = tmp_path / "all.json"
    path.write_text(json.dumps({"StartAt": "Lambda", "States": states}))
    completed = subprocess.run(
        [sys.executable, "-m", "statewright", "run", str(path), "--aws", "--json", "--quiet", "--query", "output"],
        capture_output=True, text=True, timeout=120, env={**os.environ, **aws_env,
                                                          "PYTHONPATH": str(ROOT / "interpreter")})
    assert completed.returncode == 0, completed.stderr + completed.stdout
    output = json.loads(completed.stdout)
    assert set(output["ok"]) == {"Lambda", "Invoke", "Sqs", "Sns", "Put", "Get", "Update", "Delete", "Events", "Sdk"}
    names = {name: error["Error"] for name, error in output["errors"].items()}
    # moto answers a put to a missing bus either with a failed entry or with an error for the call.
    assert names.pop("EventsError") in ("EventBridge.FailedEntry", "EventBridge.ResourceNotFoundException")
    assert names == {"LambdaError": "PaymentDeclined", "InvokeError": "Lambda.ResourceNotFoundException",
                     "SqsError": "SQS.QueueDoesNotExistException", "SnsError": "SNS.NotFoundException",
                     "DynamoError": "DynamoDB.ResourceNotFoundException", "SdkError": "S3.NoSuchKeyException"}


def test_states_start_execution_errors_against_a_statewright_server(serve: Server) -> None:
    """A missing state machine is StepFunctions.StateMachineDoesNotExistException; a child that fails makes a
    ``.sync`` task fail with States.TaskFailed and the child's description as the cause."""
    import statewright
    from statewright.runtime.aws import AwsConfig, AwsTasks
    from statewright.runtime.resources import ResourceRegistry

    sfn = serve.client()
    failing = sfn.create_state_machine(name="failing-child", roleArn=ROLE, definition=json.dumps({
        "StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Nope", "Cause": "the child says no"}}}))
    missing = failing["stateMachineArn"].replace("failing-child", "no-such-machine")
    registry = AwsTasks(AwsConfig({"stepfunctions": serve.url}, "us-east-1")).install(ResourceRegistry())
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
    for arn, resource, error in ((missing, "arn:aws:states:::states:startExecution",
                                  "StepFunctions.StateMachineDoesNotExistException"),
                                 (failing["stateMachineArn"], "arn:aws:states:::states:startExecution.sync",
                                  "States.TaskFailed")):
        definition = {"StartAt": "Start", "States": {
            "Start": {"Type": "Task", "Resource": resource, "Parameters": {"StateMachineArn": arn}, "Catch": catch,
                      "End": True},
            "Caught": {"Type": "Pass", "End": True}}}
        result = statewright.run(definition, {}, resources=registry)
        assert result.output["Error"] == error, result.output
    cause = json.loads(result.output["Cause"])
    assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "Nope", "the child says no")
