"""Ctrl-C and SIGTERM while ``statewright run`` runs an execution.

The first SIGINT or SIGTERM stops the execution as StopExecution does: it ends ``ABORTED`` with the error
:data:`INTERRUPTED` and a cause naming the signal, and ``run`` reports it as it reports any ending (the
trace's last line, the ``--json`` document) and exits 1. A second signal exits at once, with 128 plus its
number (130 for SIGINT, 143 for SIGTERM), waiting for nothing: not for a task that ignores cancellation,
nor for an ``async`` task function that blocks the event loop.

The handlers are ordinary ``signal.signal`` handlers rather than ``loop.add_signal_handler`` ones: Python
runs those between bytecodes of the main thread even while a task function blocks the loop, which is when
the second signal matters most. The first one only schedules the stop on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType, TracebackType

from statewright.runtime.engine import Engine, ExecutionNotFound

INTERRUPTED = "Statewright.Interrupted"
"""The error of an execution `statewright run` stopped on a signal."""

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """Installs the handlers for the duration of a ``with`` block (around ``asyncio.run``).

    Call :meth:`stop` with the engine and the execution's ARN once it has started; a signal that came before
    stops it then.
    """

    def __init__(self, prog: str) -> None:
        self.prog = prog
        self.received: int | None = None  # the first signal's number
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: Callable[[], None] | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():  # signal.signal works only there
            for number in _SIGNALS:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._loop = None
        for number, previous in self._previous.items():
            signal.signal(number, previous)  # type: ignore[arg-type]
        self._previous.clear()

    def stop(self, engine: Engine, execution_arn: str) -> None:
        """What the first signal does, from now on (call it on the loop, once the execution has started)."""
        self._loop = asyncio.get_running_loop()
        self._stop = lambda: _stop_execution(engine, execution_arn, self._cause())
        if self.received is not None:  # a signal came while the execution was being started
            self._stop_now()

    def _handle(self, number: int, frame: FrameType | None) -> None:
        if self.received is not None:
            with contextlib.suppress(OSError):  # os.write: a handler may interrupt a write to sys.stderr
                os.write(2, f"{self.prog}: {signal.Signals(number).name} again: exiting without waiting for the "
                            f"execution to stop\n".encode())
            os._exit(128 + number)
        self.received = number
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has just closed: nothing to stop any more
                loop.call_soon_threadsafe(self._stop_now)

    def _stop_now(self) -> None:
        stop, self._stop = self._stop, None
        if stop is not None:
            stop()

    def _cause(self) -> str:
        name = signal.Signals(self.received).name if self.received is not None else "a signal"
        return f"{self.prog} was interrupted by {name}"


def _stop_execution(engine: Engine, execution_arn: str, cause: str) -> None:
    with contextlib.suppress(ExecutionNotFound):  # it ended meanwhile: its result stands
        engine.stop_execution(execution_arn, error=INTERRUPTED, cause=cause)
