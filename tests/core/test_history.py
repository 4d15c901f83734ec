"""``History``: an execution's events kept as rows, read as a sequence of the same HistoryEvent objects."""

from __future__ import annotations

import pytest

from statewright.core.events import ENTERED, EXITED, ROW, History, HistoryEvent, lazy_event


def recorded() -> History:
    history = History()
    history.add(0, "ExecutionStarted", 1.0, {"input": {"a": 1}, "roleArn": "r"})
    history.rows += (1, "PassStateEntered", 1.0, ENTERED, "P", {"a": 1})  # what the hot paths do
    history.rows += (2, "PassStateExited", 2.0, EXITED, "P", {"b": 2})
    assert history.add(3, "ExecutionSucceeded", 2.0, {"output": {"b": 2}}) == 4
    return history


def test_rows_read_as_the_events_they_record() -> None:
    history = recorded()
    assert len(history) == 4 and len(history.rows) == 4 * ROW
    assert history[1] == HistoryEvent(2, 1, "PassStateEntered", 1.0, {"name": "P", "input": {"a": 1}})
    assert history[-2] == lazy_event(3, 2, "PassStateExited", 2.0, EXITED, "P", {"b": 2})
    assert [event.id for event in history] == [1, 2, 3, 4]
    assert [event.type for event in history[2:]] == ["PassStateExited", "ExecutionSucceeded"]
    assert history == list(history) and history == tuple(history)
    assert history != [*history, history[0]]
    assert "PassStateEntered" in repr(history)


def test_an_event_is_made_once_and_its_details_built_once() -> None:
    history = recorded()
    first = history[1]
    assert history[1] is first and first.details is first.details
    history.rows += (4, "WaitStateEntered", 3.0, ENTERED, "W", {"b": 2})  # recorded after a read
    assert history[-1].type == "WaitStateEntered" and history[1] is first


def test_append_takes_only_the_next_id() -> None:
    history = History([HistoryEvent(1, 0, "ExecutionStarted", 1.0, {"input": {}})])
    history.append(HistoryEvent(2, 1, "ExecutionSucceeded", 1.0, {"output": {}}))
    with pytest.raises(ValueError, match="event 4 cannot follow event 2"):
        history.append(HistoryEvent(4, 2, "ExecutionFailed", 1.0, None))
    assert [event.id for event in history] == [1, 2]
