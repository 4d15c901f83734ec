"""Five definitions from AWS's public example collection (tests/aws/aws_examples, sources in its README) run
unchanged against moto's server and the Lambda Invoke server, through the library and ``statewright serve``."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import statewright
from statewright.runtime.aws import AwsConfig, AwsTasks
from statewright.runtime.resources import ResourceRegistry
from tests.aws.conftest import moto_server, queue_arn_of
from tests.aws.test_through_serve_and_cli import _wait
from tests.server.conftest import ROLE, Server

EXAMPLES = Path(__file__).parent / "aws_examples"


def _text(name: str) -> str:
    return (EXAMPLES / name).read_text()


def _run(name: str, value: Any, substitutions: dict[str, str] | None = None, config: AwsConfig | None = None) -> Any:
    registry = AwsTasks(config or AwsConfig()).install(ResourceRegistry())
    machine = statewright.load(_text(name), substitutions=substitutions)
    return statewright.run(machine, value, resources=registry, virtual_time=True)


def _subscribe_queue(aws: Any, topic_arn: str, name: str) -> str:
    queue_url = aws("sqs").create_queue(QueueName=name)["QueueUrl"]
    aws("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn_of(aws, queue_url),
                         Attributes={"RawMessageDelivery": "true"})
    return queue_url


def test_request_response(aws: Any) -> None:
    topic = aws("sns").create_topic(Name="request-response-topic")["TopicArn"]
    queue_url = _subscribe_queue(aws, topic, "request-response-inbox")
    result = _run("request-response.asl.json", {"timer_seconds": 3600}, {"topicArn": topic})
    assert result.status == "SUCCEEDED", result.cause
    assert "MessageId" in result.output
    [message] = aws("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
    assert json.loads(message["Body"]) == {"Input": "Hello from Step Functions!"}


def test_eventbridge_custom_bus(aws: Any) -> None:
    events = aws("events")
    events.create_event_bus(Name="stepfunctions-sampleproject-eventbus")
    queue_url = aws("sqs").create_queue(QueueName="custom-bus-copy")["QueueUrl"]
    events.put_rule(Name="from-sfn", EventBusName="stepfunctions-sampleproject-eventbus",
                    EventPattern=json.dumps({"source": ["my.statemachine"]}))
    events.put_targets(Rule="from-sfn", EventBusName="stepfunctions-sampleproject-eventbus",
                       Targets=[{"Id": "q", "Arn": queue_arn_of(aws, queue_url)}])
    result = _run("eventbridge-custom-sam.asl.json", {})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["FailedEntryCount"] == 0
    [message] = aws("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
    event = json.loads(message["Body"])
    assert (event["detail-type"], event["detail"]) == ("MessageFromStepFunctions",
                                                       {"Message": "Hello from Step Functions!"})


def test_database_record_creation(aws: Any) -> None:
    table = "408676299532-validateRecord-dynamo-table"
    dynamodb = aws("dynamodb")
    dynamodb.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    good = _run("database-record-creation.asl.json", {"id": "u-1", "firstname": "Ada", "email": "ada@example.com"})
    assert good.status == "SUCCEEDED", good.cause
    item = dynamodb.get_item(TableName=table, Key={"id": {"S": "u-1"}})["Item"]
    assert item == {"id": {"S": "u-1"}, "firstname": {"S": "Ada"}, "email": {"S": "ada@example.com"}}
    bad = _run("database-record-creation.asl.json", {"id": "u-2", "firstname": "Bob", "email": "nope"})
    assert (bad.status, bad.error) == ("FAILED", "One or more fields are not valid")


@pytest.fixture
def other_account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second moto server whose default account is the one the migration sample's topic ARN names."""
    with moto_server(tmp_path_factory.mktemp("moto-other"), MOTO_ACCOUNT_ID="572295176704") as url:
        yield url


def test_migrate_csv_with_a_distributed_map(aws_env: dict[str, str], other_account: str) -> None:
    import boto3

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=other_account, region_name="us-east-1")

    s3 = client("s3")
    s3.create_bucket(Bucket="migration-input")
    rows = "".join(f"c-{index},Name {index},{index * 3}\n" for index in range(250))
    s3.put_object(Bucket="migration-input", Key="customers.csv", Body=("id,name,score\n" + rows).encode())
    topic = client("sns").create_topic(
        Name="MigrateCSVToDDBDistributedMapStack-MigrationWorkflowPublishMigrationResultsED3B0CF2-M1xNC7B6b9Iq")
    assert topic["TopicArn"].split(":")[4] == "572295176704"
    config = AwsConfig({"s3": other_account, "sns": other_account})  # per-service endpoints over the environment's
    result = _run("migrate-csv-to-ddb-distributed-map.asl.json",
                  {"bucket_name": "migration-input", "file_key": "customers.csv"}, config=config)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["batches"] == 3 and result.output["migrated"] == 250  # 100 + 100 + 50 rows a batch
    assert "MessageId" in result.output["SnsPublish"]


@pytest.fixture
def serve(tmp_path: Path, aws_env: dict[str, str]) -> Iterator[Server]:
    server = Server(tmp_path, "--aws", env=aws_env)
    yield server
    server.stop()


def test_human_in_the_loop_through_serve(serve: Server, aws: Any) -> None:
    topic = aws("sns").create_topic(Name="approvers")["TopicArn"]
    queue_url = _subscribe_queue(aws, topic, "approver-inbox")
    definition = _text("human-in-the-loop.asl.json")
    for name, value in (("TopicName", topic), ("ProcessingLambda", "process-approval")):
        definition = definition.replace("${" + name + "}", value)  # as CloudFormation's DefinitionSubstitutions
    sfn = serve.client()
    machine = sfn.create_state_machine(name="human-in-the-loop", definition=definition, roleArn=ROLE)

    def approver() -> None:
        for _ in range(30):
            for message in aws("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", []):
                body = json.loads(message["Body"])
                sfn.send_task_success(taskToken=body["token"], output=json.dumps({"result": True}))
                return

    thread = threading.Thread(target=approver, daemon=True)
    thread.start()
    started = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input=json.dumps({"order": 7}))
    described = _wait(sfn, started["executionArn"])
    thread.join(5)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"])["Payload"] == {"handled": "approved"}
