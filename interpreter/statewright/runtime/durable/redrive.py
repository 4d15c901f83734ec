"""RedriveExecution on the durable engine: which recorded executions AWS would redrive (spec/redrive.md).

The core decides what a redrive re-runs (``core/redrive.py``); these are the checks that need only the
execution's row: its status and type, and AWS's 14-day window after it ended. The engine asks the rebuilt core
for the rest (a history at its event limit, a failure outside any state).
"""

from __future__ import annotations

from statewright.store.records import ExecutionRecord

REDRIVABLE_SECONDS = 14 * 24 * 3600  # AWS: "within 14 days" of the execution's end
REDRIVABLE_STATUSES = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})


class ExecutionNotRedrivable(Exception):
    """RedriveExecution refused: the message is AWS's reason (DescribeExecution's ``redriveStatusReason``)."""


def record_refusal(record: ExecutionRecord, now: float) -> str | None:
    """Why ``record`` cannot be redriven, in AWS's words, or ``None`` as far as its row tells."""
    if record.workflow_type == "EXPRESS":
        return "Execution is EXPRESS and cannot be redriven: only STANDARD executions can be"
    if record.status not in REDRIVABLE_STATUSES:
        return f"Execution is {record.status} and cannot be redriven"
    if record.stop_date is not None and now - record.stop_date > REDRIVABLE_SECONDS:
        return "Execution redrivable period exceeded"
    return None
