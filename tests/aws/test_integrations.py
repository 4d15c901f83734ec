"""Each AWS integration, success and error paths, through the library, against real endpoints on 127.0.0.1
(moto's server and a Lambda Invoke server; tests/aws/conftest.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import statewright
from statewright.runtime.aws import AwsConfig, AwsTasks
from statewright.runtime.resources import ResourceRegistry
from tests.aws.conftest import queue_arn_of

ACCOUNT = "123456789012"


def run(definition: dict[str, Any], value: Any = None, registry: ResourceRegistry | None = None) -> Any:
    """One execution with AWS turned on; endpoints and credentials come from the environment (aws_env)."""
    resources = AwsTasks(AwsConfig()).install(registry if registry is not None else ResourceRegistry())
    return statewright.run(definition, {} if value is None else value, resources=resources)


def task(resource: str, *, parameters: Any = None, catch: bool = False, **fields: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": resource, "End": True, **fields}
    if parameters is not None:
        state["Parameters"] = parameters
    definition: dict[str, Any] = {"StartAt": "T", "States": {"T": state}}
    if catch:
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
        definition["States"]["Caught"] = {"Type": "Pass", "End": True}
    return definition


# --- Lambda ---------------------------------------------------------------------------------------------------

def test_a_function_arn_is_invoked_with_the_input_and_answers_with_its_result(aws_env: Any) -> None:
    result = run(task(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:double"), {"value": 21})
    assert (result.status, result.output) == ("SUCCEEDED", {"value": 42})


def test_a_function_error_is_named_by_its_error_type_and_caught(aws_env: Any) -> None:
    result = run(task(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:charge", catch=True), {"amount": 500})
    assert result.status == "SUCCEEDED"
    assert result.output["Error"] == "PaymentDeclined"
    assert json.loads(result.output["Cause"])["errorMessage"] == "card declined for 500"


def test_lambda_invoke_answers_in_the_integrations_shape(aws_env: Any) -> None:
    result = run(task("arn:aws:states:::lambda:invoke",
                      parameters={"FunctionName": "double", "Payload": {"value.$": "$.n"}}), {"n": 4})
    assert result.status == "SUCCEEDED", result.cause
    output = result.output
    assert output["Payload"] == {"value": 8}
    assert (output["StatusCode"], output["ExecutedVersion"]) == (200, "$LATEST")
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert output["SdkResponseMetadata"]["RequestId"] == "11111111-2222-3333-4444-555555555555"


def test_lambda_invoke_of_a_missing_function_is_lambda_resource_not_found(aws_env: Any) -> None:
    result = run(task("arn:aws:states:::lambda:invoke", parameters={"FunctionName": "nope", "Payload": {}}))
    assert (result.status, result.error) == ("FAILED", "Lambda.ResourceNotFoundException")
    assert "Function not found: nope" in result.cause


def test_a_function_mapped_in_the_registry_is_called_instead_of_aws(aws_env: Any) -> None:
    registry = ResourceRegistry({f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:double": lambda event: "local"})
    result = run(task("arn:aws:states:::lambda:invoke", parameters={"FunctionName": "double", "Payload": {}}),
                 registry=registry)
    assert result.output["Payload"] == "local"
    other = run(task("arn:aws:states:::lambda:invoke", parameters={"FunctionName": "echo", "Payload": {"a": 1}}),
                registry=registry)
    assert other.output["Payload"] == {"a": 1}  # not mapped: the real function


# --- SQS, SNS ------------------------------------------------------------------------------------------------

def _receive(aws: Any, queue_url: str) -> list[dict[str, Any]]:
    return aws("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                      MessageAttributeNames=["All"]).get("Messages", [])


def test_sqs_send_message_sends_an_object_body_as_json_text(aws: Any) -> None:
    queue_url = aws("sqs").create_queue(QueueName="orders-send")["QueueUrl"]
    result = run(task("arn:aws:states:::sqs:sendMessage",
                      parameters={"QueueUrl": queue_url, "MessageBody": {"order.$": "$.id", "lines": [1, 2]}}),
                 {"id": "o-1"})
    assert result.status == "SUCCEEDED", result.cause
    assert set(result.output) >= {"MessageId", "MD5OfMessageBody", "SdkHttpMetadata", "SdkResponseMetadata"}
    [message] = _receive(aws, queue_url)
    assert json.loads(message["Body"]) == {"order": "o-1", "lines": [1, 2]}
    assert message["MessageId"] == result.output["MessageId"]


def test_sqs_send_message_to_a_missing_queue_is_an_sqs_error(aws: Any, moto_url: str) -> None:
    result = run(task("arn:aws:states:::sqs:sendMessage", catch=True,
                      parameters={"QueueUrl": f"{moto_url}/{ACCOUNT}/missing", "MessageBody": "x"}))
    assert result.output["Error"] == "SQS.QueueDoesNotExistException", result.output


def test_sns_publish_reaches_a_subscribed_queue(aws: Any) -> None:
    topic = aws("sns").create_topic(Name="shipped")["TopicArn"]
    queue_url = aws("sqs").create_queue(QueueName="shipped-copy")["QueueUrl"]
    queue_arn = queue_arn_of(aws, queue_url)
    aws("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                         Attributes={"RawMessageDelivery": "true"})
    result = run(task("arn:aws:states:::sns:publish",
                      parameters={"TopicArn": topic, "Message": {"parcel": 7}, "Subject": "shipped"}))
    assert result.status == "SUCCEEDED", result.cause
    assert "MessageId" in result.output
    [message] = _receive(aws, queue_url)
    assert json.loads(message["Body"]) == {"parcel": 7}


def test_sns_publish_to_a_missing_topic_is_an_sns_error(aws: Any) -> None:
    result = run(task("arn:aws:states:::sns:publish", catch=True,
                      parameters={"TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:missing", "Message": "x"}))
    assert result.output["Error"] == "SNS.NotFoundException", result.output


# --- DynamoDB ------------------------------------------------------------------------------------------------

@pytest.fixture
def table(aws: Any) -> str:
    name = "accounts"
    client = aws("dynamodb")
    if name not in client.list_tables()["TableNames"]:
        client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                            BillingMode="PAY_PER_REQUEST")
    return name


def test_dynamodb_put_update_get_delete(table: str) -> None:
    key = {"id": {"S": "a-1"}}
    definition = {"StartAt": "Put", "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": table, "Item": {"id": {"S": "a-1"}, "balance": {"N": "10"}}},
                "ResultPath": None, "Next": "Update"},
        "Update": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
                   "Parameters": {"TableName": table, "Key": key, "UpdateExpression": "ADD balance :d",
                                  "ExpressionAttributeValues": {":d": {"N": "5"}}, "ReturnValues": "UPDATED_NEW"},
                   "ResultSelector": {"balance.$": "$.Attributes.balance.N"}, "ResultPath": "$.updated",
                   "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": table, "Key": key}, "ResultPath": "$.got", "Next": "Delete"},
        "Delete": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:deleteItem",
                   "Parameters": {"TableName": table, "Key": key, "ReturnValues": "ALL_OLD"},
                   "ResultSelector": {"deleted.$": "$.Attributes.id.S", "status.$": "$.SdkHttpMetadata.HttpStatusCode"},
                   "ResultPath": "$.deleted", "End": True}}}
    result = run(definition)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["updated"] == {"balance": "15"}
    assert result.output["got"]["Item"] == {"id": {"S": "a-1"}, "balance": {"N": "15"}}
    assert result.output["deleted"] == {"deleted": "a-1", "status": 200}


def test_a_failed_condition_is_dynamodb_conditional_check_failed(table: str) -> None:
    item = {"id": {"S": "a-2"}}
    put = {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(id)"}
    definition = {"StartAt": "First", "States": {
        "First": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "Parameters": put,
                  "ResultPath": None, "Next": "Again"},
        "Again": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "Parameters": put,
                  "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "Next": "Taken"}],
                  "End": True},
        "Taken": {"Type": "Pass", "End": True}}}
    result = run(definition)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["Error"] == "DynamoDB.ConditionalCheckFailedException"


# --- EventBridge ---------------------------------------------------------------------------------------------

def test_events_put_events_delivers_the_detail_as_json(aws: Any) -> None:
    queue_url = aws("sqs").create_queue(QueueName="events-copy")["QueueUrl"]
    queue_arn = queue_arn_of(aws, queue_url)
    aws("events").put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop.orders"]}))
    aws("events").put_targets(Rule="orders", Targets=[{"Id": "q", "Arn": queue_arn}])
    result = run(task("arn:aws:states:::events:putEvents", parameters={"Entries": [
        {"Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": {"id.$": "$.id"}}]}), {"id": "o-9"})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["FailedEntryCount"] == 0 and result.output["Entries"][0]["EventId"]
    [message] = _receive(aws, queue_url)
    event = json.loads(message["Body"])
    assert (event["source"], event["detail-type"], event["detail"]) == ("shop.orders", "OrderPlaced", {"id": "o-9"})


def test_events_put_events_with_a_failed_entry_fails_the_task(aws: Any) -> None:
    result = run(task("arn:aws:states:::events:putEvents", catch=True, parameters={"Entries": [
        {"Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": {"a": 1},
         "EventBusName": "no-such-bus"}]}))
    assert result.output["Error"] in ("EventBridge.FailedEntry", "EventBridge.ResourceNotFoundException"), \
        result.output


# --- aws-sdk:* -----------------------------------------------------------------------------------------------

def test_aws_sdk_actions_take_pascal_case_parameters_and_answer_json(aws: Any) -> None:
    aws("s3").create_bucket(Bucket="reports")
    definition = {"StartAt": "Put", "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                "Parameters": {"Bucket": "reports", "Key": "2026/12.json", "Body.$": "States.JsonToString($.r)"},
                "ResultPath": None, "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": "reports", "Key": "2026/12.json"},
                "ResultSelector": {"body.$": "States.StringToJson($.Body)", "type.$": "$.ContentLength"},
                "Next": "List"},
        "List": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listObjectsV2",
                 "Parameters": {"Bucket": "reports"}, "ResultSelector": {"keys.$": "$.Contents[*].Key",
                                                                         "modified.$": "$.Contents[0].LastModified"},
                 "ResultPath": "$.listed", "End": True}}}
    result = run(definition, {"r": {"total": 3}})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["body"] == {"total": 3}
    assert result.output["listed"]["keys"] == ["2026/12.json"]
    assert result.output["listed"]["modified"].endswith("Z")  # a timestamp as ISO 8601 text


def test_aws_sdk_errors_are_service_dot_name_exception(aws: Any) -> None:
    aws("s3").create_bucket(Bucket="empty-bucket")
    result = run(task("arn:aws:states:::aws-sdk:s3:getObject", catch=True,
                      parameters={"Bucket": "empty-bucket", "Key": "missing"}))
    assert result.output["Error"] == "S3.NoSuchKeyException", result.output


def test_aws_sdk_dynamodb_errors_use_the_sdk_service_name(table: str) -> None:
    put = {"TableName": table, "Item": {"id": {"S": "sdk-1"}}, "ConditionExpression": "attribute_not_exists(id)"}
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem", "Parameters": put,
              "ResultPath": None, "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem", "Parameters": put,
              "Catch": [{"ErrorEquals": ["DynamoDb.ConditionalCheckFailedException"], "Next": "C"}], "End": True},
        "C": {"Type": "Pass", "End": True}}}
    result = run(definition)
    assert result.output["Error"] == "DynamoDb.ConditionalCheckFailedException", result.output


def test_an_unknown_sdk_action_fails_with_a_cause_that_names_it(aws_env: Any) -> None:
    result = run(task("arn:aws:states:::aws-sdk:s3:frobnicate", parameters={}))
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert "has no action 'frobnicate'" in result.cause
