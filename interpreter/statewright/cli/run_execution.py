"""What `statewright run` does once its arguments are parsed (see statewright.cli.run_command)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any, TextIO

import jmespath
import jmespath.exceptions

from statewright.api import DefinitionError, StateMachine, UnfilledPlaceholder, load
from statewright.core.events import HistoryEvent
from statewright.core.model import UnsupportedDefinition
from statewright.lint.placeholders import parse_substitutions
from statewright.lint.render import render_text
from statewright.runtime.callback_server import CallbackListener, bind
from statewright.runtime.connections import ConfigError
from statewright.runtime.engine import Engine, Result
from statewright.runtime.mock_config import MockConfig, MockConfigError
from statewright.runtime.resources import ResourceMapError, ResourceRegistry, load_resource_map
from statewright.source import SourceError, parse_source

EXIT_SUCCEEDED, EXIT_ENDED_OTHERWISE, EXIT_USAGE = 0, 1, 2
PROG = "statewright run"


class UsageError(Exception):
    """Bad arguments, unreadable files or non-JSON input: exit code 2, one line on stderr."""


def run(args: argparse.Namespace) -> int:
    try:
        query = _compile_query(args.query)
        if bool(args.mock_config) != bool(args.test_case):
            raise UsageError("--mock-config and --test-case go together")
        substitutions = _substitutions(args.substitutions, args.substitute)
        execution_input = _read_input(args)
        sock = _callback_socket(args)
        if sock is not None:
            substitutions.setdefault(CALLBACK_PLACEHOLDER, _base_url(sock))
        machine = _load(args.file, substitutions)
        if machine is None:
            return EXIT_USAGE
        resources = _resources(args.resources)
        mock_config = _mock_config(args.mock_config, machine, args.test_case)
        engine = _engine(args, resources, sock)
    except UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    trace = None if args.quiet else Trace(sys.stderr, color=_color(args, sys.stderr))
    result = asyncio.run(_execute(engine, machine, execution_input, args, mock_config, trace, sock))
    if trace is not None:
        trace.finish(result)
    _print_result(result, args, query)
    return EXIT_SUCCEEDED if result.status == "SUCCEEDED" else EXIT_ENDED_OTHERWISE


async def _execute(
    engine: Engine, machine: StateMachine, value: Any, args: argparse.Namespace, mock_config: MockConfig | None,
    trace: Trace | None, sock: socket.socket | None,
) -> Result:
    async with engine, contextlib.AsyncExitStack() as stack:
        if sock is not None:
            await stack.enter_async_context(CallbackListener(engine, sock))
            if trace is not None:
                engine.tokens.on_open = functools.partial(trace.waiting, engine.callback_url)
        return await engine.execute(
            machine, value, mock_config=mock_config, test_case=args.test_case, virtual_time=args.virtual_time,
            name=args.name, on_event=trace.event if trace is not None else None,
        )


# The placeholder `statewright run` fills with its callback listener's base URL (spec/http-tasks.md).
CALLBACK_PLACEHOLDER = "Statewright.CallbackUrl"


def _callback_socket(args: argparse.Namespace) -> socket.socket | None:
    # Bound before the definition is loaded, so ${Statewright.CallbackUrl} can be filled with its port.
    wanted = args.callback_port is not None
    if not wanted:
        try:
            text = Path(args.file).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None  # _load reports the unreadable file
        wanted = ".waitForTaskToken" in text or "${" + CALLBACK_PLACEHOLDER + "}" in text
    if not wanted:
        return None
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
        document: Any = result.to_json(history=args.history)
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


def _read_input(args: argparse.Namespace) -> Any:
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
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{flag} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None


def _load(name: str, substitutions: dict[str, str]) -> StateMachine | None:
    path = Path(name)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {name}: {_reason(error)}") from None
    try:
        machine = load(path, substitutions=substitutions or None)
        machine.compiled  # noqa: B018 - compile now: a definition we cannot run is exit 2, not a traceback
        return machine
    except (UnsupportedDefinition, UnfilledPlaceholder) as error:
        raise UsageError(f"cannot run {name}: {_one_line(str(error))}") from None
    except DefinitionError as error:
        lines = data.decode("utf-8", errors="replace").splitlines()
        color = "NO_COLOR" not in os.environ and sys.stderr.isatty()
        sys.stderr.write(render_text(error.diagnostics, {d.file: lines for d in error.diagnostics}, color=color))
        errors = sum(1 for d in error.diagnostics if d.is_error)
        print(f"{PROG}: error: {name} is not a valid definition ({errors} error{'s' * (errors != 1)})",
              file=sys.stderr)
        return None


def _resources(name: str | None) -> ResourceRegistry | None:
    if name is None:
        return None
    try:
        return load_resource_map(name)
    except ResourceMapError as error:
        raise UsageError(f"--resources: {_one_line(str(error))}") from None


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


# --- the trace ---------------------------------------------------------------------------------------

_ENDINGS = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}
_FAILURES = ("Failed", "TimedOut", "Aborted")
_GREEN, _RED, _DIM, _BOLD, _RESET = "\033[32m", "\033[31m", "\033[2m", "\033[1m", "\033[0m"


class Trace:
    """Writes one line per state entered and per failure, with the time since the start."""

    def __init__(self, stream: TextIO, *, color: bool) -> None:
        self.stream = stream
        self.color = color
        self.start: float | None = None

    def event(self, event: HistoryEvent) -> None:
        if self.start is None:
            self.start = event.timestamp
        details = event.details or {}
        kind = event.type
        if kind.endswith("StateEntered"):
            line = f"-> {details.get('name', '?')} {self._paint(_DIM, '(' + kind[: -len('StateEntered')] + ')')}"
        elif kind in _ENDINGS:
            return  # finish() prints the ending with the status
        elif kind.endswith(_FAILURES) and ("error" in details or "cause" in details):
            text = f"!! {kind}: {details.get('error') or ''}"
            if details.get("cause"):
                text += f": {_one_line(str(details['cause']))[:300]}"
            line = self._paint(_RED, text)
        else:
            return
        self._write(event.timestamp, line)

    def waiting(self, base_url: str | None, token: str, state: str) -> None:
        """A task waits for its token: show the commands that answer it (spec/http-tasks.md §8)."""
        url = f"{base_url}/task/{token}"
        pad = " " * 12  # under the message column of the timed lines
        self.stream.write(f"{pad}{self._paint(_BOLD, f'.. {state} waits for a callback; answer with:')}\n"
                          f"{pad}   curl -X POST {url}/success -d '{{}}'\n"
                          f"{pad}   curl -X POST {url}/failure -d '{{\"error\": \"Rejected\"}}'\n")
        self.stream.flush()

    def finish(self, result: Result) -> None:
        colour = _GREEN if result.status == "SUCCEEDED" else _RED
        line = self._paint(_BOLD + colour, result.status)
        if result.error or result.cause:
            line += self._paint(colour, f" {result.error or ''}: {_one_line(result.cause or '')}")
        self._write(result.stop_date, line)

    def _write(self, timestamp: float, line: str) -> None:
        offset = timestamp - (self.start if self.start is not None else timestamp)
        self.stream.write(f"{self._paint(_DIM, f'{offset:>9.3f}s')}  {line}\n")
        self.stream.flush()

    def _paint(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text
