"""Reading definitions: YAML or JSON text to a plain JSON value plus source positions.

This layer is pure: it takes text (or bytes) that the caller has already read and returns a
:class:`Document`. Positions are kept apart from the value, keyed by JSON Pointer, so the value stays
an ordinary ``dict``/``list``/``str``/``int``/``float``/``bool``/``None`` tree that the rest of
Statewright can use without unwrapping.
"""

from statewright.source.document import Document, SourceError, Span
from statewright.source.reader import MAX_DEPTH, MAX_SOURCE_BYTES, parse_source

__all__ = ["MAX_DEPTH", "MAX_SOURCE_BYTES", "Document", "SourceError", "Span", "parse_source"]
