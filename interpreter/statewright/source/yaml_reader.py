"""YAML text to a plain value, built from parser events with an explicit stack.

PyYAML's composer and constructor recurse once per nesting level and resolve scalars by YAML 1.1, so
we use neither: libyaml (or PyYAML's pure-Python parser where libyaml is missing) produces events, and
this module builds the value iteratively, resolving scalars by the YAML 1.2 core schema
(:mod:`statewright.source.yaml_schema`). Positions are recorded while building, keyed by JSON Pointer,
as the parser's 0-based line/column numbers; they become spans only when asked for.

Most definitions are read twice at most and usually once: :mod:`statewright.source.yaml_fast` builds
the value without positions, and this module's positioned read runs only when that quick read meets
something outside its subset (where it also words every error) or when a diagnostic asks where a node
stands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from statewright.source.document import START, SourceError, Span
from statewright.source.errors import (
    DUPLICATE_KEY,
    EMPTY_SOURCE,
    NESTING_TOO_DEEP,
    SYNTAX_ERROR,
    UNSUPPORTED_YAML,
    error_at,
)
from statewright.source.limits import MAX_DEPTH
from statewright.source.yaml_anchors import AliasError, Anchors
from statewright.source.yaml_fast import Unusual, read_plain_yaml
from statewright.source.yaml_schema import (
    MAP_TAGS,
    SCALAR_TAGS,
    SEQ_TAGS,
    ScalarError,
    resolve_plain,
    resolve_tagged,
    unknown_tag_message,
)

# libyaml's parser where PyYAML was built with it: the pure-Python one is several times slower.
LOADER: type = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
Locate = Callable[[str], "tuple[Span, Span | None] | None"]
Pos = tuple[int, int, int, int]  # 0-based line, column, end line, end column
Entry = tuple[int, int, int, int, "Pos | None"]
_NOTHING = object()
# Characters YAML forbids anywhere in a stream (PyYAML's Reader.NON_PRINTABLE).
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class _Frame:
    """An open mapping or sequence. For a mapping, ``key`` is None while the next key is awaited."""

    __slots__ = (
        "anchor", "child", "is_map", "key", "key_pos", "merges", "merging",
        "named_by", "node", "pointer", "start",
    )

    def __init__(self, event: NodeEvent, node: dict[str, Any] | list[Any], pointer: str,
                 named_by: Pos | None) -> None:
        mark = event.start_mark
        self.node = node
        self.is_map = isinstance(node, dict)
        self.pointer = pointer
        self.start = (mark.line, mark.column)
        self.anchor = event.anchor
        self.named_by = named_by  # where the parent's key naming this node stands
        self.key: str | None = None
        self.key_pos: Pos | None = None  # where ``key`` stands; None in sequences
        self.child = ""  # the pointer of the value under ``key``
        self.merging = False
        self.merges: list[dict[str, Any]] | None = None


class _Builder:
    """Consumes events and builds the value; raises SourceError at the first problem.

    Each finished node goes into its parent at once (``place``), so only open collections are on the
    stack and a node's pointer is known when it starts.
    """

    def __init__(self, filename: str | None) -> None:
        self.filename = filename
        self.stack: list[_Frame] = []
        # pointer -> (line, column, end line, end column, where its key stands or None), 0-based as
        # PyYAML's marks. Plain ints rather than the events: holding on to ~20,000 event objects makes
        # the cyclic garbage collector rescan them as the tree grows, which costs more than reading
        # four attributes.
        self.spans: dict[str, Entry] = {}
        self.anchors = Anchors()
        self.documents = 0
        self.root: Any = _NOTHING
        self.root_is_blank = False

    def run(self, parser: Any) -> Any:
        get_event = parser.get_event
        others: dict[type, Callable[[Any], None]] = {
            MappingStartEvent: self.start_mapping,
            SequenceStartEvent: self.start_sequence,
            MappingEndEvent: self.end_collection,
            SequenceEndEvent: self.end_collection,
            AliasEvent: self.alias,
            DocumentStartEvent: self.start_document,
        }
        scalar = self.scalar
        while True:
            event = get_event()
            kind = event.__class__
            if kind is ScalarEvent:  # most events are scalars: skip the table lookup for them
                scalar(event)
            elif kind is StreamEndEvent:
                break
            else:
                handler = others.get(kind)
                if handler is not None:
                    handler(event)
        return self.finish()

    def finish(self) -> Any:
        if self.root is _NOTHING or self.root_is_blank:
            message = "The file holds only comments and whitespace."
            raise SourceError(message, EMPTY_SOURCE, START, self.filename)
        return self.root

    # -- events -----------------------------------------------------------------------------------

    def start_document(self, event: Event) -> None:
        self.documents += 1
        if self.documents > 1:
            message = "The file holds more than one YAML document ('---'); a definition is one document."
            raise self.error(event, message)

    def scalar(self, event: ScalarEvent) -> None:
        stack = self.stack
        top = stack[-1] if stack else None
        if top is not None and top.is_map and top.key is None:
            key = event.value
            if event.tag is not None or event.anchor is not None or key == "<<" or key in top.node:
                self.take_key(top, event, key)  # the rare cases, out of line
                return
            start, end = event.start_mark, event.end_mark
            top.key = key
            top.key_pos = (start.line, start.column, end.line, end.column)
            top.child = _join(top.pointer, key) if "~" in key or "/" in key else f"{top.pointer}/{key}"
            return
        tag = event.tag
        try:
            if tag is None:
                value = resolve_plain(event.value) if event.implicit[0] else event.value
            elif tag in SCALAR_TAGS:
                value = resolve_tagged(tag, event.value)
            else:
                raise self.error(event, unknown_tag_message(tag, event.value))
        except ScalarError as error:  # .inf, .nan, a number too long, a bad !!int
            raise self.error(event, str(error)) from None
        if event.anchor is not None:
            self.anchors.define(event.anchor, value)
        start, end = event.start_mark, event.end_mark
        if top is not None and top.is_map and not top.merging:  # the common case, inlined
            self.spans[top.child] = (start.line, start.column, end.line, end.column, top.key_pos)
            top.node[top.key] = value  # type: ignore[index]
            top.key = None
            return
        if top is None:
            # A document with no content ('---' and comments only) parses as an empty plain scalar.
            self.root_is_blank = value is None and not event.value and tag is None
        self.place(value, start.line, start.column, end)

    def start_mapping(self, event: MappingStartEvent) -> None:
        self.open(event, {}, MAP_TAGS)

    def start_sequence(self, event: SequenceStartEvent) -> None:
        self.open(event, [], SEQ_TAGS)

    def end_collection(self, event: Event) -> None:
        frame = self.stack.pop()
        node: Any = frame.node
        if frame.merges:
            node = _merged(frame.merges, node)
        if frame.anchor is not None:
            self.anchors.define(frame.anchor, node)
        self.place(node, *frame.start, event.end_mark)

    def alias(self, event: AliasEvent) -> None:
        name = event.anchor
        stack = self.stack
        try:
            value = self.anchors.resolve(name, len(stack))
        except AliasError as error:
            raise self.error(event, error.message, error.code) from None
        if stack and stack[-1].is_map and stack[-1].key is None:
            if not isinstance(value, str):
                message = f"The alias '*{name}' is used as a key but is not a string; keys are strings."
                raise self.error(event, message)
            self.take_key(stack[-1], event, value)
            return
        self.place(value, event.start_mark.line, event.start_mark.column, event.end_mark)

    # -- building ---------------------------------------------------------------------------------

    def open(self, event: NodeEvent, node: Any, tags: frozenset[str | None]) -> None:
        stack = self.stack
        if event.tag not in tags:
            raise self.error(event, unknown_tag_message(event.tag, None))
        top = stack[-1] if stack else None
        if top is not None and top.is_map and top.key is None:
            kind = "mapping" if isinstance(node, dict) else "sequence"
            raise self.error(event, f"A {kind} is used as a mapping key; keys must be strings.")
        if len(stack) >= MAX_DEPTH:
            message = f"Mappings and sequences are nested more than {MAX_DEPTH} levels deep."
            raise self.error(event, message, NESTING_TOO_DEEP)
        if top is None:
            frame = _Frame(event, node, "", None)
        elif top.is_map:
            frame = _Frame(event, node, top.child, top.key_pos)
        else:
            frame = _Frame(event, node, f"{top.pointer}/{len(top.node)}", None)
        if event.anchor is not None:
            self.anchors.opening(event.anchor)
        stack.append(frame)

    def take_key(self, top: _Frame, event: Any, key: str) -> None:
        """Record a mapping key. Keys keep their source text: ``1:`` and ``true:`` name "1" and "true"."""
        if isinstance(event, ScalarEvent):
            if event.tag is not None and event.tag not in SCALAR_TAGS:
                raise self.error(event, unknown_tag_message(event.tag, key))
            if event.anchor is not None:
                self.anchors.define(event.anchor, key)
            if key == "<<" and event.tag is None and event.implicit[0]:
                self.take_merge_key(top, event)
                return
        if key in top.node:
            self.duplicate_key(top, event, key)
        start, end = event.start_mark, event.end_mark
        top.key = key
        top.key_pos = (start.line, start.column, end.line, end.column)
        top.child = _join(top.pointer, key)

    def take_merge_key(self, top: _Frame, event: ScalarEvent) -> None:
        if top.merges is not None:
            message = "Duplicate merge key '<<' in this mapping; list the sources in one '<<' instead."
            raise self.error(event, message, DUPLICATE_KEY)
        start, end = event.start_mark, event.end_mark
        top.merges = []
        top.merging = True
        top.key = "<<"
        top.key_pos = (start.line, start.column, end.line, end.column)
        top.child = _join(top.pointer, "<<")

    def duplicate_key(self, top: _Frame, event: Any, key: str) -> None:
        first = self.spans[_join(top.pointer, key)][4]
        where = f" (first at line {first[0] + 1})" if first is not None else ""
        raise self.error(event, f"Duplicate key {key!r} in this mapping{where}.", DUPLICATE_KEY)

    def place(self, value: Any, line: int, column: int, end: Any) -> None:
        """Record where a finished node stands and put it into its parent (or make it the root)."""
        stack = self.stack
        if not stack:
            self.spans[""] = (line, column, end.line, end.column, None)
            self.root = value
            return
        top = stack[-1]
        if not top.is_map:
            self.spans[f"{top.pointer}/{len(top.node)}"] = (line, column, end.line, end.column, None)
            top.node.append(value)
            return
        self.spans[top.child] = (line, column, end.line, end.column, top.key_pos)
        if top.merging:
            self.add_merge(top, value)
        else:
            top.node[top.key] = value  # type: ignore[index]
        top.key = None

    def add_merge(self, top: _Frame, value: Any) -> None:
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(source, dict) for source in sources):
            message = "The merge key '<<' takes a mapping or a list of mappings."
            assert top.key_pos is not None
            raise SourceError(message, UNSUPPORTED_YAML, _pos_span(top.key_pos), self.filename)
        assert top.merges is not None
        top.merges.extend(sources)
        top.merging = False

    def error(self, event: Any, message: str, code: str = UNSUPPORTED_YAML) -> SourceError:
        return SourceError(message, code, mark_span(event.start_mark, event.end_mark), self.filename)


def read_yaml(text: str, filename: str | None, loader: type | None = None) -> tuple[Any, Locate]:
    """Decode YAML text; returns the value and a pointer -> (value span, key span) function.

    Raises:
        SourceError: SW001 syntax, SW002 duplicate key, SW005 nesting too deep, SW006 nothing but
            comments, SW009 a feature with no JSON equivalent (tags, complex keys, several documents).
    """
    loader = loader or LOADER
    try:
        value = read_plain_yaml(text, loader)
    except Unusual:
        builder = _positioned_read(text, filename, loader)
        return builder.root, _locator(builder.spans)
    return value, _lazy_locator(text, filename, loader)


def _positioned_read(text: str, filename: str | None, loader: type) -> _Builder:
    builder = _Builder(filename)
    parser = None
    try:
        parser = loader(text)  # the pure-Python reader checks characters already here
        builder.run(parser)
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, filename) from None
    except yaml.YAMLError as error:  # ReaderError: a character YAML forbids
        raise _reader_error(text, error, filename) from None
    finally:
        if parser is not None:
            parser.dispose()
    return builder


def _lazy_locator(text: str, filename: str | None, loader: type) -> Locate:
    """Positions for a document read the quick way: one positioned read, on the first question."""
    located: list[Locate] = []

    def locate(pointer: str) -> tuple[Span, Span | None] | None:
        if not located:
            located.append(_locator(_positioned_read(text, filename, loader).spans))
        return located[0](pointer)

    return locate


def mark_span(start: Any, end: Any) -> Span:
    """Convert PyYAML's 0-based marks to a 1-based span."""
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _pos_span(pos: Pos) -> Span:
    line, column, end_line, end_column = pos
    return Span(line + 1, column + 1, end_line + 1, end_column + 1)


def _locator(spans: dict[str, Entry]) -> Locate:
    def locate(pointer: str) -> tuple[Span, Span | None] | None:
        found = spans.get(pointer)
        if found is None:
            return None
        line, column, end_line, end_column, key = found
        value_span = Span(line + 1, column + 1, end_line + 1, end_column + 1)
        return value_span, (_pos_span(key) if key is not None else None)

    return locate


def _join(pointer: str, key: str) -> str:
    if "~" in key or "/" in key:
        key = key.replace("~", "~0").replace("/", "~1")
    return f"{pointer}/{key}"


def _merged(sources: list[dict[str, Any]], explicit: dict[str, Any]) -> dict[str, Any]:
    """Apply merge keys: the mapping's own keys win, then earlier sources over later ones."""
    result: dict[str, Any] = {}
    for source in sources:
        for key, value in source.items():
            result.setdefault(key, value)
    result.update(explicit)
    return result


def _syntax_error(error: yaml.MarkedYAMLError, filename: str | None) -> SourceError:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or "invalid YAML"
    context = f" {error.context}" if error.context and error.context_mark is not None else ""
    message = f"Invalid YAML: {problem}{context}."
    code = SYNTAX_ERROR
    if "maximum nesting depth" in problem:
        # Newer libyaml builds stop at their own depth limit (1,000) while scanning ahead, before our
        # 200-level check sees the events: the same problem, reported where libyaml stopped.
        code, message = NESTING_TOO_DEEP, f"Nesting deeper than {MAX_DEPTH} levels (libyaml: {problem})."
    if mark is None:
        return SourceError(message, code, START, filename)
    line, column = mark.line + 1, mark.column + 1
    return SourceError(message, code, Span(line, column, line, column + 1), filename)


def _reader_error(text: str, error: yaml.YAMLError, filename: str | None) -> SourceError:
    match = _NON_PRINTABLE.search(text)
    if match is None:
        return SourceError(f"Invalid YAML: {error}.", SYNTAX_ERROR, START, filename)
    message = f"Invalid YAML: the character U+{ord(match.group()):04X} is not allowed in YAML text."
    return error_at(text, match.start(), message, SYNTAX_ERROR, filename)
