"""Deterministic generated definitions shared by the benchmarks (and by any peer measured beside us)."""

from __future__ import annotations

from typing import Any


def linear_workflow(states: int = 1000, variant: int = 0) -> dict[str, Any]:
    """A definition of ``states`` states as people write them: Pass with Parameters and an intrinsic,
    Tasks with Retry and Catch, Choices that skip ahead, Waits; every state reachable, one Succeed.

    ``variant`` > 0 gives the same shape with other names, paths and intrinsic texts, so a benchmark can
    lint a definition no earlier call has seen (nothing memoized by expression text carries over)."""
    tag = f"v{variant}" if variant else ""
    order = f"order{tag}"
    names = [f"Step{tag}{i:04d}" for i in range(states - 2)] + ["Done", "HandleFailure"]
    body: dict[str, Any] = {}
    for index, name in enumerate(names[:-2]):
        following = names[index + 1]
        kind = index % 10
        if kind in (0, 1, 2, 3, 4):
            body[name] = {
                "Type": "Pass",
                "Comment": f"Shape record {index}",
                "Parameters": {
                    "id.$": f"$.{order}.id",
                    "label.$": f"States.Format('step {index}{tag} of {{}}', $.{order}.id)",
                    "count": index,
                },
                "ResultPath": f"$.results{tag}.s{index}",
                "Next": following,
            }
        elif kind in (5, 6):
            body[name] = {
                "Type": "Task",
                "Resource": f"arn:aws:lambda:us-east-1:123456789012:function:worker-{index}",
                "InputPath": f"$.{order}",
                "ResultSelector": {"status.$": "$.Payload.status"},
                "ResultPath": "$.last",
                "TimeoutSeconds": 30,
                "HeartbeatSeconds": 10,
                "Retry": [
                    {"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 2, "MaxAttempts": 3,
                     "BackoffRate": 2.0, "MaxDelaySeconds": 60, "JitterStrategy": "FULL"},
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "HandleFailure"}],
                "Next": following,
            }
        elif kind == 7:
            skip = names[min(index + 3, len(names) - 3)]
            body[name] = {
                "Type": "Choice",
                "Choices": [
                    {"And": [{"Variable": f"$.{order}.total", "NumericGreaterThan": 100},
                             {"Variable": f"$.{order}.country", "StringEquals": "NL"}], "Next": skip},
                    {"Variable": f"$.{order}.express", "BooleanEquals": True, "Next": following},
                ],
                "Default": following,
            }
        elif kind == 8:
            body[name] = {"Type": "Wait", "Seconds": 1, "Next": following}
        else:
            body[name] = {"Type": "Pass", "Result": {"ok": True}, "ResultPath": "$.flag", "Next": following}
    body["Done"] = {"Type": "Succeed"}
    body["HandleFailure"] = {"Type": "Fail", "Error": "WorkflowFailed", "CausePath": "$.error.Cause"}
    return {"Comment": f"Generated workflow of {states} states", "StartAt": names[0], "States": body}
