"""``statewright lint PATH...``: check definitions and report positioned diagnostics."""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from statewright.lint.diagnostic import Diagnostic
from statewright.lint.engine import lint_source
from statewright.lint.placeholders import parse_substitutions
from statewright.lint.registry import all_rules
from statewright.lint.render import FORMATS, render_github, render_json, render_text, summary
from statewright.source import SourceError, parse_source

# A directory argument picks these (the AWS Toolkit's naming); other files are linted when named.
DEFINITION_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or unreadable input: exit code 2."""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "lint",
        help="check definitions against the schema and semantic rules",
        description=(
            "Check definitions (files, directories, globs). A directory is searched for *.asl.json, "
            "*.asl.yaml and *.asl.yml. Exit 0 without errors (warnings allowed), 1 with errors, "
            "2 on usage or I/O errors."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files, directories or glob patterns")
    parser.add_argument("--format", choices=FORMATS, default="full", help="output format (default: full)")
    parser.add_argument("--select", action="append", default=[], metavar="CODES",
                        help="only these codes or prefixes, comma-separated (e.g. SW2,SW301)")
    parser.add_argument("--ignore", action="append", default=[], metavar="CODES",
                        help="skip these codes or prefixes, comma-separated")
    parser.add_argument("--substitute", action="append", default=[], metavar="KEY=VALUE",
                        help="fill the deployment placeholder ${KEY} with VALUE (repeatable)")
    parser.add_argument("--substitutions", metavar="FILE",
                        help="a JSON or YAML object of placeholder values (like DefinitionSubstitutions)")
    parser.add_argument("--explain", metavar="CODE", help="print the documentation of a rule and exit")
    parser.add_argument("--no-color", action="store_true", help="never colour the output")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.explain:
            return explain(args.explain)
        if not args.paths:
            raise UsageError("no PATH given (try: statewright lint examples/)")
        select = _codes(args.select) or None
        ignore = _codes(args.ignore)
        _check_codes([*(select or []), *ignore])
        substitutions = _substitutions(args)
        files = list(discover(args.paths))
    except UsageError as error:
        print(f"statewright lint: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    diagnostics: list[Diagnostic] = []
    sources: dict[str | None, list[str]] = {}
    unreadable = False
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as error:
            print(f"statewright lint: error: cannot read {path}: {error.strerror or error}", file=sys.stderr)
            unreadable = True
            continue
        name = str(path)
        found = lint_source(data, filename=name, substitutions=substitutions, select=select, ignore=ignore)
        if found and args.format == "full":
            sources[name] = data.decode("utf-8", errors="replace").splitlines()
        diagnostics.extend(found)
    _write(args, diagnostics, sources, len(files))
    if unreadable:
        return EXIT_USAGE
    return EXIT_FINDINGS if any(d.is_error for d in diagnostics) else EXIT_CLEAN


def _write(args: argparse.Namespace, diagnostics: list[Diagnostic], sources: dict, files: int) -> None:
    if args.format == "json":
        sys.stdout.write(render_json(diagnostics))
    elif args.format == "github":
        sys.stdout.write(render_github(diagnostics))
    else:
        color = not args.no_color and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        sys.stdout.write(render_text(diagnostics, sources, full=args.format == "full", color=color))
        sys.stdout.write(summary(diagnostics, files) + "\n")


def discover(patterns: list[str]) -> Iterator[Path]:
    """Expand files, directories and globs; raise UsageError for a pattern that names nothing."""
    seen: set[Path] = set()
    for pattern in patterns:
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


def explain(code: str) -> int:
    rules = {r.code: r for r in all_rules()}
    found = rules.get(code.upper())
    if found is None:
        print(f"statewright lint: error: unknown rule code {code!r}", file=sys.stderr)
        return EXIT_USAGE
    print(f"# {found.code} {found.name} ({found.severity})\n\n{found.doc}")
    return EXIT_CLEAN


def _codes(values: list[str]) -> list[str]:
    return [code.strip().upper() for value in values for code in value.split(",") if code.strip()]


def _check_codes(prefixes: list[str]) -> None:
    known = {r.code for r in all_rules()}
    for prefix in prefixes:
        if not any(code.startswith(prefix) for code in known):
            raise UsageError(f"{prefix} matches no rule code (see spec/lint-rules.md)")


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

