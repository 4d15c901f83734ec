"""Events made by ``lazy_event`` are the events ``HistoryEvent(...)`` makes, details built on first read.

Also: the small-value shortcut of ``check_size`` and the ``$.name`` shortcut of payload templates decide
what the general code decides.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from statewright.core import dataflow
from statewright.core.dataflow import MAX_PAYLOAD_BYTES, check_assigned, check_size, compile_template
from statewright.core.errors import StatesError
from statewright.core.events import (
    ENTERED,
    EXECUTION_STARTED,
    EXECUTION_SUCCEEDED,
    EXITED,
    HistoryEvent,
    lazy_event,
)
from statewright.core.history import render_event
from statewright.core.intrinsics import parse_intrinsic
from tests.core.engine.driver import START, run

DATA = {"order": 1, "label": "order-1", "nested": {"a": [1, 2]}}


@pytest.mark.parametrize(("kind", "name", "details"), [
    (ENTERED, "Prepare", {"name": "Prepare", "input": DATA}),
    (EXITED, "Prepare", {"name": "Prepare", "output": DATA}),
    (EXECUTION_STARTED, "arn:aws:iam::1:role/r", {"input": DATA, "roleArn": "arn:aws:iam::1:role/r"}),
    (EXECUTION_SUCCEEDED, None, {"output": DATA}),
])
def test_a_lazy_event_is_the_event_with_its_details(kind, name, details) -> None:
    lazy = lazy_event(3, 2, "PassStateEntered", START, kind, name, DATA)
    eager = HistoryEvent(3, 2, "PassStateEntered", START, details)
    assert lazy == eager
    assert (lazy != eager) is False
    assert repr(lazy) == repr(eager)
    assert render_event(lazy) == render_event(eager) == eager.to_aws()
    assert list(lazy.details) == list(details)  # the same key order: the same rendered JSON
    assert lazy.details is lazy.details  # built once
    assert (lazy.id, lazy.previous_event_id, lazy.type, lazy.timestamp) == (3, 2, "PassStateEntered", START)
    assert copy.copy(lazy) == eager and pickle.loads(pickle.dumps(lazy)) == eager
    match lazy:
        case HistoryEvent(event_id, previous, event_type, _, seen):
            assert (event_id, previous, event_type, seen) == (3, 2, "PassStateEntered", details)
    with pytest.raises(TypeError):
        hash(lazy)  # details hold a dict, as before


def test_plain_events_are_unchanged() -> None:
    event = HistoryEvent(1, 0, "ExecutionFailed", START, {"error": "E", "cause": None})
    assert event.details == {"error": "E", "cause": None}
    assert HistoryEvent(2, 1, "X", START).details is None
    assert hash(HistoryEvent(2, 1, "X", START)) == hash(HistoryEvent(2, 1, "X", START))
    assert event != (1, 0, "ExecutionFailed", START, {"error": "E", "cause": None})


def test_a_recorded_history_renders_as_before() -> None:
    definition = {"StartAt": "Prepare", "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"order.$": "$.order"}, "Next": "Hold"},
        "Hold": {"Type": "Wait", "Seconds": 1, "Next": "Pick"},
        "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.order", "NumericEquals": 1, "Next": "Ship"}],
                 "Default": "Done"},
        "Ship": {"Type": "Pass", "Result": True, "ResultPath": "$.shipped", "Assign": {"n": 1}, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    }}
    history = run(definition, {"order": 1, "x": "é"}).execution.history
    rendered = [event.to_aws() for event in history]
    assert rendered[0]["executionStartedEventDetails"] == {
        "input": '{"order":1,"x":"é"}', "inputDetails": {"truncated": False},
        "roleArn": "arn:aws:iam::123456789012:role/statewright"}
    assert rendered[1]["stateEnteredEventDetails"] == {
        "name": "Prepare", "input": '{"order":1,"x":"é"}', "inputDetails": {"truncated": False}}
    assert rendered[-4]["stateExitedEventDetails"] == {
        "name": "Ship", "output": '{"order":1,"shipped":true}', "outputDetails": {"truncated": False},
        "assignedVariables": {"n": "1"}, "assignedVariablesDetails": {"truncated": False}}
    assert rendered[-1]["executionSucceededEventDetails"] == {
        "output": '{"order":1,"shipped":true}', "outputDetails": {"truncated": False}}
    assert [event.previous_event_id for event in history] == [0, 0, *range(2, len(history))]


@pytest.mark.parametrize("value", [
    None, 1, 1.5, True, "x" * 10, "x" * 70_000, {"a": 1, "b": None, "c": "x" * 1023},
    {"a": "x" * 300_000}, {str(i): i for i in range(17)}, {"a": {"b": "x" * 300_000}},
    ["x" * 300_000], "é" * 140_000, {"a": 2 ** 80},
])
def test_check_size_decides_what_measuring_decides(value) -> None:
    from statewright.core.history import json_text

    too_big = len(json_text(value).encode("utf-8")) > MAX_PAYLOAD_BYTES
    if too_big:
        with pytest.raises(StatesError):
            check_size(value, "what")
    else:
        check_size(value, "what")
    if isinstance(value, dict):
        if too_big:
            with pytest.raises(StatesError):
                check_assigned(value)
        else:
            assert check_assigned(value) is value


def outcome_of(template, document) -> tuple:
    """("ok", value) or (error, cause): what evaluating ``template`` over ``document`` gives."""
    try:
        return "ok", template.evaluate(document)
    except StatesError as error:
        return error.error, error.cause


@pytest.mark.parametrize("document", [{"order": 7}, {"other": 1}, [1, 2], "text", None, {"order": None}])
def test_a_one_name_path_reads_what_the_general_path_reads(document) -> None:
    quick = compile_template({"v.$": "$.order"})
    key, kind, path, field = quick.entries[0]
    assert kind == dataflow._INPUT_KEY
    general = dataclasses.replace(quick, entries=((key, dataflow._INPUT_PATH, path, field),))
    outcomes = [outcome_of(template, document) for template in (quick, general)]
    assert outcomes[0] == outcomes[1]
    if isinstance(document, dict) and "order" in document:
        assert outcomes[0] == ("ok", {"v": document["order"]})
    else:
        assert outcomes[0][0] == "States.Runtime"


@pytest.mark.parametrize("document", [
    {"order": 7}, {"order": "x"}, {"order": True}, {"order": 1.5}, {"order": None}, {"order": {"a": [1, 2]}},
    {"order": [1, "b"]}, {"order": 10 ** 20}, {"other": 1}, [1, 2], "text", None,
])
@pytest.mark.parametrize("text", ["States.Format('order-{}', $.order)", "States.Format('{}', $.order)",
                                  "States.Format('a\\{}b {} c', $.order)"])  # an escaped \\{} is text
def test_a_one_value_format_reads_what_the_intrinsic_call_reads(document, text) -> None:
    quick = compile_template({"label.$": text})
    key, kind, _, field = quick.entries[0]
    assert kind == dataflow._FORMAT_KEY
    general = dataclasses.replace(quick, entries=((key, dataflow._INTRINSIC, parse_intrinsic(text), field),))
    outcomes = [outcome_of(template, document) for template in (quick, general)]
    assert outcomes[0] == outcomes[1]
    if isinstance(document, dict) and "order" in document:
        assert outcomes[0][0] == "ok"
    else:
        assert outcomes[0][0] == "States.Runtime"


@pytest.mark.parametrize("text", ["States.Format('{} {}', $.a, $.b)", "States.Format($.t, $.a)",
                                  "States.Format('{}', $$.Execution.Name)", "States.Format('{}', $.a.b)",
                                  "States.Format('{}', $.a[0])", "States.Format('{}', 'x')"])
def test_other_format_calls_stay_intrinsic_calls(text) -> None:
    assert compile_template({"v.$": text}).entries[0][1] == dataflow._INTRINSIC
