"""A Distributed Map's ``ItemReader`` and ``ResultWriter`` (spec/map.md 15, 16): the requests the runtime
carries out.

The core does no I/O. A Map with an ``ItemReader`` asks the runtime for its items with an ``InvokeTask``
command whose resource is the reader's (``arn:aws:states:::s3:getObject``, ``...:s3:listObjectsV2``) and
whose payload is ``{"Parameters": <the evaluated Parameters or Arguments>, "ReaderConfig": {...}}``; the
runtime's reader (statewright.runtime.item_reader) answers with the list of items, or fails. No task event
is recorded for it: AWS records none either.

A Map with a ``ResultWriter`` hands its children's records to the runtime the same way once they are all done
(resource ``arn:aws:states:::s3:putObject``, payload ``{"Parameters", "WriterConfig", "MapRunArn",
"Results": {"SUCCEEDED": [...], "FAILED": [...]}}``); the runtime writes AWS's result files and manifest and
answers ``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}``, which becomes the state's result.
The records are built here, from what the core knows: each child's input, output or error, and times.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from statewright.core.history import json_text
from statewright.core.timestamps import format_timestamp


@dataclass(frozen=True, slots=True)
class ItemReader:
    """``ItemReader``, compiled.

    Attributes:
        resource: the reader's resource string.
        parameters: the compiled ``Parameters`` (JSONPath) or ``Arguments`` (JSONata), or None.
        config: ``ReaderConfig`` as written, without ``MaxItemsPath``.
        max_items_path: ``ReaderConfig.MaxItemsPath`` (JSONPath) or a JSONata ``MaxItems`` expression.
    """

    resource: str
    parameters: Any
    config: Mapping[str, Any]
    max_items_path: Any

    def request(self, effective: Any, context: Any, variables: Any, max_items: int | None) -> dict[str, Any]:
        parameters = self.parameters.evaluate(effective, context, variables) if self.parameters is not None else {}
        config = dict(self.config)
        if max_items is not None:
            config["MaxItems"] = max_items
        return {"Parameters": parameters, "ReaderConfig": config}


def compile_item_reader(definition: Mapping[str, Any] | None, parameters: Any,
                        max_items_path: Any) -> ItemReader | None:
    """The compiled reader of a Map's ``ItemReader`` field (None without one); ``parameters`` and
    ``max_items_path`` are compiled by the caller, in the state's query language."""
    if definition is None:
        return None
    config = dict(definition.get("ReaderConfig") or {})
    config.pop("MaxItemsPath", None)
    if max_items_path is not None:
        config.pop("MaxItems", None)
    return ItemReader(str(definition.get("Resource", "")), parameters, config, max_items_path)


@dataclass(frozen=True, slots=True)
class ResultWriter:
    """``ResultWriter``, compiled: its resource, compiled ``Parameters``/``Arguments`` and ``WriterConfig``."""

    resource: str
    parameters: Any
    config: Mapping[str, Any]

    def request(self, effective: Any, context: Any, variables: Any, run: MapRun, inputs: Any,
                results: list[Any]) -> dict[str, Any]:
        parameters = self.parameters.evaluate(effective, context, variables) if self.parameters is not None else {}
        failed = sorted(run.failed)
        succeeded = [index for index in range(len(results)) if index not in run.failed]
        return {"Parameters": parameters, "WriterConfig": dict(self.config), "MapRunArn": run.arn,
                "Results": {"SUCCEEDED": Records(run, inputs, results, succeeded),
                            "FAILED": Records(run, inputs, results, failed)}}


def compile_result_writer(definition: Mapping[str, Any] | None, parameters: Any) -> ResultWriter | None:
    if definition is None:
        return None
    return ResultWriter(str(definition.get("Resource", "")), parameters, dict(definition.get("WriterConfig") or {}))


class MapRun:
    """What a Map with a ResultWriter keeps of its children for the records: names, times, which failed."""

    __slots__ = ("arn", "effective", "execution_prefix", "failed", "machine_arn", "names", "times")

    def __init__(self, arn: str, machine_arn: str, execution_prefix: str) -> None:
        self.arn = arn
        self.effective: Any = None  # the Map's effective input, which the writer's Parameters read
        self.machine_arn = machine_arn
        self.execution_prefix = execution_prefix
        self.failed: set[int] = set()
        self.names: dict[int, str] = {}
        self.times: dict[int, list[float]] = {}

    def started(self, index: int, name: str, now: float) -> None:
        self.names[index] = name
        self.times[index] = [now, now]

    def ended(self, index: int, now: float) -> None:
        times = self.times.get(index)
        if times is not None:
            times[1] = now

    def record(self, index: int, item_input: Any, result: Any) -> dict[str, Any]:
        """One child's record as AWS writes it in ``SUCCEEDED_n.json`` / ``FAILED_n.json``."""
        name = self.names.get(index, str(index))
        start, stop = self.times.get(index, [0.0, 0.0])
        status = "FAILED" if index in self.failed else "SUCCEEDED"
        record: dict[str, Any] = {"ExecutionArn": f"{self.execution_prefix}:{name}", "Input": json_text(item_input),
                                  "InputDetails": {"Included": True}, "Name": name}
        if status == "FAILED" and isinstance(result, dict):
            record["Error"] = result.get("Error")
            record["Cause"] = result.get("Cause")
        else:
            record["Output"] = json_text(result)
            record["OutputDetails"] = {"Included": True}
        record.update({"RedriveCount": 0, "RedriveStatus": "NOT_REDRIVABLE",
                       "RedriveStatusReason": f"Execution is {status} and cannot be redriven",
                       "StartDate": format_timestamp(start), "StateMachineArn": self.machine_arn,
                       "Status": status, "StopDate": format_timestamp(stop)})
        return record


# --- items kept compact: a million CSV rows without a million dicts --------------------------------------------

_SEPARATOR = "\x1f"  # ASCII unit separator: the fields of a row joined into one text


class CsvRows(Sequence[dict[str, str]]):
    """CSV rows read by an ItemReader, each kept as one text and given as a ``{header: text}`` dict when read.

    A dict of three short texts costs about 350 bytes; the same row as one text about 70. A Map reads its
    items one at a time (into batches, selectors, child inputs), so a million rows fit in tens of megabytes,
    not hundreds. A row whose fields hold the separator itself is kept as a tuple.
    """

    __slots__ = ("headers", "rows")

    def __init__(self, headers: Sequence[str]) -> None:
        self.headers = tuple(headers)
        self.rows: list[str | tuple[str, ...]] = []

    def append(self, fields: Sequence[str]) -> None:
        width = len(self.headers)
        if len(fields) < width:
            fields = [*fields, *([""] * (width - len(fields)))]
        joined = _SEPARATOR.join(fields[:width])
        self.rows.append(joined if joined.count(_SEPARATOR) == width - 1 else tuple(fields[:width]))

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> dict[str, str]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, str]]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self._row(row) for row in self.rows[index]]
        return self._row(self.rows[index])

    def __iter__(self) -> Iterator[dict[str, str]]:
        for row in self.rows:
            yield self._row(row)

    def _row(self, row: str | tuple[str, ...]) -> dict[str, str]:
        fields = row.split(_SEPARATOR) if row.__class__ is str else row
        return dict(zip(self.headers, fields, strict=False))


class LazyBatches(Sequence[dict[str, Any]]):
    """The batches of compactly kept items, each built when a child asks for its input."""

    __slots__ = ("bounds", "extra", "items")

    def __init__(self, items: Sequence[Any], bounds: list[int], extra: Any) -> None:
        self.items = items
        self.bounds = bounds  # batch i holds items[bounds[i]:bounds[i + 1]]
        self.extra = extra

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        items = self.items[self.bounds[index]:self.bounds[index + 1]]
        return {"Items": items} if self.extra is None else {"BatchInput": self.extra, "Items": items}


class Records(Sequence[dict[str, Any]]):
    """A ResultWriter's records of one status, each built when the writer reaches it (no record list held)."""

    __slots__ = ("indices", "inputs", "results", "run")

    def __init__(self, run: MapRun, inputs: Sequence[Any], results: list[Any], indices: list[int]) -> None:
        self.run = run
        self.inputs = inputs
        self.results = results
        self.indices = indices

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        child = self.indices[index]
        return self.run.record(child, self.inputs[child], self.results[child])


def plain(value: Any) -> Any:
    """A compactly kept sequence as the JSON list it stands for (for encoders: stores, logs)."""
    if isinstance(value, CsvRows | LazyBatches | Records):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
