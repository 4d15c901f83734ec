"""Stand-in for the SNS message that would reach the approver (no network).

The expected output assumes nobody answers within ``approvalTimeoutSeconds`` (the test runs on virtual time,
so the hour passes at once). Answer the token to approve: see README.md in this folder.
"""

from __future__ import annotations

import sys


def notify_approver(payload: dict) -> None:
    message = payload["Message"]
    print(f"approval requested for expense {message['expenseId']} ({message['amount']})", file=sys.stderr)
