"""The two ways a path goes wrong: it cannot be parsed, or (at run time) it selects nothing."""

from __future__ import annotations


class PathSyntaxError(ValueError):
    """A path that does not parse.

    Attributes:
        message: what is wrong, in words.
        column: 1-based column inside the path text where the problem was found.
    """

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message, column)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return f"{self.message} (at column {self.column})"


class PathNotFound(LookupError):
    """A definite path matched nothing; AWS treats this as an error, never as null.

    Attributes:
        path: the path as written in the definition.
        normalized: the path in Jayway's bracket form (``$['a'][0]``), as AWS quotes it in causes.
    """

    def __init__(self, path: str, normalized: str) -> None:
        super().__init__(path, normalized)
        self.path = path
        self.normalized = normalized

    def __str__(self) -> str:
        return f"No results for path: {self.normalized}"


class UndefinedVariable(PathNotFound):
    """A ``$name`` path names a workflow variable that has not been assigned."""

    def __init__(self, path: str, normalized: str, variable: str) -> None:
        super().__init__(path, normalized)
        self.variable = variable

    def __str__(self) -> str:
        return f"The variable '{self.variable}' is not defined (path {self.path})"


class FilterNotReadable(PathNotFound):
    """A filter Jayway cannot compile (``[?(@.type == PAID)]``: an unquoted word is no value).

    AWS accepts such a path when the machine is created and fails when the path is evaluated; a path that
    holds one parses, and raises this when it is used.
    """

    def __init__(self, path: str, normalized: str, filter: str, reason: str) -> None:
        super().__init__(path, normalized)
        self.filter = filter
        self.reason = reason

    def __str__(self) -> str:
        return f"Failed to parse filter {self.filter}: {self.reason}"
