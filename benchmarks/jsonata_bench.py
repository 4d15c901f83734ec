"""JSONata against JSONPath on the 1,000-state Pass chain, in one run (issue 7, "Must show").

Usage::

    python benchmarks/jsonata_bench.py [--states N] [--repeat R]

The JSONPath form is :func:`benchmarks.workloads.pass_chain` as it is (Parameters with one intrinsic,
ResultPath). The JSONata form computes the same output with an ``Output`` template
(three expressions, one a concatenation) and also sets a variable with ``Assign`` (one more expression per
state), so it does at least the work of its twin. Both run through the public API: ``statewright.load(defn)`` then
``await machine.execute(input, virtual_time=True)``; the best of ``--repeat`` runs is reported as
transitions per second (one state = one transition). It also checks that the two outputs agree and that
no expression is compiled while the executions run (compiled once per definition).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import statewright
from benchmarks.workloads import pass_chain
from statewright.core.jsonata import engine


def jsonata_chain(states: int) -> dict[str, Any]:
    """The JSONata twin of ``pass_chain``: same output (Output templates), plus an Assign per state."""
    names = [f"P{i:04d}" for i in range(states)]
    body: dict[str, Any] = {}
    for index, name in enumerate(names):
        state: dict[str, Any] = {
            "Type": "Pass",
            "Output": {
                "counter": "{% $states.input.counter %}",
                "last": {"step": index, "label": "{% 'step-' & $states.input.counter %}",
                         "counter": "{% $states.input.counter %}"},
            },
            "Assign": {"lastCounter": "{% $states.input.counter %}"},
        }
        if index + 1 < states:
            state["Next"] = names[index + 1]
        else:
            state["End"] = True
        body[name] = state
    return {"Comment": f"{states} JSONata Pass states", "QueryLanguage": "JSONata", "StartAt": names[0],
            "States": body}


async def _best(definition: dict[str, Any], payload: Any, repeat: int) -> tuple[float, Any]:
    machine = statewright.load(definition)
    best = float("inf")
    output: Any = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = await machine.execute(payload, virtual_time=True)
        best = min(best, time.perf_counter() - started)
        output = result.output
    return best, output


def _compiles() -> int:
    return int(engine.compile_expression.cache_info().misses)


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--states", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    workload = pass_chain(args.states)
    jsonpath_seconds, jsonpath_output = await _best(workload.definition, workload.input, args.repeat)
    definition = jsonata_chain(args.states)
    machine = statewright.load(definition)
    await machine.execute(workload.input, virtual_time=True)  # the machine is compiled by now
    before = _compiles()
    for _ in range(3):
        await machine.execute(workload.input, virtual_time=True)
    compiled_during_runs = _compiles() - before
    jsonata_seconds, jsonata_output = await _best(definition, workload.input, args.repeat)
    jsonpath_rate = args.states / jsonpath_seconds
    jsonata_rate = args.states / jsonata_seconds
    print(f"JSONPath Pass chain : {jsonpath_rate:10.0f} transitions/s ({jsonpath_seconds * 1000:.1f} ms)")
    print(f"JSONata  Pass chain : {jsonata_rate:10.0f} transitions/s ({jsonata_seconds * 1000:.1f} ms)")
    print(f"ratio JSONata/JSONPath: {jsonata_rate / jsonpath_rate:.2f} (target >= 0.50)")
    print(f"expressions compiled while executing: {compiled_during_runs} (must be 0)")
    same = jsonata_output == jsonpath_output
    print(f"outputs agree: {same}")
    return 0 if same and compiled_during_runs == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
