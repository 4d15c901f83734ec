"""The functions AWS adds to JSONata (spec/jsonata.md, "AWS functions").

They mirror the ``States.*`` intrinsics: ``$partition`` = ``States.ArrayPartition``, ``$range`` =
``States.ArrayRange``, ``$hash`` = ``States.Hash``, ``$random`` = ``States.MathRandom``, ``$uuid`` =
``States.UUID``, ``$parse`` = ``States.StringToJson``. Errors are raised as ``ValueError`` with the text
AWS gives; the engine adapter turns them into ``States.QueryEvaluationError``. Randomness comes from
the execution's seeded source, never from the process.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

# The engine cannot take ``undefined`` back from a Python function; raising this text makes the
# expression's evaluation report "returned nothing (undefined)", which is what a call at the top of an
# expression gives on AWS (spec/jsonata.md 11).
NOTHING = "\x00returned nothing"


class _Nothing(ValueError):
    def __init__(self) -> None:
        super().__init__(NOTHING)

_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
# JSONata's own cap on a generated sequence (the range operator's D2014), kept so that a typo in a bound
# cannot allocate gigabytes; AWS's $range is not held to States.ArrayRange's 1,000 items.
_MAX_RANGE = 1_000_000


def signature_error(function: str, index: int) -> ValueError:
    """JSONata's T0410, which AWS gives for an argument of the wrong type or one too many."""
    return ValueError(f'T0410: Argument {index} of function "{function}" does not match function signature')


def _arity(function: str, args: tuple[Any, ...], most: int) -> None:
    if len(args) > most:
        raise signature_error(function, most + 1)


def _number(function: str, args: tuple[Any, ...], index: int) -> Any:
    value = args[index]
    if value.__class__ is bool or not isinstance(value, int | float):
        raise signature_error(function, index + 1)
    return value


def partition(*args: Any) -> Any:
    """``$partition(array, size)``: the array cut into chunks of ``size`` (the last may be shorter)."""
    _arity("partition", args, 2)
    if len(args) < 2 or any(arg is None for arg in args):
        raise _Nothing()
    array = args[0] if isinstance(args[0], list) else [args[0]]
    size = _number("partition", args, 1)
    if int(size) != size or size <= 0:
        raise ValueError("Partition size must be a positive integer")
    chunk = int(size)
    return [array[index:index + chunk] for index in range(0, len(array), chunk)]


def range_(*args: Any) -> Any:
    """``$range(start, end, step)``: ``start``, ``start + step``, ... up to ``end`` inclusive.

    Bounds and step are truncated to integers; a missing argument, a zero step or a step away from
    ``end`` gives nothing (undefined); a one-item result is that item (a JSONata singleton sequence).
    """
    _arity("range", args, 3)
    for index, value in enumerate(args):
        if value is not None:
            _number("range", args, index)
    if len(args) < 3 or any(arg is None for arg in args):
        raise _Nothing()
    first, last, by = (_truncate(value) for value in args)
    if by == 0 or (by > 0 and first > last) or (by < 0 and first < last):
        raise _Nothing()
    if abs(last - first) // abs(by) + 1 > _MAX_RANGE:
        raise ValueError(f"D2014: The size of the sequence allocated by $range must not exceed {_MAX_RANGE}")
    values = list(range(first, last + (1 if by > 0 else -1), by))
    return values[0] if len(values) == 1 else values


def _truncate(value: float) -> int:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("Number out of range")
    return int(value)


def hash_(*args: Any) -> Any:
    """``$hash(data, algorithm)``: the hex digest of ``data`` (a string) with MD5/SHA-1/SHA-2."""
    _arity("hash", args, 2)
    if len(args) < 2 or any(arg is None for arg in args):
        raise _Nothing()
    data, algorithm = args
    if not isinstance(algorithm, str):
        raise signature_error("hash", 2)
    name = _HASHES.get(algorithm)
    if name is None:
        raise ValueError(f"The hash algorithm must be one of {', '.join(_HASHES)}, but was: {algorithm}")
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return hashlib.new(name, text.encode("utf-8")).hexdigest()


def parse(*args: Any) -> Any:
    """``$parse(json)``: the JSON value a string holds (AWS's replacement for ``$eval``)."""
    _arity("parse", args, 1)
    if not args or args[0] is None:
        raise _Nothing()
    text = args[0]
    if not isinstance(text, str):
        raise signature_error("parse", 1)
    try:
        return json.loads(text)
    except ValueError:
        raise ValueError(f"The string could not be parsed as JSON: {text}") from None


def random_float(rng: Any) -> float:
    """``$random()``: a float in [0, 1) drawn from the execution's seeded source."""
    if rng is None:
        return 0.0
    return float(rng.randrange(0, 1 << 53)) / float(1 << 53)


def uuid(rng: Any) -> str:
    """``$uuid()``: a version-4 UUID drawn from the execution's seeded source."""
    if rng is None:
        return "00000000-0000-4000-8000-000000000000"
    return str(rng.uuid())
