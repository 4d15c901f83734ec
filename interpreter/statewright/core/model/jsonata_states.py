"""Compile states whose query language is JSONata (spec/jsonata.md), into the same state classes as
JSONPath states: only the data flow (:class:`~statewright.core.jsonata.JsonataFlow`) and the fields
that may hold expressions differ. Every expression is parsed here, once per definition."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from statewright.core.choice.jsonata import compile_jsonata_rules
from statewright.core.dataflow import ABSENT
from statewright.core.jsonata import JsonataFlow, Value, compile_evaluated, compile_optional, compile_value
from statewright.core.jsonata.flow import Evaluated, expression_field
from statewright.core.retry import Catcher, Retrier
from statewright.core.states import (
    ChoiceState,
    FailState,
    ItemBatcher,
    MapState,
    ParallelState,
    PassState,
    State,
    SucceedState,
    TaskState,
    WaitState,
)
from statewright.core.states.map_io import ItemReader, ResultWriter, compile_item_reader, compile_result_writer
from statewright.core.states.task import is_activity, resource_parts
from statewright.core.timestamps import parse_rfc3339

if TYPE_CHECKING:
    from statewright.core.model.compiler import ScopeCompiler


def _literal(state: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """A field's value when it is not an expression (expressions are compiled apart)."""
    value = state.get(key, default)
    return default if isinstance(value, str) and value.startswith("{%") else value


def _is_expression(state: Mapping[str, Any], key: str) -> bool:
    value = state.get(key)
    return isinstance(value, str) and value.startswith("{%")


def _common(name: str, state: Mapping[str, Any], flow: JsonataFlow, extra_context: bool = False) -> dict[str, Any]:
    assign = compile_evaluated(state, "Assign")
    catchers = state.get("Catch", ())
    catch_assigns = tuple(compile_evaluated(item, "Assign", f"Catch[{index}]/Assign")
                          for index, item in enumerate(catchers))
    catch_outputs = tuple(compile_optional(item, "Output", f"Catch[{index}]/Output")
                          for index, item in enumerate(catchers))
    return {
        "assign": assign,
        "catch_assigns": catch_assigns if any(catch_assigns) else (),
        "catch_outputs": catch_outputs if any(catch_outputs) else (),
        "name": name,
        "next": state.get("Next"),
        "end": bool(state.get("End", False)),
        "flow": flow,
        "needs_context": flow.uses_context or extra_context or _reads_context(assign, *catch_assigns, *catch_outputs),
        "retriers": tuple(Retrier.from_dict(item) for item in state.get("Retry", ())),
        "catchers": tuple(Catcher.from_dict(item) for item in catchers),
    }


def _reads_context(*parts: Value | Evaluated | Any) -> bool:
    return any(getattr(part, "reads_context", False) or getattr(part, "uses_context", False)
               or getattr(part, "root", None) == "context" for part in parts if part is not None)


def _pass(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    return PassState(**_common(name, state, JsonataFlow.compile(state, arguments_key=None)))


def _succeed(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    return SucceedState(**_common(name, state, JsonataFlow.compile(state, arguments_key=None)))


def _fail(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    error = compile_optional(state, "Error") if _is_expression(state, "Error") else None
    cause = compile_optional(state, "Cause") if _is_expression(state, "Cause") else None
    return FailState(**_common(name, state, JsonataFlow.compile({}, arguments_key=None), _reads_context(error, cause)),
                     error=_literal(state, "Error"), cause=_literal(state, "Cause"),
                     error_value=error, cause_value=cause)


def _choice(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    rules = compile_jsonata_rules(state["Choices"])
    rule_assigns = tuple(compile_evaluated(rule, "Assign", f"Choices[{index}]/Assign")
                         for index, rule in enumerate(state["Choices"]))
    rule_outputs = tuple(compile_optional(rule, "Output", f"Choices[{index}]/Output")
                         for index, rule in enumerate(state["Choices"]))
    reads = _reads_context(*(rule.condition for rule in rules), *rule_assigns, *rule_outputs)
    return ChoiceState(**_common(name, state, JsonataFlow.compile(state, arguments_key=None), reads),
                       rules=rules, default=state.get("Default"),
                       rule_assigns=rule_assigns if any(rule_assigns) else (),
                       rule_outputs=rule_outputs if any(rule_outputs) else ())


def _wait(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    seconds = expression_field(state, "Seconds")
    timestamp = compile_optional(state, "Timestamp") if _is_expression(state, "Timestamp") else None
    literal_timestamp = _literal(state, "Timestamp")
    return WaitState(**_common(name, state, JsonataFlow.compile(state, arguments_key=None),
                               _reads_context(seconds, timestamp)),
                     seconds=_literal(state, "Seconds"),
                     timestamp=parse_rfc3339(literal_timestamp) if literal_timestamp is not None else None,
                     seconds_path=seconds, timestamp_value=timestamp)


def _task(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    resource = state["Resource"]
    resource_type, resource_name = resource_parts(resource)
    timeout = expression_field(state, "TimeoutSeconds")
    heartbeat = expression_field(state, "HeartbeatSeconds")
    credentials = compile_evaluated(state, "Credentials")
    return TaskState(
        **_common(name, state, JsonataFlow.compile(state), _reads_context(timeout, heartbeat, credentials)),
        resource=resource, resource_type=resource_type, resource_name=resource_name,
        callback=resource.endswith(".waitForTaskToken") or is_activity(resource), activity=is_activity(resource),
        timeout_seconds=_literal(state, "TimeoutSeconds"), timeout_path=timeout,
        heartbeat_seconds=_literal(state, "HeartbeatSeconds"), heartbeat_path=heartbeat,
        credentials=credentials,
    )


def _parallel(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    branches = tuple(scope.child(branch).start for branch in state["Branches"])
    return ParallelState(**_common(name, state, JsonataFlow.compile(state)), branches=branches)


def _batcher(config: Mapping[str, Any] | None) -> ItemBatcher | None:
    if config is None:
        return None
    batch_input = compile_evaluated(config, "BatchInput", "ItemBatcher/BatchInput")
    return ItemBatcher(
        max_items=_literal(config, "MaxItemsPerBatch"),
        max_items_path=expression_field(config, "MaxItemsPerBatch", "ItemBatcher/MaxItemsPerBatch"),
        max_bytes=_literal(config, "MaxInputBytesPerBatch"),
        max_bytes_path=expression_field(config, "MaxInputBytesPerBatch", "ItemBatcher/MaxInputBytesPerBatch"),
        batch_input=batch_input,  # type: ignore[arg-type]
    )


def _map(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    processor_def = state.get("ItemProcessor") or state["Iterator"]
    config = processor_def.get("ProcessorConfig") or {}
    selector = compile_evaluated(state, "ItemSelector")
    items = compile_value(state["Items"], "Items") if "Items" in state else None
    fields = {key: expression_field(state, key) for key in (
        "MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage")}
    batcher = _batcher(state.get("ItemBatcher"))
    reader = _item_reader(state.get("ItemReader"))
    writer = _result_writer(state.get("ResultWriter"))
    reads = _reads_context(selector, items, *fields.values(),
                           *((batcher.batch_input, batcher.max_items_path, batcher.max_bytes_path) if batcher else ()),
                           *((reader.parameters, reader.max_items_path) if reader else ()),
                           writer.parameters if writer else None)
    return MapState(
        **_common(name, state, JsonataFlow.compile(state, arguments_key=None), reads),
        processor=scope.child(processor_def).start,
        distributed=config.get("Mode") == "DISTRIBUTED",
        label=state.get("Label"),
        items_value=items,
        item_selector=selector,  # type: ignore[arg-type]
        max_concurrency=_literal(state, "MaxConcurrency", 0),
        max_concurrency_path=fields["MaxConcurrency"],
        tolerated_count=_literal(state, "ToleratedFailureCount"),
        tolerated_count_path=fields["ToleratedFailureCount"],
        tolerated_percentage=_literal(state, "ToleratedFailurePercentage"),
        tolerated_percentage_path=fields["ToleratedFailurePercentage"],
        batcher=batcher,
        item_reader=reader,
        result_writer=writer,
    )


def _result_writer(definition: Mapping[str, Any] | None) -> ResultWriter | None:
    if definition is None:
        return None
    return compile_result_writer(definition, compile_evaluated(definition, "Arguments", "ResultWriter/Arguments"))


def _item_reader(definition: Mapping[str, Any] | None) -> ItemReader | None:
    if definition is None:
        return None
    config = definition.get("ReaderConfig") or {}
    return compile_item_reader(definition, compile_evaluated(definition, "Arguments", "ItemReader/Arguments"),
                               expression_field(config, "MaxItems", "ItemReader/ReaderConfig/MaxItems"))


COMPILERS: dict[str, Callable[[str, Mapping[str, Any], ScopeCompiler], State]] = {
    "Pass": _pass, "Succeed": _succeed, "Fail": _fail, "Choice": _choice, "Wait": _wait,
    "Task": _task, "Parallel": _parallel, "Map": _map,
}

__all__ = ["ABSENT", "COMPILERS"]
