"""``statewright schema``: print the JSON Schema for definitions (for editors and language servers)."""

from __future__ import annotations

import argparse
import sys

from statewright.lint.schema_file import schema_text


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "schema",
        help="print the JSON Schema of the definition language",
        description="Print the JSON Schema (draft 2020-12) that definitions are validated against.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(schema_text())
    return 0
