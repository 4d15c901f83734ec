"""The trace ``statewright run`` writes on stderr: one line per state entered and per failure.

Each line starts with the time since the execution started (``12.345s`` under a minute, then ``1m 5s``,
``2h 3m``, ``1d 2h 3m``). A failure line names the state, and the Map iterations it ran in, outermost
first: ``!! TaskFailed in 'Charge' (Map 'Items' item 3): Declined: 120 is too much``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from statewright.core.events import HistoryEvent
    from statewright.runtime.engine import Result

_ENDINGS = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}
_FAILURES = ("Failed", "TimedOut", "Aborted")
_GREEN, _RED, _DIM, _BOLD, _RESET = "\033[32m", "\033[31m", "\033[2m", "\033[1m", "\033[0m"
_CAUSE_LIMIT = 300

# Where an event happened: the state it belongs to (None between a MapIterationStarted and the
# iteration's first state) and the Map iterations around it, outermost first, as (Map name, index).
Where = tuple[str | None, tuple[tuple[str, int], ...]]
_TOP: Where = (None, ())


class Trace:
    """Writes one line per state entered and per failure, with the time since the start."""

    def __init__(self, stream: TextIO, *, color: bool) -> None:
        self.stream = stream
        self.color = color
        self.start: float | None = None
        self._where: dict[int, Where] = {}

    def event(self, event: HistoryEvent) -> None:
        if self.start is None:
            self.start = event.timestamp
        details = event.details or {}
        kind = event.type
        state, maps = self._locate(event, details)
        if kind.endswith("StateEntered"):
            line = f"-> {details.get('name', '?')} {self._paint(_DIM, '(' + kind[: -len('StateEntered')] + ')')}"
        elif kind in _ENDINGS:
            return  # finish() prints the ending with the status
        elif kind.endswith(_FAILURES) and ("error" in details or "cause" in details):
            text = f"!! {kind}"
            state = details.get("state") or state  # EvaluationFailed names its state
            if state is not None:
                text += f" in '{state}'"
            if maps:
                text += " (" + ", ".join(f"Map '{name}' item {index}" for name, index in maps) + ")"
            ending = _error_text(details.get("error"), details.get("cause"), _CAUSE_LIMIT)
            line = self._paint(_RED, f"{text}: {ending}" if ending else text)
        else:
            return
        self._write(event.timestamp, line)

    def waiting(self, base_url: str | None, token: str, state: str) -> None:
        """A task waits for its token: show the commands that answer it (spec/http-tasks.md §8)."""
        url = f"{base_url}/task/{token}"
        pad = " " * 12  # under the message column of the timed lines
        self.stream.write(f"{pad}{self._paint(_BOLD, f'.. {state} waits for a callback; answer with:')}\n"
                          f"{pad}   curl -X POST {url}/success -d '{{}}'\n"
                          f"{pad}   curl -X POST {url}/failure -d '{{\"error\": \"Rejected\"}}'\n")
        self.stream.flush()

    def finish(self, result: Result) -> None:
        colour = _GREEN if result.status == "SUCCEEDED" else _RED
        line = self._paint(_BOLD + colour, result.status)
        ending = _error_text(result.error, result.cause)
        if ending:
            line += self._paint(colour, f" {ending}")
        self._write(result.stop_date, line)

    def _locate(self, event: HistoryEvent, details: dict[str, Any]) -> Where:
        """Where ``event`` happened, from the event it links to (``previousEventId``).

        The links run inside a state and from state to state; Map events bend them, as AWS does
        (spec/map.md): an iteration may start from an event of an earlier iteration, and a Map's exit
        links to an event of its last iteration. Both name the Map, and state names are unique in a
        definition, so dropping everything from that Map's iteration on puts them back at its level.
        """
        state, maps = self._where.get(event.previous_event_id, _TOP)
        kind = event.type
        if kind == "MapIterationStarted":
            name = str(details.get("name"))
            where: Where = (None, (*_outside(maps, name), (name, int(details.get("index", 0)))))
        elif kind == "MapStateExited":
            where = (details.get("name"), _outside(maps, str(details.get("name"))))
        elif kind.endswith("StateEntered"):
            where = (details.get("name"), maps)
        else:
            where = (state, maps)
        self._where[event.id] = where
        return where

    def _write(self, timestamp: float, line: str) -> None:
        offset = timestamp - (self.start if self.start is not None else timestamp)
        self.stream.write(f"{self._paint(_DIM, f'{elapsed(offset):>10}')}  {line}\n")
        self.stream.flush()

    def _paint(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text


def elapsed(seconds: float) -> str:
    """``12.345s`` under a minute, then ``1m 5s``, ``2h 3m``, ``1d 2h 3m``."""
    millis = round(seconds * 1000)
    if millis < 60_000:
        return f"{millis / 1000:.3f}s"
    minutes, secs = divmod(millis // 1000, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours}h {minutes}m"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s"


def _error_text(error: str | None, cause: str | None, limit: int | None = None) -> str:
    """``Error: cause`` on one line, leaving out what is null or empty (so no trailing colon)."""
    parts = [part for part in (error, " ".join(str(cause or "").split())[:limit]) if part]
    return ": ".join(parts)


def _outside(maps: tuple[tuple[str, int], ...], name: str) -> tuple[tuple[str, int], ...]:
    """``maps`` without the iteration of Map ``name`` and everything inside it."""
    for position, (map_name, _) in enumerate(maps):
        if map_name == name:
            return maps[:position]
    return maps
