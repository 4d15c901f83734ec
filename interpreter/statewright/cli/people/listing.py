"""``statewright machines`` and ``statewright executions``: what the server holds, as tables."""

from __future__ import annotations

import argparse
from typing import Any

from statewright.cli.people.common import STATUS_COLOURS, Output, add_command, machine_arn, table, when
from statewright.cli.trace import elapsed
from statewright.client import StepFunctionsClient

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")


def register(commands: argparse._SubParsersAction) -> None:
    add_command(commands, "machines", machines, help="list the state machines on a server",
                description="List the state machines on a Statewright server (ListStateMachines), newest last.",
                json_help='print ListStateMachines\' JSON ({"stateMachines": [...]}, every page)')
    parser = add_command(
        commands, "executions", executions, help="list the executions on a server, newest first",
        description="List executions (ListExecutions), newest first: of MACHINE, or of every state machine.",
        json_help='print ListExecutions\' JSON ({"executions": [...]})')
    parser.add_argument("machine", metavar="MACHINE", nargs="?",
                        help="a state machine name or ARN (default: every state machine)")
    parser.add_argument("--status", type=str.upper, choices=STATUSES, metavar="STATUS",
                        help=f"only executions with this status ({', '.join(STATUSES)})")
    parser.add_argument("--limit", type=_count, default=50, metavar="N",
                        help="at most N executions, the newest (default 50; 0: all)")


def machines(args: argparse.Namespace, client: StepFunctionsClient, output: Output) -> int:
    listed = list(client.paginate("ListStateMachines", {}, "stateMachines"))
    if output.json:
        output.document({"stateMachines": listed})
    elif not listed:
        output.line("no state machines")
    else:
        table(output, ("NAME", "TYPE", "CREATED", "ARN"),
              [(m["name"], m.get("type", ""), when(m.get("creationDate")), m["stateMachineArn"]) for m in listed])
    return 0


def executions(args: argparse.Namespace, client: StepFunctionsClient, output: Output) -> int:
    limit = args.limit or None
    extra: dict[str, Any] = {"statusFilter": args.status} if args.status else {}
    if args.machine is not None:
        arns = [machine_arn(client, args.machine)]
    else:  # ListExecutions needs a machine: ask each one, then merge by start date
        arns = [m["stateMachineArn"] for m in client.paginate("ListStateMachines", {}, "stateMachines")]
    listed: list[dict[str, Any]] = []
    for arn in arns:
        listed += client.paginate("ListExecutions", {"stateMachineArn": arn, **extra}, "executions", limit=limit)
    listed.sort(key=lambda execution: execution.get("startDate", 0), reverse=True)
    listed = listed[:limit]
    if output.json:
        output.document({"executions": listed})
    elif not listed:
        output.line("no executions")
    else:
        rows = [(e["name"], (e["status"], STATUS_COLOURS.get(e["status"], "")), when(e.get("startDate")),
                 _duration(e), e["executionArn"]) for e in listed]
        table(output, ("NAME", "STATUS", "STARTED", "DURATION", "ARN"), rows)
    return 0


def _duration(execution: dict[str, Any]) -> str:
    if execution.get("stopDate") is None or execution.get("startDate") is None:
        return ""
    return elapsed(float(execution["stopDate"]) - float(execution["startDate"]))


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 up, got {text!r}")
    return value
