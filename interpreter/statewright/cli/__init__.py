"""The ``statewright`` command: one module per subcommand, each thin (parse -> call -> render)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from statewright import __version__
from statewright.cli import db_command, lint_command, people, resume_command, run_command, schema_command, serve_command

SUBCOMMANDS = (lint_command, run_command, resume_command, serve_command, people, schema_command, db_command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="statewright",
        description="Statewright: run and check Amazon States Language workflows written in YAML or JSON.",
    )
    parser.add_argument("--version", action="version", version=f"statewright {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for module in SUBCOMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `statewright lint ... | head` closes the pipe early; that is not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
