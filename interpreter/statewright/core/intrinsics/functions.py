"""The eighteen ``States.*`` functions: their signatures and what they compute.

Each implementation receives the evaluated argument values and either returns the result or raises
``StatesError("States.IntrinsicFailure", cause)``. Behaviour recorded on AWS (``spec/intrinsic-functions.md``,
the conformance corpus) wins over the prose of the AWS guide: numbers given where integers are
expected are rounded half up (Java's ``Math.round``), ``States.StringSplit`` splits on any one of the
delimiter's characters and drops empty pieces, ``States.StringToJson('')`` is null.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statewright.core.errors import ErrorName, StatesError
from statewright.core.intrinsics.model import IntrinsicCall, StringLiteral
from statewright.core.intrinsics.rng import JavaRandom
from statewright.core.intrinsics.text import format_text, json_text

if TYPE_CHECKING:
    from statewright.core.intrinsics.rng import RandomSource

# Limits stated by the AWS guide for the intrinsic functions.
MAX_RANGE_ITEMS = 1000
MAX_ENCODE_CHARS = 10_000
MAX_DECODE_CHARS = 10_000
MAX_HASH_CHARS = 10_000
HASH_ALGORITHMS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
                   "SHA-512": "sha512"}

Implementation = Callable[[IntrinsicCall, list[Any], "RandomSource | None"], Any]


@dataclass(frozen=True, slots=True)
class Signature:
    """What a function accepts.

    Attributes:
        min_args, max_args: the arity (``max_args`` is ``None`` for "any number").
        params: the JSON type each positional argument must have ("string", "number", "integer",
            "boolean", "array", "object" or "any"); arguments past ``params`` have type ``rest``.
    """

    name: str
    min_args: int
    max_args: int | None
    params: tuple[str, ...]
    rest: str
    impl: Implementation

    @property
    def arity(self) -> tuple[int, int | None]:
        return self.min_args, self.max_args

    def param_type(self, index: int) -> str:
        return self.params[index] if index < len(self.params) else self.rest


# ---------------------------------------------------------------------------------------------- helpers


def _fail(call: IntrinsicCall, problem: str) -> StatesError:
    return StatesError(ErrorName.INTRINSIC_FAILURE, f"Invalid arguments in {call.name}: {problem}")


def _shown(value: Any) -> str:
    text = json_text(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if _is_number(value):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def _expect(call: IntrinsicCall, value: Any, kind: type | tuple[type, ...], what: str, position: int) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise _fail(call, f"argument {position} must be {what}, but was {_type_name(value)} {_shown(value)}")
    return value


def java_round(value: float) -> int:
    """``Math.round``: half rounds up (towards positive infinity), unlike Python's banker's rounding."""
    return math.floor(value + 0.5) if isinstance(value, float) else int(value)


def _rounded(call: IntrinsicCall, value: Any, position: int) -> int:
    if not _is_number(value) or (isinstance(value, float) and not math.isfinite(value)):
        raise _fail(call, f"argument {position} must be a number, but was {_type_name(value)} {_shown(value)}")
    return java_round(value)


def _integer(call: IntrinsicCall, value: Any, position: int) -> int:
    if _is_number(value) and float(value).is_integer():
        return int(value)
    raise _fail(call, f"argument {position} must be an integer, but was {_type_name(value)} {_shown(value)}")


def _string(call: IntrinsicCall, value: Any, position: int) -> str:
    return _expect(call, value, str, "a string", position)  # type: ignore[no-any-return]


def _array(call: IntrinsicCall, value: Any, position: int) -> list[Any]:
    return _expect(call, value, list, "an array", position)  # type: ignore[no-any-return]


def _object(call: IntrinsicCall, value: Any, position: int) -> dict[str, Any]:
    return _expect(call, value, dict, "an object", position)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------- generic


def _format(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> str:
    first = call.args[0]
    # A literal template was cut at parse time (escapes honoured); a template read from the input is
    # taken as it is.
    segments = (first.segments if first.__class__ is StringLiteral  # type: ignore[union-attr]
                else tuple(_string(call, values[0], 1).split("{}")))
    if len(segments) != len(values):
        raise _fail(call, f"the template has {len(segments) - 1} placeholder(s) '{{}}' but "
                          f"{len(values) - 1} value(s) were given")
    if len(values) == 2:  # one placeholder, the usual template: no loop
        value = values[1]
        cls = value.__class__
        return segments[0] + (value if cls is str else str(value) if cls is int else format_text(value)) + segments[1]
    text = segments[0]
    for index in range(1, len(values)):
        value = values[index]
        cls = value.__class__
        text += (value if cls is str else str(value) if cls is int else format_text(value)) + segments[index]
    return text


# ---------------------------------------------------------------------------------------------- json


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _string_to_json(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> Any:
    text = _string(call, values[0], 1)
    if not text.strip():
        return None  # recorded on AWS: an empty string parses to null
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise _fail(call, f"the string {_shown(text)} is not valid JSON") from exc


def _json_to_string(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> str:
    return json_text(values[0])


def _json_merge(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> dict[str, Any]:
    first, second = _object(call, values[0], 1), _object(call, values[1], 2)
    deep = _expect(call, values[2], bool, "a boolean", 3)
    if deep:
        raise _fail(call, "deep merge is not supported; the third argument must be false")
    return {**first, **second}


# ---------------------------------------------------------------------------------------------- arrays


def _array_of(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> list[Any]:
    return values


def _array_partition(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> list[Any]:
    items = _array(call, values[0], 1)
    size = _integer(call, values[1], 2)
    if size <= 0:
        raise _fail(call, f"the chunk size must be greater than 0, but was {size}")
    return [items[start:start + size] for start in range(0, len(items), size)]


def _array_contains(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> bool:
    from statewright.core.jsonpath import json_equal  # with the filters, imported on first use

    items, wanted = _array(call, values[0], 1), values[1]
    return any(json_equal(item, wanted) for item in items)


def _array_range(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> list[int]:
    start, end, step = (_rounded(call, value, position) for position, value in enumerate(values, 1))
    if step == 0:
        raise _fail(call, "the step must not be 0")
    count = max(0, (end - start) // step + 1)
    if count > MAX_RANGE_ITEMS:
        raise _fail(call, f"the range would hold {count} items; at most {MAX_RANGE_ITEMS} are allowed")
    return list(range(start, end + (1 if step > 0 else -1), step))


def _array_get_item(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> Any:
    items = _array(call, values[0], 1)
    index = _integer(call, values[1], 2)
    if not 0 <= index < len(items):
        raise _fail(call, f"index {index} is out of bounds for an array of length {len(items)}")
    return items[index]


def _array_length(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> int:
    return len(_array(call, values[0], 1))


def _array_unique(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> list[Any]:
    from statewright.core.jsonpath import json_key  # with the filters, imported on first use

    seen: set[Any] = set()
    unique = []
    for item in _array(call, values[0], 1):
        key = json_key(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


# ---------------------------------------------------------------------------------------------- encoding


def _base64_encode(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> str:
    text = _string(call, values[0], 1)
    if len(text) > MAX_ENCODE_CHARS:
        raise _fail(call, f"the input has {len(text)} characters; at most {MAX_ENCODE_CHARS} are allowed")
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _base64_decode(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> str:
    text = _string(call, values[0], 1)
    if len(text) > MAX_DECODE_CHARS:
        raise _fail(call, f"the input has {len(text)} characters; at most {MAX_DECODE_CHARS} are allowed")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (UnicodeError, binascii.Error) as exc:
        raise _fail(call, f"{_shown(text)} is not valid Base64-encoded UTF-8 text") from exc


def _hash(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> str:
    data = _string(call, values[0], 1)
    algorithm = _string(call, values[1], 2)
    if len(data) > MAX_HASH_CHARS:
        raise _fail(call, f"the input has {len(data)} characters; at most {MAX_HASH_CHARS} are allowed")
    if algorithm not in HASH_ALGORITHMS:
        raise _fail(call, f"the hash algorithm {_shown(algorithm)} is not supported; use one of "
                          + ", ".join(HASH_ALGORITHMS))
    import hashlib  # ~2 ms to import, for the one function that needs it

    return hashlib.new(HASH_ALGORITHMS[algorithm], data.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------- math, text, ids


def _math_random(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> int:
    start, end = _rounded(call, values[0], 1), _rounded(call, values[1], 2)
    if end <= start:
        raise _fail(call, f"the end ({end}) must be greater than the start ({start})")
    if len(values) == 3:
        # A seed makes the number repeatable; AWS runs on the JVM, so draw as java.util.Random would.
        seed = _rounded(call, values[2], 3)
        span = end - start
        if span < 1 << 31:
            return start + JavaRandom(seed).next_int(span)
    if rng is None:
        raise ValueError(f"{call.name} needs a RandomSource")
    return rng.randrange(start, end)


# AWS documents MathAdd's arguments as Java ints: values outside this range fail.
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def _math_add(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> int:
    first, second = values[0], values[1]  # the parser allows exactly two arguments
    # The common case (two ints in range) skips the rounding and the checks, which cost ~45% of a Pass
    # state that counts with MathAdd; anything else takes the checked path below.
    if (first.__class__ is int and second.__class__ is int and _INT32_MIN <= first <= _INT32_MAX
            and _INT32_MIN <= second <= _INT32_MAX):
        return first + second  # type: ignore[no-any-return]
    total = 0
    for position, value in enumerate(values[:2], start=1):
        number = _rounded(call, value, position)
        if not _INT32_MIN <= number <= _INT32_MAX:
            raise _fail(call, f"argument {position} must be between {_INT32_MIN} and {_INT32_MAX}, but was {number}")
        total += number
    return total


def _string_split(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> list[str]:
    text = _string(call, values[0], 1)
    delimiters = _string(call, values[1], 2)
    if not delimiters:
        return [text] if text else []
    first = delimiters[0]
    if len(delimiters) > 1:
        text = text.translate({ord(char): first for char in delimiters[1:]})
    return [piece for piece in text.split(first) if piece]


def _uuid(call: IntrinsicCall, values: list[Any], rng: RandomSource | None) -> str:
    if rng is None:
        raise ValueError(f"{call.name} needs a RandomSource")
    return rng.uuid()


def _signature(name: str, min_args: int, max_args: int | None, params: tuple[str, ...],
               impl: Implementation, rest: str = "any") -> Signature:
    return Signature(f"States.{name}", min_args, max_args, params, rest, impl)


FUNCTIONS: dict[str, Signature] = {
    signature.name: signature
    for signature in (
        _signature("Format", 1, None, ("string",), _format),
        _signature("StringToJson", 1, 1, ("string",), _string_to_json),
        _signature("JsonToString", 1, 1, ("any",), _json_to_string),
        _signature("Array", 0, None, (), _array_of),
        _signature("ArrayPartition", 2, 2, ("array", "integer"), _array_partition),
        _signature("ArrayContains", 2, 2, ("array", "any"), _array_contains),
        _signature("ArrayRange", 3, 3, ("number", "number", "number"), _array_range),
        _signature("ArrayGetItem", 2, 2, ("array", "integer"), _array_get_item),
        _signature("ArrayLength", 1, 1, ("array",), _array_length),
        _signature("ArrayUnique", 1, 1, ("array",), _array_unique),
        _signature("Base64Encode", 1, 1, ("string",), _base64_encode),
        _signature("Base64Decode", 1, 1, ("string",), _base64_decode),
        _signature("Hash", 2, 2, ("string", "string"), _hash),
        _signature("JsonMerge", 3, 3, ("object", "object", "boolean"), _json_merge),
        _signature("MathRandom", 2, 3, ("number", "number", "number"), _math_random),
        _signature("MathAdd", 2, 2, ("number", "number"), _math_add),
        _signature("StringSplit", 2, 2, ("string", "string"), _string_split),
        _signature("UUID", 0, 0, (), _uuid),
    )
}
