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

_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
_MAX_RANGE = 1000  # States.ArrayRange's limit on the number of items, kept by AWS for $range


def _integer(value: Any, what: str) -> int:
    if value.__class__ is bool or not isinstance(value, int | float) or int(value) != value:
        raise ValueError(f"The {what} argument must be an integer, but was: {json.dumps(value)}")
    return int(value)


def partition(array: Any, size: Any) -> list[Any]:
    """``$partition(array, size)``: the array cut into chunks of ``size`` (the last may be shorter)."""
    if not isinstance(array, list):
        array = [array]
    chunk = _integer(size, "size")
    if chunk <= 0:
        raise ValueError("Partition size must be a positive integer")
    return [array[index:index + chunk] for index in range(0, len(array), chunk)]


def range_(start: Any, end: Any, step: Any) -> Any:
    """``$range(start, end, step)``: ``start``, ``start + step``, ... up to ``end`` inclusive.

    A one-item result is that item, as AWS returns it (a JSONata singleton sequence).
    """
    first, last, by = _integer(start, "start"), _integer(end, "end"), _integer(step, "step")
    if by == 0:
        raise ValueError("Step cannot be zero")
    values = list(range(first, last + (1 if by > 0 else -1), by))
    if len(values) > _MAX_RANGE:
        raise ValueError(f"The range cannot contain more than {_MAX_RANGE} elements")
    return values[0] if len(values) == 1 else values


def hash_(data: Any, algorithm: Any) -> str:
    """``$hash(data, algorithm)``: the hex digest of ``data`` (a string) with MD5/SHA-1/SHA-2."""
    name = _HASHES.get(algorithm) if isinstance(algorithm, str) else None
    if name is None:
        raise ValueError(f"The hash algorithm must be one of {', '.join(_HASHES)}, but was: {algorithm}")
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return hashlib.new(name, text.encode("utf-8")).hexdigest()


def parse(text: Any) -> Any:
    """``$parse(json)``: the JSON value a string holds (AWS's replacement for ``$eval``)."""
    if not isinstance(text, str):
        raise ValueError(f"The argument of $parse must be a string, but was: {json.dumps(text)}")
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
