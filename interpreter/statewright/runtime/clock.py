"""Clocks: where the runtime reads the time and how it waits for it.

The core never reads the clock (every input carries its time), so the runtime chooses what time means:

* :class:`SystemClock` is the wall clock; Wait states and retry back-offs take real time.
* :class:`VirtualClock` starts at a real-looking time and *jumps* instead of sleeping. With
  ``auto_advance=True`` (``virtual_time=True`` in the API) the driver of an execution moves it to the
  earliest timer as soon as nothing but timers and callback waits are outstanding; while a task call is
  in flight the driver makes it follow real time (:meth:`VirtualClock.follow_real_time`), so the task's
  ``TimeoutSeconds`` and ``HeartbeatSeconds`` hold as they would on the wall clock (spec/extensions.md
  §5). With ``auto_advance=False`` it only moves when a test calls :meth:`VirtualClock.advance` (a manual
  clock).

Timers are not coroutines: a driver keeps its timers in a heap and asks the clock to wake it (see
:meth:`Clock.wake_at`), so an idle execution holds no task and costs a heap entry per timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """What the runtime needs from a clock. Times are float seconds since the Unix epoch (UTC)."""

    def now(self) -> float:
        """The current time."""
        ...

    async def sleep_until(self, when: float) -> None:
        """Return once ``now() >= when``."""
        ...

    def wake_at(self, when: float, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` (on the event loop) once ``now() >= when``; returns a function that cancels it."""
        ...


class SystemClock:
    """The wall clock (``time.time``); waiting is real."""

    def now(self) -> float:
        return time.time()

    async def sleep_until(self, when: float) -> None:
        delay = when - time.time()
        if delay > 0:
            await asyncio.sleep(delay)

    def wake_at(self, when: float, callback: Callable[[], None]) -> Callable[[], None]:
        # call_later on the loop's monotonic clock: immune to wall-clock steps, and a handle, not a task.
        handle = asyncio.get_running_loop().call_later(max(0.0, when - time.time()), callback)
        return handle.cancel


class VirtualClock:
    """A clock that jumps forward instead of sleeping.

    Args:
        start: the first reading; defaults to the real current time so recorded timestamps look real.
        auto_advance: when true, a driver whose execution has only timers and callback waits outstanding
            moves the clock to its earliest timer at once (``virtual_time=True``). When false, only
            :meth:`advance` / :meth:`advance_to` move it (a manual clock for tests).

    Share one instance between executions only with ``auto_advance=False``: an auto-advancing clock is
    moved by the driver that owns it, so the API gives every execution its own.

    Between :meth:`follow_real_time` and :meth:`stand_still` the clock also runs at the speed of real
    (monotonic) time: the driver of an auto-advancing clock calls them while task calls are in flight.
    """

    __slots__ = ("_anchor", "_now", "_waiters", "auto_advance")

    def __init__(self, start: float | None = None, *, auto_advance: bool = True) -> None:
        self._now = time.time() if start is None else float(start)
        self.auto_advance = auto_advance
        # A list from the first wake_at(): an auto-advancing clock is rarely waited on at all.
        self._waiters: list[tuple[float, Callable[[], None]]] = _NO_WAITERS  # type: ignore[assignment]
        self._anchor: float | None = None  # the monotonic time following began at, while it follows

    def now(self) -> float:
        anchor = self._anchor
        if anchor is None:
            return self._now
        return self._now + (_monotonic() - anchor)

    def follow_real_time(self) -> None:
        """From now until :meth:`stand_still`, move forward with real time (as while a task runs)."""
        if self._anchor is None:
            self._anchor = _monotonic()

    def stand_still(self) -> None:
        """Stop following real time, keeping the time it reached (and waking whoever waits for it)."""
        if self._anchor is not None:
            reached = self.now()
            self._anchor = None
            self.advance_to(reached)

    async def sleep_until(self, when: float) -> None:
        # Sleeping on a virtual clock is jumping: whoever sleeps wants that time to have passed.
        if when > self.now():
            self.advance_to(when)
        await asyncio.sleep(0)

    def wake_at(self, when: float, callback: Callable[[], None]) -> Callable[[], None]:
        now = self.now()
        if when <= now:
            asyncio.get_running_loop().call_soon(callback)
            return _noop
        if self._anchor is not None:
            # Following real time: the time comes after the same delay in real time (a loop timer, not a
            # waiter, since nobody calls advance_to meanwhile). Should following stop first, the caller
            # is woken early and finds the time not yet reached, as after any early wake.
            handle = asyncio.get_running_loop().call_later(when - now, callback)
            return handle.cancel
        entry = (when, callback)
        if self._waiters:
            self._waiters.append(entry)
        else:
            self._waiters = [entry]

        def cancel() -> None:
            with contextlib.suppress(ValueError):  # already fired
                self._waiters.remove(entry)

        return cancel

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward and wake whoever waits for a time now reached."""
        self.advance_to(self.now() + seconds)

    def advance_to(self, when: float) -> None:
        """Move the clock to ``when`` (never backwards) and wake whoever waits for a time now reached."""
        if self._anchor is not None:  # following real time: carry on from ``when``
            if when <= self.now():
                return
            self._anchor = _monotonic()
        elif when <= self._now:
            return
        self._now = when
        if not self._waiters:
            return
        due = [entry for entry in self._waiters if entry[0] <= when]
        if due:
            self._waiters = [entry for entry in self._waiters if entry[0] > when]
            for _, callback in due:
                callback()


def _noop() -> None:
    return None


_monotonic = time.monotonic  # the event loop's clock (loop.time()), so its timers and ours agree


_NO_WAITERS: tuple[tuple[float, Callable[[], None]], ...] = ()
