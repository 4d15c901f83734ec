"""A Distributed Map's ItemReader on local files (Bucket "file:<folder>", spec/extensions.md 17, spec/map.md 15)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import statewright


def _map(reader: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemReader": reader,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "Keep", "States": {"Keep": {"Type": "Pass", "End": True}}},
        "End": True, **fields}}}


def _csv_reader(folder: Path, key: str, **config: Any) -> dict[str, Any]:
    return {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV", **config},
            "Parameters": {"Bucket": f"file:{folder}", "Key": key}}


def test_a_csv_file_gives_one_object_per_row(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text("id,amount\no-1,10\no-2,25\n\no-3\n")
    result = statewright.run(_map(_csv_reader(tmp_path, "orders.csv")), {})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == [{"id": "o-1", "amount": "10"}, {"id": "o-2", "amount": "25"},
                             {"id": "o-3", "amount": ""}]


def test_csv_headers_given_a_pipe_delimiter_and_max_items(tmp_path: Path) -> None:
    (tmp_path / "rows.psv").write_text("a|1\nb|2\nc|3\n")
    reader = _csv_reader(tmp_path, "rows.psv", CSVHeaderLocation="GIVEN", CSVHeaders=["name", "n"],
                         CSVDelimiter="PIPE", MaxItems=2)
    result = statewright.run(_map(reader), {})
    assert result.output == [{"name": "a", "n": "1"}, {"name": "b", "n": "2"}]


def test_json_and_json_lines_with_parameters_from_the_input(tmp_path: Path) -> None:
    (tmp_path / "items.json").write_text(json.dumps([{"k": 1}, {"k": 2}]))
    (tmp_path / "items.jsonl").write_text('{"k": 1}\n\n{"k": 2}\n[3]\n')
    for key, kind, expected in (("items.json", "JSON", [{"k": 1}, {"k": 2}]),
                                ("items.jsonl", "JSONL", [{"k": 1}, {"k": 2}, [3]])):
        reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": kind},
                  "Parameters": {"Bucket.$": "$.bucket", "Key.$": "$.key"}}
        result = statewright.run(_map(reader), {"bucket": f"file:{tmp_path}", "key": key})
        assert result.output == expected, kind


def test_max_items_path_item_selector_and_batches(tmp_path: Path) -> None:
    (tmp_path / "n.csv").write_text("n\n" + "".join(f"{i}\n" for i in range(10)))
    reader = _csv_reader(tmp_path, "n.csv")
    reader["ReaderConfig"]["MaxItemsPath"] = "$.limit"
    definition = _map(reader, ItemSelector={"value.$": "$$.Map.Item.Value.n", "index.$": "$$.Map.Item.Index"},
                      ItemBatcher={"MaxItemsPerBatch": 3})
    result = statewright.run(definition, {"limit": 7})
    assert result.status == "SUCCEEDED", result.cause
    assert [len(batch["Items"]) for batch in result.output] == [3, 3, 1]
    assert result.output[2]["Items"] == [{"value": "6", "index": 6}]


def test_a_listing_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "in" / "2026").mkdir(parents=True)
    (tmp_path / "in" / "2026" / "a.txt").write_text("hello")
    (tmp_path / "in" / "2026" / "b.txt").write_text("hi")
    (tmp_path / "in" / "other.txt").write_text("x")
    reader = {"Resource": "arn:aws:states:::s3:listObjectsV2",
              "Parameters": {"Bucket": f"file:{tmp_path / 'in'}", "Prefix": "2026/"}}
    result = statewright.run(_map(reader), {})
    assert [(item["Key"], item["Size"], item["StorageClass"]) for item in result.output] == [
        ("2026/a.txt", 5, "STANDARD"), ("2026/b.txt", 2, "STANDARD")]
    assert result.output[0]["Etag"] == '"5d41402abc4b2a76b9719d911017c592"'  # MD5 of "hello", quoted as S3 does
    assert isinstance(result.output[0]["LastModified"], int)


def test_jsonata_arguments_and_max_items(tmp_path: Path) -> None:
    (tmp_path / "v.jsonl").write_text("1\n2\n3\n")
    definition = _map({"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "JSONL", "MaxItems": "{% $states.input.max %}"},
                       "Arguments": {"Bucket": f"file:{tmp_path}", "Key": "{% $states.input.key %}"}})
    definition["QueryLanguage"] = "JSONata"
    result = statewright.run(definition, {"key": "v.jsonl", "max": 2})
    assert result.output == [1, 2], result.cause


def test_reader_failures_are_item_reader_failed_and_can_be_caught(tmp_path: Path) -> None:
    (tmp_path / "object.json").write_text('{"not": "an array"}')
    cases = {"missing.csv": "Cannot read", "object.json": "holds an object, not a JSON array of items"}
    for key, cause in cases.items():
        kind = "CSV" if key.endswith(".csv") else "JSON"
        reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": kind},
                  "Parameters": {"Bucket": f"file:{tmp_path}", "Key": key}}
        result = statewright.run(_map(reader), {})
        assert (result.status, result.error) == ("FAILED", "States.ItemReaderFailed"), key
        assert cause in result.cause, result.cause
    caught = _map(_csv_reader(tmp_path, "missing.csv"),
                  Catch=[{"ErrorEquals": ["States.ItemReaderFailed"], "Next": "Fallback"}])
    caught["States"]["Fallback"] = {"Type": "Pass", "End": True}
    result = statewright.run(caught, {})
    assert (result.status, result.output["Error"]) == ("SUCCEEDED", "States.ItemReaderFailed")


def test_an_input_type_not_read_yet_is_named(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a\n1\n")
    for config, text in (({"InputType": "PARQUET"}, "InputType PARQUET is not read"),
                         ({"InputType": "MANIFEST"}, "is not an S3 Inventory manifest")):
        reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": config,
                  "Parameters": {"Bucket": f"file:{tmp_path}", "Key": "x.csv"}}
        result = statewright.run(_map(reader), {})
        assert result.error == "States.ItemReaderFailed" and text in result.cause, result.cause


def test_an_inventory_manifest_in_a_local_folder(tmp_path: Path) -> None:
    import gzip

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "p0.csv.gz").write_bytes(gzip.compress(b'"src","k1","1"\n"src","k2","2"\n'))
    (tmp_path / "data" / "p1.csv").write_text('"src","k3","3"\n')
    (tmp_path / "manifest.json").write_text(json.dumps({
        "sourceBucket": "src", "destinationBucket": "arn:aws:s3:::inventory", "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size", "files": [{"key": "data/p0.csv.gz"}, {"key": "data/p1.csv"}]}))
    reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "MANIFEST"},
              "Parameters": {"Bucket": f"file:{tmp_path}", "Key": "manifest.json"}}
    result = statewright.run(_map(reader), {})
    assert result.output == [{"Bucket": "src", "Key": "k1", "Size": "1"}, {"Bucket": "src", "Key": "k2", "Size": "2"},
                             {"Bucket": "src", "Key": "k3", "Size": "3"}], result.cause


def test_a_json_array_is_decoded_as_it_streams_whatever_the_chunk_size() -> None:
    import io
    import random

    from statewright.runtime.item_reader import _json_array
    from statewright.runtime.resources import TaskError

    chooser = random.Random(7)
    values = [1, -2.5e3, 'a,]b"c', {"k": [1, {"x": None}]}, [], {}, True, None, "\u00fc\u20ac", 12345678901234567890,
              [[["deep"]]], 1e-7]
    samples = [[], values, [chooser.random() * 10 ** chooser.randint(-5, 9) for _ in range(80)],
               [{"i": i, "s": "x" * (i % 13)} for i in range(200)]]
    for chunk in (1, 2, 3, 7, 64):
        for sample in samples:
            for indent in (None, 1):
                text = json.dumps(sample, indent=indent).encode()
                assert list(_json_array(io.BytesIO(text), "t", chunk)) == sample, (chunk, indent)
    for bad, cause in ((b'[1 2]', "expecting ',' or ']' after item 1"), (b"[1,]", "expecting value after item 1"),
                       (b"", "t is empty")):
        try:
            list(_json_array(io.BytesIO(bad), "t", 2))
        except TaskError as error:
            assert cause in str(error.cause)
        else:
            raise AssertionError(f"{bad!r} was read")
