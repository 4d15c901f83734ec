"""A scriptable aiohttp endpoint on 127.0.0.1 (port 0) for the HTTP task tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Endpoint:
    """Records what it received and how many requests were in flight at once."""

    base: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    cancelled: int = 0
    tasks_while_waiting: int = -1  # set by the callback tests


ENDPOINT = web.AppKey("endpoint", Endpoint)


async def _handle(request: web.Request) -> web.StreamResponse:
    endpoint = request.app[ENDPOINT]
    body = await request.read()
    endpoint.requests.append({"method": request.method, "path": request.path, "headers": dict(request.headers),
                              "query": dict(request.query), "body": body.decode()})
    endpoint.in_flight += 1
    endpoint.peak = max(endpoint.peak, endpoint.in_flight)
    try:
        return await _respond(request, body)
    except asyncio.CancelledError:
        endpoint.cancelled += 1  # the client went away: aiohttp cancels the handler
        raise
    finally:
        endpoint.in_flight -= 1


async def _respond(request: web.Request, body: bytes) -> web.StreamResponse:
    path = request.path
    if path.startswith("/status/"):
        return web.Response(status=int(path.rsplit("/", 1)[1]), text=f"failure body {path}")
    if path.startswith("/slow/"):
        await asyncio.sleep(float(path.rsplit("/", 1)[1]))
        return web.json_response({"slow": True})
    if path == "/big":
        return web.Response(body=b"x" * (300 * 1024), content_type="application/json")
    if path == "/big-chunked":
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(40):
            await response.write(b"y" * 8192)
        await response.write_eof()
        return response
    if path == "/oauth/token":
        return web.json_response({"access_token": "tok-abcdef123456", "expires_in": 3600})
    if path == "/text":
        return web.Response(text="plain words")
    if path == "/empty":
        return web.Response(status=204)
    if path == "/work":
        await asyncio.sleep(0.005)
        return web.json_response({"done": request.query.get("i")})
    return web.json_response({"method": request.method, "headers": dict(request.headers),
                              "query": dict(request.query), "body": body.decode()})


@contextlib.asynccontextmanager
async def serve() -> AsyncIterator[Endpoint]:
    """Start the endpoint on 127.0.0.1 with a port the OS picks; yields it with ``base`` set."""
    endpoint = Endpoint()
    app = web.Application()
    app[ENDPOINT] = endpoint
    app.router.add_route("*", "/{tail:.*}", _handle)
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    endpoint.base = f"http://127.0.0.1:{port}"
    try:
        yield endpoint
    finally:
        await runner.cleanup()


def task(resource: str, **fields: Any) -> dict[str, Any]:
    """A one-state machine around a Task."""
    return {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": resource, "End": True, **fields}}}
