"""Path steps: each turns the list of nodes selected so far into the next list.

Missing keys and out-of-range indexes select nothing rather than raising; whether "nothing" is an
error is decided once, by the caller, from the path's definiteness (AWS: a definite path that matches
nothing fails, an indefinite one yields an empty list).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from statewright.core.jsonpath.filters import Expr


def _quoted(name: str) -> str:
    return "'" + name + "'"


@dataclass(frozen=True, slots=True)
class Name:
    """``.name`` or ``['name']``: one object member."""

    name: str

    def select(self, nodes: list[Any], root: Any) -> list[Any]:
        key = self.name
        return [node[key] for node in nodes if isinstance(node, dict) and key in node]

    def normalized(self) -> str:
        return f"[{_quoted(self.name)}]"


@dataclass(frozen=True, slots=True)
class Names:
    """``['a','b']``. As the last step Jayway merges the members found into one object (a definite
    result); elsewhere each member found is selected in turn."""

    names: tuple[str, ...]
    merge: bool

    def select(self, nodes: list[Any], root: Any) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            if not isinstance(node, dict):
                continue
            if self.merge:
                out.append({key: node[key] for key in self.names if key in node})
            else:
                out.extend(node[key] for key in self.names if key in node)
        return out

    def normalized(self) -> str:
        return "[" + ",".join(_quoted(name) for name in self.names) + "]"


@dataclass(frozen=True, slots=True)
class Index:
    """``[n]``; a negative n counts from the end, as in Jayway."""

    index: int

    def select(self, nodes: list[Any], root: Any) -> list[Any]:
        out: list[Any] = []
        index = self.index
        for node in nodes:
            if isinstance(node, list) and -len(node) <= index < len(node):
                out.append(node[index])
        return out

    def normalized(self) -> str:
        return f"[{self.index}]"


@dataclass(frozen=True, slots=True)
class Indexes:
    """``[0,2]``: several indexes, selected in the order written."""

    indexes: tuple[int, ...]

    def select(self, nodes: list[Any], root: Any) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            if isinstance(node, list):
                size = len(node)
                out.extend(node[i] for i in self.indexes if -size <= i < size)
        return out

    def normalized(self) -> str:
        return "[" + ",".join(str(i) for i in self.indexes) + "]"


@dataclass(frozen=True, slots=True)
class Slice:
    """``[start:stop:step]`` with Python's clamping, which matches Jayway for the forms it accepts."""

    start: int | None
    stop: int | None
    step: int | None

    def select(self, nodes: list[Any], root: Any) -> list[Any]:
        out: list[Any] = []
        window = slice(self.start, self.stop, self.step)
        for node in nodes:
            if isinstance(node, list):
                out.extend(node[window])
        return out

    def normalized(self) -> str:
        start = "" if self.start is None else str(self.start)
        stop = "" if self.stop is None else str(self.stop)
        return f"[{start}:{stop}]" if self.step is None else f"[{start}:{stop}:{self.step}]"


@dataclass(frozen=True, slots=True)
class Wildcard:
    """``.*`` or ``[*]``: every member value of an object, every element of an array."""

    def select(self, nodes: list[Any], root: Any) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            if isinstance(node, dict):
                out.extend(node.values())
            elif isinstance(node, list):
                out.extend(node)
        return out

    def normalized(self) -> str:
        return "[*]"


@dataclass(frozen=True, slots=True)
class Filter:
    """``[?(expr)]``: the array elements (or the object itself) for which ``expr`` holds."""

    expr: Expr

    def select(self, nodes: list[Any], root: Any) -> list[Any]:
        out: list[Any] = []
        test = self.expr.test
        for node in nodes:
            if isinstance(node, list):
                out.extend(item for item in node if test(item, root))
            elif isinstance(node, dict) and test(node, root):
                # Jayway applies a filter on an object to the object itself.
                out.append(node)
        return out

    def normalized(self) -> str:
        return "[?]"


@dataclass(frozen=True, slots=True)
class BrokenFilter:
    """A filter that does not compile (``text`` is the whole ``[?(...)]``): selecting with it raises
    :class:`FilterNotReadable`, as AWS fails the state only when it evaluates the path."""

    text: str
    reason: str
    column: int  # 1-based, in the whole path's text, where the filter stopped compiling

    def select(self, nodes: list[Any], root: Any) -> list[Any]:
        from statewright.core.jsonpath.errors import FilterNotReadable

        raise FilterNotReadable("", "", self.text, self.reason)

    def normalized(self) -> str:
        return "[?]"


def descendants(node: Any) -> Iterator[Any]:
    """The node and everything below it, in document (pre-)order, as Jayway's scan visits them."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, dict):
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            stack.extend(reversed(current))


@dataclass(frozen=True, slots=True)
class DeepScan:
    """``..name``, ``..*``, ``..[0]``, ``..[?()]``: the inner step applied at every depth."""

    inner: Step

    def select(self, nodes: list[Any], root: Any) -> list[Any]:
        everything = [found for node in nodes for found in descendants(node)]
        return self.inner.select(everything, root)

    def normalized(self) -> str:
        return ".." + self.inner.normalized()


Step = Name | Names | Index | Indexes | Slice | Wildcard | Filter | BrokenFilter | DeepScan

# Steps that may select several nodes; one of them anywhere makes a path indefinite.
INDEFINITE_STEPS = (Wildcard, Slice, Filter, BrokenFilter, DeepScan, Indexes)


def is_definite(steps: tuple[Step, ...]) -> bool:
    """True when the steps select at most one node (a multi-name step only merges as the last step)."""
    for step in steps:
        if isinstance(step, INDEFINITE_STEPS):
            return False
        if isinstance(step, Names) and not step.merge:
            return False
    return True
