"""``statewright run --db URL`` and ``statewright resume``: executions recorded in a store (docs/durability.md).

``run --db`` records its execution in the store before it runs and as it runs; the trace's first line says
where. A process killed meanwhile (``kill -9``, a crash, a reboot) loses nothing: ``statewright resume --db``
opens the store and carries on every execution left running, printing each one's result as ``run`` does.

Ctrl-C and SIGTERM do not stop a durable execution: they stop the process, and the execution stays RUNNING in
the store for ``resume`` (a deploy or a restart must not abort workflows). ``statewright run`` without ``--db``
stops its execution on Ctrl-C instead: nothing would be left to resume.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

from statewright.cli.trace import Trace
from statewright.runtime.connections import ConfigError
from statewright.runtime.durable import DurableEngine, ExecutionAlreadyExists, InvalidName
from statewright.runtime.engine import Result
from statewright.runtime.resources import ResourceRegistry
from statewright.store import StoreError, store_for

EXIT_SUCCEEDED, EXIT_ENDED_OTHERWISE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class DurableUsageError(Exception):
    """The store cannot be opened, or the start was refused: exit 2 with one line."""


def durable_engine(args: argparse.Namespace, resources: ResourceRegistry | None, callback_url: str | None,
                   traces: Traces | None) -> DurableEngine:
    try:
        store = store_for(args.db)
    except StoreError as error:
        raise DurableUsageError(f"--db: {error}") from None
    try:
        return DurableEngine(
            store, resources, virtual_time=args.virtual_time, allow_hosts=args.allow_host, config=args.config,
            callback_url=callback_url, on_event=traces.event if traces is not None else None,
            on_token=traces.waiting if traces is not None else None)
    except ConfigError as error:
        raise DurableUsageError(f"--config: {' '.join(str(error).split())}") from None


class Traces:
    """One :class:`Trace` per execution (``resume`` carries on several), each headed by ``header(arn)``."""

    def __init__(self, make: Callable[[], Trace], *, header: Callable[[str], str],
                 callback_url: Callable[[], str | None]) -> None:
        self.make = make
        self.header = header
        self.callback_url = callback_url
        self.traces: dict[str, Trace] = {}

    def of(self, arn: str) -> Trace:
        trace = self.traces.get(arn)
        if trace is None:
            trace = self.traces[arn] = self.make()
            trace.stream.write(self.header(arn) + "\n")
        return trace

    def event(self, arn: str, event: Any) -> None:
        self.of(arn).event(event)

    def waiting(self, arn: str, token: str, state: str) -> None:
        self.of(arn).waiting(self.callback_url(), token, state)

    def finish(self, result: Result) -> None:
        self.of(result.execution_arn).finish(result)


async def run_durably(args: argparse.Namespace, machine: Any, value: Any, resources: ResourceRegistry | None,
                      sock: socket.socket | None, traces: Traces | None) -> tuple[list[Result], bool]:
    """Start the execution in the store, run it to its end; (results, interrupted)."""
    async with _Session(args, resources, sock, traces) as session:
        try:
            arn = await session.engine.start(machine, value, name=args.name)
        except (ExecutionAlreadyExists, InvalidName) as error:
            raise DurableUsageError(str(error)) from None
        return await session.wait([arn])


async def resume_all(args: argparse.Namespace, resources: ResourceRegistry | None, sock: socket.socket | None,
                     traces: Traces | None) -> tuple[list[Result], bool]:
    """Open the store (which resumes everything in it) and wait for every execution it holds RUNNING."""
    async with _Session(args, resources, sock, traces) as session:
        arns: list[str] = []
        token = None
        while True:
            page = await session.engine.list(status="RUNNING", limit=1000, next_token=token)
            arns += [execution.execution_arn for execution in page.executions]
            token = page.next_token
            if token is None:
                break
        if not arns:
            print(f"statewright resume: nothing to resume in {session.engine.store.url}", file=sys.stderr)
        elif traces is not None:
            print(f"resuming {len(arns)} execution{'s' * (len(arns) != 1)} from {session.engine.store.url}",
                  file=sys.stderr)
        return await session.wait(arns)


class _Session:
    """The engine, its callback listener, and the signals that end the process (not the executions)."""

    def __init__(self, args: argparse.Namespace, resources: ResourceRegistry | None, sock: socket.socket | None,
                 traces: Traces | None) -> None:
        url = _base_url(sock) if sock is not None else None
        self.engine = durable_engine(args, resources, url, traces)
        self.sock = sock
        self.interrupted = asyncio.Event()
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> _Session:
        try:
            await self._stack.enter_async_context(self.engine)
        except StoreError as error:
            raise DurableUsageError(str(error)) from None
        if self.sock is not None:
            from statewright.runtime.callback_server import CallbackListener  # aiohttp's server: only when needed

            await self._stack.enter_async_context(CallbackListener(self.engine, self.sock))
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(number, self._interrupt, number)
                self._stack.callback(loop.remove_signal_handler, number)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._stack.aclose()

    def _interrupt(self, number: int) -> None:
        if self.interrupted.is_set():
            raise SystemExit(128 + number)
        print(f"\nstatewright: {signal.Signals(number).name}: stopping; what is running stays recorded in "
              f"{self.engine.store.url} (carry on with `statewright resume --db {self.engine.store.url}`)",
              file=sys.stderr)
        self.interrupted.set()

    async def wait(self, arns: list[str]) -> tuple[list[Result], bool]:
        waiting = asyncio.ensure_future(asyncio.gather(*(self.engine.wait(arn) for arn in arns)))
        interrupted = asyncio.ensure_future(self.interrupted.wait())
        await asyncio.wait([waiting, interrupted], return_when=asyncio.FIRST_COMPLETED)
        interrupted.cancel()
        if waiting.done():
            return list(waiting.result()), False
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        return [], True


def _base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"
