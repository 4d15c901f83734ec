"""The ``statewright`` command: one module per subcommand, each thin (parse -> call -> render)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from statewright import __version__

# Each subcommand's module, by the command names it registers. Only the module of the command asked for is
# imported and registered (argparse spends ~1 ms per subcommand's arguments, the modules' imports more), so
# `statewright lint` starts without building `serve`'s or the client commands' parsers. The others are listed
# by name and help alone, so `statewright --help` and an unknown command's message still show them all.
SUBCOMMANDS: dict[str, dict[str, str]] = {
    "statewright.cli.lint_command": {"lint": "check definitions against the schema and semantic rules"},
    "statewright.cli.run_command": {"run": "run a definition locally and print its output"},
    "statewright.cli.resume_command": {"resume": "carry on the executions a killed `run --db` left in a store"},
    "statewright.cli.serve_command": {
        "serve": "serve the AWS Step Functions API on the durable engine (boto3 and the aws CLI work unchanged)"},
    "statewright.cli.people": {
        "machines": "list the state machines on a server",
        "executions": "list the executions on a server, newest first",
        "start": "start an execution on a server (and wait for its output)",
        "describe": "describe an execution on a server",
        "history": "show an execution's history as a timeline",
        "send-success": "answer a task token with an output (SendTaskSuccess)",
        "send-failure": "fail the task waiting for a token (SendTaskFailure)",
    },
    "statewright.cli.schema_command": {"schema": "print the JSON Schema of the definition language"},
    "statewright.cli.graph_command": {"graph": "draw a definition's states and transitions (Mermaid or Graphviz DOT)"},
    "statewright.cli.db_command": {"db": "migrate or inspect the durable store (SQLite by default)"},
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole command's parser; given ``argv``, only the subcommand it names is built in full."""
    parser = argparse.ArgumentParser(
        prog="statewright",
        description="Statewright: run and check Amazon States Language workflows written in YAML or JSON.",
    )
    parser.add_argument("--version", action="version", version=f"statewright {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    wanted = _named_module(argv)
    for module_name in SUBCOMMANDS:
        if wanted is None or module_name == wanted:
            importlib.import_module(module_name).register(commands)
        else:
            _register_by_name(commands, module_name)
    return parser


def _named_module(argv: Sequence[str] | None) -> str | None:
    """The module of the command ``argv`` starts with; None (build all) for no command or an unknown one."""
    first = next((word for word in argv or () if not word.startswith("-")), None) if argv is not None else None
    if argv is None or first is None or any(word in ("-h", "--help") for word in argv[: argv.index(first)]):
        return None
    return next((module for module, names in SUBCOMMANDS.items() if first in names), None)


def _register_by_name(commands: argparse._SubParsersAction, module_name: str) -> None:
    for name, help_text in SUBCOMMANDS[module_name].items():
        commands.add_parser(name, help=help_text)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(words).parse_args(words)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `statewright lint ... | head` closes the pipe early; that is not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
