"""TestState: run one state on one input (``server/teststate.py`` runs it), with an optional mocked result.

The definition is one state (``{"Type": ...}``), or a whole machine with ``stateName`` naming the state to
test (searched in nested scopes too). A Task without a mock calls its resource through the server's
resource registry (``--resources``); callbacks, ``.sync`` and activities need a mock, as on AWS. Map and
Parallel states are tested with a mock only: the mock stands for their branches' result, and the rest of
their data flow (InputPath, Parameters, ResultSelector, ResultPath, OutputPath, Retry, Catch, Assign)
runs as it would.
"""

from __future__ import annotations

from typing import Any

import orjson

from statewright.core.errors import ErrorName
from statewright.runtime.resources import Invocation, error_of
from statewright.server.actions.executions import parse_input
from statewright.server.context import ServerContext, check_definition, invalid_definition
from statewright.server.protocol import ApiError, Params, operation, validation
from statewright.server.shapes import json_text
from statewright.server.teststate import Mock, StateRun, TaskCallFailed, execution_info, harness

_LEVELS = ("INFO", "DEBUG", "TRACE")
_MOCKABLE = ("Task", "Map", "Parallel")
# Not an arn:aws:states::: resource, which lint checks against AWS's integrations: the mock answers it.
_MOCK_RESOURCE = "statewright:testStateMock"
# Fields a mocked Map or Parallel state keeps when it is tested as a Task standing for it.
_KEPT = ("Comment", "QueryLanguage", "InputPath", "OutputPath", "ResultPath", "ResultSelector", "Retry", "Catch",
         "Next", "End", "Assign", "Output")


def _json(text: str | None, member: str) -> Any:
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise validation(f"Value at '{member}' is not valid JSON: {error}") from None


def _find(scope: dict[str, Any], name: str, language: str | None) -> tuple[dict[str, Any], str | None] | None:
    """The state called ``name`` in ``scope`` or any scope nested in it, with its scope's query language."""
    language = scope.get("QueryLanguage", language)
    states = scope.get("States")
    if not isinstance(states, dict):
        return None
    if isinstance(states.get(name), dict):
        return states[name], language
    for state in states.values():
        if not isinstance(state, dict):
            continue
        nested = [*(state.get("Branches") or []), state.get("ItemProcessor"), state.get("Iterator")]
        for child in nested:
            if isinstance(child, dict):
                found = _find(child, name, language)
                if found is not None:
                    return found
    return None


def _state_under_test(definition: Any, state_name: str | None) -> tuple[str, dict[str, Any], str | None]:
    """(name, state, query language of its scope) from the request's definition and stateName."""
    if not isinstance(definition, dict):
        raise invalid_definition("the definition must be a JSON object: one state, or a state machine")
    if state_name is not None:
        found = _find(definition, state_name, None)
        if found is None:
            raise validation(f"The state '{state_name}' is not in the state machine definition")
        return state_name, found[0], found[1]
    if "Type" in definition:
        return "TestState", definition, None
    start = definition.get("StartAt")
    if isinstance(start, str) and isinstance(definition.get("States"), dict) and start in definition["States"]:
        # A whole machine without stateName: its StartAt state (AWS asks for stateName; we are lenient).
        return start, definition["States"][start], definition.get("QueryLanguage")
    raise invalid_definition("the definition must be one state (with a Type), or a state machine with stateName")


def _mock(params: Params, state_type: str) -> Mock | None:
    body = params.dict("mock")
    if body is None:
        return None
    if state_type not in _MOCKABLE:
        raise validation(f"A mock can only be given for Task, Map or Parallel states, not a {state_type} state")
    mode = body.get("fieldValidationMode")
    if mode is not None and mode not in ("STRICT", "PRESENT", "NONE"):
        raise validation(f"1 validation error detected: Value '{mode}' at 'mock.fieldValidationMode' failed to "
                         "satisfy constraint: Member must satisfy enum value set: [STRICT, PRESENT, NONE]")
    result, failure = body.get("result"), body.get("errorOutput")
    if (result is None) == (failure is None):
        raise validation("A mock must give exactly one of result and errorOutput")
    if failure is not None:
        if not isinstance(failure, dict) or not isinstance(failure.get("error"), str):
            raise validation("mock.errorOutput.error is required when mock.errorOutput is given")
        cause = failure.get("cause")
        return Mock(error=failure["error"], cause=cause if isinstance(cause, str) else None)
    if not isinstance(result, str):
        raise validation("Value at 'mock.result' must be a string")
    return Mock(result=_json(result, "mock.result"))


def _runnable(name: str, state: dict[str, Any], mock: Mock | None) -> dict[str, Any]:
    """The state as it runs: a mocked Map or Parallel becomes a Task with its data flow."""
    kind = state.get("Type")
    if kind in ("Map", "Parallel"):
        if mock is None:
            raise validation(f"TestState runs a {kind} state only with a mock of its result")
        kept = {key: value for key, value in state.items() if key in _KEPT}
        if kind == "Parallel":
            kept.update({key: state[key] for key in ("Parameters", "Arguments") if key in state})
        return {**kept, "Type": "Task", "Resource": _MOCK_RESOURCE}
    if kind == "Task" and mock is None:
        resource = state.get("Resource")
        if isinstance(resource, str) and (resource.endswith((".sync", ".sync:2", ".waitForTaskToken"))
                                          or ":activity:" in resource):
            raise validation(f"TestState calls '{resource}' only with a mock: it waits for a job or a callback")
    return state


@operation("TestState")
async def run_test_state(context: ServerContext, params: Params) -> dict[str, Any]:
    text = params.required_str("definition", max_length=1_048_576)
    role = params.str("roleArn", max_length=256)
    if role is not None and not role.startswith("arn:"):
        raise ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {role}'")
    level = params.str("inspectionLevel", default="INFO")
    if level not in _LEVELS:
        raise validation(f"1 validation error detected: Value '{level}' at 'inspectionLevel' failed to satisfy "
                         f"constraint: Member must satisfy enum value set: [{', '.join(_LEVELS)}]")
    params.bool("revealSecrets", False)  # nothing is hidden from a local server's caller
    state_name = params.str("stateName", max_length=80)
    try:
        definition = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise invalid_definition(f"the definition is not JSON: {error}") from None
    name, state, language = _state_under_test(definition, state_name)
    mock = _mock(params, str(state.get("Type")))
    raw_context = params.str("context")
    if raw_context is not None and mock is None:
        raise validation("context can only be given together with a mock")
    value = parse_input(params.str("input"))
    variables = _json(params.str("variables"), "variables")
    if variables is not None and not isinstance(variables, dict):
        raise validation("Value at 'variables' must be a JSON object of variable names to values")
    configuration = params.dict("stateConfiguration") or {}
    retries = configuration.get("retrierRetryCount", 0)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise validation("Value at 'stateConfiguration.retrierRetryCount' must be an integer of at least 0")
    machine = harness(name, _runnable(name, state, mock), language, variables)
    loaded = check_definition(orjson.dumps(machine).decode(), "STANDARD")
    info = execution_info(_json(raw_context, "context"), role)
    call = _caller(context, loaded.definition, info.execution_arn)
    run = StateRun(loaded.compiled, name, value, variables=variables, mock=mock, retry_count=retries, info=info,
                   call=call, now=context.clock.now())
    return _response(await run.run(), level)


def _caller(context: ServerContext, definition: dict[str, Any], execution_arn: str) -> Any:
    """Calls a task's resource through the server's registry (the same handlers executions use)."""
    # The per-definition registry the engine's own task runner uses: resource map, HTTP tasks, connections.

    async def call(invoke: Any) -> Any:
        registry = context.engine.registry_for(definition)
        invocation = Invocation(invoke.resource, invoke.payload, invoke.state, 0, None, execution_arn, invoke.seq,
                                invoke.credentials, invoke.timeout_seconds)
        try:
            return await registry.resolve(invocation)(invocation)
        except Exception as exc:  # the task failed: Retry and Catch see it, as in an execution
            error, cause = error_of(exc)
            raise TaskCallFailed(error or ErrorName.TASK_FAILED.value, cause) from None

    return call


def _response(outcome: Any, level: str) -> dict[str, Any]:
    response: dict[str, Any] = {"status": outcome.status}
    if outcome.has_output:
        response["output"] = json_text(outcome.output)
    for key, value in (("error", outcome.error), ("cause", outcome.cause), ("nextState", outcome.next_state)):
        if value is not None:
            response[key] = value
    inspection: dict[str, Any] = {}
    if level != "INFO":
        inspection = {key: json_text(value) for key, value in outcome.inspection.items()}
    if outcome.error_details:
        inspection["errorDetails"] = outcome.error_details
    if inspection:
        response["inspectionData"] = inspection
    return response
