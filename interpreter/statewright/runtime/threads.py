"""The worker threads that run plain (sync) task functions.

A sync task function runs on a worker thread, so one blocking call cannot stall the event loop and every
other execution on it. Those threads are this module's, not the event loop's default executor, for one
reason: a call can be *abandoned*. When its attempt times out or its execution is stopped, the execution
goes on without it, but Python cannot stop a thread, so the function runs on until it returns and its
result is discarded (spec/extensions.md rule 6). ``asyncio.run`` joins the default executor's threads
when it ends, and ``concurrent.futures`` joins its threads when the interpreter exits: either would keep
``statewright run`` alive until the abandoned function returned, however long after the execution ended.
Our threads are daemon threads, joined by nobody.

At most :attr:`TaskThreads.max_workers` calls run at once (the default executor's bound, which this
replaces); more wait their turn. An abandoned call gives its place up at once: a function that hangs
forever holds a thread, never the pool. Idle threads are kept and reused.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import os
import queue
import threading
from collections.abc import Callable
from typing import Any


class _Call:
    """One call of a sync function, from its submission until its result is delivered or it is abandoned."""

    __slots__ = ("abandoned", "argument", "context", "function", "future", "loop", "placed")

    def __init__(self, loop: asyncio.AbstractEventLoop, function: Callable[[Any], Any], argument: Any) -> None:
        self.loop = loop
        self.future: asyncio.Future[Any] = loop.create_future()
        self.context = contextvars.copy_context()  # as asyncio.to_thread: the caller's context variables
        self.function = function
        self.argument = argument
        self.placed = False  # holds one of the pool's places (until it returns or is abandoned)
        self.abandoned = False


class TaskThreads:
    """A pool of daemon threads for sync task functions (see the module's docstring).

    Args:
        max_workers: how many calls may run at once; by default what asyncio's default executor allows,
            ``min(32, os.cpu_count() + 4)``.
    """

    def __init__(self, max_workers: int | None = None) -> None:
        self.max_workers = max_workers if max_workers is not None else min(32, (os.cpu_count() or 1) + 4)
        self._lock = threading.Lock()
        self._placed = 0  # calls holding a place
        self._waiting: collections.deque[_Call] = collections.deque()  # calls waiting for a place
        self._work: queue.SimpleQueue[_Call] = queue.SimpleQueue()  # placed calls for the threads to take
        self._idle = threading.Semaphore(0)  # released by a thread each time it has finished a call
        self._threads = 0

    async def call(self, function: Callable[[Any], Any], argument: Any) -> Any:
        """``function(argument)`` on a worker thread; its result, or the exception it raised (any
        ``BaseException``: ``SystemExit`` and ``KeyboardInterrupt`` mean nothing to a worker thread).
        Cancelling this abandons the call: it gives up its place, and its result is discarded."""
        call = _Call(asyncio.get_running_loop(), function, argument)
        with self._lock:
            placed = self._placed < self.max_workers
            if placed:
                self._placed += 1
                call.placed = True
            else:
                self._waiting.append(call)
        if placed:
            self._dispatch(call)
        try:
            return await call.future
        except asyncio.CancelledError:
            self._abandon(call)
            raise

    def _dispatch(self, call: _Call) -> None:
        self._work.put(call)
        # A thread that finished a call and will take the next one is idle (as ThreadPoolExecutor counts
        # them); otherwise one more thread. Abandoned calls still running are not idle: new threads
        # take the places they gave up.
        if not self._idle.acquire(blocking=False):
            with self._lock:
                self._threads += 1
                number = self._threads
            threading.Thread(target=self._work_on, name=f"statewright-task-{number}", daemon=True).start()

    def _work_on(self) -> None:
        while True:
            call = self._work.get()
            if not call.abandoned:  # (abandoned before it started: it never runs)
                self._run(call)
            self._idle.release()  # before _release: the call its place goes to may come to this thread
            self._release(call)
            del call

    @staticmethod
    def _run(call: _Call) -> None:
        try:
            result = call.context.run(call.function, call.argument)
        except BaseException as error:  # delivered to the awaiting task, which records the failure
            outcome: tuple[bool, Any] = (False, error)
        else:
            outcome = (True, result)
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits for this result any more
            call.loop.call_soon_threadsafe(_deliver, call.future, *outcome)

    def _abandon(self, call: _Call) -> None:
        call.abandoned = True
        with self._lock:
            if not call.placed:  # still waiting for a place (it never runs), or already returned
                with contextlib.suppress(ValueError):
                    self._waiting.remove(call)
                return
        self._release(call)

    def _release(self, call: _Call) -> None:
        """Give up ``call``'s place (once) and hand it to the first waiting call."""
        with self._lock:
            if not call.placed:
                return
            call.placed = False
            # (no hand-over while over the bound: max_workers was lowered meanwhile)
            following = self._waiting.popleft() if self._waiting and self._placed <= self.max_workers else None
            if following is None:
                self._placed -= 1
            else:
                following.placed = True  # the place goes straight to it
        if following is not None:
            self._dispatch(following)


def _deliver(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():  # cancelled: the call was abandoned
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


TASK_THREADS = TaskThreads()
"""The pool every :class:`~statewright.runtime.resources.CallableHandler` uses; set ``max_workers`` to
let more (or fewer) sync task functions run at once."""
