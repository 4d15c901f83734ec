"""``statewright start`` and ``statewright describe``: start an execution (and wait for it), look at one."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from statewright.cli.people.common import (
    BOLD,
    EXIT_OK,
    EXIT_REFUSED,
    Output,
    add_command,
    json_text,
    machine_arn,
    one_line,
    read_text,
    when,
)
from statewright.cli.trace import elapsed
from statewright.client import StepFunctionsClient

_FIRST_POLL, _LONGEST_POLL = 0.05, 1.0  # seconds between DescribeExecution calls while --wait waits
_LABEL = 10  # width of the labels of `describe`


def register(commands: argparse._SubParsersAction) -> None:
    parser = add_command(
        commands, "start", start, help="start an execution on a server (and wait for its output)",
        description="Start an execution of MACHINE (StartExecution) and print its ARN; with --wait, wait for "
                    "it to end and print its output (exit 0 when it SUCCEEDED, 1 otherwise).",
        json_help="print StartExecution's JSON (with --wait: DescribeExecution's once it ended)")
    parser.add_argument("machine", metavar="MACHINE", help="a state machine name or ARN (version or alias ARNs too)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", metavar="JSON", help="the execution input as JSON text (default: {})")
    source.add_argument("--input-file", metavar="PATH", help="read the input from a JSON file (- for standard input)")
    parser.add_argument("--name", metavar="NAME", help="the execution name (default: a random uuid)")
    parser.add_argument("--wait", action="store_true",
                        help="wait for the execution to end; print its output, or its error and cause on stderr")
    parser = add_command(
        commands, "describe", describe, help="describe an execution on a server",
        description="Describe an execution (DescribeExecution): status, dates, input, output, error and cause.",
        json_help="print DescribeExecution's JSON")
    parser.add_argument("execution", metavar="ARN", help="the execution ARN")


def start(args: argparse.Namespace, client: StepFunctionsClient, output: Output) -> int:
    if args.input_file is not None:
        text = json_text(read_text(args.input_file, "--input-file"), f"--input-file {args.input_file}")
    else:
        text = json_text(args.input if args.input is not None else "{}", "--input")
    request: dict[str, Any] = {"stateMachineArn": machine_arn(client, args.machine), "input": text}
    if args.name is not None:
        request["name"] = args.name
    started = client.call("StartExecution", request)
    if not args.wait:
        if output.json:
            output.document(started)
        else:
            output.line(started["executionArn"])
        return EXIT_OK
    try:
        described = _wait(client, started["executionArn"])
    except KeyboardInterrupt:
        print(f"stopped waiting; the execution carries on: statewright describe {started['executionArn']}",
              file=sys.stderr)
        return 130
    if output.json:
        output.document(described)
    elif described["status"] == "SUCCEEDED":
        output.line(_pretty(described.get("output")))
    else:
        ending = ": ".join(part for part in (described.get("error"), described.get("cause")) if part)
        print(one_line(f"{described['status']} {ending}" if ending else described["status"]), file=sys.stderr)
    return EXIT_OK if described["status"] == "SUCCEEDED" else EXIT_REFUSED


def _wait(client: StepFunctionsClient, arn: str) -> dict[str, Any]:
    pause = _FIRST_POLL
    while True:
        described = client.call("DescribeExecution", {"executionArn": arn})
        if described.get("status") != "RUNNING":
            return described
        time.sleep(pause)
        pause = min(pause * 2, _LONGEST_POLL)


def describe(args: argparse.Namespace, client: StepFunctionsClient, output: Output) -> int:
    described = client.call("DescribeExecution", {"executionArn": args.execution})
    if output.json:
        output.document(described)
        return EXIT_OK
    stopped = described.get("stopDate")
    fields: list[tuple[str, str]] = [
        ("Execution", described["executionArn"]),
        ("Machine", described.get("stateMachineArn", "")),
        ("Version", described.get("stateMachineVersionArn", "")),
        ("Alias", described.get("stateMachineAliasArn", "")),
        ("Status", output.status(described["status"])),
        ("Started", when(described.get("startDate"), millis=True)),
        ("Stopped", f"{when(stopped, millis=True)} (after "
                    f"{elapsed(float(stopped) - float(described['startDate']))})" if stopped is not None else ""),
        ("Error", described.get("error", "")),
        ("Cause", described.get("cause", "")),
        ("Input", _pretty(described.get("input"))),
        ("Output", _pretty(described.get("output")) if "output" in described else ""),
    ]
    for label, value in fields:
        if value:
            indented = value.replace("\n", "\n" + " " * _LABEL)
            output.line(f"{output.paint(BOLD, label.ljust(_LABEL))}{indented}")
    return EXIT_OK


def _pretty(text: str | None) -> str:
    """A JSON text from the API, indented for people (as it came if it is not JSON)."""
    if text is None:
        return "null"
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text
