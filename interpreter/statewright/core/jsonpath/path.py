"""A compiled path: parsed once, then evaluated many times without touching the text again."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from statewright.core.jsonpath.errors import FilterNotReadable, PathNotFound, UndefinedVariable
from statewright.core.jsonpath.parser import PathParser
from statewright.core.jsonpath.steps import Index, Name, Step, is_definite

Root = Literal["input", "context", "variable"]

_ROOT_TEXT = {"input": "$", "context": "$$"}


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A parsed path (``$.a.b``, ``$$.Execution.Id``, ``$var[0]``, ``$..price``, ...).

    Attributes:
        text: the path as written.
        root: ``"input"`` for ``$``, ``"context"`` for ``$$``, ``"variable"`` for ``$name``.
        variable: the variable name for ``$name`` roots, else ``None``.
        steps: the compiled steps after the root.
        function: a trailing Jayway function (``length``, ``sum``, ...) applied to the result, or ``None``.
        is_reference: only ``.name``, ``['name']`` and ``[n]`` steps: an ASL Reference Path.
        is_definite: selects at most one node; such a path that matches nothing is an error.
        normalized: Jayway's bracket form of the path (``$['a'][0]``), as AWS quotes it in causes.
    """

    text: str
    root: Root
    variable: str | None
    steps: tuple[Step, ...]
    function: str | None
    is_reference: bool
    is_definite: bool
    normalized: str = field(compare=False)
    # Keys of a path made only of names and indexes, for the tight loop in get(); None otherwise.
    _keys: tuple[str | int, ...] | None = field(compare=False, repr=False)
    _steps_definite: bool = field(compare=False, repr=False)

    @classmethod
    def build(cls, text: str, root: Root, variable: str | None, steps: tuple[Step, ...],
              function: str | None) -> JsonPath:
        # One plain loop: every lint run builds a path for each distinct path text it checks.
        simple = True
        keys: list[str | int] = []
        normalized = _ROOT_TEXT.get(root) or f"${variable}"
        for step in steps:
            if isinstance(step, Name):
                keys.append(step.name)
            elif isinstance(step, Index):
                keys.append(step.index)
            else:
                simple = False
            normalized += step.normalized()
        if function is not None:
            normalized += f".{function}()"
        steps_definite = True if simple else is_definite(steps)  # names and indexes are definite
        return cls(
            text, root, variable, steps, function,
            simple and function is None,
            function is not None or steps_definite,
            normalized,
            tuple(keys) if simple and function is None else None,
            steps_definite,
        )

    # ------------------------------------------------------------------ evaluation
    def find(self, value: Any) -> list[Any]:
        """Every node the path selects in ``value`` (document order); ``[]`` when none."""
        nodes = [value]
        try:
            for step in self.steps:
                nodes = step.select(nodes, value)
                if not nodes:
                    break
        except FilterNotReadable as error:  # raised by a BrokenFilter step, which knows only its filter
            raise FilterNotReadable(self.text, self.normalized, error.filter, error.reason) from None
        if self.function is None:
            return nodes
        from statewright.core.jsonpath.filters import FUNCTIONS, MISSING

        if self._steps_definite:
            if not nodes:
                return []
            result = FUNCTIONS[self.function](nodes[0])
        else:
            result = FUNCTIONS[self.function](nodes)
        return [] if result is MISSING else [result]

    def get(self, value: Any) -> Any:
        """The one node a definite path selects.

        Raises:
            PathNotFound: nothing matched (AWS fails the state rather than using null).
        """
        keys = self._keys
        if keys is not None:
            # The common case ($.a.b[0]): one loop, no intermediate lists. Indexing does the type
            # checks for free (a name on a list or a string raises TypeError, an index on an object
            # KeyError, as JSON keys are strings); only an index on a string must be refused by hand.
            try:
                for key in keys:
                    if key.__class__ is int and value.__class__ is not list:
                        raise KeyError(key)
                    value = value[key]
            except (KeyError, IndexError, TypeError):
                raise PathNotFound(self.text, self.normalized) from None
            return value
        found = self.find(value)
        if not found:
            raise PathNotFound(self.text, self.normalized)
        return found[0]

    def evaluate(self, value: Any) -> Any:
        """``get`` for a definite path, ``find`` (a list, maybe empty) for an indefinite one."""
        return self.get(value) if self.is_definite else self.find(value)

    def document(self, input: Any, context: Any, variables: Mapping[str, Any] | None) -> Any:
        """The document this path's root names: the state input, the context object or a variable."""
        if self.root == "input":
            return input
        if self.root == "context":
            return context
        if variables is None or self.variable not in variables:
            raise UndefinedVariable(self.text, self.normalized, self.variable or "")
        return variables[self.variable]

    def resolve(self, input: Any, context: Any, variables: Mapping[str, Any] | None = None) -> Any:
        """Evaluate against the document the root names (``evaluate`` of :meth:`document`)."""
        document = input if self.root == "input" else self.document(input, context, variables)
        return self.get(document) if self.is_definite else self.find(document)

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=8192)
def parse_path(text: str) -> JsonPath:
    """Parse an ASL path. Results are cached: the same path strings recur across states and executions.

    Raises:
        PathSyntaxError: with a 1-based ``column`` inside ``text``.
    """
    simple = _SIMPLE_PATH.fullmatch(text)
    if simple is not None:
        # The common shape ($.a.b, $$.Execution.Id, $var.x[0]) read without the parser: the steps are
        # the ones it would build (a name of word characters, a non-negative index), so is the JsonPath.
        head, tail = simple.groups()
        if head == "$":
            root, variable = "context", None
        elif head:
            root, variable = "variable", head
        else:
            root, variable = "input", None
        steps = tuple(
            Name(name) if name else Index(int(index)) for name, index in _SIMPLE_STEP.findall(tail)
        ) if tail else ()
        return JsonPath.build(text, root, variable, steps, None)  # type: ignore[arg-type]
    root, variable, steps, function = PathParser(text).parse()
    return JsonPath.build(text, root, variable, steps, function)  # type: ignore[arg-type]


def is_plain_path(text: str) -> bool:
    """True for a path of ``.name`` and ``[index]`` steps only (``$.a.b[0]``, ``$$.Execution.Id``, ``$var.x``).

    Such a path always parses, and is a Reference Path: a linter can accept it without building it.
    """
    return _SIMPLE_PATH.fullmatch(text) is not None


_SIMPLE_PATH = re.compile(r"\$(\$|[A-Za-z_][A-Za-z0-9_]*)?((?:\.[A-Za-z0-9_]+|\[[0-9]+\])*)")
_SIMPLE_STEP = re.compile(r"\.([A-Za-z0-9_]+)|\[([0-9]+)\]")
