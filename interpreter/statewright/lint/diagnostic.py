"""What the linter reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found by a rule, before the engine attaches the rule's code and the source position.

    Attributes:
        message: one sentence saying what is wrong and, where it helps, what to do.
        pointer: JSON Pointer of the offending node (``/States/Load/InputPath``).
        state: the name of the state it concerns, if any.
        field: the name of the field it concerns, if any.
        at_key: point at the key rather than the value (for unknown or misplaced fields).
        severity: overrides the rule's default severity (rarely needed).
        offset: for a problem inside a string value (a JSONata, JSONPath or intrinsic syntax error), the
            0-based character offset inside the decoded string; ``None`` points at the whole value. The
            engine turns it into a column only where the source spells the string one for one
            (``lint/positions.py``), else it points at the whole value.
    """

    message: str
    pointer: str
    state: str | None = None
    field: str | None = None
    at_key: bool = False
    severity: Severity | None = None
    offset: int | None = None


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One lint result, positioned in the source. Lines and columns are 1-based."""

    code: str
    severity: Severity
    message: str
    pointer: str
    file: str | None
    line: int
    column: int
    end_line: int
    end_column: int
    state: str | None = None
    field: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, object]:
        """The ``--format json`` shape."""
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "pointer": self.pointer,
            "state": self.state,
            "field": self.field,
        }
