"""The durable engine runs every conformance case as the in-memory engine does, and leaves nothing behind.

Every AWS-recorded case (../shared/conformance) and every own case (conformance-tests/cases) runs on a
DurableEngine over a real store, all executions of a corpus in flight together, and is compared with
``statewright.run`` of the same definition and input: status, error, cause and the history's shape (each
event's type, id and previous event) must be equal, and the output too wherever two in-memory runs agree on
it (cases that draw random numbers or read their execution's generated name or times are left out). Once
all have ended, the store holds no timer and no open task: an ended execution waits for nothing.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import statewright
from statewright.runtime.durable import DurableEngine
from tests.shared import SKIP_REASON, shared_conformance_dir

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "conformance-tests"))
from test_execution_cases import load_own_tests, make_resource  # noqa: E402


class Case:
    """One execution to compare: a loaded machine, its input and (for own cases) its resources."""

    def __init__(self, name: str, machine: Any, input: Any, resources: dict[str, Callable[..., Any]] | None = None,
                 virtual_time: bool = True) -> None:
        self.name, self.machine, self.input, self.resources, self.virtual_time = (
            name, machine, input, resources, virtual_time)


def shared_cases() -> list[Case]:
    folder = shared_conformance_dir()
    if folder is None:
        pytest.skip(SKIP_REASON)
    cases = []
    for path in sorted((folder / "cases").rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        machine = statewright.load(data["definition"], workflow_type=data.get("state_machine_type", "STANDARD"))
        cases.append(Case(path.stem, machine, data["input"]))
    return cases


def own_cases() -> list[Case]:
    cases = []
    for own in load_own_tests():
        source = own.case["definition"] if "definition" in own.case else own.case["definition_yaml"]
        try:
            machine = statewright.load(source)
        except statewright.DefinitionError:
            continue  # a case about a definition that does not load: nothing runs
        cases.append(Case(own.id, machine, own.test.get("input", {}), own.case.get("resources"),
                          own.case.get("virtual_time", True)))
    return cases


async def in_memory(cases: list[Case]) -> list[Any]:
    """``statewright.Engine.execute`` of every case, all in flight together (a few cases wait in real time)."""
    async def one(case: Case) -> Any:
        resources = {name: make_resource(spec) for name, spec in (case.resources or {}).items()}
        try:
            return await statewright.Engine().execute(case.machine, case.input, resources=resources,
                                                      virtual_time=case.virtual_time)
        except Exception as error:  # compared with what the durable engine raises
            return error

    return list(await asyncio.gather(*(one(case) for case in cases)))


async def durable(cases: list[Case], url: str) -> list[Any]:
    """Cases without resources share one engine; each case with resources (they count their calls per
    execution) or in real time gets an engine of its own, on a store of its own where the store is a SQLite
    file (one process owns a file), and on the same PostgreSQL schema otherwise (engines share it as nodes do)."""
    async def one(engine: DurableEngine, case: Case) -> Any:
        try:
            return await engine.execute(case.machine, case.input)
        except Exception as error:
            return error

    async def alone(index: int, case: Case) -> Any:
        resources = {name: make_resource(spec) for name, spec in (case.resources or {}).items()}
        own_url = url if "://" in url else f"{url}.{index}"
        async with DurableEngine(own_url, resources, virtual_time=case.virtual_time) as engine:
            result = await one(engine, case)
            assert not await leftovers(engine), case.name
            return result

    plain = [index for index, case in enumerate(cases) if not case.resources and case.virtual_time]
    others = [index for index in range(len(cases)) if index not in set(plain)]
    results: list[Any] = [None] * len(cases)
    async with DurableEngine(url, {}, virtual_time=True) as engine:
        for index, result in zip(plain, await asyncio.gather(*(one(engine, cases[i]) for i in plain)), strict=True):
            results[index] = result
        assert not await leftovers(engine)
    for index, result in zip(others, await asyncio.gather(*(alone(i, cases[i]) for i in others)), strict=True):
        results[index] = result
    return results


async def leftovers(engine: DurableEngine) -> list[Any]:
    """Timers and open tasks still in the store (none, once every execution has ended)."""
    return [*await engine.store.due_timers(None, math.inf, 100), *await engine.store.open_tasks(None, 100)]


# What makes an output differ from run to run: random draws, generated names, the context object (times).
_VARYING = ("MathRandom", "UUID", "$$", "$states.context")


def deterministic(case: Case) -> bool:
    text = json.dumps(case.machine.definition)
    return not any(word in text for word in _VARYING)


def shape(result: Any) -> Any:
    if isinstance(result, Exception):
        return type(result).__name__
    history = [(event["type"], event["id"], event.get("previousEventId")) for event in result.history]
    return result.status, result.error, result.cause, history


def compare(cases: list[Case], url: str) -> None:
    first = asyncio.run(in_memory(cases))
    second = asyncio.run(in_memory(cases))
    ours = asyncio.run(durable(cases, url))
    problems = []
    for case, expected, again, got in zip(cases, first, second, ours, strict=True):
        if shape(got) != shape(expected):
            problems.append(f"{case.name}: durable {str(shape(got))[:300]}\n  in memory {str(shape(expected))[:300]}")
        elif (not isinstance(expected, Exception) and deterministic(case) and expected.output == again.output
              and got.output != expected.output):
            problems.append(f"{case.name}: durable output {got.output!r:.200}, in memory {expected.output!r:.200}")
    assert not problems, f"{len(problems)} of {len(cases)} differ:\n" + "\n".join(problems[:10])


def test_every_aws_recorded_case_runs_durably_as_in_memory(store_url: str) -> None:
    cases = shared_cases()
    assert len(cases) > 500
    compare(cases, store_url)


def test_every_own_case_runs_durably_as_in_memory(store_url: str) -> None:
    cases = own_cases()
    assert len(cases) > 400
    compare(cases, store_url)
