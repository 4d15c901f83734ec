"""The parsed document: a JSON value and where each of its nodes stands in the text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    """A region of the source text. Lines and columns are 1-based; the end is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


START = Span(1, 1, 1, 1)


class SourceError(Exception):
    """The text is not a readable definition (syntax, encoding, size, nesting, duplicate key, ...).

    Attributes:
        message: what is wrong, in one sentence, without the position.
        code: the lint rule code for this kind of problem (``SW001`` ... ``SW010``).
        span: where it is.
        filename: the file it came from, when known.
    """

    def __init__(self, message: str, code: str, span: Span = START, filename: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.span = span
        self.filename = filename

    def __str__(self) -> str:
        where = f"{self.filename or '<input>'}:{self.span.line}:{self.span.column}"
        return f"{where}: {self.code} {self.message}"


@dataclass(slots=True)
class Document:
    """A definition read from text.

    Attributes:
        value: the decoded JSON value (YAML is decoded to the same kinds of values).
        text: the source text, decoded.
        filename: where it came from, for messages; ``None`` for text given directly.
        format: ``"json"`` or ``"yaml"``.
    """

    value: Any
    text: str
    filename: str | None
    format: str
    # Resolves a JSON Pointer to (value span, key span or None). Readers fill this in; JSON computes
    # positions lazily on first use because a clean definition never needs them.
    _locate: Callable[[str], tuple[Span, Span | None] | None] = field(repr=False, default=lambda _p: None)

    def span(self, pointer: str) -> Span:
        """Where the node at ``pointer`` stands; the nearest existing ancestor if it does not exist."""
        return self._nearest(pointer)[0]

    def key_span(self, pointer: str) -> Span:
        """Where the key naming the node at ``pointer`` stands (the value's span for array items)."""
        value_span, key_span = self._nearest(pointer)
        return key_span or value_span

    def _nearest(self, pointer: str) -> tuple[Span, Span | None]:
        while True:
            found = self._locate(pointer)
            if found is not None:
                return found
            if not pointer:
                return START, None
            pointer = pointer.rsplit("/", 1)[0]


def escape_pointer_token(token: str | int) -> str:
    """Escape one JSON Pointer reference token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_of(*tokens: str | int) -> str:
    """Build a JSON Pointer from unescaped tokens: ``pointer_of("States", "A/B")`` is ``/States/A~1B``."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)
