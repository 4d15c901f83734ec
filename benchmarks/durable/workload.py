"""D10: a 10-step workflow (5 Pass states, 5 Python tasks), 1,000 executions started together.

Shared by the Statewright runner and the DBOS runner, so both run the same work: each step adds one field
to the data, a Pass a constant, a task the number of fields it received. Every step is durable on both:
Statewright records each input and the events it decided (group commit), DBOS checkpoints each step.
"""

from __future__ import annotations

from typing import Any

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
STEPS = 10
EXECUTIONS = 1_000


def definition() -> dict[str, Any]:
    states: dict[str, Any] = {}
    for index in range(STEPS):
        following: dict[str, Any] = {"Next": f"S{index + 1}"} if index < STEPS - 1 else {"End": True}
        if index % 2:
            states[f"S{index}"] = {"Type": "Task", "Resource": FN + "count", "ResultPath": f"$.r{index}",
                                   **following}
        else:
            states[f"S{index}"] = {"Type": "Pass", "Result": index, "ResultPath": f"$.p{index}", **following}
    return {"Comment": "D10: five Pass states and five Python tasks", "StartAt": "S0", "States": states}


def count(payload: dict[str, Any]) -> int:
    """The task of every Task state: how many fields its input has."""
    return len(payload)


def expected(item: dict[str, Any]) -> dict[str, Any]:
    data = dict(item)
    for index in range(STEPS):
        data[f"r{index}" if index % 2 else f"p{index}"] = len(data) if index % 2 else index
    return data


def inputs(executions: int = EXECUTIONS) -> list[dict[str, Any]]:
    return [{"order": number} for number in range(executions)]
