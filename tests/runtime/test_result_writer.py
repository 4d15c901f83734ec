"""A Distributed Map's ResultWriter on a local folder (spec/map.md 16): AWS's result files and manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import statewright


def _definition(out: Path, processor: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "Label": "Scores",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Work", "States": {"Work": processor}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": f"file:{out}", "Prefix.$": "$.prefix"}},
        "End": True, **fields}}}


def _read(out: Path, key: str) -> Any:
    return json.loads((out / key).read_text())


def test_results_are_written_and_the_state_gives_where(tmp_path: Path) -> None:
    processor = {"Type": "Pass", "Parameters": {"score.$": "States.MathAdd($.n, 1)"}, "End": True}
    result = statewright.run(_definition(tmp_path, processor), {"items": [{"n": 1}, {"n": 2}], "prefix": "runs"})
    assert result.status == "SUCCEEDED", result.cause
    details = result.output["ResultWriterDetails"]
    run_arn = result.output["MapRunArn"]
    assert run_arn.startswith("arn:aws:states:") and ":mapRun:" in run_arn
    run_id = run_arn.rsplit(":", 1)[1]
    assert details == {"Bucket": f"file:{tmp_path}", "Key": f"runs/{run_id}/manifest.json"}
    manifest = _read(tmp_path, details["Key"])
    succeeded_key = f"runs/{run_id}/SUCCEEDED_0.json"
    assert manifest == {"DestinationBucket": f"file:{tmp_path}", "MapRunArn": run_arn, "ResultFiles": {
        "FAILED": [], "PENDING": [],
        "SUCCEEDED": [{"Key": succeeded_key, "Size": (tmp_path / succeeded_key).stat().st_size}]}}
    records = _read(tmp_path, succeeded_key)
    assert [json.loads(record["Output"]) for record in records] == [{"score": 2}, {"score": 3}]
    assert [json.loads(record["Input"]) for record in records] == [{"n": 1}, {"n": 2}]
    first = records[0]
    assert set(first) == {"ExecutionArn", "Input", "InputDetails", "Name", "Output", "OutputDetails", "RedriveCount",
                          "RedriveStatus", "RedriveStatusReason", "StartDate", "StateMachineArn", "Status",
                          "StopDate"}
    assert first["Status"] == "SUCCEEDED" and first["ExecutionArn"].endswith(":" + first["Name"])
    assert ":stateMachine:" in first["StateMachineArn"] and first["StateMachineArn"].endswith("/Scores")
    assert first["StartDate"].endswith("Z") and first["StartDate"] <= first["StopDate"]


def test_tolerated_failures_go_to_the_failed_file(tmp_path: Path) -> None:
    processor = {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Bad"}],
                 "Default": "Good"}
    definition = _definition(tmp_path, processor, ToleratedFailureCount=1)
    definition["States"]["Each"]["ItemProcessor"]["States"].update({
        "Bad": {"Type": "Fail", "Error": "TooBig", "Cause": "n > 1"}, "Good": {"Type": "Pass", "End": True}})
    result = statewright.run(definition, {"items": [{"n": 1}, {"n": 2}], "prefix": ""})
    assert result.status == "SUCCEEDED", result.cause
    run_id = result.output["MapRunArn"].rsplit(":", 1)[1]
    manifest = _read(tmp_path, f"{run_id}/manifest.json")
    assert [entry["Key"] for entry in manifest["ResultFiles"]["FAILED"]] == [f"{run_id}/FAILED_0.json"]
    [failed] = _read(tmp_path, f"{run_id}/FAILED_0.json")
    assert (failed["Status"], failed["Error"], failed["Cause"]) == ("FAILED", "TooBig", "n > 1")
    assert "Output" not in failed
    [succeeded] = _read(tmp_path, f"{run_id}/SUCCEEDED_0.json")
    assert json.loads(succeeded["Output"]) == {"n": 1}


def test_writer_config_compact_flatten_and_json_lines(tmp_path: Path) -> None:
    processor = {"Type": "Pass", "Parameters": {"pair.$": "States.Array($.n, $.n)"}, "OutputPath": "$.pair",
                 "End": True}
    definition = _definition(tmp_path, processor)
    definition["States"]["Each"]["ResultWriter"]["WriterConfig"] = {"Transformation": "FLATTEN", "OutputType": "JSONL"}
    result = statewright.run(definition, {"items": [{"n": 1}, {"n": 2}], "prefix": "flat"})
    run_id = result.output["MapRunArn"].rsplit(":", 1)[1]
    lines = (tmp_path / f"flat/{run_id}/SUCCEEDED_0.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [1, 1, 2, 2]


def test_a_bucket_that_cannot_be_written_is_result_writer_failed(tmp_path: Path) -> None:
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the folder should be")
    processor = {"Type": "Pass", "End": True}
    result = statewright.run(_definition(blocker, processor), {"items": [1], "prefix": "p"})
    assert (result.status, result.error) == ("FAILED", "States.ResultWriterFailed")
    assert "Cannot write" in result.cause


def test_a_real_bucket_without_aws_says_how_to_write_it(tmp_path: Path) -> None:
    definition = _definition(tmp_path, {"Type": "Pass", "End": True})
    definition["States"]["Each"]["ResultWriter"]["Parameters"] = {"Bucket": "results", "Prefix": "x"}
    result = statewright.run(definition, {"items": [1]})
    assert result.error == "States.ResultWriterFailed"
    assert "writes to S3 bucket 'results': turn the AWS integrations on" in result.cause
