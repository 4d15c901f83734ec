"""Running the server: open the durable engine, listen, and drain on SIGTERM or Ctrl-C.

Draining: stop accepting connections, let requests in flight answer (their commits included), stop
carrying out tasks and firing timers, write what is decided, close the store. Nothing recorded is lost either
way — a SIGKILL loses only what no client was told was recorded — and the next start carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from statewright.runtime.durable import DurableEngine
from statewright.server import activities, children
from statewright.server.app import drain, make_app
from statewright.server.context import ServerContext

log = logging.getLogger("statewright.server")


@dataclass
class ServeOptions:
    db: str | None = None
    host: str = "127.0.0.1"
    port: int = 8083
    resources: Any = None
    allow_hosts: list[str] | None = None
    config: str | None = None
    virtual_time: bool = False
    drain_seconds: float = 30.0
    lease_seconds: float = 10.0  # on a shared store (PostgreSQL): see runtime/durable/leases.py
    node_id: str | None = None
    # Called with the context once it is listening (features attach here: activities, children, metrics).
    on_ready: list[Callable[[ServerContext], Any]] = field(default_factory=list)


def listening_socket(host: str, port: int) -> socket.socket:
    """Bind the port before anything else is opened, so a port that is taken leaves no store file behind."""
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                  flags=socket.AI_PASSIVE)[0]
    return socket.create_server(address[:2], family=family, backlog=1024)  # SO_REUSEADDR on POSIX


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def serve(options: ServeOptions, *, ready: Callable[[str], None] | None = None,
                stop: asyncio.Event | None = None) -> None:
    """Serve until ``stop`` is set (SIGTERM and SIGINT set it when run from the command line)."""
    listener = listening_socket(options.host, options.port)
    try:
        engine = DurableEngine(options.db, options.resources, virtual_time=options.virtual_time,
                               allow_hosts=options.allow_hosts, config=options.config,
                               lease_seconds=options.lease_seconds, node_id=options.node_id)
        context = ServerContext(engine)
        children.attach(context)  # before opening: the tasks a restart sends again resolve their handlers
        activities.attach(context)  # before opening too: activity tasks no worker took are queued again
        await engine.open()
    except BaseException:
        listener.close()
        raise
    await _serve_on(listener, engine, context, options, ready, stop)


async def _serve_on(listener: socket.socket, engine: DurableEngine, context: ServerContext, options: ServeOptions,
                    ready: Callable[[str], None] | None, stop: asyncio.Event | None) -> None:
    app = make_app(context)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=options.drain_seconds)
    try:
        await runner.setup()
        site = web.SockSite(runner, listener)
        await site.start()
        for attach in options.on_ready:
            attach(context)
        host = f"[{options.host}]" if ":" in options.host else options.host  # an IPv6 address
        url = f"http://{host}:{listener.getsockname()[1]}"
        if ready is not None:
            ready(url)
        await (stop or asyncio.Event()).wait()
        log.info("draining: no new connections; finishing requests in flight")
    finally:
        for listening in list(runner.sites):
            await listening.stop()  # new connections are refused from here on
        for close in context.on_close:
            result = close()
            if asyncio.iscoroutine(result):
                await result
        await drain(app, options.drain_seconds)  # requests in flight are answered, their bodies still read
        await runner.cleanup()
        await engine.close()


def run_until_signalled(options: ServeOptions, announce: Callable[[str], None]) -> int:
    """The command line's loop: SIGTERM or the first Ctrl-C drains and exits 0; a second one exits at once."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()

        def signalled(number: int) -> None:
            if stop.is_set():
                say("statewright serve: stopping now")
                raise SystemExit(128 + number)
            stop.set()  # first: a message that cannot be written must not cost the drain
            say(f"statewright serve: {signal.Signals(number).name}: draining (again to stop at once)")

        for number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(number, signalled, number)
        await serve(options, ready=announce, stop=stop)

    asyncio.run(main())
    say("statewright serve: stopped; every decision is recorded")
    return 0


def say(line: str) -> None:
    """Tell whoever reads stderr, if anyone still does (a closed pipe must not turn into a traceback)."""
    with contextlib.suppress(OSError, ValueError):
        print(line, file=sys.stderr, flush=True)
