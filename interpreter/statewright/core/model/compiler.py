"""Compile a (lint-clean) definition into linked, frozen state objects, once per machine.

Every path, intrinsic call, payload template, Choice rule, retrier and catcher is parsed here, so an
execution never parses anything per transition. Transitions (``Next``, Choice targets, ``Default``,
catchers' ``Next``) are resolved to the compiled state objects after each scope is compiled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from statewright.core.choice import compile_choice_rules
from statewright.core.dataflow import (
    ABSENT,
    JsonPathFlow,
    Template,
    compile_path_or_intrinsic,
    compile_template,
    uses_root,
)
from statewright.core.jsonpath import parse_path
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


class UnsupportedDefinition(ValueError):
    """The definition uses a feature this interpreter cannot run.

    Public and kept for embedders who catch it, but nothing raises it today: JSONata and variables run, and a
    feature that is not carried out yet fails the state at run time instead (a Map's ItemReader, spec/map.md
    rule 15), so the rest of a definition still runs.
    """


def _assign(value: Any) -> Template | None:
    return None if value is None else compile_template(value)


def _common(name: str, state: Mapping[str, Any], flow: JsonPathFlow, extra_context: bool = False) -> dict[str, Any]:
    assign = _assign(state.get("Assign"))
    catchers = state.get("Catch", ())
    catch_assigns = tuple(_assign(item.get("Assign")) for item in catchers)
    return {
        "assign": assign,
        "catch_assigns": catch_assigns if any(catch_assigns) else (),
        "name": name,
        "next": state.get("Next"),
        "end": bool(state.get("End", False)),
        "flow": flow,
        "needs_context": flow.uses_context or extra_context or uses_root(assign, "context"),
        "retriers": tuple(Retrier.from_dict(item) for item in state.get("Retry", ())),
        "catchers": tuple(Catcher.from_dict(item) for item in catchers),
    }


def _pass(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    return PassState(**_common(name, state, JsonPathFlow.compile(state)), result=state.get("Result", ABSENT))


def _succeed(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    return SucceedState(**_common(name, state, JsonPathFlow.compile(state, parameters_key=None)))


def _fail(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    error_path = compile_path_or_intrinsic(state["ErrorPath"]) if "ErrorPath" in state else None
    cause_path = compile_path_or_intrinsic(state["CausePath"]) if "CausePath" in state else None
    reads_context = uses_root(error_path, "context") or uses_root(cause_path, "context")
    flow = JsonPathFlow.compile({}, parameters_key=None)
    return FailState(**_common(name, state, flow, reads_context), error=state.get("Error"),
                     cause=state.get("Cause"), error_path=error_path, cause_path=cause_path)


def _choice(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    flow = JsonPathFlow.compile(state, parameters_key=None)
    reads_context = '"$$' in repr(state.get("Choices")).replace("'", '"')
    rule_assigns = tuple(_assign(rule.get("Assign")) for rule in state["Choices"])
    return ChoiceState(**_common(name, state, flow, reads_context), rules=compile_choice_rules(state["Choices"]),
                       default=state.get("Default"), rule_assigns=rule_assigns if any(rule_assigns) else ())


def _wait(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    flow = JsonPathFlow.compile(state, parameters_key=None)
    seconds_path = parse_path(state["SecondsPath"]) if "SecondsPath" in state else None
    timestamp_path = parse_path(state["TimestampPath"]) if "TimestampPath" in state else None
    reads_context = uses_root(seconds_path, "context") or uses_root(timestamp_path, "context")
    timestamp = parse_rfc3339(state["Timestamp"]) if "Timestamp" in state else None
    return WaitState(**_common(name, state, flow, reads_context), seconds=state.get("Seconds"),
                     timestamp=timestamp, seconds_path=seconds_path, timestamp_path=timestamp_path)


def _task(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    flow = JsonPathFlow.compile(state)
    resource = state["Resource"]
    resource_type, resource_name = resource_parts(resource)
    credentials = compile_template(state["Credentials"]) if "Credentials" in state else None
    return TaskState(
        **_common(name, state, flow, uses_root(credentials, "context")),
        resource=resource, resource_type=resource_type, resource_name=resource_name,
        callback=resource.endswith(".waitForTaskToken") or is_activity(resource), activity=is_activity(resource),
        timeout_seconds=state.get("TimeoutSeconds"),
        timeout_path=parse_path(state["TimeoutSecondsPath"]) if "TimeoutSecondsPath" in state else None,
        heartbeat_seconds=state.get("HeartbeatSeconds"),
        heartbeat_path=parse_path(state["HeartbeatSecondsPath"]) if "HeartbeatSecondsPath" in state else None,
        credentials=credentials,
    )


def _parallel(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    branches = tuple(scope.child(branch).start for branch in state["Branches"])
    return ParallelState(**_common(name, state, JsonPathFlow.compile(state)), branches=branches)


def _optional_path(state: Mapping[str, Any], key: str) -> Any:
    return parse_path(state[key]) if key in state else None


def _batcher(config: Mapping[str, Any] | None) -> ItemBatcher | None:
    if config is None:
        return None
    batch_input = config.get("BatchInput")
    return ItemBatcher(
        max_items=config.get("MaxItemsPerBatch"), max_items_path=_optional_path(config, "MaxItemsPerBatchPath"),
        max_bytes=config.get("MaxInputBytesPerBatch"),
        max_bytes_path=_optional_path(config, "MaxInputBytesPerBatchPath"),
        batch_input=None if batch_input is None else compile_template(batch_input),
    )


def _map(name: str, state: Mapping[str, Any], scope: ScopeCompiler) -> State:
    processor_def = state.get("ItemProcessor") or state["Iterator"]
    config = processor_def.get("ProcessorConfig") or {}
    selector_def = state.get("ItemSelector", state.get("Parameters", ABSENT))
    selector = None if selector_def is ABSENT else compile_template(selector_def)
    flow = JsonPathFlow.compile(state, parameters_key=None)
    items_path = state.get("ItemsPath")
    paths = {key: _optional_path(state, key) for key in (
        "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath")}
    batcher = _batcher(state.get("ItemBatcher"))
    reader = _item_reader(state.get("ItemReader"))
    writer = _result_writer(state.get("ResultWriter"))
    # Every field that may read $$ counts: the context object is built only for states that read it.
    reads_context = (uses_root(selector, "context") or any(uses_root(p, "context") for p in paths.values())
                     or (items_path is not None and items_path.startswith("$$"))
                     or (batcher is not None and (uses_root(batcher.batch_input, "context")
                                                  or uses_root(batcher.max_items_path, "context")
                                                  or uses_root(batcher.max_bytes_path, "context")))
                     or (reader is not None and (uses_root(reader.parameters, "context")
                                                 or uses_root(reader.max_items_path, "context")))
                     or (writer is not None and uses_root(writer.parameters, "context")))
    return MapState(
        **_common(name, state, flow, reads_context),
        processor=scope.child(processor_def).start,
        distributed=config.get("Mode") == "DISTRIBUTED",
        label=state.get("Label"),
        items_path=None if items_path in (None, "$") else parse_path(items_path),
        item_selector=selector,
        max_concurrency=state.get("MaxConcurrency", 0),
        max_concurrency_path=paths["MaxConcurrencyPath"],
        tolerated_count=state.get("ToleratedFailureCount"),
        tolerated_count_path=paths["ToleratedFailureCountPath"],
        tolerated_percentage=state.get("ToleratedFailurePercentage"),
        tolerated_percentage_path=paths["ToleratedFailurePercentagePath"],
        batcher=batcher,
        item_reader=reader,
        result_writer=writer,
    )


def _result_writer(definition: Mapping[str, Any] | None) -> ResultWriter | None:
    parameters = (definition or {}).get("Parameters")
    return compile_result_writer(definition, None if parameters is None else compile_template(parameters))


def _item_reader(definition: Mapping[str, Any] | None) -> ItemReader | None:
    if definition is None:
        return None
    parameters = definition.get("Parameters")
    return compile_item_reader(definition, None if parameters is None else compile_template(parameters),
                               _optional_path(definition.get("ReaderConfig") or {}, "MaxItemsPath"))


_COMPILERS: dict[str, Callable[[str, Mapping[str, Any], ScopeCompiler], State]] = {
    "Pass": _pass, "Succeed": _succeed, "Fail": _fail, "Choice": _choice, "Wait": _wait,
    "Task": _task, "Parallel": _parallel, "Map": _map,
}


class CompiledScope:
    """A compiled ``{StartAt, States}`` object: its start state and every state by name."""

    __slots__ = ("start", "states")

    def __init__(self, start: State, states: dict[str, State]) -> None:
        self.start = start
        self.states = states


class ScopeCompiler:
    """Compiles one scope and, through :meth:`child`, the scopes nested in it."""

    def __init__(self, query_language: str) -> None:
        self.query_language = query_language

    def child(self, definition: Mapping[str, Any]) -> CompiledScope:
        return ScopeCompiler(definition.get("QueryLanguage", self.query_language)).compile(definition)

    def compile(self, definition: Mapping[str, Any]) -> CompiledScope:
        states = {name: self._state(name, state) for name, state in definition["States"].items()}
        for state in states.values():
            _link(state, states)
        return CompiledScope(states[definition["StartAt"]], states)

    def _state(self, name: str, state: Mapping[str, Any]) -> State:
        language = state.get("QueryLanguage", self.query_language)
        if language == "JSONata":
            # Imported here: jsonata_states imports this module's ScopeCompiler for its types only.
            from statewright.core.model.jsonata_states import COMPILERS
            return COMPILERS[state["Type"]](name, state, self)
        return _COMPILERS[state["Type"]](name, state, self)


def _link(state: State, states: Mapping[str, State]) -> None:
    # The compiled states are frozen; linking happens once, before anyone can see them.
    if state.next is not None:
        object.__setattr__(state, "next_state", states[state.next])
    if state.catchers:
        object.__setattr__(state, "catch_states", tuple(states[c.next] for c in state.catchers))
    if isinstance(state, ChoiceState):
        object.__setattr__(state, "rule_states", tuple(states[rule.next] for rule in state.rules))
        if state.default is not None:
            object.__setattr__(state, "default_state", states[state.default])
