"""Deterministic randomness for ``States.UUID`` and ``States.MathRandom``.

The core never draws real randomness: the runtime records a seed in the execution's history and hands
the core a :class:`RandomSource` built from it, so replaying the history redraws the same values.
``random`` is deliberately not imported here (the layering test forbids it in the core); the
generators below are small, well-known and fully specified.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

_MASK64 = (1 << 64) - 1
_new = object.__new__


@runtime_checkable
class RandomSource(Protocol):
    """What intrinsic evaluation needs from the runtime's randomness."""

    def uuid(self) -> str:
        """A random (version 4) UUID in its canonical 36-character form."""
        ...

    def randrange(self, start: int, stop: int) -> int:
        """A uniformly drawn integer ``n`` with ``start <= n < stop`` (``start < stop``)."""
        ...


class SeededRandom:
    """SplitMix64: a 64-bit generator whose whole state is one integer, so it is trivially replayable.

    Args:
        seed: any integer (reduced modulo 2**64); the runtime records it in the history.
    """

    __slots__ = ("_state",)

    def __init__(self, seed: int) -> None:
        self._state = seed & _MASK64

    @classmethod
    def seeded(cls, seed: int) -> SeededRandom:
        """``SeededRandom(seed)`` without the type call (the core makes one per execution)."""
        made = _new(cls)
        made._state = seed & _MASK64
        return made

    def next64(self) -> int:
        self._state = (self._state + 0x9E3779B97F4A7C15) & _MASK64
        z = self._state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        return z ^ (z >> 31)

    def _bits(self, count: int) -> int:
        value, have = 0, 0
        while have < count:
            value = (value << 64) | self.next64()
            have += 64
        return value >> (have - count)

    def randrange(self, start: int, stop: int) -> int:
        if stop <= start:
            raise ValueError(f"empty range [{start}, {stop})")
        span = stop - start
        bits = span.bit_length()
        while True:  # rejection sampling keeps the draw unbiased
            candidate = self._bits(bits)
            if candidate < span:
                return start + candidate

    def uuid(self) -> str:
        value = self._bits(128)
        value = (value & ~(0xF << 76)) | (0x4 << 76)  # version 4
        value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
        text = f"{value:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class JavaRandom:
    """``java.util.Random`` (a 48-bit LCG). ``States.MathRandom``'s optional seed argument makes the
    draw repeatable; AWS runs on the JVM, so this is the most likely way to repeat AWS's numbers."""

    __slots__ = ("_seed",)

    _MULTIPLIER = 0x5DEECE66D
    _MASK48 = (1 << 48) - 1

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ self._MULTIPLIER) & self._MASK48

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * self._MULTIPLIER + 0xB) & self._MASK48
        value = self._seed >> (48 - bits)
        return value - (1 << 32) if value >= 1 << 31 else value  # Java's (int) cast

    def next_int(self, bound: int) -> int:
        """``Random.nextInt(bound)`` for ``0 < bound <= 2**31 - 1``."""
        if bound & -bound == bound:  # a power of two
            return (bound * (self._next(31) & 0x7FFFFFFF)) >> 31
        while True:
            bits = self._next(31) & 0x7FFFFFFF
            value = bits % bound
            if bits - value + (bound - 1) < 1 << 31:
                return value
