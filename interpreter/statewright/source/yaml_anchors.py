"""YAML anchors and aliases, guarded against recursion, depth and expansion bombs.

An alias shares the anchored value instead of copying it (as PyYAML does), so reading stays linear in
the text. Whoever walks the value later sees every alias expanded, though: nine nested levels of ten
aliases each ("billion laughs") are a few hundred bytes of YAML and a billion values. So each alias to
a collection counts the values it adds, and the total is capped.
"""

from __future__ import annotations

from typing import Any

from statewright.source.errors import NESTING_TOO_DEEP, SOURCE_TOO_LARGE, SYNTAX_ERROR, UNSUPPORTED_YAML
from statewright.source.limits import MAX_ALIAS_NODES, MAX_DEPTH

_UNDEFINED = object()


class AliasError(Exception):
    """An alias that cannot be used; carries the lint code and the message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Anchors:
    """The anchors defined so far in one document."""

    __slots__ = ("_expanded", "_measured", "_open", "_values")

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._open: set[str] = set()
        self._measured: dict[int, tuple[int, int]] = {}
        self._expanded = 0

    def opening(self, name: str) -> None:
        """A collection with this anchor has started; an alias to it before it ends is recursive."""
        self._open.add(name)

    def define(self, name: str, value: Any) -> None:
        """The anchored node is complete; later aliases to ``name`` yield ``value``."""
        self._values[name] = value
        self._open.discard(name)

    def resolve(self, name: str, depth: int) -> Any:
        """The value of ``*name`` placed under ``depth`` open collections.

        Raises:
            AliasError: the anchor is undefined or still open, or the alias would nest too deep or
                expand the document past the limit.
        """
        if name in self._open:
            message = f"The alias '*{name}' refers to the node that contains it; definitions cannot recurse."
            raise AliasError(UNSUPPORTED_YAML, message)
        value = self._values.get(name, _UNDEFINED)
        if value is _UNDEFINED:
            message = f"The alias '*{name}' refers to no anchor '&{name}' defined before it."
            raise AliasError(SYNTAX_ERROR, message)
        if isinstance(value, (dict, list)):
            self._check_size(name, value, depth)
        return value

    def _check_size(self, name: str, value: dict[str, Any] | list[Any], depth: int) -> None:
        size, height = self._measure(value)
        if depth + height > MAX_DEPTH:
            message = f"The alias '*{name}' nests mappings and sequences more than {MAX_DEPTH} levels deep."
            raise AliasError(NESTING_TOO_DEEP, message)
        self._expanded += size
        if self._expanded > MAX_ALIAS_NODES:
            message = (
                f"Aliases expand this document to more than {MAX_ALIAS_NODES:,} values; "
                "write the repeated parts out or simplify them."
            )
            raise AliasError(SOURCE_TOO_LARGE, message)

    def _measure(self, root: dict[str, Any] | list[Any]) -> tuple[int, int]:
        """(values in the expanded tree, nesting height), iteratively and memoized per shared node."""
        measured = self._measured
        pending: list[tuple[Any, bool]] = [(root, False)]
        while pending:
            node, children_done = pending.pop()
            if id(node) in measured:
                continue
            children = list(node.values() if isinstance(node, dict) else node)
            if not children_done:
                pending.append((node, True))
                pending.extend((child, False) for child in children if isinstance(child, (dict, list)))
                continue
            size, height = 1, 1
            for child in children:
                if isinstance(child, (dict, list)):
                    child_size, child_height = measured[id(child)]
                    size += child_size
                    height = max(height, child_height + 1)
                else:
                    size += 1
            measured[id(node)] = (size, height)
        return measured[id(root)]
