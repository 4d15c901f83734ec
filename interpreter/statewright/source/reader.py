"""Entry point of the source layer: pick the format, guard the input, and hand over to a reader.

The guards run in the order that keeps hostile input cheap: size first (nothing is decoded or parsed
when the input is over the limit), then binary data, then UTF-8, then emptiness.
"""

from __future__ import annotations

import re

from statewright.source.document import START, Document, SourceError, Span
from statewright.source.errors import (
    BINARY_SOURCE,
    EMPTY_SOURCE,
    NOT_UTF8,
    SOURCE_TOO_LARGE,
    error_at,
)
from statewright.source.json_reader import read_json
from statewright.source.limits import MAX_DEPTH, MAX_SOURCE_BYTES

__all__ = ["MAX_DEPTH", "MAX_SOURCE_BYTES", "parse_source"]

_FORMATS = {"json": "json", "yaml": "yaml", "yml": "yaml"}
_EXTENSIONS = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}
_UTF8_BOM = b"\xef\xbb\xbf"
# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_LEADING_SPACE = re.compile(r"\s*")


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

    Returns:
        The document: its value is a plain ``dict``/``list``/``str``/``int``/``float``/``bool``/``None``
        tree, any JSON value (the lint engine reports a top level that is not an object).

    Raises:
        SourceError: the text is empty, binary, not UTF-8, too large, too deeply nested, has a
            duplicate key, or is not valid JSON/YAML. The error carries a code and a position.
        ValueError: ``format`` is not ``"json"`` or ``"yaml"`` (a programming error, not bad input).
    """
    chosen = _format_from_arguments(format, filename)
    if isinstance(source, str):
        text = _check_text(source, filename, max_bytes)
    else:
        text = _decode(bytes(source), filename, max_bytes)
    if chosen is None:
        first = _LEADING_SPACE.match(text).end()
        chosen = "json" if text[first : first + 1] in ("{", "[") else "yaml"
    if not text.strip():
        raise SourceError("The file is empty.", EMPTY_SOURCE, START, filename)
    if chosen == "json":
        value, locate = read_json(text, filename)
    else:  # PyYAML is imported with the first YAML source: a JSON-only run never pays its ~18 ms
        from statewright.source.yaml_reader import read_yaml

        value, locate = read_yaml(text, filename)
    return Document(value=value, text=text, filename=filename, format=chosen, _locate=locate)


def _format_from_arguments(format: str | None, filename: str | None) -> str | None:
    if format is not None:
        try:
            return _FORMATS[format.lower()]
        except KeyError:
            raise ValueError(f"format must be 'json' or 'yaml', not {format!r}") from None
    if filename:
        return _EXTENSIONS.get(_suffix(filename))
    return None


def _suffix(filename: str) -> str:
    """The last suffix of the file's name, lower-cased: "order.asl.JSON" gives ".json".

    String work rather than ``os.path``: this layer stays free of OS modules (tests/test_layering.py).
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _too_large(size: int, max_bytes: int, filename: str | None) -> SourceError:
    message = (
        f"The file is {size:,} bytes, over the limit of {max_bytes:,} bytes; "
        "split the workflow into smaller state machines."
    )
    return SourceError(message, SOURCE_TOO_LARGE, START, filename)


def _check_text(text: str, filename: str | None, max_bytes: int) -> str:
    """Apply the byte-level guards to text that arrived already decoded."""
    ascii_only = text.isascii()
    size = len(text) if ascii_only else len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise _too_large(size, max_bytes, filename)
    nul = text.find("\0")
    if nul >= 0:
        raise error_at(text, nul, _binary_message(), BINARY_SOURCE, filename)
    if not ascii_only:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            # Only lone surrogates (from a lenient decode upstream) get here.
            code_point = ord(text[error.start])
            message = f"The text holds U+{code_point:04X}, a lone surrogate that is not valid UTF-8."
            raise error_at(text, error.start, message, NOT_UTF8, filename) from None
    return text[1:] if text.startswith("\ufeff") else text


def _decode(data: bytes, filename: str | None, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes, filename)
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            message = f"The file is {encoding} text; save it as UTF-8."
            raise SourceError(message, NOT_UTF8, START, filename)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    nul = data.find(b"\0")
    if nul >= 0:
        raise SourceError(_binary_message(), BINARY_SOURCE, _byte_span(data, nul), filename)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.end].hex(" ")
        message = f"The file is not UTF-8 text: byte {bad} cannot be decoded; save the file as UTF-8."
        raise SourceError(message, NOT_UTF8, _byte_span(data, error.start), filename) from None


def _binary_message() -> str:
    return "The file holds binary data (a NUL byte); a definition is JSON or YAML text."


def _byte_span(data: bytes, offset: int) -> Span:
    """The position of the byte at ``offset``, counting columns in characters as editors do."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return Span(line, column, line, column + 1)
