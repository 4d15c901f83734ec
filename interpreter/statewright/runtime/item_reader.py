"""A Distributed Map's items, read from S3 objects and listings, or from local files (spec/map.md 15).

The core asks for a Map's items with a command whose resource is the ``ItemReader``'s and whose payload is
``{"Parameters": {...}, "ReaderConfig": {...}}`` (core/states/map_io.py). This module answers it:

- ``arn:aws:states:::s3:getObject``: one object, read as ``ReaderConfig.InputType`` says: ``JSON`` (an
  array), ``JSONL`` (one value per line) or ``CSV`` (a row per item, an object of the header's names to
  the row's texts; ``CSVHeaderLocation`` ``FIRST_ROW`` or ``GIVEN`` with ``CSVHeaders``; ``CSVDelimiter``
  ``COMMA``, ``PIPE``, ``SEMICOLON``, ``SPACE``, ``TAB``).
- ``arn:aws:states:::s3:listObjectsV2``: the objects under ``Bucket``/``Prefix``, one item each
  (``{Etag, Key, LastModified, Size, StorageClass}``, ``LastModified`` in epoch seconds).

``MaxItems`` stops the reading after that many items. Objects are parsed as they stream in (a JSON array
member by member): the object is never held whole, only the items. ``MANIFEST`` reads an S3 Inventory
report's ``manifest.json`` and the CSV files it lists. A ``Bucket`` written ``file:<folder>`` reads local files
instead of S3 (Statewright's extension, spec/extensions.md 17), with no extra installed; any other bucket
needs the ``statewright[aws]`` extra (runtime/aws).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from statewright.core.errors import ErrorName
from statewright.core.states.map_io import CsvRows
from statewright.runtime.resources import Handler, Invocation, TaskError

GET_OBJECT = "arn:aws:states:::s3:getObject"
LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"
LOCAL = "file:"

_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


def failed(cause: str) -> TaskError:
    return TaskError(ErrorName.ITEM_READER_FAILED, cause)


def request_of(invocation: Invocation) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(Parameters, ReaderConfig)`` of a reader command."""
    payload = invocation.payload if isinstance(invocation.payload, dict) else {}
    parameters = payload.get("Parameters")
    config = payload.get("ReaderConfig")
    if not isinstance(parameters, dict) or not isinstance(parameters.get("Bucket"), str):
        raise failed(f"The ItemReader of state '{invocation.state}' needs Parameters with a Bucket (and a Key "
                     f"for {GET_OBJECT})")
    return parameters, config if isinstance(config, dict) else {}


def max_items(config: dict[str, Any]) -> int | None:
    value = config.get("MaxItems")
    if value is None or value == 0:
        return None  # AWS: 0 or absent reads every item
    if value.__class__ is not int or value < 0:
        raise failed(f"ReaderConfig.MaxItems must be a non-negative integer, but was: {json.dumps(value)}")
    return value


Opener = Callable[[str, str], IO[bytes]]
"""``open(bucket, key)``: a stream of another object (the data files an inventory manifest lists)."""


def items_of(stream: IO[bytes], config: dict[str, Any], name: str, opener: Opener | None = None) -> list[Any] | CsvRows:
    """The items of one object, parsed from ``stream`` as ``config`` says (``name`` is for causes)."""
    kind = str(config.get("InputType", "JSON")).upper()
    limit = max_items(config)
    if kind == "MANIFEST" and opener is not None:
        return _inventory(stream, opener, limit, name)
    if kind == "JSON":
        return _take(_json_array(stream, name), limit)
    if kind == "JSONL":
        return _take(_json_lines(stream, name), limit)
    if kind == "CSV":
        return _csv_rows(stream, config, limit)
    raise failed(f"ReaderConfig.InputType {kind} is not read by Statewright yet (JSON, JSONL, CSV and S3 "
                 "inventory MANIFEST are)")


def _inventory(stream: IO[bytes], opener: Opener, limit: int | None, name: str) -> CsvRows:
    """An S3 Inventory report: ``manifest.json`` lists gzip'd CSV files whose columns ``fileSchema`` names; each
    row is an item, ``{"Bucket", "Key", "Size", ...}`` as texts."""
    try:
        manifest = json.load(io.TextIOWrapper(stream, encoding="utf-8"))
        schema = [column.strip() for column in str(manifest["fileSchema"]).split(",")]
        files = [str(entry["key"]) for entry in manifest["files"]]
        bucket = str(manifest["destinationBucket"]).rpartition(":")[2]  # "arn:aws:s3:::bucket"
    except (ValueError, KeyError, TypeError) as error:
        raise failed(f"{name} is not an S3 Inventory manifest (fileSchema, files, destinationBucket): "
                     f"{error}") from None
    if str(manifest.get("fileFormat", "CSV")).upper() != "CSV":
        raise failed(f"{name} lists {manifest.get('fileFormat')} inventory files; Statewright reads CSV inventories")
    rows = CsvRows(schema)
    for key in files:
        with opener(bucket, key) as raw:
            data: IO[bytes] = gzip.GzipFile(fileobj=raw) if key.endswith(".gz") else raw
            for row in csv.reader(io.TextIOWrapper(data, encoding="utf-8", newline="")):
                if limit is not None and len(rows) >= limit:
                    return rows
                if row:
                    rows.append(row)
    return rows


_SPACE = " \t\r\n"
_NUMBER_CHARS = frozenset("0123456789.eE+-")


def _json_array(stream: IO[bytes], name: str, chunk: int = 1 << 20) -> Iterator[Any]:
    """The members of a JSON array, decoded as the text streams in: the object is never held whole, only
    the member being decoded (and the chunk it straddles)."""
    text = io.TextIOWrapper(stream, encoding="utf-8")
    decode = json.JSONDecoder().raw_decode
    buffer = ""
    position = 0
    ended = False

    def more() -> bool:
        nonlocal buffer, position, ended
        if ended:
            return False
        piece = text.read(chunk)
        if not piece:
            ended = True
            return False
        buffer = buffer[position:] + piece
        position = 0
        return True

    def skip() -> str:
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position] in _SPACE:
                position += 1
            if position < len(buffer) or not more():
                return buffer[position] if position < len(buffer) else ""

    count = 0
    try:
        if skip() != "[":
            first = skip()
            kind = {"{": "an object", '"': "a string"}.get(first, "not an array")
            raise failed(f"{name} holds {kind}, not a JSON array of items" if first else f"{name} is empty")
        position += 1
        if skip() == "]":
            return
        while True:
            skip()
            while True:
                try:
                    value, end = decode(buffer, position)
                except ValueError:
                    if more():
                        continue
                    raise
                # A number may go on in the next chunk ("-2500" of "-2500.0"): while nothing but number
                # characters follow it in the buffer, read more and decode it again.
                if not ended and (end == len(buffer) or (value.__class__ in (int, float)
                                                         and _NUMBER_CHARS.issuperset(buffer[end:]))) and more():
                    continue
                break
            position = end
            count += 1
            yield value
            separator = skip()
            if separator == ",":
                position += 1
            elif separator == "]":
                return
            else:
                raise ValueError("expecting ',' or ']'")
    except (ValueError, UnicodeDecodeError) as error:
        if isinstance(error, TaskError):
            raise
        # Positions inside the moving buffer would mislead: the cause names the item instead.
        reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        raise failed(f"{name} is not a JSON array: {reason[:1].lower() + reason[1:]} after item {count}") from None


def _take(items: Iterator[Any], limit: int | None) -> list[Any]:
    out = []
    for item in items:
        if limit is not None and len(out) >= limit:
            break
        out.append(item)
    return out


def _json_lines(stream: IO[bytes], name: str) -> Iterator[Any]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    for number, raw in enumerate(stream, start=1):
        line = decoder.decode(raw).strip()
        if not line:
            continue
        try:
            yield json.loads(line)
        except ValueError as error:
            raise failed(f"{name} line {number} is not JSON: {error}") from None


def _csv_rows(stream: IO[bytes], config: dict[str, Any], limit: int | None) -> CsvRows:
    """The rows as :class:`CsvRows`: one text per row, a dict only when the Map reads it (a million rows in
    tens of megabytes)."""
    delimiter = _DELIMITERS.get(str(config.get("CSVDelimiter", "COMMA")).upper())
    if delimiter is None:
        raise failed(f"ReaderConfig.CSVDelimiter must be one of {', '.join(_DELIMITERS)}")
    rows = csv.reader(io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""), delimiter=delimiter)
    location = str(config.get("CSVHeaderLocation", "FIRST_ROW")).upper()
    if location == "GIVEN":
        headers = config.get("CSVHeaders")
        if not isinstance(headers, list) or not all(isinstance(header, str) for header in headers):
            raise failed("ReaderConfig.CSVHeaders must list the column names when CSVHeaderLocation is GIVEN")
    elif location == "FIRST_ROW":
        headers = next(rows, None) or []
    else:
        raise failed("ReaderConfig.CSVHeaderLocation must be FIRST_ROW or GIVEN")
    out = CsvRows(headers)
    for row in rows:
        if limit is not None and len(out) >= limit:
            break
        if row:
            out.append(row)
    return out


# --- local files: Bucket "file:<folder>" ------------------------------------------------------------------


def local_folder(bucket: str) -> Path:
    return Path(bucket[len(LOCAL):] or ".")


def on_local_bucket(invocation: Invocation) -> bool:
    """Whether a reader's or writer's command names a ``file:<folder>`` Bucket (read and written here, never
    on S3, whether the AWS integrations are on or not)."""
    payload = invocation.payload if isinstance(invocation.payload, dict) else {}
    parameters = payload.get("Parameters")
    return isinstance(parameters, dict) and str(parameters.get("Bucket", "")).startswith(LOCAL)


def resolve_local(invocation: Invocation) -> Handler | None:
    """The resolver of ItemReader commands that the AWS integrations did not take (every engine has it, last):
    a ``file:<folder>`` Bucket is read here; any other fails with a cause that says how to read it."""
    if invocation.resource not in (GET_OBJECT, LIST_OBJECTS):
        return None
    # Last in the chain: the AWS integrations, when turned on, have answered for S3 buckets before this.
    return read_local if on_local_bucket(invocation) else _no_s3


async def _no_s3(invocation: Invocation) -> list[Any]:
    parameters, _ = request_of(invocation)
    raise failed(f"The ItemReader of state '{invocation.state}' reads S3 bucket '{parameters['Bucket']}': turn "
                 "the AWS integrations on (statewright[aws], --aws or --aws-endpoint s3=URL), or read local files "
                 "with a Bucket written file:<folder>")


async def read_local(invocation: Invocation) -> list[Any]:
    from statewright.runtime.threads import TASK_THREADS

    return await TASK_THREADS.call(_read_local, invocation)


def _read_local(invocation: Invocation) -> list[Any]:
    parameters, config = request_of(invocation)
    folder = local_folder(parameters["Bucket"])
    if invocation.resource == LIST_OBJECTS:
        return _take(_local_listing(folder, str(parameters.get("Prefix") or "")), max_items(config))
    key = parameters.get("Key")
    if not isinstance(key, str) or not key:
        raise failed(f"The ItemReader of state '{invocation.state}' needs a Key to read with {GET_OBJECT}")
    path = folder / key
    try:
        with path.open("rb") as stream:
            # An inventory's data files are read from the same folder (the manifest names another bucket).
            return items_of(stream, config, str(path), lambda _bucket, data_key: (folder / data_key).open("rb"))
    except OSError as error:
        raise failed(f"Cannot read {error.filename or path}: {error.strerror or error}") from None


def _local_listing(folder: Path, prefix: str) -> Iterable[dict[str, Any]]:
    if not folder.is_dir():
        raise failed(f"{folder} is not a folder")
    paths = sorted(path for path in folder.rglob("*") if path.is_file())
    for path in paths:
        key = path.relative_to(folder).as_posix()
        if not key.startswith(prefix):
            continue
        stat = path.stat()
        yield {"Etag": f'"{_md5(path)}"', "Key": key, "LastModified": int(stat.st_mtime), "Size": stat.st_size,
               "StorageClass": "STANDARD"}


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()



