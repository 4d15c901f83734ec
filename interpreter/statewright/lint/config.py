"""``[tool.statewright.lint]`` in ``pyproject.toml``, and which codes a run reports (spec/lint.md, "Configuration").

As ruff finds ``[tool.ruff]``: the nearest ``pyproject.toml``, from the current directory up, that has a
``[tool.statewright.lint]`` table; files without one are passed over. Its ``select`` and ``ignore`` are the
first layer of rule selection, the command line's ``--select``/``--ignore`` the second:

- a layer with ``select`` starts again from its own selection: a code is on when the longest of the layer's
  ``select`` and ``ignore`` entries that match it is a ``select`` entry (``ignore`` wins a tie);
- a layer with only ``ignore`` turns those codes off in what the layer before it left on.

So ``--select`` on the command line replaces the file's ``select`` and ``ignore``; ``--ignore`` adds to them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import NamedTuple

TABLE = "[tool.statewright.lint]"
KEYS = ("select", "ignore")
# Every way TOML can spell the table (its header, [tool.statewright] with a lint key, dotted keys, inline
# tables), and more; a false match only costs a parse. Statewright's own pyproject.toml (name =
# "statewright", packages = ["interpreter/statewright"]) does not match.
# Compiled on first use (re's cache): most runs find no pyproject.toml at all.
_MAY_HAVE_TABLE = (
    rb"""statewright["']?\s*\.\s*["']?lint\b|tool["']?\s*\.\s*["']?statewright["']?\s*\]"""
    rb"""|statewright["']?\s*=\s*\{"""
)


class ConfigError(Exception):
    """A ``pyproject.toml`` that cannot be used: unreadable, not TOML, or a bad ``[tool.statewright.lint]``."""


# NamedTuples rather than dataclasses: this module is imported by every `statewright lint` process, and a
# frozen dataclass costs about a millisecond to create.
class Layer(NamedTuple):
    """One source of rule selection: ``select`` is ``None`` when the source does not set it."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.select is None and not self.ignore


class LintConfig(NamedTuple):
    path: Path
    layer: Layer


def find_config(start: Path) -> LintConfig | None:
    """The nearest ``pyproject.toml`` with a ``[tool.statewright.lint]`` table, from ``start`` up.

    Raises:
        ConfigError: such a file cannot be read or parsed, or its table is malformed.
    """
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        try:
            data = candidate.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            continue
        except OSError as error:
            raise ConfigError(f"{candidate}: cannot read: {error.strerror or error}") from None
        # Most projects' pyproject.toml have no such table: no TOML parser is loaded for them.
        if re.search(_MAY_HAVE_TABLE, data) is None:
            continue
        table = _lint_table(candidate, data)
        if table is not None:
            return LintConfig(candidate, _layer(candidate, table))
    return None


def _lint_table(path: Path, data: bytes) -> dict | None:
    import tomllib

    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    table: object = document
    for key in ("tool", "statewright", "lint"):
        if not isinstance(table, dict) or key not in table:
            return None
        table = table[key]
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {TABLE} must be a table, not {type(table).__name__}")
    return table


def _layer(path: Path, table: dict) -> Layer:
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} in {TABLE} (known: {', '.join(KEYS)})")
    values = {}
    for key in KEYS:
        if key not in table:
            continue
        listed = table[key]
        if not isinstance(listed, list) or not all(isinstance(code, str) for code in listed):
            raise ConfigError(f"{path}: {key} in {TABLE} must be a list of rule codes or prefixes, "
                              f'such as ["SW2", "SW306"]')
        values[key] = tuple(code.strip().upper() for code in listed if code.strip())
    return Layer(values.get("select"), values.get("ignore", ()))


def unknown_code(prefixes: Sequence[str], known: Collection[str]) -> str | None:
    """The first of ``prefixes`` that starts no known code, if any."""
    return next((prefix for prefix in prefixes if not any(code.startswith(prefix) for code in known)), None)


def enabled_codes(layers: Sequence[Layer], known: Collection[str]) -> set[str]:
    """The codes that are on after applying ``layers`` in order, starting from every code in ``known``."""
    enabled = set(known)
    for layer in layers:
        if layer.select is not None:
            enabled = {code for code in known if _selected_by(code, layer)}
        elif layer.ignore:
            enabled = {code for code in enabled if not any(code.startswith(p) for p in layer.ignore)}
    return enabled


def _selected_by(code: str, layer: Layer) -> bool:
    chosen = max((len(p) for p in layer.select or () if code.startswith(p)), default=-1)
    dropped = max((len(p) for p in layer.ignore if code.startswith(p)), default=-1)
    return chosen > dropped
