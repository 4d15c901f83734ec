"""Intrinsic functions (States.Format, States.Array, ...): grammar, static checks and evaluation.

    is_intrinsic(text) -> bool              # text looks like a call: starts with "States."
    parse_intrinsic(text) -> IntrinsicCall  # raises IntrinsicSyntaxError(message, column) for bad
                                            # syntax, illegal escapes, unknown names and wrong arity
    check_intrinsic(text) -> None           # raises as parse_intrinsic would, builds nothing
    FUNCTIONS: dict[str, Signature]         # name -> min_args, max_args (None: any), param types
    IntrinsicCall.evaluate(input, context, variables, rng) -> value
                                            # raises StatesError("States.IntrinsicFailure", cause)
    RandomSource / SeededRandom(seed)       # where States.UUID and States.MathRandom draw from
    literal_type_errors(call)               # literals of the wrong type (AWS fails them at run time)
"""

from statewright.core.intrinsics.functions import FUNCTIONS, Signature
from statewright.core.intrinsics.model import Argument, IntrinsicCall, Literal, PathArgument, StringLiteral
from statewright.core.intrinsics.parser import (
    IntrinsicSyntaxError,
    check_intrinsic,
    is_intrinsic,
    literal_type_errors,
    parse_intrinsic,
)
from statewright.core.intrinsics.rng import JavaRandom, RandomSource, SeededRandom

__all__ = [
    "FUNCTIONS",
    "Argument",
    "IntrinsicCall",
    "IntrinsicSyntaxError",
    "JavaRandom",
    "Literal",
    "PathArgument",
    "RandomSource",
    "SeededRandom",
    "Signature",
    "StringLiteral",
    "check_intrinsic",
    "is_intrinsic",
    "literal_type_errors",
    "parse_intrinsic",
]
