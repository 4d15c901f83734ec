"""``statewright graph FILE``: draw a definition as Mermaid, Graphviz DOT or SVG (statewright/graph)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_USAGE = 2


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "graph",
        help="draw a definition's states and transitions (Mermaid or Graphviz DOT)",
        description="Print a definition's graph: states, transitions, Choice conditions on their edges, Catch "
                    "edges dashed, Parallel branches and Map bodies nested. Mermaid renders in GitHub and most "
                    "Markdown viewers; DOT with Graphviz (dot -Tsvg); svg is a picture laid out by Statewright itself.",
    )
    parser.add_argument("file", metavar="FILE", help="the definition (YAML or JSON); - reads standard input")
    parser.add_argument("--format", choices=("mermaid", "dot", "svg"), default="mermaid",
                        help="mermaid (default), dot, or svg (a picture laid out by Statewright)")
    parser.add_argument("--output", "-o", metavar="PATH", help="write to PATH instead of standard output")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from statewright.graph import build_graph, to_dot, to_mermaid, to_svg
    from statewright.source import SourceError, parse_source

    name = "<stdin>" if args.file == "-" else args.file
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as error:
        print(f"statewright graph: error: cannot read {name}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        document = parse_source(data)
    except SourceError as error:
        print(f"statewright graph: error: {name}: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not isinstance(document.value, dict) or not isinstance(document.value.get("States"), dict):
        print(f"statewright graph: error: {name} is not a state machine definition (no States object); "
              f"statewright lint {name} says what is wrong", file=sys.stderr)
        return EXIT_USAGE
    graph = build_graph(document.value)
    text = {"dot": to_dot, "svg": to_svg}.get(args.format, to_mermaid)(graph)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as error:
            print(f"statewright graph: error: cannot write {args.output}: {error.strerror or error}", file=sys.stderr)
            return EXIT_USAGE
        return 0
    sys.stdout.write(text)
    return 0
