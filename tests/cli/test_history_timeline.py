"""`statewright history`'s timeline over a real engine's history: Map iterations are named by their index."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import statewright
from statewright.cli.people.common import Output
from statewright.cli.people.history import Timeline

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
NESTED = {"StartAt": "Outer", "States": {
    "Outer": {"Type": "Map", "ItemsPath": "$.orders", "MaxConcurrency": 1, "Next": "Done",
              "ItemProcessor": {"StartAt": "Lines", "States": {
                  "Lines": {"Type": "Map", "ItemsPath": "$.lines", "MaxConcurrency": 1, "End": True,
                            "ItemProcessor": {"StartAt": "Check", "States": {
                                "Check": {"Type": "Task", "Resource": FN + "check", "End": True}}}}}}},
    "Done": {"Type": "Pass", "End": True}}}


def check(line: int) -> int:
    if line == 3:
        raise ValueError("line 3 is wrong")
    return line


def as_the_api_sends(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """GetExecutionHistory's events carry epoch seconds (the JSON protocol's dates), the library's ISO text."""
    return [{**event, "timestamp": datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp()}
            for event in history]


def timeline(history: list[dict[str, Any]]) -> list[str]:
    output = Output(json=False, query=None, color=False, stream=io.StringIO())
    return [line.split("s  ", 1)[1] for line in Timeline(as_the_api_sends(history)).lines(output)]


def test_states_inside_map_iterations_name_the_iteration_and_the_map_exit_does_not() -> None:
    result = statewright.run(NESTED, {"orders": [{"lines": [1, 2]}, {"lines": [3]}]}, resources={FN + "check": check})
    lines = [line.rstrip() for line in timeline(result.history)]
    entered = [line.split("  ")[0] for line in lines if line.startswith("->")]
    assert entered == [
        "-> Outer (Map)",
        "-> Lines (Map, Map 'Outer' item 0)",
        "-> Check (Task, Map 'Outer' item 0, Map 'Lines' item 0)",
        "-> Check (Task, Map 'Outer' item 0, Map 'Lines' item 1)",
        "-> Lines (Map, Map 'Outer' item 1)",
        "-> Check (Task, Map 'Outer' item 1, Map 'Lines' item 0)",
    ]
    assert "   !! LambdaFunctionFailed (attempt 1): ValueError: line 3 is wrong" in lines
    assert lines[-1].startswith("FAILED after")

    succeeded = statewright.run(NESTED, {"orders": [{"lines": [1]}]}, resources={FN + "check": check})
    entered = [line.split("  ")[0] for line in timeline(succeeded.history) if line.startswith("->")]
    assert entered[-1] == "-> Done (Pass)"  # after the Map: outside every iteration again
