"""``statewright lint PATH...``: check definitions and report positioned diagnostics."""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from statewright.lint.config import ConfigError, Layer, enabled_codes, find_config, unknown_code
from statewright.lint.diagnostic import Diagnostic
from statewright.lint.engine import INTERNAL_ERROR_CODE, lint_source
from statewright.lint.placeholders import parse_substitutions
from statewright.lint.registry import all_rules
from statewright.lint.render import FORMATS, render_github, render_json, render_text, summary
from statewright.source import SourceError, parse_source

# A directory argument picks these (the AWS Toolkit's naming); other files are linted when named.
DEFINITION_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
STDIN = "-"  # as ruff: the argument '-' reads standard input, and diagnostics name it '-'


class UsageError(Exception):
    """Bad arguments or unreadable input: exit code 2."""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "lint",
        help="check definitions against the schema and semantic rules",
        description=(
            "Check definitions (files, directories, globs; '-' reads standard input). A directory is searched "
            "for *.asl.json, *.asl.yaml and *.asl.yml. Exit 0 without errors (warnings allowed), 1 with errors, "
            "2 on usage or I/O errors. Rule selection is also read from [tool.statewright.lint] (select, "
            "ignore) in the nearest pyproject.toml; '# statewright: ignore[CODE]' at the end of a YAML line "
            "suppresses CODE on that line. Rules: --list-rules; one rule's documentation: --explain CODE. "
            "For a picture of a definition: statewright graph FILE (Mermaid or Graphviz DOT)."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files, directories or glob patterns; '-' for standard input")
    parser.add_argument("--format", choices=FORMATS, default="full", help="output format (default: full)")
    parser.add_argument("--select", action="append", default=[], metavar="CODES",
                        help="only these codes or prefixes, comma-separated (e.g. SW2,SW301); replaces the "
                             "select and ignore of pyproject.toml (codes: --list-rules)")
    parser.add_argument("--ignore", action="append", default=[], metavar="CODES",
                        help="skip these codes or prefixes, comma-separated; added to pyproject.toml's ignore")
    parser.add_argument("--stdin-filename", metavar="NAME",
                        help="the name standard input is reported under (and read as: .json is JSON); "
                             "without PATH, implies '-'")
    parser.add_argument("--substitute", action="append", default=[], metavar="KEY=VALUE",
                        help="fill the deployment placeholder ${KEY} with VALUE (repeatable)")
    parser.add_argument("--substitutions", metavar="FILE",
                        help="a JSON or YAML object of placeholder values (like DefinitionSubstitutions)")
    parser.add_argument("--type", choices=("STANDARD", "EXPRESS"), default="STANDARD", dest="workflow_type",
                        help="the state machine type (CreateStateMachine's type): EXPRESS adds the checks AWS makes "
                             "for EXPRESS machines only (default STANDARD)")
    parser.add_argument("--explain", metavar="CODE", help="print the documentation of a rule and exit")
    parser.add_argument("--list-rules", action="store_true",
                        help="print every rule (code, name, severity, summary) and exit; JSON with --format json")
    parser.add_argument("--no-color", action="store_true", help="never colour the output")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.explain:
            return explain(args.explain)
        if args.list_rules:
            return list_rules(args.format)
        paths = args.paths or ([STDIN] if args.stdin_filename else [])
        if not paths:
            raise UsageError("no PATH given (try: statewright lint examples/, or '-' for standard input)")
        select, ignore = _selection(args)
        substitutions = _substitutions(args)
        files = list(discover(paths))
    except UsageError as error:
        print(f"statewright lint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    diagnostics: list[Diagnostic] = []
    sources: dict[str | None, list[str]] = {}
    unreadable = False
    for path in files:
        name = (args.stdin_filename or STDIN) if path is None else str(path)
        try:
            data = _read_stdin() if path is None else path.read_bytes()
        except OSError as error:
            print(f"statewright lint: error: cannot read {name}: {error.strerror or error}", file=sys.stderr)
            unreadable = True
            continue
        found = lint_source(data, filename=name, substitutions=substitutions, select=select, ignore=ignore,
                            inline_ignores=True, workflow_type=args.workflow_type)
        if found and args.format == "full":
            sources[name] = data.decode("utf-8", errors="replace").splitlines()
        diagnostics.extend(found)
    _write(args, diagnostics, sources, len(files))
    if unreadable:
        return EXIT_USAGE
    return EXIT_FINDINGS if any(d.is_error for d in diagnostics) else EXIT_CLEAN


def _read_stdin() -> bytes:
    # No standard input at all (a closed descriptor 0) reads as empty: SW006, not a traceback.
    return sys.stdin.buffer.read() if sys.stdin is not None else b""


def _selection(args: argparse.Namespace) -> tuple[set[str] | None, list[str]]:
    """(select, ignore) for the engine from pyproject.toml and the command line (lint/config.py's layers)."""
    known = {r.code for r in all_rules()}
    command_line = Layer(tuple(_codes(args.select)) or None, tuple(_codes(args.ignore)))
    bad = unknown_code([*(command_line.select or ()), *command_line.ignore], known)
    if bad:
        raise UsageError(f"{bad} matches no rule code (see statewright lint --list-rules)")
    try:
        config = find_config(Path.cwd())
    except ConfigError as error:
        raise UsageError(str(error)) from None
    except OSError:  # the current directory was removed: there is no project to read settings from
        config = None
    if config is not None:
        bad = unknown_code([*(config.layer.select or ()), *config.layer.ignore], known)
        if bad:
            raise UsageError(f"{config.path}: {bad} in [tool.statewright.lint] matches no rule code "
                             "(see statewright lint --list-rules)")
    layers = [layer for layer in (config.layer if config else Layer(), command_line) if not layer.empty]
    if not layers:
        return None, []  # every code: the engine skips the filtering
    # A rule that crashed (SW000) is not a rule one can select; it is always reported.
    return enabled_codes(layers, known) | {INTERNAL_ERROR_CODE}, []


def _write(args: argparse.Namespace, diagnostics: list[Diagnostic], sources: dict, files: int) -> None:
    if args.format == "json":
        sys.stdout.write(render_json(diagnostics))
    elif args.format == "github":
        sys.stdout.write(render_github(diagnostics))
    else:
        color = not args.no_color and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        sys.stdout.write(render_text(diagnostics, sources, full=args.format == "full", color=color))
        sys.stdout.write(summary(diagnostics, files) + "\n")


def discover(patterns: list[str]) -> Iterator[Path | None]:
    """Expand files, directories and globs (``None`` for '-', standard input); raise UsageError for a
    pattern that names nothing."""
    seen: set[Path | None] = set()
    for pattern in patterns:
        if pattern == STDIN:
            if None not in seen:
                seen.add(None)
                yield None
            continue
        matches = []
        if glob.has_magic(pattern):
            matches = [Path(m) for m in sorted(glob.glob(pattern, recursive=True))]
        if not matches:
            matches = [Path(pattern)]
        for match in matches:
            if match.is_dir():
                found = sorted(
                    p for p in match.rglob("*") if p.is_file() and p.name.endswith(DEFINITION_SUFFIXES)
                )
            elif match.exists():
                found = [match]
            else:
                raise UsageError(f"{pattern}: no such file or directory")
            for path in found:
                if path not in seen:
                    seen.add(path)
                    yield path


def list_rules(output_format: str) -> int:
    """``--list-rules``: one line per rule (code, name, severity, summary), or a JSON array."""
    rules = all_rules()
    if output_format == "json":
        rows = [{"code": r.code, "name": r.name, "severity": str(r.severity), "summary": r.summary} for r in rules]
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return EXIT_CLEAN
    width = max(len(r.name) for r in rules)
    for r in rules:
        print(f"{r.code}  {r.name:<{width}}  {r.severity!s:<7}  {r.summary}")
    return EXIT_CLEAN


def explain(code: str) -> int:
    rules = {r.code: r for r in all_rules()}
    found = rules.get(code.upper())
    if found is None:
        print(f"statewright lint: error: unknown rule code {code!r} (see statewright lint --list-rules)",
              file=sys.stderr)
        return EXIT_USAGE
    print(f"# {found.code} {found.name} ({found.severity})\n\n{found.doc}")
    return EXIT_CLEAN


def _codes(values: list[str]) -> list[str]:
    return [code.strip().upper() for value in values for code in value.split(",") if code.strip()]


def _substitutions(args: argparse.Namespace) -> dict[str, str]:
    values: dict[str, str] = {}
    if args.substitutions:
        values.update(_read_substitutions_file(args.substitutions))
    try:
        values.update(parse_substitutions(args.substitute))
    except ValueError as error:
        raise UsageError(str(error)) from None
    return values


def _read_substitutions_file(name: str) -> dict[str, str]:
    try:
        document = parse_source(Path(name).read_bytes(), filename=name)
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from None
    except SourceError as error:
        raise UsageError(str(error)) from None
    if not isinstance(document.value, dict):
        raise UsageError(f"{name}: expected an object of placeholder names to values")
    return {
        str(key): value if isinstance(value, str) else json.dumps(value)
        for key, value in document.value.items()
    }

