"""Positions in JSON text, found only when asked for.

``json.loads`` (the C decoder) reads a definition fast but keeps no positions, and a clean definition
never needs one. So positions are found on demand, one container at a time:
:class:`JsonLocator` walks the pointer's path from the root, and in each container it passes over the
members with the C decoder (``raw_decode`` returns where a value ends), recording every member's
offsets on the way. Each container is walked at most once per document; the first position costs about
two ``json.loads`` of the text, later ones almost nothing.

:func:`scan_problems` is a separate, lenient tokenizer for the error paths: it places what the fast
path detects without a position (the second occurrence of a duplicate key, a ``NaN`` or ``Infinity``
literal, the first bracket nested too deep). It never raises on malformed text and is iterative, so
nesting depth costs no stack.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from statewright.source.document import Span, escape_pointer_token
from statewright.source.errors import LineIndex

# Offsets of a member: value start, value end, key start, key end (key offsets are -1 for array items).
Offsets = tuple[int, int, int, int]

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class JsonLocator:
    """Answers pointer -> (value span, key span) for JSON text that ``json.loads`` accepted."""

    __slots__ = ("_lines", "_members", "_root", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: LineIndex | None = None
        self._root: Offsets | None = None
        # container pointer -> {escaped token -> offsets of that member}
        self._members: dict[str, dict[str, Offsets]] = {}

    def locate(self, pointer: str) -> tuple[Span, Span | None] | None:
        """The spans of the node at ``pointer``; None when there is no such node."""
        offsets = self._offsets(pointer)
        if offsets is None:
            return None
        if self._lines is None:
            self._lines = LineIndex(self._text)
        start, end, key_start, key_end = offsets
        key_span = self._lines.span(key_start, key_end) if key_start >= 0 else None
        return self._lines.span(start, end), key_span

    def _offsets(self, pointer: str) -> Offsets | None:
        if self._root is None:
            start = _SPACE.match(self._text).end()
            self._root = (start, _DECODER.raw_decode(self._text, start)[1], -1, -1)
        offsets: Offsets | None = self._root
        path = ""
        for token in pointer.split("/")[1:] if pointer else ():
            members = self._members.get(path)
            if members is None:
                members = self._members[path] = self._walk(offsets[0])
            offsets = members.get(token)
            if offsets is None:
                return None
            path = f"{path}/{token}"
        return offsets

    def _walk(self, start: int) -> dict[str, Offsets]:
        """Offsets of every member of the container at ``start`` (nothing for a scalar)."""
        text = self._text
        opening = text[start]
        if opening not in "{[":
            return {}
        members: dict[str, Offsets] = {}
        at = _SPACE.match(text, start + 1).end()
        index = 0
        while text[at] not in "}]":
            key_start = key_end = -1
            if opening == "{":
                key, key_end = _DECODER.raw_decode(text, at)
                key_start, token = at, escape_pointer_token(key)
                at = _SPACE.match(text, _SPACE.match(text, key_end).end() + 1).end()  # past the ':'
            else:
                token, index = str(index), index + 1
            end = _DECODER.raw_decode(text, at)[1]
            members[token] = (at, end, key_start, key_end)
            at = _SPACE.match(text, end).end()
            if text[at] == ",":
                at = _SPACE.match(text, at + 1).end()
        return members


# One token: a string (possibly unterminated), a punctuation mark, or a run of anything else
# (numbers, literals, garbage). Whitespace between tokens is skipped by finditer.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)
NON_JSON_CONSTANTS = frozenset({"NaN", "Infinity", "-Infinity"})
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


@dataclass(slots=True)
class JsonProblems:
    """What :func:`scan_problems` found, as character offsets.

    Attributes:
        duplicate: (offset of the second key, its length in characters, the key, offset of the
            first) or None.
        constant: (offset, text) of the first NaN/Infinity literal or number too large for a float.
        too_deep: offset of the first bracket nested deeper than the limit, or None.
    """

    duplicate: tuple[int, int, str, int] | None = None
    constant: tuple[int, str] | None = None
    too_deep: int | None = None


@dataclass(slots=True)
class _Container:
    is_object: bool
    expecting_key: bool
    keys: dict[str, int] = field(default_factory=dict)


def scan_problems(text: str, max_depth: int) -> JsonProblems:
    """Scan ``text`` once for the first of each problem; stops at a bracket deeper than ``max_depth``."""
    found = JsonProblems()
    stack: list[_Container] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        top = stack[-1] if stack else None
        if top is not None and top.expecting_key:
            if first == '"':
                _take_key(found, top, _decode_key(token), match.start(), len(token))
            elif first == "}":
                stack.pop()
            continue  # a stray token where a key belongs: skip it
        if first in "{[":
            if len(stack) >= max_depth:
                found.too_deep = match.start()
                break
            stack.append(_Container(is_object=first == "{", expecting_key=first == "{"))
        elif first in "}]":
            if stack:
                stack.pop()
        elif first == ",":
            if top is not None and top.is_object:
                top.expecting_key = True
        elif found.constant is None and _not_finite(token):
            found.constant = (match.start(), token)
    return found


def _not_finite(token: str) -> bool:
    """NaN, Infinity, or a number too large for a float (1e999)."""
    if token in NON_JSON_CONSTANTS:
        return True
    if token[0] not in "-0123456789" or not _NUMBER.fullmatch(token):
        return False
    return math.isinf(float(token))


def _take_key(found: JsonProblems, top: _Container, key: str, start: int, length: int) -> None:
    first = top.keys.setdefault(key, start)
    if first != start and found.duplicate is None:
        found.duplicate = (start, length, key, first)
    top.expecting_key = False


def _decode_key(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    try:
        return json.loads(token)
    except ValueError:  # a bad escape: the fast path has reported it already, any name will do
        return token[1:-1]
