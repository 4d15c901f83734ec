"""The Map state (spec/map.md): the item processor once per item, inline or distributed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statewright.core.context import with_map_item
from statewright.core.dataflow import JsonPathFlow, Template, runtime_error
from statewright.core.errors import ErrorName, StatesError
from statewright.core.events import InvokeTask
from statewright.core.history import json_text
from statewright.core.jsonata import UNDEFINED, QueryEvaluationError, compile_expression, undefined_error
from statewright.core.jsonata.flow import ExpressionField, states_binding
from statewright.core.jsonata.template import unexpected_type
from statewright.core.jsonpath import JsonPath, PathNotFound
from statewright.core.states import children
from statewright.core.states.base import State
from statewright.core.states.map_io import CsvRows, ItemReader, LazyBatches, MapRun, ResultWriter
from statewright.core.states.parallel import finish_with_results

if TYPE_CHECKING:
    from statewright.core.execution import Execution, Frame

_EXPR_KIND = 1  # template.Value kind of a single expression


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json_text(value)


def _is_integer(value: Any) -> bool:
    return value.__class__ is int or (value.__class__ is float and value.is_integer())


def _as_number(value: Any, kind: type) -> Any:
    """AWS reads these *Path values as text: the string "1" is as good as the number 1."""
    if value.__class__ is str:
        try:
            return kind(value.strip())
        except ValueError:
            return None
    return value


@dataclass(frozen=True, slots=True)
class ItemBatcher:
    """``ItemBatcher`` of a distributed Map: each child gets ``{"BatchInput": ..., "Items": [...]}``."""

    max_items: int | None
    max_items_path: JsonPath | None
    max_bytes: int | None
    max_bytes_path: JsonPath | None
    batch_input: Template | None

    def batches(self, items: list[Any], effective: Any, context: Any, variables: Any) -> list[Any]:
        max_items = self.max_items
        if self.max_items_path is not None:
            max_items = _read_integer(self.max_items_path, "MaxItemsPerBatchPath", effective, context, variables)
        max_bytes = self.max_bytes
        if self.max_bytes_path is not None:
            max_bytes = _read_integer(self.max_bytes_path, "MaxInputBytesPerBatchPath", effective, context,
                                      variables)
        extra = self.batch_input.evaluate(effective, context, variables) if self.batch_input else None
        if items.__class__ is CsvRows:
            return _lazy_batches(items, max_items, max_bytes, extra)
        batches: list[list[Any]] = []
        current: list[Any] = []
        size = 0
        for item in items:
            item_size = len(json_text(item).encode("utf-8")) if max_bytes else 0
            full = (max_items and len(current) >= max_items) or (max_bytes and current and size + item_size > max_bytes)
            if full:
                batches.append(current)
                current, size = [], 0
            current.append(item)
            size += item_size
        if current:
            batches.append(current)
        # AWS hands each child {"BatchInput": <BatchInput>, "Items": [...]} (BatchInput only when set).
        if extra is None:
            return [{"Items": batch} for batch in batches]
        return [{"BatchInput": extra, "Items": batch} for batch in batches]


def _lazy_batches(items: Any, max_items: int | None, max_bytes: int | None, extra: Any) -> LazyBatches:
    """The batches of compactly kept items as bounds, each batch built when its child starts; cut exactly as
    :meth:`ItemBatcher.batches` cuts a list."""
    bounds = [0]
    count = size = 0
    for index, item in enumerate(items):
        item_size = len(json_text(item).encode("utf-8")) if max_bytes else 0
        if (max_items and count >= max_items) or (max_bytes and count and size + item_size > max_bytes):
            bounds.append(index)
            count = size = 0
        count += 1
        size += item_size
    if count:
        bounds.append(len(items))
    return LazyBatches(items, bounds, extra)


def _read_integer(path: JsonPath, field: str, effective: Any, context: Any, variables: Any) -> int:
    if path.__class__ is ExpressionField:
        least = 1 if field.startswith(("MaxItems", "MaxInputBytes")) else 0
        return path.number(effective, context, variables, least)  # type: ignore[attr-defined]
    try:
        value = path.resolve(effective, context, variables)
    except PathNotFound:
        raise runtime_error(f"Invalid path '{path.text}' : No results for path: {path.normalized}") from None
    number = _as_number(value, int)
    if field == "ToleratedFailureCountPath" and _is_integer(number) and number < 0:
        raise runtime_error("ToleratedFailureCount cannot be negative.")  # AWS's words for this field
    if not _is_integer(number) or number < 0:
        raise runtime_error(
            f"The {field} field refers to value \"{_shown(value)}\" which is not a valid integer: {path.text}")
    return int(number)


def _read_percentage(path: JsonPath, effective: Any, context: Any, variables: Any) -> float:
    if path.__class__ is ExpressionField:
        return float(path.number(effective, context, variables, 0, 100, integer=False))  # type: ignore[attr-defined]
    try:
        value = path.resolve(effective, context, variables)
    except PathNotFound:
        raise runtime_error(f"Invalid path '{path.text}' : No results for path: {path.normalized}") from None
    number = _as_number(value, float)
    if number.__class__ not in (int, float):
        raise runtime_error(f"The ToleratedFailurePercentagePath field refers to value \"{_shown(value)}\" "
                            f"which is not a valid float: {path.text}")
    if not 0 <= number <= 100:
        raise runtime_error("ToleratedFailurePercentage must be between 0 and 100.")
    return float(number)


@dataclass(frozen=True, slots=True, kw_only=True)
class MapState(State):
    """A Map state, compiled. ``processor``: the item processor's start state."""

    entered_type = "MapStateEntered"
    exited_type = "MapStateExited"
    failed_type = "MapStateFailed"
    counts_retries = True

    processor: State | None = None
    distributed: bool = False
    label: str | None = None
    items_path: JsonPath | None = None
    items_value: Any = None  # JSONata ``Items`` (spec/jsonata.md)
    item_selector: Template | None = None
    max_concurrency: int = 0
    max_concurrency_path: JsonPath | None = None
    tolerated_count: int | None = None
    tolerated_count_path: JsonPath | None = None
    tolerated_percentage: float | None = None
    tolerated_percentage_path: JsonPath | None = None
    batcher: ItemBatcher | None = None
    item_reader: ItemReader | None = None  # the items come from the runtime's reader (spec/map.md 15)
    result_writer: ResultWriter | None = None  # the results go to the runtime's writer (spec/map.md 16)

    def attempt(self, exe: Execution, frame: Frame) -> bool:
        frame.failed_group = None  # a group of an earlier attempt is not what a redrive re-runs
        # Order as AWS records it: items and MaxConcurrency are read before MapStateStarted, the
        # tolerances and item inputs after it.
        try:
            context = self.context(exe, frame)
            effective = self.flow.effective_input(frame.data, context, frame.variables)
            reader = self.item_reader
            if reader is not None:
                return self._read_items(exe, frame, reader, effective, context)
            items = self._items(effective, context, frame)
        except StatesError as error:
            return exe.state_failed(frame, self, error)
        return self._start_items(exe, frame, effective, context, items)

    def _read_items(self, exe: Execution, frame: Frame, reader: ItemReader, effective: Any, context: Any) -> bool:
        """Ask the runtime for the reader's items; :meth:`on_task_succeeded` goes on with them."""
        max_items = None
        if reader.max_items_path is not None:
            max_items = _read_integer(reader.max_items_path, "MaxItemsPath", effective, context, frame.variables)
        request = reader.request(effective, context, frame.variables, max_items)
        frame.effective = effective
        exe.invoke(frame, InvokeTask(exe.next_seq(), reader.resource, request, self.name, frame.retry_total))
        return False

    def on_task_succeeded(self, exe: Execution, frame: Frame, output: Any) -> bool:
        """The reader's items arrived, or the writer wrote the results (the only tasks a Map waits for)."""
        effective, frame.effective = frame.effective, None
        if effective is _WRITING:
            exe.emit(frame, "MapRunSucceeded", None)
            exe.emit_side(frame, "MapStateSucceeded", None)
            return finish_with_results(self, exe, frame, output)
        if not isinstance(output, list | CsvRows):
            return exe.state_failed(frame, self, StatesError(
                ErrorName.ITEM_READER_FAILED, f"The item reader of state '{self.name}' did not give a list of items"))
        try:
            context = self.context(exe, frame)
        except StatesError as error:
            return exe.state_failed(frame, self, error)
        return self._start_items(exe, frame, effective, context, output)

    def on_task_failed(self, exe: Execution, frame: Frame, error: str, cause: str | None) -> bool:
        """The reader could not read the items (``States.ItemReaderFailed``), or the writer could not write the
        results (``States.ResultWriterFailed``) (spec/map.md 15, 16)."""
        writing = frame.effective is _WRITING
        name = (ErrorName.RESULT_WRITER_FAILED if writing else ErrorName.ITEM_READER_FAILED).value
        frame.effective = None
        if error != name:
            cause = f"{error}: {cause}" if cause else error
        if writing:
            # The map run fails, as when its children do: MapRunFailed, then MapStateFailed.
            exe.emit(frame, "MapRunFailed", None)
            return exe.handle_error(frame, self, name, cause, self.failed_type)
        return exe.state_failed(frame, self, StatesError(name, cause))

    def _start_items(self, exe: Execution, frame: Frame, effective: Any, context: Any, items: list[Any]) -> bool:
        try:
            limit = self.max_concurrency
            if self.max_concurrency_path is not None:
                limit = _read_integer(self.max_concurrency_path, "MaxConcurrencyPath", effective, context,
                                      frame.variables)
        except StatesError as error:
            return exe.state_failed(frame, self, error)
        exe.emit(frame, "MapStateStarted", {"length": len(items)})
        try:
            group = self._group(exe, frame, effective, items, context, limit)
        except StatesError as error:
            return exe.state_failed(frame, self, error)
        if self.distributed:
            arn = self._map_run_arn(exe)
            exe.emit(frame, "MapRunStarted", {"mapRunArn": arn})
            if self.result_writer is not None:
                region, account, machine = exe.machine_arn_parts()
                child = f"{machine}/{self.label or self.name}"
                group.run = MapRun(arn, f"arn:aws:states:{region}:{account}:stateMachine:{child}",
                                   f"arn:aws:states:{region}:{account}:execution:{child}")
                group.run.effective = effective
        group.source = group.last = frame.prev
        return children.start(exe, frame, group)

    def _items(self, effective: Any, context: Any, frame: Frame) -> list[Any]:
        items = effective
        if self.items_value is not None:
            return _jsonata_items(self.items_value, effective, context, frame.variables)
        path = self.items_path
        if path is not None:
            try:
                items = path.resolve(effective, context, frame.variables)
            except PathNotFound:
                raise runtime_error(f"Invalid path '{path.text}' : No results for path: {path.normalized}") from None
        if not isinstance(items, list):
            if self.flow.__class__ is not JsonPathFlow:
                raise QueryEvaluationError(f"Map state input must be an array but was: {json_text(items)}", None)
            raise runtime_error(f"Map state input must be an array but was: {json_text(items)}")
        return items

    def _group(self, exe: Execution, frame: Frame, effective: Any, items: list[Any], context: Any,
               limit: int) -> children.Group:
        variables = frame.variables
        count = self.tolerated_count
        if self.tolerated_count_path is not None:
            count = _read_integer(self.tolerated_count_path, "ToleratedFailureCountPath", effective, context,
                                  variables)
        percentage = self.tolerated_percentage
        if self.tolerated_percentage_path is not None:
            percentage = _read_percentage(self.tolerated_percentage_path, effective, context, variables)
        inputs = items
        selector = self.item_selector
        if selector is not None:
            base = context if context is not None else exe.context_object(frame, self)
            inputs = [selector.evaluate(effective, with_map_item(base, index, item), variables, exe.rng)
                      for index, item in enumerate(items)]
        if self.batcher is not None:
            inputs = self.batcher.batches(inputs, effective, context, variables)
        if inputs.__class__ in (CsvRows, LazyBatches) and not 0 < limit <= COMPACT_WINDOW:
            # Each child's input is built when it starts: bound how many are alive at once (spec/map.md 15).
            limit = COMPACT_WINDOW
        kind = children.DISTRIBUTED if self.distributed else children.MAP
        group = children.Group(frame, self, kind, inputs, (self.processor,), limit)  # type: ignore[arg-type]
        group.tolerated_count = count if count else None
        group.tolerated_percentage = percentage if percentage else None
        return group

    def _map_run_arn(self, exe: Execution) -> str:
        arn = exe.machine_arn_parts()
        uuid = exe.rng.uuid() if exe.rng is not None else "0"
        return f"arn:aws:states:{arn[0]}:{arn[1]}:mapRun:{arn[2]}/{self.label or self.name}:{uuid}"

    def on_children_done(self, exe: Execution, frame: Frame, group: children.Group) -> bool:
        writer, run = self.result_writer, group.run
        if writer is not None and run is not None:
            # The results go to the writer; the state's result is where they went (spec/map.md 16).
            try:
                context = self.context(exe, frame)
                request = writer.request(run.effective, context, frame.variables, run, group.inputs, group.results)
            except StatesError as error:
                return exe.state_failed(frame, self, error)
            frame.effective = _WRITING
            exe.invoke(frame, InvokeTask(exe.next_seq(), writer.resource, request, self.name, frame.retry_total))
            return False
        if self.distributed:
            exe.emit(frame, "MapRunSucceeded", None)
        else:
            frame.prev = group.last
        exe.emit_side(frame, "MapStateSucceeded", None)
        return finish_with_results(self, exe, frame, group.results)


_WRITING = object()  # in a Map frame's ``effective`` while its ResultWriter writes
COMPACT_WINDOW = 256
"""How many children of a Map over compactly kept items (CSV rows an ItemReader read) run at once, at most."""


def _jsonata_items(value: Any, effective: Any, context: Any, variables: Any) -> list[Any]:
    items = value.evaluate_raw(states_binding(effective, context), variables)
    if items is UNDEFINED:
        raise undefined_error(value.payload, value.field)
    if isinstance(items, list):
        return items
    if items is None and value.kind == _EXPR_KIND and _is_function(value, effective, context, variables):
        raise QueryEvaluationError(f"The JSONata expression '{value.text}' specified for the field 'Items' "
                                   "returned an unsupported result type.", "Items")
    raise unexpected_type(value, items, "array")


def _is_function(value: Any, effective: Any, context: Any, variables: Any) -> bool:
    # The engine hands a function result over as null; ask JSONata for the type on this error path only.
    probe = compile_expression(f"$type(({value.text}))")
    return bool(probe.evaluate(states_binding(effective, context), variables, "Items") == "function")
