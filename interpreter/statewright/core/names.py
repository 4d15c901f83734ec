"""The names AWS Step Functions accepts for executions (StartExecution's ``name``).

AWS's API reference: 1 to 80 characters, none of them whitespace, brackets ``< > { } [ ]``, wildcard
characters ``? *``, the special characters ``" # % \\ ^ | ~ ` $ & , ; : /``, control characters
(U+0000-001F, U+007F-009F), U+FFFE-FFFF or surrogates (U+D800-DFFF). A name is part of the execution's
ARN, which is why ``:`` and ``/`` are out. Shared by ``statewright run --name``, ``Engine.execute`` and
``Engine.start``, and whatever else accepts a name from a user.
"""

from __future__ import annotations

MAX_NAME_LENGTH = 80

# In AWS's order: brackets, wildcards, then the special characters.
_FORBIDDEN_SHOWN = "< > { } [ ] ? * \" # % \\ ^ | ~ ` $ & , ; : /"
_FORBIDDEN = frozenset(_FORBIDDEN_SHOWN.replace(" ", ""))


def name_problem(name: str, what: str = "execution name") -> str | None:
    """Why AWS would refuse ``name``, in one sentence naming ``what`` it is; ``None`` when it is valid."""
    if not isinstance(name, str):
        return f"the {what} must be a string, got {type(name).__name__}"
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        return f"the {what} must be 1 to {MAX_NAME_LENGTH} characters long, got {len(name)}"
    for char in name:
        reason = _char_problem(char)
        if reason is not None:
            return f"the {what} {name!r} must not contain {reason}"
    return None


def check_name(name: str, what: str = "execution name") -> str:
    """``name`` itself when AWS accepts it.

    Raises:
        ValueError: saying which rule ``name`` breaks.
    """
    problem = name_problem(name, what)
    if problem is not None:
        raise ValueError(problem)
    return name


def _char_problem(char: str) -> str | None:
    code = ord(char)
    if code <= 0x1F or 0x7F <= code <= 0x9F:
        return f"control characters ({_code(code)})"
    if char.isspace():
        return f"whitespace ({_code(code)})"
    if char in _FORBIDDEN:
        return f"{char!r} (AWS refuses whitespace, control characters and any of {_FORBIDDEN_SHOWN})"
    if 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
        return f"the character {_code(code)}"
    return None


def _code(code: int) -> str:
    return f"U+{code:04X}"
