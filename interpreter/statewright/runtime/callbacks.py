"""Task tokens in flight: how SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat find their task.

A ``.waitForTaskToken`` task registers its token *before* its resource is called, so an answer that
arrives while the resource is still running (a fast approver, or a resource that answers itself) is
kept and used as soon as the call returns (spec/task.md rule 11).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# How many ended tokens we remember to tell "too late" (TaskTimedOut) from "never existed" (InvalidToken).
_ENDED_MEMORY = 10_000


class CallbackError(Exception):
    """An answer for a token that has no waiting task; ``error`` is the AWS API error name."""

    error = "InvalidToken"


class InvalidToken(CallbackError):
    """No task ever waited for this token (or it was forgotten long ago)."""

    error = "InvalidToken"


class TaskTimedOut(CallbackError):
    """The task of this token has already ended (timed out, answered, failed or was cancelled)."""

    error = "TaskTimedOut"


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """What a callback said: an output, or an (error, cause)."""

    output: Any = None
    error: str | None = None
    cause: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass(slots=True)
class _Waiting:
    future: asyncio.Future[CallbackAnswer]
    heartbeat: Callable[[], None]


class TaskTokens:
    """Every token in flight in one engine, with the future its task waits on."""

    def __init__(self) -> None:
        self._waiting: dict[str, _Waiting] = {}
        self._ended: OrderedDict[str, None] = OrderedDict()
        # Called with (token, state name) when a task starts waiting: `statewright run` prints how to answer.
        self.on_open: Callable[[str, str], None] | None = None

    def open(self, token: str, heartbeat: Callable[[], None], state: str = "") -> asyncio.Future[CallbackAnswer]:
        """Register ``token``; ``heartbeat`` is called for each SendTaskHeartbeat."""
        future: asyncio.Future[CallbackAnswer] = asyncio.get_running_loop().create_future()
        self._waiting[token] = _Waiting(future, heartbeat)
        if self.on_open is not None:
            self.on_open(token, state)
        return future

    def close(self, token: str) -> None:
        """The task of ``token`` ended: later answers get TaskTimedOut."""
        waiting = self._waiting.pop(token, None)
        if waiting is None:
            return
        if not waiting.future.done():
            waiting.future.cancel()
        self._ended[token] = None
        if len(self._ended) > _ENDED_MEMORY:
            self._ended.popitem(last=False)

    def answer(self, token: str, answer: CallbackAnswer) -> None:
        """Deliver a success or failure; raises :class:`CallbackError` when nothing waits for ``token``.

        Safe from other threads (a sync task function runs in one): the delivery then hops onto the
        task's event loop, and a token that ends meanwhile is ignored there rather than reported.
        """
        waiting = self._find(token)
        loop = waiting.future.get_loop()
        if not _on(loop):
            loop.call_soon_threadsafe(_deliver, waiting.future, answer)
            return
        if waiting.future.done():
            raise TaskTimedOut(f"The task of token {_short(token)} has already been answered")
        waiting.future.set_result(answer)

    def heartbeat(self, token: str) -> None:
        """Deliver a heartbeat; raises :class:`CallbackError` when nothing waits for ``token``."""
        waiting = self._find(token)
        loop = waiting.future.get_loop()
        if _on(loop):
            waiting.heartbeat()
        else:
            loop.call_soon_threadsafe(waiting.heartbeat)

    def __contains__(self, token: str) -> bool:
        return token in self._waiting

    def __len__(self) -> int:
        return len(self._waiting)

    def _find(self, token: str) -> _Waiting:
        waiting = self._waiting.get(token)
        if waiting is not None:
            return waiting
        if token in self._ended:
            raise TaskTimedOut(f"The task of token {_short(token)} has already ended")
        raise InvalidToken(f"No task is waiting for the token {_short(token)}")


def _on(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:  # a worker thread: no running loop here
        return False


def _deliver(future: asyncio.Future[CallbackAnswer], answer: CallbackAnswer) -> None:
    if not future.done():
        future.set_result(answer)


def _short(token: str) -> str:
    return repr(token if len(token) <= 40 else token[:37] + "...")
