"""The interpreter workloads, as definition + input pairs every engine can run (issues 4 and 5).

W1: a chain of 1,000 Pass states, each with Parameters, one intrinsic and a ResultPath.
W2: a Choice loop of 10,000 iterations (a Pass increments a counter with States.MathAdd, a Choice loops).
W3: an inline Map over 10,000 items (MaxConcurrency 0 and 10), each iteration a Pass with Parameters.
Each workload also says what its output must be, so a wrong engine cannot post a fast time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Workload:
    name: str
    description: str
    definition: dict[str, Any]
    input: Any
    transitions: int  # state transitions one execution makes (states entered)

    def check(self, output: Any) -> None:
        """Raise AssertionError when ``output`` is not what the workload must produce."""
        CHECKS[self.name](self, output)


def pass_chain(states: int = 1000) -> Workload:
    names = [f"P{i:04d}" for i in range(states)]
    body: dict[str, Any] = {}
    for index, name in enumerate(names):
        state: dict[str, Any] = {
            "Type": "Pass",
            "Parameters": {"step": index, "label.$": "States.Format('step-{}', $.counter)", "counter.$": "$.counter"},
            "ResultPath": "$.last",
        }
        if index + 1 < states:
            state["Next"] = names[index + 1]
        else:
            state["End"] = True
        body[name] = state
    definition = {"Comment": f"W1: {states} Pass states", "StartAt": names[0], "States": body}
    return Workload("W1", f"chain of {states} Pass states (Parameters, ResultPath, one intrinsic each)",
                    definition, {"counter": 7}, states)


def choice_loop(iterations: int = 10_000) -> Workload:
    definition = {
        "Comment": f"W2: Choice loop of {iterations} iterations",
        "StartAt": "Increment",
        "States": {
            "Increment": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"},
                          "Next": "Loop"},
            "Loop": {"Type": "Choice",
                     "Choices": [{"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "Increment"}],
                     "Default": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    return Workload("W2", f"Choice loop of {iterations} iterations", definition, {"i": 0, "n": iterations},
                    2 * iterations + 1)


def map_items(items: int = 10_000, max_concurrency: int = 0) -> Workload:
    definition = {
        "Comment": f"W3: inline Map over {items} items, MaxConcurrency {max_concurrency}",
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": max_concurrency,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Shape",
                    "States": {"Shape": {"Type": "Pass", "Parameters": {"id.$": "$.id", "ok": True}, "End": True}},
                },
                "End": True,
            }
        },
    }
    return Workload(f"W3-mc{max_concurrency}", f"inline Map over {items} items, MaxConcurrency {max_concurrency}",
                    definition, {"items": [{"id": i} for i in range(items)]}, items + 1)


def _check_w1(workload: Workload, output: Any) -> None:
    assert output["counter"] == 7 and output["last"]["step"] == workload.transitions - 1, output
    assert output["last"]["label"] == "step-7", output


def _check_w2(workload: Workload, output: Any) -> None:
    assert output == {"i": workload.input["n"], "n": workload.input["n"]}, output


def _check_w3(workload: Workload, output: Any) -> None:
    items = workload.input["items"]
    assert isinstance(output, list) and len(output) == len(items), type(output)
    assert output[0] == {"id": 0, "ok": True} and output[-1] == {"id": len(items) - 1, "ok": True}


CHECKS = {"W1": _check_w1, "W2": _check_w2, "W3-mc0": _check_w3, "W3-mc10": _check_w3}
