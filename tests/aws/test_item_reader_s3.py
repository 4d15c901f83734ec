"""A Distributed Map's ItemReader on S3 (moto's server): objects streamed and parsed, listings paged."""

from __future__ import annotations

import json
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


def test_result_writer_writes_the_manifest_and_result_files_to_s3(aws: Any) -> None:
    s3 = aws("s3")
    s3.create_bucket(Bucket="source")
    s3.create_bucket(Bucket="results")
    s3.put_object(Bucket="source", Key="rows.csv", Body=b"id,qty\na,1\nb,2\nc,3\n")
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV"},
                       "Parameters": {"Bucket": "source", "Key": "rows.csv"}},
        "ItemBatcher": {"MaxItemsPerBatch": 2},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Count", "States": {"Count": {
                              "Type": "Pass", "Parameters": {"rows.$": "States.ArrayLength($.Items)"}, "End": True}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "results", "Prefix": "jobs"}},
        "End": True}}}
    result = statewright.run(definition, {}, resources=AwsTasks(AwsConfig()).install(ResourceRegistry()))
    assert result.status == "SUCCEEDED", result.cause
    key = result.output["ResultWriterDetails"]["Key"]
    assert result.output["ResultWriterDetails"]["Bucket"] == "results" and key.startswith("jobs/")
    manifest = json.loads(s3.get_object(Bucket="results", Key=key)["Body"].read())
    [entry] = manifest["ResultFiles"]["SUCCEEDED"]
    body = s3.get_object(Bucket="results", Key=entry["Key"])["Body"].read()
    assert entry["Size"] == len(body)
    records = json.loads(body)
    assert [json.loads(record["Output"]) for record in records] == [{"rows": 2}, {"rows": 1}]
    assert json.loads(records[0]["Input"]) == {"Items": [{"id": "a", "qty": "1"}, {"id": "b", "qty": "2"}]}


def test_an_s3_inventory_manifest_lists_its_gzipped_csv_files(aws: Any) -> None:
    import gzip

    s3 = aws("s3")
    s3.create_bucket(Bucket="inventory-dest")
    parts = {"inv/data/part-0.csv.gz": '"source","a.txt","10"\n"source","b.txt","20"\n',
             "inv/data/part-1.csv.gz": '"source","c.txt","30"\n'}
    for key, text in parts.items():
        s3.put_object(Bucket="inventory-dest", Key=key, Body=gzip.compress(text.encode()))
    manifest = {"sourceBucket": "source", "destinationBucket": "arn:aws:s3:::inventory-dest", "version": "2016-11-30",
                "fileFormat": "CSV", "fileSchema": "Bucket, Key, Size",
                "files": [{"key": key, "size": 1, "MD5checksum": "x"} for key in parts]}
    s3.put_object(Bucket="inventory-dest", Key="inv/manifest.json", Body=json.dumps(manifest).encode())
    result = _run({"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "MANIFEST"},
                   "Parameters": {"Bucket": "inventory-dest", "Key": "inv/manifest.json"}})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == [{"Bucket": "source", "Key": "a.txt", "Size": "10"},
                             {"Bucket": "source", "Key": "b.txt", "Size": "20"},
                             {"Bucket": "source", "Key": "c.txt", "Size": "30"}]
    limited = _run({"Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "MANIFEST", "MaxItems": 2},
                    "Parameters": {"Bucket": "inventory-dest", "Key": "inv/manifest.json"}})
    assert [item["Key"] for item in limited.output] == ["a.txt", "b.txt"]
