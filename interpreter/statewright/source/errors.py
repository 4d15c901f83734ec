"""Error codes of the source layer and helpers that turn text offsets into positions.

The codes are the ones ``statewright.lint.codes`` documents (SW001-SW010). They are repeated here as
plain strings because the source layer sits below the lint layer and must not import it; a test
checks that both agree.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from statewright.source.document import SourceError, Span

SYNTAX_ERROR = "SW001"
DUPLICATE_KEY = "SW002"
NOT_UTF8 = "SW003"
SOURCE_TOO_LARGE = "SW004"
NESTING_TOO_DEEP = "SW005"
EMPTY_SOURCE = "SW006"
BINARY_SOURCE = "SW007"
UNSUPPORTED_YAML = "SW009"
UNREADABLE_FILE = "SW010"

_NEWLINE = re.compile("\n")


class LineIndex:
    """Maps character offsets in a text to 1-based line and column numbers.

    Built once per text (one regex pass), then each lookup is a binary search, so positions cost
    nothing until a diagnostic asks for one.
    """

    __slots__ = ("_starts",)

    def __init__(self, text: str) -> None:
        self._starts = [0, *(match.end() for match in _NEWLINE.finditer(text))]

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of the character at ``offset``."""
        line = bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        """The span of the characters ``text[start:end]``."""
        return Span(*self.position(start), *self.position(end))


def span_at(text: str, offset: int, length: int = 1) -> Span:
    """The span of ``length`` characters at ``offset``, for a one-off error (no index kept)."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(line, column, line, column + length)


def error_at(text: str, offset: int, message: str, code: str, filename: str | None) -> SourceError:
    """A SourceError pointing at one character of ``text``."""
    return SourceError(message, code, span_at(text, offset), filename)
