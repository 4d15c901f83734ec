"""Execution conformance against the AWS-recorded corpus (../shared/conformance/cases, format in its README).

Two tests per case, so that result and history counts are reported apart (issue 4, *Must show*):

* ``test_shared_result``: status, output, error and cause, compared as JSON values with the case's
  wildcards (``_compare.compare_result``);
* ``test_shared_history``: the ``(event type, state name)`` sequence (``_compare.compare_history``), only
  for cases that recorded a history.

Every case runs and must pass: nothing is skipped or expected to fail. :func:`issue7_reason` (a rule on the
definition alone) still lets report.py count the JSONata and variables cases per area.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.shared import SKIP_REASON, shared_conformance_dir

from _compare import compare_history, compare_result

SHARED = shared_conformance_dir()
ISSUE7 = "issue 7: JSONata/variables"


@dataclass(frozen=True, slots=True)
class SharedCase:
    """One recorded execution: its short id, area and decoded file."""

    id: str
    area: str
    path: Path
    data: dict[str, Any]

    @property
    def has_history(self) -> bool:
        return self.data.get("history") is not None


def short_id(path: Path) -> str:
    """``<area>/<test name and parameters>_<hash>`` from the file name, at most 70 characters."""
    tail = path.stem.split("__")[-1].removeprefix("test_")
    if len(tail) > 60:
        tail = tail[:50] + "~" + tail[-9:]
    return f"{path.parent.name}/{tail}"


def load_shared_cases() -> list[SharedCase]:
    if SHARED is None:
        return []
    cases = []
    for path in sorted((SHARED / "cases").rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        cases.append(SharedCase(short_id(path), data["area"], path, data))
    return cases


def _walk(value: Any) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) pair of a JSON value, depth first; key None for array elements and the root."""
    stack: list[tuple[str | None, Any]] = [(None, value)]
    while stack:
        key, node = stack.pop()
        yield key, node
        if isinstance(node, dict):
            stack.extend(node.items())
        elif isinstance(node, list):
            stack.extend((None, item) for item in node)


def issue7_reason(definition: Any) -> str | None:
    """The xfail reason for a definition that uses JSONata or variables, else None.

    The rule: ``QueryLanguage: JSONata`` anywhere, an ``Assign`` field anywhere, or a string holding
    ``{%`` (a JSONata expression) anywhere in the definition.
    """
    for key, node in _walk(definition):
        if key == "QueryLanguage" and node == "JSONata":
            return ISSUE7
        if key == "Assign":
            return ISSUE7
        if isinstance(node, str) and "{%" in node:
            return ISSUE7
    return None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What running one shared case gave: differences found, or the exception the run raised."""

    result_problems: list[str]
    history_problems: list[str]


@functools.cache
def run_case(path: Path) -> Outcome:
    """Run one case file (once per session: both tests of a case share the run) and compare."""
    import statewright

    case = json.loads(path.read_text(encoding="utf-8"))
    try:
        result = statewright.run(case["definition"], case["input"], virtual_time=True,
                                 workflow_type=case.get("state_machine_type", "STANDARD"))
    except Exception as exc:  # any crash is a conformance failure worth one line
        problem = f"run raised {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return Outcome([problem], [problem])
    result_problems = compare_result(case["expected"], result, case.get("wildcards") or [])
    history_problems: list[str] = []
    if case.get("history") is not None:
        history_problems = compare_history(case["history"], list(result.history or []),
                                           definition=case["definition"], notes=case.get("notes"))
    return Outcome(result_problems, history_problems)


def _params(cases: list[SharedCase], *, history: bool) -> list[Any]:
    params = []
    for case in cases:
        if history and not case.has_history:
            continue  # the recorder kept only input and output: there is no history to compare
        params.append(pytest.param(case.path, id=case.id))
    return params


CASES = load_shared_cases()


@pytest.mark.skipif(SHARED is None, reason=SKIP_REASON)
@pytest.mark.parametrize("path", _params(CASES, history=False))
def test_shared_result(path: Path) -> None:
    problems = run_case(path).result_problems
    assert not problems, "; ".join(problems)


@pytest.mark.skipif(SHARED is None, reason=SKIP_REASON)
@pytest.mark.parametrize("path", _params(CASES, history=True))
def test_shared_history(path: Path) -> None:
    problems = run_case(path).history_problems
    assert not problems, "; ".join(problems)


# ------------------------------------------------------------------ the comparison rules themselves


def _event(id_: int, prev: int, type_: str, name: str | None = None, index: int | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"id": id_, "previousEventId": prev, "type": type_}
    if name is not None:
        event["stateEnteredEventDetails" if type_.endswith("Entered") else "stateExitedEventDetails"] = {"name": name}
    if index is not None:
        event["mapIterationStartedEventDetails"] = {"index": index, "name": "M"}
    return event


MAP_DEFINITION = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
    "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}


def _map_history(order: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """A two-item Map history; ``order`` lists (iteration, step) with steps start/enter/exit/done."""
    events = [_event(1, 0, "ExecutionStarted"), _event(2, 0, "MapStateEntered", "M"), _event(3, 2, "MapStateStarted")]
    last = {0: 3, 1: 3}
    kinds = {"start": ("MapIterationStarted", None), "enter": ("PassStateEntered", "P"),
             "exit": ("PassStateExited", "P"), "done": ("MapIterationSucceeded", None)}
    for iteration, step in order:
        type_, name = kinds[step]
        index = iteration if type_.startswith("MapIteration") else None
        events.append(_event(len(events) + 1, last[iteration], type_, name, index))
        last[iteration] = len(events)
    n = len(events)
    events += [_event(n + 1, n, "MapStateSucceeded"), _event(n + 2, n, "MapStateExited", "M"),
               _event(n + 3, n + 2, "ExecutionSucceeded")]
    return events


STEPS = ["start", "enter", "exit", "done"]
SEQUENTIAL = [(0, step) for step in STEPS] + [(1, step) for step in STEPS]


def test_json_equality_numbers_and_booleans() -> None:
    from _compare import json_equal

    assert json_equal(1, 1.0) and json_equal({"a": [1.0]}, {"a": [1]})
    assert not json_equal(True, 1) and not json_equal(0, False) and not json_equal(None, {})
    assert json_equal({"id": "<uuid:1>", "n": ["<uuid:1>"]}, {"id": "x", "n": [{"any": 1}]}, ["<uuid:1>"])
    assert not json_equal({"a": 1}, {"a": 1, "b": 2})


def test_interleaved_map_iterations_agree_with_a_sequential_recording() -> None:
    interleaved = [(0, "start"), (1, "start"), (1, "enter"), (0, "enter"), (0, "exit"), (1, "exit"), (1, "done"),
                   (0, "done")]
    assert compare_history(_map_history(SEQUENTIAL), _map_history(interleaved), definition=MAP_DEFINITION) == []


def test_order_inside_one_iteration_is_checked() -> None:
    broken = [(0, "start"), (0, "exit"), (0, "enter"), (0, "done")] + [(1, step) for step in STEPS]
    assert compare_history(_map_history(SEQUENTIAL), _map_history(broken), definition=MAP_DEFINITION)


def test_without_concurrency_the_order_is_exact() -> None:
    recorded = [_event(1, 0, "ExecutionStarted"), _event(2, 1, "PassStateEntered", "A"),
                _event(3, 2, "PassStateExited", "A"), _event(4, 3, "ExecutionSucceeded")]
    swapped = [recorded[0], recorded[2], recorded[1], recorded[3]]
    assert compare_history(recorded, swapped, definition={"StartAt": "A", "States": {}})


def test_recorder_masked_parallel_events() -> None:
    recorded = [_event(1, 0, "ExecutionStarted"), _event(2, 0, "ParallelStateEntered", "P"),
                _event(3, 2, "ParallelStateStarted"),
                {**_event(0, 0, "PassStateEntered", "B"), "id": [0]},
                {**_event(0, 0, "PassStateExited", "B"), "id": [0]},
                _event(7, 5, "ParallelStateExited", "P"), _event(8, 7, "ExecutionSucceeded")]
    actual = [_event(1, 0, "ExecutionStarted"), _event(2, 0, "ParallelStateEntered", "P"),
              _event(3, 2, "ParallelStateStarted"), _event(4, 3, "PassStateEntered", "B"),
              _event(5, 4, "PassStateExited", "B"), _event(6, 5, "ParallelStateSucceeded"),
              _event(7, 5, "ParallelStateExited", "P"), _event(8, 7, "ExecutionSucceeded")]
    notes = ["events inside Parallel states were re-ordered and their ids zeroed by the recorder"]
    assert compare_history(recorded, actual, notes=notes) == []
    assert compare_history(recorded, actual[:4] + actual[5:], notes=notes)
    # The links the recorder kept are compared too: an exit linked to the wrong event, a success moved.
    assert compare_history(recorded, [*actual[:6], _event(7, 6, "ParallelStateExited", "P"), *actual[7:]], notes=notes)
    assert compare_history(recorded, [*actual[:3], actual[5], actual[3], actual[4], *actual[6:]], notes=notes)
