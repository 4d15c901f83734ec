"""``statewright run FILE``: run one execution locally, trace its states, print its output.

Exit codes: 0 the execution SUCCEEDED; 1 it ended any other way (FAILED, TIMED_OUT, ABORTED); 2 the
definition is invalid (lint diagnostics are printed as ``statewright lint`` prints them), a file cannot
be read, the input is not JSON (``NaN``, ``Infinity`` and ``1e999`` are not), or the arguments are wrong
(a port outside 0-65535, an execution name AWS would refuse). Never a traceback for any of those.
``FILE`` or ``--input-file`` may be ``-``, standard input (not both).

Before running, the definition's lint warnings are printed on stderr, one line each (``--quiet`` hides
them with the trace). ``--verbose`` adds the Python traceback of each failing task function.

The trace goes to stderr (colour on a TTY unless NO_COLOR or --no-color), the result to stdout: the
output as pretty JSON, or with ``--json`` the document ``{"status", "output", "error", "cause"}`` (plus
``"history"`` with ``--history``, or when the ``--query`` reads it), which ``--query`` filters with JMESPath
as the aws CLI does.

HTTP tasks (spec/http-tasks.md): ``--allow-host`` limits the hosts they may call, ``--config`` names the
connections their credentials come from. A definition that waits for task tokens gets a callback listener
on 127.0.0.1 (``--callback-port``); the trace prints the ``curl`` commands that answer each waiting task.
"""

from __future__ import annotations

import argparse

from statewright.cli.aws_options import add_aws_options
from statewright.core.names import name_problem

# The execution machinery (the runtime, aiohttp, the core) is imported only when `run` runs, so that
# `statewright lint` and `statewright schema` start without it.


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "run",
        help="run a definition locally and print its output",
        description=(
            "Run one execution of a definition. The trace of states goes to stderr, the output to stdout. "
            "Exit 0 when the execution succeeds, 1 when it ends otherwise, 2 on an invalid definition, "
            "unreadable file, non-JSON input or usage error."
        ),
    )
    parser.add_argument("file", metavar="FILE",
                        help="the definition (.asl.json, .asl.yaml, ...), or - to read it from standard input")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", metavar="JSON", help="the execution input as JSON text (default: {})")
    source.add_argument("--input-file", metavar="PATH",
                        help="read the execution input from a JSON file (- for standard input)")
    parser.add_argument("--mock-config", metavar="FILE", help="a Step Functions Local mock configuration (JSON)")
    parser.add_argument("--test-case", metavar="NAME", help="the test case of --mock-config to run")
    parser.add_argument("--substitute", action="append", default=[], metavar="KEY=VALUE",
                        help="fill the deployment placeholder ${KEY} with VALUE (repeatable)")
    parser.add_argument("--substitutions", metavar="FILE",
                        help="a JSON or YAML object of placeholder values (like DefinitionSubstitutions)")
    parser.add_argument("--name", metavar="NAME", type=execution_name,
                        help="the execution name, by AWS's rules: 1-80 characters, no whitespace, control "
                             "characters or < > { } [ ] ? * \" # %% \\ ^ | ~ ` $ & , ; : / (default: a random uuid)")
    parser.add_argument("--db", metavar="URL",
                        help="record the execution in a store and run it durably: a SQLite file (statewright.db, "
                             "sqlite:///path); a killed run carries on with `statewright resume --db URL`")
    add_engine_options(parser)
    parser.set_defaults(handler=run)


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """The options of how executions run and how their results print, shared by ``run`` and ``resume``."""
    parser.add_argument("--json", action="store_true",
                        help='print {"status", "output", "error", "cause"} as JSON instead of the output alone')
    parser.add_argument("--history", action="store_true",
                        help='add "history" (AWS GetExecutionHistory shape) to the --json document; implies --json')
    parser.add_argument("--query", metavar="EXPR",
                        help='a JMESPath expression applied to the --json document (with "history" when it reads it)')
    parser.add_argument("--virtual-time", action="store_true",
                        help="virtual time: Waits, retry back-offs and callback waits take no real time, the clock "
                             "jumps to the next timer (recorded times still advance); while a task runs the clock "
                             "follows real time, so its TimeoutSeconds and HeartbeatSeconds still hold")
    parser.add_argument("--resources", metavar="FILE",
                        help='a resource map: "resources: {<resource string>: module:function}"')
    parser.add_argument("--allow-host", action="append", default=None, metavar="HOST",
                        help="let HTTP tasks call HOST (or *.DOMAIN); repeatable. Without it every host is "
                             "allowed except link-local cloud-metadata addresses")
    add_aws_options(parser)
    parser.add_argument("--config", "--connections", metavar="FILE", dest="config",
                        help="a Statewright config file: 'connections:' (HTTP Task credentials from environment "
                             "variables or files) and 'http:' (client limits, allow_hosts)")
    parser.add_argument("--callback-port", type=port, metavar="PORT",
                        help="port of the callback listener on 127.0.0.1 (default: any free port; the listener "
                             "starts when the definition waits for a task token or uses ${Statewright.CallbackUrl})")
    parser.add_argument("--quiet", "-q", action="store_true", help="no trace and no lint warnings on stderr")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="print the Python traceback of each failing task function on stderr")
    parser.add_argument("--no-color", action="store_true", help="never colour the trace")


def port(text: str) -> int:
    """argparse type of a TCP port: 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535, got {text!r}")
    return value


def execution_name(text: str) -> str:
    """argparse type of an execution name AWS accepts (statewright.core.names)."""
    problem = name_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return text


def run(args: argparse.Namespace) -> int:
    from statewright.cli.run_execution import run as run_execution

    return run_execution(args)
