"""What `statewright run` does once its arguments are parsed (see statewright.cli.run_command)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import functools
import json
import logging
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import jmespath
import jmespath.exceptions

from statewright.api import DefinitionError, StateMachine, UnfilledPlaceholder, load
from statewright.cli.aws_options import with_aws
from statewright.cli.interrupts import Interrupts
from statewright.cli.trace import Trace
from statewright.core.model import UnsupportedDefinition
from statewright.lint.diagnostic import Diagnostic
from statewright.lint.placeholders import parse_substitutions
from statewright.lint.render import render_text
from statewright.runtime.connections import ConfigError
from statewright.runtime.engine import Engine, Result
from statewright.runtime.mock_config import MockConfig, MockConfigError
from statewright.runtime.resources import ResourceMapError, ResourceRegistry, load_resource_map
from statewright.source import SourceError, parse_source, strict_json

EXIT_SUCCEEDED, EXIT_ENDED_OTHERWISE, EXIT_USAGE = 0, 1, 2
PROG = "statewright run"
STDIN = "-"  # as FILE or --input-file: read standard input


class UsageError(Exception):
    """Bad arguments, unreadable files or non-JSON input: exit code 2, one line on stderr."""


def run(args: argparse.Namespace) -> int:
    try:
        query = _compile_query(args.query)
        if bool(args.mock_config) != bool(args.test_case):
            raise UsageError("--mock-config and --test-case go together")
        if args.db is not None and args.mock_config:
            raise UsageError("--mock-config cannot be used with --db: a mocked run is not one to keep")
        substitutions = _substitutions(args.substitutions, args.substitute)
        data = _read_definition(args.file, args.input_file)
        execution_input = _read_input(args)
        sock = _callback_socket(args, data)
        if sock is not None:
            substitutions.setdefault(CALLBACK_PLACEHOLDER, _base_url(sock))
        machine = _load(args.file, data, substitutions, color=_color(args, sys.stderr))
        if machine is None:
            return EXIT_USAGE
        resources = _resources(args.resources, args)
        mock_config = _mock_config(args.mock_config, machine, args.test_case)
        engine = _engine(args, resources, sock)
        if not args.quiet:
            _show_warnings(machine.warnings, args.file, color=_color(args, sys.stderr))
        if args.verbose:
            _log_task_failures()
    except UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.db is not None:
        return _run_durably(args, machine, execution_input, resources, sock, query)
    trace = None if args.quiet else Trace(sys.stderr, color=_color(args, sys.stderr))
    with Interrupts(PROG) as interrupts:  # Ctrl-C, SIGTERM: the execution ends ABORTED (cli/interrupts.py)
        result = asyncio.run(_execute(engine, machine, execution_input, args, mock_config, trace, sock, interrupts))
    if trace is not None:
        trace.finish(result)
    _print_result(result, args, query)
    return EXIT_SUCCEEDED if result.status == "SUCCEEDED" else EXIT_ENDED_OTHERWISE


async def _execute(
    engine: Engine, machine: StateMachine, value: Any, args: argparse.Namespace, mock_config: MockConfig | None,
    trace: Trace | None, sock: socket.socket | None, interrupts: Interrupts,
) -> Result:
    async with engine, contextlib.AsyncExitStack() as stack:
        if sock is not None:
            # Imported here: the listener is aiohttp's server, which a run without callbacks never loads.
            from statewright.runtime.callback_server import CallbackListener

            await stack.enter_async_context(CallbackListener(engine, sock))
            if trace is not None:
                engine.tokens.on_open = functools.partial(trace.waiting, engine.callback_url)
        # start, not execute: a signal stops the execution by its ARN, known before it ends
        started = engine.start(
            machine, value, mock_config=mock_config, test_case=args.test_case, virtual_time=args.virtual_time,
            name=args.name, on_event=trace.event if trace is not None else None,
        )
        interrupts.stop(engine, started.execution_arn)
        return await started


def _run_durably(args: argparse.Namespace, machine: StateMachine, value: Any, resources: ResourceRegistry | None,
                 sock: socket.socket | None, query: Any) -> int:
    """``run --db``: the execution recorded in a store (cli/durable_run.py)."""
    from statewright.cli.durable_run import run_durably

    return report_durable(args, query, lambda traces: run_durably(args, machine, value, resources, sock, traces),
                          sock)


def report_durable(args: argparse.Namespace, query: Any, runner: Any, sock: socket.socket | None,
                   prog: str = PROG) -> int:
    """Run ``runner(traces)`` (a durable run or resume) and print each result as ``run`` prints one."""
    from statewright.cli.durable_run import EXIT_INTERRUPTED, DurableUsageError, Traces

    url = _base_url(sock) if sock is not None else None
    header = f"recorded in {args.db} as {{}}".format if prog == PROG else "== {}".format
    traces = None if args.quiet else Traces(lambda: Trace(sys.stderr, color=_color(args, sys.stderr)),
                                            header=header, callback_url=lambda: url)
    try:
        results, interrupted = asyncio.run(runner(traces))
    except DurableUsageError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if interrupted:
        return EXIT_INTERRUPTED
    for result in results:
        if traces is not None:
            traces.finish(result)
        _print_result(result, args, query)
    return EXIT_SUCCEEDED if all(result.status == "SUCCEEDED" for result in results) else EXIT_ENDED_OTHERWISE


# The placeholder `statewright run` fills with its callback listener's base URL (spec/http-tasks.md).
CALLBACK_PLACEHOLDER = "Statewright.CallbackUrl"


def _callback_socket(args: argparse.Namespace, data: bytes) -> socket.socket | None:
    # Bound before the definition is loaded, so ${Statewright.CallbackUrl} can be filled with its port.
    wanted = args.callback_port is not None
    if not wanted:
        text = data.decode("utf-8", errors="replace")
        wanted = ".waitForTaskToken" in text or "${" + CALLBACK_PLACEHOLDER + "}" in text
    if not wanted:
        return None
    from statewright.runtime.callback_server import bind

    try:
        return bind("127.0.0.1", args.callback_port or 0)
    except OSError as error:
        raise UsageError(f"--callback-port: cannot listen on 127.0.0.1:{args.callback_port}: "
                         f"{_reason(error)}") from None


def _base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


def _engine(args: argparse.Namespace, resources: ResourceRegistry | None, sock: socket.socket | None) -> Engine:
    try:
        return Engine(resources, allow_hosts=args.allow_host, config=args.config,
                      callback_url=_base_url(sock) if sock is not None else None)
    except ConfigError as error:
        raise UsageError(f"--config: {_one_line(str(error))}") from None


def _print_result(result: Result, args: argparse.Namespace, query: Any) -> None:
    if args.json or args.history or query is not None:
        document: Any = result.to_json(history=args.history or (query is not None and _reads_history(query)))
        if query is not None:
            document = query.search(document)
        text = json.dumps(document, indent=2, ensure_ascii=False)
    elif result.status == "SUCCEEDED":
        text = json.dumps(result.output, indent=2, ensure_ascii=False)
    else:
        return  # the trace's last line says how it ended; stdout stays empty
    sys.stdout.write(text + "\n")


# --- reading the arguments ---------------------------------------------------------------------------


def _compile_query(expression: str | None) -> Any:
    if expression is None:
        return None
    try:
        return jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as error:
        raise UsageError(f"--query is not a valid JMESPath expression: {_one_line(str(error))}") from None


def _reads_history(query: Any) -> bool:
    """Whether the JMESPath expression reads a field called ``history`` (then the document needs it)."""
    nodes = [query.parsed]
    while nodes:
        node = nodes.pop()
        if node.get("type") == "field" and node.get("value") == "history":
            return True
        nodes.extend(child for child in node.get("children", ()) if isinstance(child, dict))
    return False


def _substitutions(file: str | None, items: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    if file is not None:
        try:
            document = parse_source(Path(file).read_bytes(), filename=file)
        except OSError as error:
            raise UsageError(f"--substitutions: cannot read {file}: {_reason(error)}") from None
        except SourceError as error:
            raise UsageError(f"--substitutions: {_one_line(str(error))}") from None
        if not isinstance(document.value, dict):
            raise UsageError(f"--substitutions: {file} must hold an object of placeholder names to values")
        values.update({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in document.value.items()})
    try:
        values.update(parse_substitutions(items))
    except ValueError as error:
        raise UsageError(str(error)) from None
    return values


def _read_definition(name: str, input_file: str | None) -> bytes:
    if name != STDIN:
        try:
            return Path(name).read_bytes()
        except OSError as error:
            raise UsageError(f"cannot read {name}: {_reason(error)}") from None
    if input_file == STDIN:
        raise UsageError("FILE and --input-file cannot both be - (there is one standard input)")
    return _read_stdin("FILE")


def _read_stdin(what: str) -> bytes:
    if sys.stdin is None:  # started with stdin closed
        raise UsageError(f"{what} is - but standard input is closed")
    try:
        return sys.stdin.buffer.read()
    except OSError as error:
        raise UsageError(f"{what}: cannot read standard input: {_reason(error)}") from None


def _read_input(args: argparse.Namespace) -> Any:
    if args.input_file == STDIN:
        data = _read_stdin("--input-file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UsageError(f"--input-file: cannot read standard input: {_reason(error)}") from None
        return _parse_json(text, "--input-file - (standard input)")
    if args.input_file is not None:
        try:
            text = Path(args.input_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"--input-file: cannot read {args.input_file}: {_reason(error)}") from None
        return _parse_json(text, f"--input-file {args.input_file}")
    if args.input is not None:
        return _parse_json(args.input, "--input")
    return {}


def _parse_json(text: str, flag: str) -> Any:
    # The rule task results follow too: no NaN, Infinity or numbers beyond a float (source/strict_json.py).
    try:
        return strict_json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{flag} is not valid JSON: line {error.lineno} column {error.colno}: "
                         f"{_one_line(error.msg)}") from None


def _load(name: str, data: bytes, substitutions: dict[str, str], *, color: bool) -> StateMachine | None:
    shown = _shown(name)
    try:
        # From standard input the machine has no file name: it is called "StateMachine", as in the library.
        machine = load(data if name == STDIN else Path(name), substitutions=substitutions or None)
        machine.compiled  # noqa: B018 - compile now: a definition we cannot run is exit 2, not a traceback
        return machine
    except (UnsupportedDefinition, UnfilledPlaceholder) as error:
        raise UsageError(f"cannot run {shown}: {_one_line(str(error))}") from None
    except DefinitionError as error:
        diagnostics = _named(error.diagnostics, name)
        lines = data.decode("utf-8", errors="replace").splitlines()
        sys.stderr.write(render_text(diagnostics, {d.file: lines for d in diagnostics}, color=color))
        errors = sum(1 for d in diagnostics if d.is_error)
        print(f"{PROG}: error: {shown} is not a valid definition ({errors} error{'s' * (errors != 1)})",
              file=sys.stderr)
        return None


def _show_warnings(warnings: tuple[Diagnostic, ...], name: str, *, color: bool) -> None:
    """The definition's lint warnings, one line each, before it runs (as a compiler shows them)."""
    sys.stderr.write(render_text(_named(warnings, name), {}, full=False, color=color))


def _named(diagnostics: Sequence[Diagnostic], name: str) -> list[Diagnostic]:
    """Diagnostics of a definition read from standard input name it ``<stdin>``."""
    if name != STDIN:
        return list(diagnostics)
    return [dataclasses.replace(d, file=_shown(name)) if d.file is None else d for d in diagnostics]


def _shown(name: str) -> str:
    return "<stdin>" if name == STDIN else name


class _StderrHandler(logging.Handler):
    """Writes records to whatever ``sys.stderr`` is when they come (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(self.format(record) + "\n")
        sys.stderr.flush()


def _log_task_failures() -> None:
    """``--verbose``: the runtime logs each failing task's exception with its traceback (runtime/driver.py)."""
    logger = logging.getLogger("statewright.tasks")
    if not any(isinstance(handler, _StderrHandler) for handler in logger.handlers):
        logger.addHandler(_StderrHandler())
    logger.setLevel(logging.DEBUG)


def _resources(name: str | None, args: argparse.Namespace | None = None) -> ResourceRegistry | None:
    registry = None
    if name is not None:
        try:
            registry = load_resource_map(name)
        except ResourceMapError as error:
            raise UsageError(f"--resources: {_one_line(str(error))}") from None
    if args is None:
        return registry
    try:
        return with_aws(args, registry)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _mock_config(name: str | None, machine: StateMachine, test_case: str | None) -> MockConfig | None:
    if name is None:
        return None
    try:
        config = MockConfig.load(name)
        config.test_case(machine.mock_names, test_case or "")  # fail now, with exit 2, if it is missing
        return config
    except MockConfigError as error:
        raise UsageError(f"--mock-config: {_one_line(str(error))}") from None


def _reason(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _color(args: argparse.Namespace, stream: TextIO) -> bool:
    return not args.no_color and "NO_COLOR" not in os.environ and stream.isatty()
