"""Inputs and history events as the store keeps them: compact JSON texts.

An input is a short JSON array tagged by its kind (``["T", seq, time]`` for a fired timer); ``Started`` keeps
only its time and seed, since its input and names are columns of the execution's row. A step's events are
the core's history rows (``core.events.History.rows``: six entries an event) as one JSON array, written
without making an event object; the four lazily-built detail kinds are ints, written as their codes 0-3.

Texts are UTF-8 bytes made by orjson when it is installed (a dependency: it encodes a step's events about
seven times faster than the standard library, which was most of the durable path's cost per step; see
docs/durability.md), else by the standard library. Both read what either wrote. A value orjson refuses (an
integer beyond 64 bits) is written by the standard library.
"""

from __future__ import annotations

import json
from typing import Any

from statewright.core.events import (
    ENTERED,
    EXECUTION_STARTED,
    EXECUTION_SUCCEEDED,
    EXITED,
    MAP_ITERATION,
    ROW,
    ActivityStarted,
    ExecutionInfo,
    History,
    Input,
    Redriven,
    Started,
    StopRequested,
    TaskFailed,
    TaskHeartbeat,
    TaskSucceeded,
    TimerFired,
)
from statewright.core.states.map_io import plain

_KINDS = (ENTERED, EXITED, EXECUTION_STARTED, EXECUTION_SUCCEEDED, MAP_ITERATION)
assert list(_KINDS) == [0, 1, 2, 3, 4]  # each kind is an int of its code: encoders write it as that number

# Compactly kept sequences (a Map's CSV rows, its lazily built batches and records) are stored as the lists
# they stand for; every other type is an error, as before.
_std = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=plain).encode

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; this keeps a broken install working
    orjson = None  # type: ignore[assignment]

if orjson is not None:
    _orjson_dumps = orjson.dumps
    _loads: Any = orjson.loads

    def _dumps(value: Any) -> bytes:
        try:
            return _orjson_dumps(value, default=plain)
        except TypeError:  # an integer beyond 64 bits, say
            return _std(value).encode()
else:  # pragma: no cover
    _loads = json.loads

    def _dumps(value: Any) -> bytes:
        return _std(value).encode()


_plain_dumps = _dumps


class CorruptRecord(ValueError):
    """A stored input or event list that this code cannot read."""


def dump_value(value: Any) -> bytes:
    """A JSON value as compact UTF-8 text."""
    return _plain_dumps(value)


def load_value(text: str | bytes | None) -> Any:
    return None if text is None else _loads(text)


def encode_input(item: Input) -> bytes:
    cls = item.__class__
    if cls is TimerFired:
        return _plain_dumps(["T", item.seq, item.time])  # type: ignore[union-attr]
    if cls is TaskSucceeded:
        return _plain_dumps(["R", item.seq, item.time, item.output])  # type: ignore[union-attr]
    if cls is TaskFailed:
        return _plain_dumps(["E", item.seq, item.time, item.error, item.cause])  # type: ignore[union-attr]
    if cls is TaskHeartbeat:
        return _plain_dumps(["H", item.seq, item.time])  # type: ignore[union-attr]
    if cls is ActivityStarted:
        return _plain_dumps(["A", item.seq, item.time, item.worker_name])  # type: ignore[union-attr]
    if cls is StopRequested:
        return _plain_dumps(["X", item.time, item.error, item.cause])  # type: ignore[union-attr]
    if cls is Started:
        return _plain_dumps(["S", item.time, item.seed])  # type: ignore[union-attr]
    if cls is Redriven:
        return _plain_dumps(["D", item.time])
    raise TypeError(f"cannot encode the input {item!r}")


def decode_input(text: str | bytes, started_input: Any, info: ExecutionInfo) -> Input:
    """The input of ``text``; a Started takes the execution's input and names from its row."""
    try:
        fields = _loads(text)
        kind = fields[0]
        if kind == "T":
            return TimerFired(fields[1], fields[2])
        if kind == "R":
            return TaskSucceeded(fields[1], fields[2], fields[3])
        if kind == "E":
            return TaskFailed(fields[1], fields[2], fields[3], fields[4])
        if kind == "H":
            return TaskHeartbeat(fields[1], fields[2])
        if kind == "A":
            return ActivityStarted(fields[1], fields[2], fields[3])
        if kind == "X":
            return StopRequested(fields[1], fields[2], fields[3])
        if kind == "S":
            return Started(fields[1], started_input, fields[2], info)
        if kind == "D":
            return Redriven(fields[1])
    except (ValueError, IndexError, TypeError) as error:
        raise CorruptRecord(f"unreadable input record {text[:80]!r}: {error}") from None
    raise CorruptRecord(f"unknown input kind in {text[:80]!r}")


def encode_events(rows: list[Any]) -> bytes:
    """History rows (a slice of ``History.rows``) as one JSON text."""
    return _dumps(rows)


def decode_events(text: str | bytes) -> list[Any]:
    """History rows back from :func:`encode_events` (the detail kinds restored)."""
    try:
        rows = _loads(text)
    except ValueError as error:
        raise CorruptRecord(f"unreadable event record: {error}") from None
    if len(rows) % ROW:
        raise CorruptRecord(f"an event record of {len(rows)} entries is not whole events of {ROW}")
    for index in range(3, len(rows), ROW):
        details = rows[index]
        if details.__class__ is int:
            rows[index] = _KINDS[details]
    return rows


def history_of(rows: list[Any]) -> History:
    """A read-only History over decoded rows (event objects made on first read, as the core's)."""
    history = History()
    history.rows = rows
    return history
