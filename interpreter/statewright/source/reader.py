"""Entry point of the source layer: pick the format, guard the input, and hand over to a reader."""

from __future__ import annotations

from statewright.source.document import Document

# AWS accepts definitions up to 1 MiB of text; anything larger is refused before it is parsed.
MAX_SOURCE_BYTES = 1024 * 1024
# No real definition nests this deep; the limit keeps pathological inputs from exhausting the stack.
MAX_DEPTH = 200


def parse_source(
    source: str | bytes,
    *,
    filename: str | None = None,
    format: str | None = None,
    max_bytes: int = MAX_SOURCE_BYTES,
) -> Document:
    """Parse YAML or JSON text into a :class:`Document`.

    Args:
        source: the text, or raw bytes (decoded as UTF-8; a UTF-8 BOM is dropped).
        filename: used in messages and to choose the format by extension (``.json``, ``.yaml``, ``.yml``).
        format: ``"json"`` or ``"yaml"`` to force a format; otherwise chosen from the filename, else
            JSON when the text starts with ``{`` or ``[``, else YAML.
        max_bytes: the size limit.

    Raises:
        SourceError: the text is empty, binary, not UTF-8, too large, too deeply nested, has a
            duplicate key, or is not valid JSON/YAML. The error carries a code and a position.
    """
    raise NotImplementedError  # implemented by the source layer work
