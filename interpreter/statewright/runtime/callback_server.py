"""A small HTTP listener that answers task tokens, so a person can approve with one ``curl``.

``statewright run`` starts one on 127.0.0.1 (spec/http-tasks.md, "Callback listener")::

    POST /task/<token>/success     body: the task result (JSON; empty means {})
    POST /task/<token>/failure     body: {"error": "...", "cause": "..."} (both optional)
    POST /task/<token>/heartbeat   no body

Answers: 200 ``{"ok": true}``; 404 ``{"error": "InvalidToken"}`` (no task ever waited for it); 410
``{"error": "TaskTimedOut"}`` (its task already ended); 400 for a body that is not JSON. It binds to the
loopback address only: anyone who can reach it can approve, so it is not exposed beyond the machine.
"""

from __future__ import annotations

import inspect
import socket
from typing import Any

from aiohttp import web

from statewright.runtime.callbacks import CallbackError
from statewright.source import strict_json

_STATUS = {"InvalidToken": 404, "TaskTimedOut": 410}


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket, bound now so the URL is known before the event loop starts."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class CallbackListener:
    """Serves the callback routes for ``engine`` (anything with ``send_task_success/failure/heartbeat``,
    plain methods or coroutines: the durable engine answers once the answer is recorded).

    Args:
        engine: the :class:`~statewright.Engine` whose tokens are answered.
        sock: a socket from :func:`bind` (default: a fresh one on 127.0.0.1, port chosen by the OS).

    Use as ``async with CallbackListener(engine) as listener: ... listener.url ...``.
    """

    def __init__(self, engine: Any, sock: socket.socket | None = None) -> None:
        self.engine = engine
        self.sock = sock if sock is not None else bind()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host if ':' not in host else f'[{host}]'}:{port}"

    async def start(self) -> str:
        app = web.Application(client_max_size=256 * 1024)
        app.router.add_post("/task/{token}/{action:success|failure|heartbeat}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.SockSite(self._runner, self.sock).start()
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> CallbackListener:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _handle(self, request: web.Request) -> web.Response:
        token, action = request.match_info["token"], request.match_info["action"]
        text = await request.text()
        try:
            body = strict_json.loads(text) if text.strip() else ({} if action == "success" else None)
        except ValueError as error:
            return _reply(400, {"error": "InvalidOutput", "message": f"the body is not JSON: {error}"})
        try:
            if action == "success":
                done = self.engine.send_task_success(token, body)
            elif action == "failure":
                body = body if isinstance(body, dict) else {}
                done = self.engine.send_task_failure(token, _str(body.get("error")), _str(body.get("cause")))
            else:
                done = self.engine.send_task_heartbeat(token)
            if inspect.isawaitable(done):
                await done
        except CallbackError as error:
            return _reply(_STATUS.get(error.error, 400), {"error": error.error, "message": str(error)})
        return _reply(200, {"ok": True})


def _reply(status: int, document: dict[str, Any]) -> web.Response:
    return web.json_response(document, status=status)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)

