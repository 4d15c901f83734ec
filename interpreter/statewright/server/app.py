"""The aiohttp application: ``POST /`` speaks the Step Functions API; ``/healthz`` and ``/metrics`` serve
operators. One log line per request at info (``statewright.server``): action, status, milliseconds."""

from __future__ import annotations

import logging
import time

from aiohttp import web

import statewright.server.actions  # noqa: F401 - registers every action
from statewright.server.context import ServerContext
from statewright.server.protocol import CONTENT_TYPE, ApiError, dispatch, encode

log = logging.getLogger("statewright.server")

CONTEXT_KEY: web.AppKey[ServerContext] = web.AppKey("context", ServerContext)
# AWS accepts definitions up to 1 MiB and payloads up to 256 KiB; leave room for the JSON around them.
_MAX_REQUEST = 4 * 1024 * 1024


async def _api(request: web.Request) -> web.Response:
    context = request.app[CONTEXT_KEY]
    began = time.perf_counter()
    raw = await request.read()
    try:
        status, document, action = await dispatch(context, request.headers.get("X-Amz-Target"), raw)
    except Exception:  # a bug must answer as AWS's InternalFailure, not a dropped connection
        log.exception("request %s failed", request.headers.get("X-Amz-Target"))
        error = ApiError("InternalFailure", "The server failed to process the request; its log says why", 500)
        status, document, action = error.status, error.document(), request.headers.get("X-Amz-Target", "?")
    log.info("%s %d %.1fms", action, status, (time.perf_counter() - began) * 1000)
    return web.Response(body=encode(document), status=status, content_type=CONTENT_TYPE)


async def _healthz(request: web.Request) -> web.Response:
    """200 when the store answers a read and the loop turns; 503 with the reason otherwise."""
    context = request.app[CONTEXT_KEY]
    try:
        await context.store.info()
    except Exception as error:
        return web.json_response({"status": "unavailable", "store": str(error)}, status=503)
    return web.json_response({"status": "ok"})


def make_app(context: ServerContext) -> web.Application:
    app = web.Application(client_max_size=_MAX_REQUEST)
    app[CONTEXT_KEY] = context
    app.router.add_post("/", _api)
    app.router.add_get("/healthz", _healthz)
    return app
