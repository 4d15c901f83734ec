"""The interpreter workloads, as definition + input pairs every engine can run (issues 4 and 5).

W1: a chain of 1,000 Pass states, each with Parameters, one intrinsic and a ResultPath.
W2: a Choice loop of 10,000 iterations (a Pass increments a counter with States.MathAdd, a Choice loops).
W3: an inline Map over 10,000 items (MaxConcurrency 0 and 10), each iteration a Pass with Parameters.
W4: 1,000 executions of a 5-state machine (Pass, Wait 1 s, Choice, Pass, Succeed) started together; engines
    with a virtual clock or a wait override skip the second (the variant W4-10k parks 10,000 at once).
W5: a Parallel of 50 branches of 20 Pass states each.
Each workload also says what its output must be, so a wrong engine cannot post a fast time. A workload with
``executions > 1`` has a list of inputs, one per execution, and its output is the list of their outputs.
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
    transitions: int  # state transitions the workload makes (states entered, over all its executions)
    executions: int = 1
    wait_states: tuple[str, ...] = ()  # Wait states an engine may shorten with its virtual clock or override

    def check(self, output: Any) -> None:
        """Raise AssertionError when ``output`` is not what the workload must produce."""
        CHECKS[self.name.split("-")[0]](self, output)

    def to_json(self) -> dict[str, Any]:
        """The file every engine's runner reads (see ``benchmarks/runners/``)."""
        return {"name": self.name, "definition": self.definition, "input": self.input,
                "executions": self.executions, "wait_states": list(self.wait_states),
                "transitions": self.transitions}


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


def many_executions(executions: int = 1000, name: str = "W4") -> Workload:
    definition = {
        "Comment": "W4: a 5-state machine, run by many executions at once",
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass",
                        "Parameters": {"order.$": "$.order", "label.$": "States.Format('order-{}', $.order)"},
                        "Next": "Park"},
            "Park": {"Type": "Wait", "Seconds": 1, "Next": "Route"},
            "Route": {"Type": "Choice",
                      "Choices": [{"Variable": "$.order", "NumericGreaterThanEquals": 0, "Next": "Ship"}],
                      "Default": "Done"},
            "Ship": {"Type": "Pass", "Result": True, "ResultPath": "$.shipped", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    return Workload(name, f"{executions:,} executions of a 5-state machine in flight together", definition,
                    [{"order": index} for index in range(executions)], 5 * executions, executions, ("Park",))


def parallel_branches(branches: int = 50, states: int = 20) -> Workload:
    def branch(number: int) -> dict[str, Any]:
        names = [f"B{number:02d}S{index:02d}" for index in range(states)]
        body: dict[str, Any] = {}
        for index, name in enumerate(names):
            state: dict[str, Any] = {"Type": "Pass", "Parameters": {"branch": number, "step": index},
                                     "ResultPath": "$.last"}
            state.update({"Next": names[index + 1]} if index + 1 < states else {"End": True})
            body[name] = state
        return {"StartAt": names[0], "States": body}

    definition = {
        "Comment": f"W5: Parallel of {branches} branches x {states} states",
        "StartAt": "Fan",
        "States": {"Fan": {"Type": "Parallel", "Branches": [branch(b) for b in range(branches)], "End": True}},
    }
    return Workload("W5", f"Parallel of {branches} branches x {states} Pass states", definition, {"value": 3},
                    1 + branches * states)


def all_workloads(scale: float = 1.0) -> list[Workload]:
    """W1-W5 at their issue sizes (``scale`` < 1 shrinks them, for smoke tests)."""

    def size(n: int) -> int:
        return max(2, int(n * scale))

    return [pass_chain(size(1000)), choice_loop(size(10_000)), map_items(size(10_000), 0),
            map_items(size(10_000), 10), many_executions(size(1000)), parallel_branches(size(50), size(20))]


def _check_w1(workload: Workload, output: Any) -> None:
    assert output["counter"] == 7 and output["last"]["step"] == workload.transitions - 1, output
    assert output["last"]["label"] == "step-7", output


def _check_w2(workload: Workload, output: Any) -> None:
    assert output == {"i": workload.input["n"], "n": workload.input["n"]}, output


def _check_w3(workload: Workload, output: Any) -> None:
    items = workload.input["items"]
    assert isinstance(output, list) and len(output) == len(items), type(output)
    assert output[0] == {"id": 0, "ok": True} and output[-1] == {"id": len(items) - 1, "ok": True}


def _check_w4(workload: Workload, output: Any) -> None:
    assert isinstance(output, list) and len(output) == workload.executions, type(output)
    for given, got in zip(workload.input, output, strict=True):
        order = given["order"]
        assert got == {"order": order, "label": f"order-{order}", "shipped": True}, got


def _check_w5(workload: Workload, output: Any) -> None:
    branches = workload.definition["States"]["Fan"]["Branches"]
    assert isinstance(output, list) and len(output) == len(branches), type(output)
    last = len(branches[0]["States"]) - 1
    for number, got in enumerate(output):
        assert got == {"value": 3, "last": {"branch": number, "step": last}}, got


CHECKS = {"W1": _check_w1, "W2": _check_w2, "W3": _check_w3, "W4": _check_w4, "W5": _check_w5}
