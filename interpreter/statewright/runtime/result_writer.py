"""A Distributed Map's ``ResultWriter``: AWS's result files and manifest, to S3 or to a local folder
(spec/map.md 16).

The core hands over the children's records (core/states/map_io.py); this writes, under
``<Prefix>/<map run id>/``, ``SUCCEEDED_0.json`` and ``FAILED_0.json`` (each written only when it has
records) and ``manifest.json``::

    {"DestinationBucket": <Bucket>, "MapRunArn": <arn>,
     "ResultFiles": {"FAILED": [{"Key", "Size"}], "PENDING": [], "SUCCEEDED": [{"Key", "Size"}]}}

and answers ``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key": <the manifest's key>}}``, the Map's
result. ``WriterConfig.Transformation`` ``COMPACT`` keeps only each child's output, ``FLATTEN`` also
flattens outputs that are arrays; ``OutputType`` ``JSONL`` writes one record per line (``.jsonl`` files).
A ``Bucket`` written ``file:<folder>`` writes local files (spec/extensions.md 17).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from statewright.core.errors import ErrorName
from statewright.runtime.item_reader import LOCAL, local_folder
from statewright.runtime.resources import Handler, Invocation, TaskError

PUT_OBJECT = "arn:aws:states:::s3:putObject"


def failed(cause: str) -> TaskError:
    return TaskError(ErrorName.RESULT_WRITER_FAILED, cause)


def files_of(payload: dict[str, Any]) -> tuple[str, str, list[tuple[str, bytes]], str]:
    """``(bucket, manifest key, [(key, body)] with the manifest last, map run ARN)`` of a writer command."""
    parameters = payload.get("Parameters")
    if not isinstance(parameters, dict) or not isinstance(parameters.get("Bucket"), str):
        raise failed("The ResultWriter needs Parameters with a Bucket")
    bucket = parameters["Bucket"]
    prefix = str(parameters.get("Prefix") or "").strip("/")
    arn = str(payload.get("MapRunArn", ""))
    run_id = arn.rsplit(":", 1)[-1] or "map-run"
    folder = f"{prefix}/{run_id}" if prefix else run_id
    config = payload.get("WriterConfig") or {}
    transformation = str(config.get("Transformation", "NONE")).upper()
    lines = str(config.get("OutputType", "JSON")).upper() == "JSONL"
    results = payload.get("Results") or {}
    files: list[tuple[str, bytes]] = []
    listed: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for status in ("SUCCEEDED", "FAILED"):
        records = results.get(status) or []
        if not records:
            continue
        if status == "SUCCEEDED" and transformation in ("COMPACT", "FLATTEN"):
            records = _outputs(records, flatten=transformation == "FLATTEN")
        key = f"{folder}/{status}_0.{'jsonl' if lines else 'json'}"
        body = _serialise(records, lines)
        files.append((key, body))
        listed[status].append({"Key": key, "Size": len(body)})
    manifest_key = f"{folder}/manifest.json"
    manifest = {"DestinationBucket": bucket, "MapRunArn": arn, "ResultFiles": listed}
    files.append((manifest_key, json.dumps(manifest, separators=(",", ":")).encode("utf-8")))
    return bucket, manifest_key, files, arn


def _outputs(records: list[dict[str, Any]], *, flatten: bool) -> list[Any]:
    outputs: list[Any] = []
    for record in records:
        value = json.loads(record["Output"]) if isinstance(record.get("Output"), str) else None
        if flatten and isinstance(value, list):
            outputs.extend(value)
        else:
            outputs.append(value)
    return outputs


def _serialise(records: list[Any], lines: bool) -> bytes:
    if lines:
        return "".join(json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
                       for record in records).encode("utf-8")
    return json.dumps(records, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def details(bucket: str, manifest_key: str, arn: str) -> dict[str, Any]:
    return {"MapRunArn": arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}


async def write_with(put: Callable[[str, str, bytes], Any], invocation: Invocation) -> dict[str, Any]:
    """Write the command's files with ``put(bucket, key, body)`` (awaited if it returns an awaitable)."""
    import inspect

    payload = invocation.payload if isinstance(invocation.payload, dict) else {}
    bucket, manifest_key, files, arn = files_of(payload)
    for key, body in files:
        outcome = put(bucket, key, body)
        if inspect.isawaitable(outcome):
            await outcome
    return details(bucket, manifest_key, arn)


# --- local folders: Bucket "file:<folder>" ----------------------------------------------------------------


def resolve_local(invocation: Invocation) -> Handler | None:
    """The last resolver for writer commands: a ``file:<folder>`` Bucket is written here; any other fails with a
    cause that says how to write it (the AWS integrations, when turned on, answered before this)."""
    if invocation.resource != PUT_OBJECT:
        return None
    payload = invocation.payload if isinstance(invocation.payload, dict) else {}
    parameters = payload.get("Parameters") if isinstance(payload.get("Parameters"), dict) else {}
    bucket = parameters.get("Bucket")
    if isinstance(bucket, str) and bucket.startswith(LOCAL):
        return _write_local
    return _no_s3


async def _write_local(invocation: Invocation) -> dict[str, Any]:
    from statewright.runtime.threads import TASK_THREADS

    def put(bucket: str, key: str, body: bytes) -> None:
        path = Path(local_folder(bucket)) / key
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(path.name + ".part")
            temporary.write_bytes(body)
            temporary.replace(path)  # a reader never sees half a file
        except OSError as error:
            raise failed(f"Cannot write {path}: {error.strerror or error}") from None

    return await write_with(lambda bucket, key, body: TASK_THREADS.call(lambda _: put(bucket, key, body), None),
                            invocation)


async def _no_s3(invocation: Invocation) -> Any:
    payload = invocation.payload if isinstance(invocation.payload, dict) else {}
    bucket = (payload.get("Parameters") or {}).get("Bucket")
    raise failed(f"The ResultWriter of state '{invocation.state}' writes to S3 bucket '{bucket}': turn the AWS "
                 "integrations on (statewright[aws], --aws or --aws-endpoint s3=URL), or write local files with a "
                 "Bucket written file:<folder>")
