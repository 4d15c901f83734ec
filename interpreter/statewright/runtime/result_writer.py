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

import io
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from statewright.core.errors import ErrorName
from statewright.runtime.item_reader import local_folder, on_local_bucket
from statewright.runtime.resources import Handler, Invocation, TaskError

PUT_OBJECT = "arn:aws:states:::s3:putObject"


def failed(cause: str) -> TaskError:
    return TaskError(ErrorName.RESULT_WRITER_FAILED, cause)


def files_of(payload: dict[str, Any]) -> tuple[str, str, list[tuple[str, IO[bytes]]], str]:
    """``(bucket, manifest key, [(key, body)] with the manifest last, map run ARN)`` of a writer command.

    Each body is a file object at its start, written record by record into a spooled temporary file (in
    memory up to 8 MB, on disk beyond): a million children's records are never one text in memory.
    """
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
    files: list[tuple[str, IO[bytes]]] = []
    listed: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for status in ("SUCCEEDED", "FAILED"):
        records: Iterable[Any] = results.get(status) or []
        if not len(records):  # type: ignore[arg-type]
            continue
        if status == "SUCCEEDED" and transformation in ("COMPACT", "FLATTEN"):
            records = _outputs(records, flatten=transformation == "FLATTEN")
        key = f"{folder}/{status}_0.{'jsonl' if lines else 'json'}"
        body, size = _serialise(records, lines)
        files.append((key, body))
        listed[status].append({"Key": key, "Size": size})
    manifest_key = f"{folder}/manifest.json"
    manifest = {"DestinationBucket": bucket, "MapRunArn": arn, "ResultFiles": listed}
    files.append((manifest_key, io.BytesIO(json.dumps(manifest, separators=(",", ":")).encode("utf-8"))))
    return bucket, manifest_key, files, arn


def _outputs(records: Iterable[dict[str, Any]], *, flatten: bool) -> Iterator[Any]:
    for record in records:
        value = json.loads(record["Output"]) if isinstance(record.get("Output"), str) else None
        if flatten and isinstance(value, list):
            yield from value
        else:
            yield value


def _serialise(records: Iterable[Any], lines: bool) -> tuple[IO[bytes], int]:
    body: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - handed to the caller
    encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    first = True
    if not lines:
        body.write(b"[")
    for record in records:
        if not lines and not first:
            body.write(b",")
        body.write(encode(record).encode("utf-8"))
        if lines:
            body.write(b"\n")
        first = False
    if not lines:
        body.write(b"]")
    size = body.tell()
    body.seek(0)
    return body, size


def details(bucket: str, manifest_key: str, arn: str) -> dict[str, Any]:
    return {"MapRunArn": arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}


async def write_with(put: Callable[[str, str, IO[bytes]], Any], invocation: Invocation) -> dict[str, Any]:
    """Write the command's files with ``put(bucket, key, body)`` (awaited if it returns an awaitable); the
    records are serialised on a task thread."""
    import inspect

    from statewright.runtime.threads import TASK_THREADS

    payload = invocation.payload if isinstance(invocation.payload, dict) else {}
    bucket, manifest_key, files, arn = await TASK_THREADS.call(files_of, payload)
    try:
        for key, body in files:
            outcome = put(bucket, key, body)
            if inspect.isawaitable(outcome):
                await outcome
    finally:
        for _, body in files:
            body.close()
    return details(bucket, manifest_key, arn)


# --- local folders: Bucket "file:<folder>" ----------------------------------------------------------------


def resolve_local(invocation: Invocation) -> Handler | None:
    """The last resolver for writer commands: a ``file:<folder>`` Bucket is written here; any other fails with a
    cause that says how to write it (the AWS integrations, when turned on, answered before this)."""
    if invocation.resource != PUT_OBJECT:
        return None
    return _write_local if on_local_bucket(invocation) else _no_s3


async def _write_local(invocation: Invocation) -> dict[str, Any]:
    from statewright.runtime.threads import TASK_THREADS

    def put(bucket: str, key: str, body: IO[bytes]) -> None:
        path = Path(local_folder(bucket)) / key
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(path.name + ".part")
            with temporary.open("wb") as out:
                shutil.copyfileobj(body, out, 1 << 20)
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
