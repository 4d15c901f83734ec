"""``statewright send-success`` and ``statewright send-failure``: answer a ``.waitForTaskToken`` task."""

from __future__ import annotations

import argparse
from typing import Any

from statewright.cli.people.common import EXIT_OK, Output, add_command, json_text, read_text
from statewright.client import StepFunctionsClient


def register(commands: argparse._SubParsersAction) -> None:
    parser = add_command(
        commands, "send-success", send_success, help="answer a task token with an output (SendTaskSuccess)",
        description="Answer a task waiting for TOKEN (.waitForTaskToken) with its output (SendTaskSuccess).",
        json_help="print SendTaskSuccess' JSON ({})")
    parser.add_argument("token", metavar="TOKEN", help="the task token ($$.Task.Token in the task's Parameters)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--output", metavar="JSON", help="the task's output as JSON text")
    source.add_argument("--output-file", metavar="PATH", help="read the output from a JSON file (- for stdin)")
    parser = add_command(
        commands, "send-failure", send_failure, help="fail the task waiting for a token (SendTaskFailure)",
        description="Fail the task waiting for TOKEN (SendTaskFailure): its Retry and Catch see ERROR.",
        json_help="print SendTaskFailure's JSON ({})")
    parser.add_argument("token", metavar="TOKEN", help="the task token ($$.Task.Token in the task's Parameters)")
    parser.add_argument("--error", metavar="ERROR", help="the error name (Retry and Catch match it)")
    parser.add_argument("--cause", metavar="CAUSE", help="what went wrong, in words")


def send_success(args: argparse.Namespace, client: StepFunctionsClient, output: Output) -> int:
    if args.output_file is not None:
        text = json_text(read_text(args.output_file, "--output-file"), f"--output-file {args.output_file}")
    else:
        text = json_text(args.output, "--output")
    return _answered(output, client.call("SendTaskSuccess", {"taskToken": args.token, "output": text}),
                     "the task succeeded with the output given")


def send_failure(args: argparse.Namespace, client: StepFunctionsClient, output: Output) -> int:
    request: dict[str, Any] = {"taskToken": args.token}
    if args.error is not None:
        request["error"] = args.error
    if args.cause is not None:
        request["cause"] = args.cause
    return _answered(output, client.call("SendTaskFailure", request),
                     f"the task failed{' with ' + args.error if args.error else ''}")


def _answered(output: Output, response: dict[str, Any], text: str) -> int:
    if output.json:
        output.document(response)
    else:
        output.line(text)
    return EXIT_OK
