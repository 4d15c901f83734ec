"""Intrinsic functions (States.Format, States.Array, ...): grammar, static checks and evaluation.

Interface (implementation in progress):

    is_intrinsic(text) -> bool              # text looks like a call: starts with "States."
    parse_intrinsic(text) -> IntrinsicCall  # raises IntrinsicSyntaxError(message, column) for bad
                                            # syntax, illegal escapes, unknown names and wrong arity
    FUNCTIONS: dict[str, Signature]         # name -> (min args, max args or None)
"""
