"""A Distributed Map's ItemReader on S3 (moto's server): objects streamed and parsed, listings paged."""

from __future__ import annotations

from typing import Any

import statewright
from statewright.runtime.aws import AwsConfig, AwsTasks
from statewright.runtime.resources import ResourceRegistry


def _run(reader: dict[str, Any], value: Any = None, **fields: Any) -> Any:
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemReader": reader,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "Keep", "States": {"Keep": {"Type": "Pass", "End": True}}},
        "End": True, **fields}}}
    return statewright.run(definition, value or {}, resources=AwsTasks(AwsConfig()).install(ResourceRegistry()))


def test_a_csv_object_and_a_json_lines_object(aws: Any) -> None:
    s3 = aws("s3")
    s3.create_bucket(Bucket="inputs")
    s3.put_object(Bucket="inputs", Key="orders.csv", Body=b"id;total\r\no-1;3\r\no-2;4\r\n")
    s3.put_object(Bucket="inputs", Key="events.jsonl", Body=b'{"e": 1}\n{"e": 2}\n{"e": 3}\n')
    csv_result = _run({"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "CSV", "CSVDelimiter": "SEMICOLON"},
                       "Parameters": {"Bucket": "inputs", "Key": "orders.csv"}})
    assert csv_result.output == [{"id": "o-1", "total": "3"}, {"id": "o-2", "total": "4"}], csv_result.cause
    lines = _run({"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL", "MaxItems": 2},
                  "Parameters": {"Bucket": "inputs", "Key": "events.jsonl"}})
    assert lines.output == [{"e": 1}, {"e": 2}]


def test_a_listing_pages_through_every_object(aws: Any) -> None:
    s3 = aws("s3")
    s3.create_bucket(Bucket="many")
    for index in range(1005):  # more than one page of ListObjectsV2 (1,000 keys)
        s3.put_object(Bucket="many", Key=f"in/{index:04}.json", Body=b"{}")
    s3.put_object(Bucket="many", Key="other/x", Body=b"x")
    result = _run({"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "many", "Prefix": "in/"}},
                  ItemSelector={"key.$": "$$.Map.Item.Value.Key"})
    assert result.status == "SUCCEEDED", result.cause
    assert len(result.output) == 1005 and result.output[-1] == {"key": "in/1004.json"}


def test_a_missing_object_is_item_reader_failed_naming_the_s3_error(aws: Any) -> None:
    aws("s3").create_bucket(Bucket="empty")
    result = _run({"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                   "Parameters": {"Bucket": "empty", "Key": "nope.json"}})
    assert (result.status, result.error) == ("FAILED", "States.ItemReaderFailed")
    assert result.cause.startswith("S3.NoSuchKeyException: "), result.cause
