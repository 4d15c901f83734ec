"""Running the server: open the durable engine, listen, and drain on SIGTERM or Ctrl-C.

Draining: stop accepting connections, let requests in flight answer (their commits included), stop
carrying out tasks and firing timers, write what is decided, close the store. Nothing recorded is lost either
way — a SIGKILL loses only what no client was told was recorded — and the next start carries on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import signal
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
    # Called with the context once it is listening (features attach here: activities, children, metrics).
    on_ready: list[Callable[[ServerContext], Any]] = field(default_factory=list)


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
    engine = DurableEngine(options.db, options.resources, virtual_time=options.virtual_time,
                           allow_hosts=options.allow_hosts, config=options.config)
    context = ServerContext(engine)
    children.attach(context)  # before opening: the tasks a restart sends again resolve their handlers as they start
    activities.attach(context)  # before opening too: activity tasks no worker took are queued again
    await engine.open()
    app = make_app(context)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=options.drain_seconds)
    try:
        await runner.setup()
        site = web.TCPSite(runner, options.host, options.port, reuse_address=True)
        await site.start()
        for attach in options.on_ready:
            attach(context)
        bound = runner.addresses[0] if runner.addresses else (options.host, options.port)
        url = f"http://{options.host}:{bound[1]}"
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
                print("statewright serve: stopping now", file=sys.stderr, flush=True)
                raise SystemExit(128 + number)
            print(f"statewright serve: {signal.Signals(number).name}: draining (again to stop at once)",
                  file=sys.stderr, flush=True)
            stop.set()

        for number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(number, signalled, number)
        await serve(options, ready=announce, stop=stop)

    asyncio.run(main())
    return 0
