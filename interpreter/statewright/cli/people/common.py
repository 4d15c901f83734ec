"""What the server commands share: the connection options, the error one-liners, JSON and table output.

Exit codes: 0 done, 1 the API refused (``<Code>: <message>`` on stderr, one line) or ``start --wait`` saw the
execution end other than SUCCEEDED, 2 a usage error or a server that does not answer (one line). Never a
traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

from statewright.client import DEFAULT_ENDPOINT, EndpointUnreachable, StepFunctionsClient, StepFunctionsError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
ENDPOINT_VARIABLE = "STATEWRIGHT_ENDPOINT"
GREEN, RED, YELLOW, DIM, BOLD, RESET = "\033[32m", "\033[31m", "\033[33m", "\033[2m", "\033[1m", "\033[0m"
STATUS_COLOURS = {"SUCCEEDED": GREEN, "RUNNING": YELLOW, "FAILED": RED, "TIMED_OUT": RED, "ABORTED": RED}


class UsageError(Exception):
    """Arguments the command cannot use (exit 2)."""


@dataclass(frozen=True, slots=True)
class Output:
    """How a command prints: the API's JSON (filtered by ``--query``) or text for people, coloured or not."""

    json: bool
    query: Any
    color: bool
    stream: TextIO

    def document(self, document: Any) -> None:
        if self.query is not None:
            document = self.query.search(document)
        self.line(json.dumps(document, indent=2, ensure_ascii=False))

    def line(self, text: str = "") -> None:
        self.stream.write(text + "\n")

    def paint(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.color and code else text

    def status(self, status: str) -> str:
        return self.paint(STATUS_COLOURS.get(status, ""), status)


Handler = Callable[[argparse.Namespace, StepFunctionsClient, Output], int]


def add_command(commands: argparse._SubParsersAction, name: str, handler: Handler, *, help: str,
                description: str, json_help: str) -> argparse.ArgumentParser:
    """A subcommand with the shared options (--endpoint, --json, --query, --color/--no-color)."""
    parser = commands.add_parser(name, help=help, description=description + " Exit 0 done, 1 the API refused, "
                                 "2 a usage error or no server at the endpoint.")
    parser.add_argument("--endpoint", metavar="URL", default=None,
                        help=f"the server (default: ${ENDPOINT_VARIABLE}, else {DEFAULT_ENDPOINT})")
    parser.add_argument("--json", action="store_true", help=json_help)
    parser.add_argument("--query", metavar="EXPR", help="a JMESPath expression applied to the JSON (implies --json)")
    colour = parser.add_mutually_exclusive_group()
    colour.add_argument("--color", dest="color", action="store_const", const=True, default=None,
                        help="colour the text even when stdout is not a terminal")
    colour.add_argument("--no-color", dest="color", action="store_const", const=False,
                        help="never colour the text (NO_COLOR in the environment does the same)")
    parser.set_defaults(handler=lambda args: run(args, name, handler))
    return parser


def run(args: argparse.Namespace, name: str, handler: Handler) -> int:
    """Run ``handler`` with a client and an Output; turn every failure into one line on stderr."""
    endpoint = args.endpoint or os.environ.get(ENDPOINT_VARIABLE) or DEFAULT_ENDPOINT
    try:
        query = _compile(args.query)
        output = Output(json=args.json or query is not None, query=query, color=_color(args.color, sys.stdout),
                        stream=sys.stdout)
        return handler(args, StepFunctionsClient(endpoint), output)
    except UsageError as error:
        print(f"statewright {name}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except EndpointUnreachable as error:
        print(one_line(str(error)), file=sys.stderr)
        return EXIT_USAGE
    except StepFunctionsError as error:
        print(one_line(f"{error.code}: {error.message}"), file=sys.stderr)
        return EXIT_REFUSED


def machine_arn(client: StepFunctionsClient, machine: str) -> str:
    """``machine`` as a state machine ARN: an ARN is taken as it is, a name is looked up (ListStateMachines)."""
    if machine.startswith("arn:"):
        return machine
    for listed in client.paginate("ListStateMachines", {}, "stateMachines"):
        if listed.get("name") == machine:
            return str(listed["stateMachineArn"])
    raise StepFunctionsError("StateMachineDoesNotExist", f"no state machine is named '{machine}'", 400)


def json_text(text: str, what: str) -> str:
    """``text`` unchanged if it is JSON (checked here, so a typo is a usage error and not a round trip)."""
    try:
        json.loads(text)
    except ValueError as error:
        raise UsageError(f"{what} is not JSON: {error}") from None
    return text


def read_text(path: str, what: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as file:
            return file.read()
    except OSError as error:
        raise UsageError(f"cannot read {what} {path}: {error.strerror or error}") from None


def when(epoch: float | None, *, millis: bool = False) -> str:
    """A date from the API (epoch seconds) in local time: ``2026-12-04 20:30:01`` (``.123`` with ``millis``)."""
    if epoch is None:
        return ""
    moment = datetime.fromtimestamp(float(epoch)).astimezone()
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    return f"{text}.{moment.microsecond // 1000:03d}" if millis else text


def table(output: Output, headers: Sequence[str], rows: Sequence[Sequence[str | tuple[str, str]]]) -> None:
    """Columns padded to their widest cell; a cell ``(text, colour)`` is coloured after padding."""
    plain = [[cell[0] if isinstance(cell, tuple) else cell for cell in row] for row in rows]
    widths = [max([len(header)] + [len(row[index]) for row in plain]) for index, header in enumerate(headers)]
    output.line(output.paint(BOLD, "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()))
    for row in rows:
        cells = []
        for cell, width in zip(row, widths, strict=True):
            text, code = cell if isinstance(cell, tuple) else (cell, "")
            cells.append(output.paint(code, text) + " " * (width - len(text)))
        output.line("  ".join(cells).rstrip())


def one_line(text: str) -> str:
    return " ".join(text.split())


def _compile(expression: str | None) -> Any:
    if expression is None:
        return None
    import jmespath  # here: `statewright lint` must not pay for it at start-up
    import jmespath.exceptions

    try:
        return jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as error:
        raise UsageError(f"--query is not a valid JMESPath expression: {one_line(str(error))}") from None


def _color(forced: bool | None, stream: TextIO) -> bool:
    if forced is not None:
        return forced
    return "NO_COLOR" not in os.environ and stream.isatty()
