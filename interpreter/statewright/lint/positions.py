"""Where a diagnostic points: one character inside a string value, and where a multi-line node really ends.

Columns count characters (code points), as ruff's do; the text renderer turns them into terminal
columns for the caret line (``render.py``). A position is only ever narrowed when the source text
confirms it: when the column of a character cannot be worked out (an escape sequence before it, a
value written over several lines, a placeholder filled in by ``--substitute``), the whole value is
pointed at instead.
"""

from __future__ import annotations

from typing import Any

from statewright.source import Span

_QUOTES = ("'", '"')


class SourceLines:
    """The lines of a document's text, split on first use (a clean definition never needs them)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[str] | None = None

    def __getitem__(self, line: int) -> str:
        """Line ``line`` (1-based) without its line break; ``""`` outside the text."""
        if self._lines is None:
            self._lines = self._text.splitlines()
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""


def value_at(root: Any, pointer: str) -> Any:
    """The node at a JSON Pointer, or ``None`` when there is none."""
    node = root
    for token in pointer.split("/")[1:] if pointer else ():
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def inside_string(lines: SourceLines, span: Span, value: Any, offset: int) -> Span:
    """Point at character ``offset`` of the string ``value`` written on one line at ``span``.

    Plain and quoted scalars are read back character by character (``''`` is one quote in a YAML
    single-quoted string); the span is returned unchanged when the source does not spell the value's
    characters one for one up to the offset.
    """
    if not isinstance(value, str) or span.line != span.end_line:
        return span
    raw = lines[span.line][span.column - 1 : span.end_column - 1]
    index = _index_in_source(raw, value, offset)
    if index is None:
        return span
    # Past the last character (an unexpected end): the closing quote, or a plain scalar's last character.
    column = span.column + min(index, max(len(raw) - 1, 0))
    return Span(span.line, column, span.line, column + 1)


def _index_in_source(raw: str, value: str, offset: int) -> int | None:
    """Index in ``raw`` (the scalar as written) of ``value[offset]``; ``None`` when it cannot be told.

    An offset at or past the end of the value gives the index just after its last character."""
    quote = raw[:1] if raw[:1] in _QUOTES else ""
    index = len(quote)
    for position in range(min(offset + 1, len(value))):
        start = index
        if quote == "'" and raw.startswith("''", index):
            written, index = "'", index + 2
        elif quote == '"' and raw.startswith("\\", index):
            return None  # an escape: its width varies (\n, \u00e9, ...); not worth decoding here
        else:
            written, index = raw[index : index + 1], index + 1
        if written != value[position]:
            return None
        if position == offset:
            return start
    return index


def trim_end(lines: SourceLines, span: Span, value: Any) -> Span:
    """End a multi-line node at its last character rather than where the next one starts.

    YAML block collections end, in the parser's marks, at the next key: past blank lines and comment
    lines that are not part of them. Those are dropped, so that an end line or column (GitHub's
    ``endLine``) stays inside the node. Comment lines are kept in a string (a block scalar may hold
    a line starting with '#').
    """
    if span.end_line <= span.line:
        return span
    skip_comments = not isinstance(value, str)
    line, text = span.end_line, lines[span.end_line][: span.end_column - 1]
    while line > span.line:
        content = text.strip()
        if content and not (skip_comments and content.startswith("#")):
            break
        line -= 1
        text = lines[line]
    end_column = len(text.rstrip()) + 1
    if line == span.line:
        end_column = max(end_column, span.column + 1)
    return Span(span.line, span.column, line, end_column)
