"""The parsed form of an intrinsic call: literals, paths and nested calls, each able to evaluate itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statewright.core.jsonpath import JsonPath

if TYPE_CHECKING:
    from statewright.core.intrinsics.rng import RandomSource


@dataclass(frozen=True, slots=True)
class Literal:
    """A number, ``true``, ``false`` or ``null`` written in the call."""

    value: Any
    column: int

    def evaluate(self, input: Any, context: Any, variables: Mapping[str, Any] | None,
                 rng: RandomSource | None) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class StringLiteral:
    """A quoted string, unescaped into ``value``.

    ``segments`` is the string cut at every unescaped ``{}``, so ``States.Format`` never re-scans its
    template: an escaped ``\\{}`` stays literal text while ``value`` loses the backslash.
    """

    value: str
    column: int
    segments: tuple[str, ...]

    def evaluate(self, input: Any, context: Any, variables: Mapping[str, Any] | None,
                 rng: RandomSource | None) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class PathArgument:
    """A path (``$.x``, ``$$.Execution.Id``, ``$var``); a definite one must match (else PathNotFound)."""

    path: JsonPath
    column: int
    # A definite path into the state input (the usual ``$.x``) is read with ``get`` directly.
    _direct: bool = field(default=False, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_direct", self.path.root == "input" and self.path.is_definite)

    def evaluate(self, input: Any, context: Any, variables: Mapping[str, Any] | None,
                 rng: RandomSource | None) -> Any:
        if self._direct:
            return self.path.get(input)
        return self.path.resolve(input, context, variables)


Implementation = Callable[["IntrinsicCall", list[Any], "RandomSource | None"], Any]


@dataclass(frozen=True, slots=True)
class IntrinsicCall:
    """``States.Name(arg, ...)``.

    Attributes:
        name: the full function name, ``States.Format``.
        args: the arguments as written.
        column: 1-based column of the name inside the text that was parsed.
        text: the whole expression (for causes); empty for nested calls.
    """

    name: str
    args: tuple[Argument, ...]
    column: int
    text: str = ""
    _impl: Implementation = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def evaluate(self, input: Any, context: Any = None, variables: Mapping[str, Any] | None = None,
                 rng: RandomSource | None = None) -> Any:
        """The call's value for this state input, context object, variables and random source.

        Raises:
            StatesError: ``States.IntrinsicFailure`` when an argument has the wrong type or value.
            PathNotFound: a definite path argument matched nothing.
        """
        args = self.args
        if len(args) == 2:  # most calls (Format with one value, MathAdd, ArrayGetItem...): no comprehension
            first, second = args
            values = [first.evaluate(input, context, variables, rng), second.evaluate(input, context, variables, rng)]
        else:
            values = [arg.evaluate(input, context, variables, rng) for arg in args]
        return self._impl(self, values, rng)

    def calls(self) -> list[IntrinsicCall]:
        """This call and every nested call, outermost first."""
        found = [self]
        for arg in self.args:
            if isinstance(arg, IntrinsicCall):
                found.extend(arg.calls())
        return found

    def paths(self) -> list[JsonPath]:
        """Every path argument at any depth (lint checks them; the compiler resolves nothing else)."""
        found: list[JsonPath] = []
        for arg in self.args:
            if isinstance(arg, PathArgument):
                found.append(arg.path)
            elif isinstance(arg, IntrinsicCall):
                found.extend(arg.paths())
        return found


Argument = Literal | StringLiteral | PathArgument | IntrinsicCall
