"""The console's routes: its page at ``/``, its static files, and the graph of a definition as SVG."""

from __future__ import annotations

import functools
import json
from importlib import resources

from aiohttp import web

_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}
_MAX_DEFINITION = 1 << 20  # the API's own limit on a definition is 1 MiB


@functools.cache
def _static(name: str) -> bytes | None:
    """A console file's bytes, read once per process (they are part of the installed package)."""
    if "/" in name or name.startswith("."):
        return None
    path = resources.files("statewright.console").joinpath("static", name)
    return path.read_bytes() if path.is_file() else None


async def _index(request: web.Request) -> web.Response:
    body = _static("index.html")
    assert body is not None
    return web.Response(body=body, content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "no-cache"})


async def _asset(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    body = _static(name)
    if body is None:
        raise web.HTTPNotFound(text=f"no console file {name}")
    suffix = name[name.rfind("."):]
    return web.Response(body=body, content_type=_TYPES.get(suffix, "application/octet-stream"),
                        headers={"Cache-Control": "no-cache"})


async def _graph(request: web.Request) -> web.Response:
    """``{"definition": "<text>"}`` -> the definition laid out as SVG (statewright/graph)."""
    from statewright.graph import build_graph, to_svg
    from statewright.source import SourceError, parse_source

    raw = await request.read()
    if len(raw) > _MAX_DEFINITION:
        raise web.HTTPRequestEntityTooLarge(max_size=_MAX_DEFINITION, actual_size=len(raw))
    try:
        text = json.loads(raw)["definition"]
        document = parse_source(text)
    except (ValueError, KeyError, TypeError, SourceError) as error:
        raise web.HTTPBadRequest(text=f"cannot read the definition: {error}") from None
    if not isinstance(document.value, dict) or not isinstance(document.value.get("States"), dict):
        raise web.HTTPBadRequest(text="the definition has no States object")
    return web.Response(text=to_svg(build_graph(document.value)), content_type="image/svg+xml")


def add_console(app: web.Application) -> None:
    """Serve the console on ``app`` (GET ``/``, GET ``/console/<file>``, POST ``/console/graph``)."""
    app.router.add_get("/", _index)
    app.router.add_get("/console/{name}", _asset)
    app.router.add_post("/console/graph", _graph)
