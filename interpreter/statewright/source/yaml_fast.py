"""The quick way through a YAML definition: its value without positions, for the common subset.

Recording where every node stands costs about as much as parsing: a JSON Pointer string and a span
tuple for each of the ~100,000 nodes of a 1,000-state definition. A clean definition never needs them,
so :func:`read_plain_yaml` builds only the value and :mod:`statewright.source.yaml_reader` computes
positions lazily, by a second, positioned read, the first time a diagnostic asks for one.

This reader covers the YAML people write for definitions: block and flow mappings and sequences,
plain and quoted scalars. Anything else (tags, anchors and aliases, merge keys, duplicate keys, more
than one document, a scalar at the top, nesting past the limit, a character or syntax the parser
rejects) raises :class:`Unusual`, and the caller reads the text again with the positioned reader, which
decides every such case and reports problems where they stand. So this module never makes a decision
of its own beyond the subset's: on any text it either returns exactly the value the positioned reader
would return, or says that it cannot (tests/source/test_yaml_fast.py checks that on fuzzed input).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from statewright.source.limits import MAX_DEPTH
from statewright.source.yaml_schema import ScalarError, resolve_plain

_MERGE_KEY = "<<"


class Unusual(Exception):
    """The text steps outside the subset this reader handles; read it with the positioned reader."""


def read_plain_yaml(text: str, loader: type) -> Any:
    """The value of a YAML definition in the common subset; raises :class:`Unusual` otherwise."""
    parser = None
    try:
        parser = loader(text)  # the pure-Python reader checks characters already here
        return _build(parser.get_event)
    except (yaml.YAMLError, ScalarError):
        raise Unusual from None
    finally:
        if parser is not None:
            parser.dispose()


def _build(get_event: Any) -> Any:
    # The open collection, whether it is a mapping, and the key awaiting its value (None between
    # entries), kept in locals rather than frame objects: this loop runs once per event.
    node: Any = None
    is_map = False
    key: str | None = None
    outer: list[tuple[Any, bool]] = []
    root: Any = None
    documents = 0
    while True:
        event = get_event()
        kind = event.__class__
        if kind is ScalarEvent:
            if event.tag is not None or event.anchor is not None:
                raise Unusual
            text = event.value
            if is_map:
                if key is None:
                    if text == _MERGE_KEY or text in node:
                        raise Unusual
                    key = text
                else:
                    node[key] = resolve_plain(text) if event.implicit[0] else text
                    key = None
            elif node is not None:
                node.append(resolve_plain(text) if event.implicit[0] else text)
            else:
                raise Unusual  # a scalar document: rare, and the positioned reader words its errors
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.tag is not None or event.anchor is not None or len(outer) >= MAX_DEPTH:
                raise Unusual
            new: Any = {} if kind is MappingStartEvent else []
            if is_map:
                if key is None:
                    raise Unusual  # a collection used as a key
                node[key] = new
            elif node is not None:
                node.append(new)
            else:
                root = new
            outer.append((node, is_map))
            node, is_map, key = new, kind is MappingStartEvent, None
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            node, is_map = outer.pop()
            key = None
        elif kind is StreamEndEvent:
            break
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise Unusual
        elif kind is AliasEvent:
            raise Unusual
    if root is None:
        raise Unusual  # empty, or only comments
    return root
