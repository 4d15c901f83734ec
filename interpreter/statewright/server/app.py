"""The aiohttp application: ``POST /`` speaks the Step Functions API; ``/healthz`` and ``/metrics`` serve
operators. One log line per request at info (``statewright.server``): action, status, milliseconds and the
request id, which every answer carries in ``x-amzn-RequestId`` as AWS's do (boto3 shows it in
``ResponseMetadata.RequestId``, on errors too), so a user's report leads to the log line."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
import uuid
from collections.abc import AsyncIterator

from aiohttp import web

import statewright.server.actions  # noqa: F401 - registers every action
from statewright.console import add_console
from statewright.server.context import ServerContext
from statewright.server.metrics import CONTENT_TYPE as METRICS_TYPE
from statewright.server.metrics import Metrics
from statewright.server.protocol import CONTENT_TYPE, ApiError, dispatch, encode

log = logging.getLogger("statewright.server")

CONTEXT_KEY: web.AppKey[ServerContext] = web.AppKey("context", ServerContext)
METRICS_KEY: web.AppKey[Metrics] = web.AppKey("metrics", Metrics)
# AWS accepts definitions up to 1 MiB and payloads up to 256 KiB; leave room for the JSON around them.
_MAX_REQUEST = 4 * 1024 * 1024


class InFlight:
    """The API requests being handled, so a drain can wait for them (see :func:`drain`)."""

    def __init__(self) -> None:
        self.count = 0
        self.draining = False


IN_FLIGHT_KEY: web.AppKey[InFlight] = web.AppKey("in_flight", InFlight)


async def _api(request: web.Request) -> web.Response:
    app = request.app
    in_flight = app[IN_FLIGHT_KEY]
    in_flight.count += 1
    try:
        began = time.perf_counter()
        request_id = str(uuid.uuid4())
        raw = await request.read()
        try:
            status, document, action = await dispatch(app[CONTEXT_KEY], request.headers.get("X-Amz-Target"), raw)
        except Exception:  # a bug must answer as AWS's InternalFailure, not a dropped connection
            log.exception("request %s %s failed", request.headers.get("X-Amz-Target"), request_id)
            error = ApiError("InternalFailure",
                             f"The server failed to process the request; its log says why (request {request_id})",
                             500)
            status, document, action = error.status, error.document(), request.headers.get("X-Amz-Target", "?")
        took = time.perf_counter() - began
        app[METRICS_KEY].request(action, status, took)
        log.info("%s %d %.1fms %s", action, status, took * 1000, request_id)
        response = web.Response(body=encode(document), status=status, content_type=CONTENT_TYPE,
                                headers={"x-amzn-RequestId": request_id})
        if in_flight.draining:
            response.force_close()  # no next request on this connection: the client reconnects (and is refused)
        return response
    finally:
        in_flight.count -= 1


async def drain(app: web.Application, seconds: float) -> None:
    """Wait (up to ``seconds``) until no API request is being handled; stop the listening sites first.

    aiohttp's own shutdown stops reading from connections before it waits for their handlers, so a request
    whose headers had arrived but whose body had not (boto3 sends them in two writes) would wait out the
    whole shutdown timeout unanswered. Waiting here, with the connections still read, answers it.
    """
    in_flight = app[IN_FLIGHT_KEY]
    in_flight.draining = True
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while in_flight.count and loop.time() < deadline:
        await asyncio.sleep(0.01)


async def _healthz(request: web.Request) -> web.Response:
    """200 when the store answers a read and the loop turns; 503 with the reason otherwise."""
    context = request.app[CONTEXT_KEY]
    try:
        await context.store.execution_by_id(0)  # a real read (ids start at 1: it finds nothing)
    except Exception as error:
        return web.json_response({"status": "unavailable", "store": f"{type(error).__name__}: {error}"}, status=503)
    stalled = request.app[METRICS_KEY].stalled()
    if stalled is not None:
        return web.json_response({"status": "unavailable", "loop": stalled}, status=503)
    return web.json_response({"status": "ok"})


async def _metrics(request: web.Request) -> web.Response:
    text = await request.app[METRICS_KEY].render(request.app[CONTEXT_KEY].engine)
    return web.Response(text=text, headers={"Content-Type": METRICS_TYPE})


async def _lifetime(app: web.Application) -> AsyncIterator[None]:
    """Runs once the engine is open and the app set up, and again (after the yield) when it is cleaned up."""
    # The cyclic collector was the p99 of StartExecution under load (benchmarks/serve: full collections of
    # 30-115 ms, young ones every ~700 allocations). What startup made (modules, compiled definitions, the
    # engine) lives as long as the process: frozen, no collection walks it again. A request's garbage is
    # freed by reference counting; collecting the young generation every 10,000 allocations instead of 700
    # cut the collector's time per 10,000 requests from ~460 ms to ~50 ms.
    gc.collect()
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(10_000, 10, 10)
    ticker = asyncio.get_running_loop().create_task(app[METRICS_KEY].watch_loop(), name="statewright-loop-lag")
    yield
    ticker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await ticker
    gc.set_threshold(*thresholds)
    gc.unfreeze()


def make_app(context: ServerContext, *, stall_after: float = 5.0, lag_window: float = 10.0) -> web.Application:
    """The API app; ``/healthz`` answers 503 while the loop has lagged more than ``stall_after`` seconds
    within the last ``lag_window`` seconds."""
    app = web.Application(client_max_size=_MAX_REQUEST)
    app[CONTEXT_KEY] = context
    app[METRICS_KEY] = Metrics(stall_after=stall_after, lag_window=lag_window)
    app[IN_FLIGHT_KEY] = InFlight()
    app.router.add_post("/", _api)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/metrics", _metrics)
    add_console(app)  # the web console at GET / (statewright/console)
    app.cleanup_ctx.append(_lifetime)
    return app
