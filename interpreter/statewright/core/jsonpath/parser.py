"""A hand-written parser for ASL paths (Jayway JsonPath syntax plus the ``$$`` and ``$name`` roots).

Hand-written rather than generated: paths are short, parsed once per definition and cached, and a
scanner that knows where it is gives exact columns for every error.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from statewright.core.jsonpath.errors import PathSyntaxError
from statewright.core.jsonpath.steps import (
    BrokenFilter,
    DeepScan,
    Filter,
    Index,
    Indexes,
    Name,
    Names,
    Slice,
    Step,
    Wildcard,
    is_definite,
)

if TYPE_CHECKING:
    from statewright.core.jsonpath.filters import Expr, Operand, Regex

# statewright.core.jsonpath.filters is imported where a filter or a path function is parsed: most paths
# have neither, and importing it costs more than parsing a hundred paths.

# Characters that end a dot-notation name. Inside a filter the expression's own syntax ends it too.
_NAME_END = frozenset(".[( \t\r\n")
_FILTER_NAME_END = _NAME_END | frozenset(")]=!<>&|,~")
# Compiled on first use (re's cache): most paths have no filter, slice or index list.
_NUMBER_RUN = r"[0-9.eE-]+"
_NUMBER = r"-?(?:\d+\.?\d*|\.\d+)(?:[eE]-?\d+)?"
_SLICE = r"\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?"
_INDEXES = r"\s*-?\d+\s*(?:,\s*-?\d+\s*)*"


def is_variable_char(char: str) -> bool:
    return char == "_" or char.isalnum()


class PathParser:
    """Parses one path text. ``parse()`` returns the root kind, variable name, steps and function."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    # ------------------------------------------------------------------ helpers
    def error(self, message: str, pos: int | None = None) -> PathSyntaxError:
        return PathSyntaxError(message, (self.pos if pos is None else pos) + 1)

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def skip_spaces(self) -> None:
        while self.peek() in (" ", "\t", "\r", "\n") and self.peek():
            self.pos += 1

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = f"'{self.peek()}'" if self.peek() else "the end of the path"
            raise self.error(f"expected '{char}' but found {found}")
        self.pos += 1

    # ------------------------------------------------------------------ entry point
    def parse(self) -> tuple[str, str | None, tuple[Step, ...], str | None]:
        text = self.text
        if not text.startswith("$"):
            raise self.error("a path must start with '$'", 0)
        self.pos = 1
        root, variable = "input", None
        if self.peek() == "$":
            root = "context"
            self.pos = 2
        elif self.peek() and is_variable_char(self.peek()):
            if self.peek().isdigit():
                raise self.error("a variable name cannot start with a digit")
            start = self.pos
            while self.peek() and is_variable_char(self.peek()):
                self.pos += 1
            root, variable = "variable", text[start:self.pos]
        steps, function = self.parse_steps(_NAME_END, in_filter=False)
        if self.pos < len(text):
            raise self.error(f"unexpected character '{self.peek()}'")
        return root, variable, steps, function

    # ------------------------------------------------------------------ steps
    def parse_steps(self, name_end: frozenset[str], in_filter: bool) -> tuple[tuple[Step, ...], str | None]:
        steps: list[Step] = []
        function: str | None = None
        while self.pos < len(self.text):
            char = self.peek()
            if function is not None:
                if in_filter:
                    break
                raise self.error(f"nothing may follow the function '{function}()'")
            if char == "." and self.peek(1) == ".":
                self.pos += 2
                steps.append(DeepScan(self.parse_scan_target(name_end)))
            elif char == ".":
                self.pos += 1
                if self.peek() == "[":
                    # Jayway (AWS's reader) takes the token after a single '.' as it comes: `$.[0]` is `$[0]`.
                    steps.append(self.parse_bracket())
                    continue
                if self.peek() == "*":
                    self.pos += 1
                    steps.append(Wildcard())
                    continue
                name = self.read_name(name_end)
                if self.peek() == "(":
                    function = self.read_function(name)
                else:
                    steps.append(Name(name))
            elif char == "[":
                steps.append(self.parse_bracket())
            elif in_filter:
                break
            else:
                raise self.error(f"unexpected character '{char}'; expected '.' or '['")
        # A multi-name step merges into one object only when it is the last step (Jayway).
        if steps and isinstance(steps[-1], Names) and function is None:
            steps[-1] = Names(steps[-1].names, merge=True)
        return tuple(steps), function

    def parse_scan_target(self, name_end: frozenset[str]) -> Step:
        char = self.peek()
        if char == "*":
            self.pos += 1
            return Wildcard()
        if char == "[":
            return self.parse_bracket()
        if not char or char in name_end:
            raise self.error("expected a name, '*' or '[' after '..'")
        return Name(self.read_name(name_end))

    def read_name(self, name_end: frozenset[str]) -> str:
        start = self.pos
        while self.peek() and self.peek() not in name_end:
            self.pos += 1
        if self.pos == start:
            found = f"'{self.peek()}'" if self.peek() else "the end of the path"
            raise self.error(f"expected a name after '.' but found {found}")
        return self.text[start:self.pos]

    def read_function(self, name: str) -> str:
        from statewright.core.jsonpath.filters import FUNCTIONS

        if name not in FUNCTIONS:
            known = ", ".join(f"{n}()" for n in FUNCTIONS)
            raise self.error(f"unknown path function '{name}()'; known functions: {known}",
                             self.pos - len(name))
        self.pos += 1
        if self.peek() != ")":
            raise self.error(f"the path function '{name}()' takes no arguments")
        self.pos += 1
        return name

    def parse_bracket(self) -> Step:
        open_pos = self.pos
        self.pos += 1
        self.skip_spaces()
        char = self.peek()
        if char in ("'", '"'):
            step: Step = self.parse_quoted_names()
        elif char == "*":
            self.pos += 1
            step = Wildcard()
        elif char == "?":
            step = self.parse_filter()
        elif char == "]":
            raise self.error("empty brackets: expected a name, an index, '*', a slice or a filter")
        else:
            step = self.parse_numeric_bracket()
        self.skip_spaces()
        if self.peek() != "]":
            if not self.peek():
                raise self.error("unclosed '['", open_pos)
            raise self.error(f"expected ']' but found '{self.peek()}'")
        self.pos += 1
        return step

    def parse_quoted_names(self) -> Step:
        names = [self.read_quoted()]
        self.skip_spaces()
        while self.peek() == ",":
            self.pos += 1
            self.skip_spaces()
            if self.peek() not in ("'", '"') or not self.peek():
                raise self.error("expected a quoted name after ','")
            names.append(self.read_quoted())
            self.skip_spaces()
        return Name(names[0]) if len(names) == 1 else Names(tuple(names), merge=False)

    def read_quoted(self) -> str:
        quote, start = self.peek(), self.pos
        self.pos += 1
        chars: list[str] = []
        while True:
            char = self.peek()
            if not char:
                raise self.error(f"unterminated quoted name (missing {quote})", start)
            if char == "\\" and self.peek(1):
                # A backslash keeps the next character from ending the name but stays in the name:
                # AWS reads $['a\"b'] as the key a\"b (recorded in the conformance corpus).
                chars.append(self.text[self.pos:self.pos + 2])
                self.pos += 2
                continue
            self.pos += 1
            if char == quote:
                return "".join(chars)
            chars.append(char)

    def parse_numeric_bracket(self) -> Step:
        start = self.pos
        end = self.text.find("]", start)
        if end < 0:
            raise self.error("unclosed '['", start - 1)
        body = self.text[start:end]
        if ":" in body:
            match = re.fullmatch(_SLICE, body)
            if match is None:
                raise self.error("invalid slice; expected [start:end] or [start:end:step] with integers")
            begin, stop, step = (int(g) if g is not None else None for g in match.groups())
            if step == 0:
                raise self.error("a slice step cannot be 0", start + body.rfind(":") + 1)
            self.pos = start + len(body)
            return Slice(begin, stop, step)
        if re.fullmatch(_INDEXES, body) is None or not body.strip():
            raise self.error(f"invalid array index '{body.strip()}'; expected an integer, '*', a slice, "
                             "a quoted name or a filter")
        indexes = tuple(int(part) for part in body.split(","))
        self.pos = start + len(body)
        return Index(indexes[0]) if len(indexes) == 1 else Indexes(indexes)

    # ------------------------------------------------------------------ filters
    def parse_filter(self) -> Step:
        open_bracket = self.pos - 1
        self.pos += 1  # '?'
        self.skip_spaces()
        self.expect("(")
        body = self.pos
        try:
            expr = self.parse_or()
            self.skip_spaces()
            self.expect(")")
        except PathSyntaxError as error:
            # Jayway finds a filter's end by its brackets and compiles the body on its own, and AWS
            # accepts a machine whose filter body does not compile: it fails when the path is used.
            end = _filter_end(self.text, body)
            if end is None:
                raise
            self.pos = end
            return BrokenFilter(self.text[open_bracket : end + 1], f"{error.message} (column {error.column})",
                                error.column)
        return Filter(expr)

    def parse_or(self) -> Expr:
        from statewright.core.jsonpath.filters import Or

        parts = [self.parse_and()]
        while self.at_operator("||"):
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> Expr:
        from statewright.core.jsonpath.filters import And

        parts = [self.parse_unary()]
        while self.at_operator("&&"):
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def at_operator(self, op: str) -> bool:
        """Consume ``op`` (after optional spaces) when it comes next."""
        self.skip_spaces()
        if self.text.startswith(op, self.pos):
            self.pos += len(op)
            return True
        return False

    def parse_unary(self) -> Expr:
        from statewright.core.jsonpath.filters import Compare, Exists, Not

        self.skip_spaces()
        if self.peek() == "!" and self.peek(1) != "=":
            self.pos += 1
            return Not(self.parse_unary())
        if self.peek() == "(":
            self.pos += 1
            inner = self.parse_or()
            self.skip_spaces()
            self.expect(")")
            return inner
        left = self.parse_operand()
        self.skip_spaces()
        op = self.read_operator()
        if op is None:
            return Exists(left)
        self.skip_spaces()
        right = self.parse_operand()
        return Compare(left, op, right)

    def read_operator(self) -> str | None:
        from statewright.core.jsonpath.filters import SYMBOL_OPERATORS, WORD_OPERATORS

        for op in SYMBOL_OPERATORS:
            if self.text.startswith(op, self.pos):
                self.pos += len(op)
                return op
        for op in WORD_OPERATORS:
            end = self.pos + len(op)
            if self.text.startswith(op, self.pos) and not is_variable_char(self.text[end:end + 1] or " "):
                self.pos = end
                return op
        return None

    def parse_operand(self) -> Operand:
        from statewright.core.jsonpath.filters import AbsolutePath, Literal, RelativePath

        char, start = self.peek(), self.pos
        if char == "@":
            self.pos += 1
            steps, function = self.parse_steps(_FILTER_NAME_END, in_filter=True)
            return RelativePath(steps, is_definite(steps), function)
        if char == "$":
            return AbsolutePath(self.parse_absolute())
        if char in ("'", '"'):
            return Literal(self.read_string_literal())
        if char == "/":
            return self.read_regex()
        if char == "[":
            return Literal(self.read_list_literal())
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return Literal(value)
        # Jayway reads a number as the longest run of digits, '.', '-', 'e' and 'E', then hands it to
        # BigDecimal: so '.85', '5.' and '007' are numbers in a filter, though not in JSON.
        run = re.compile(_NUMBER_RUN).match(self.text, self.pos)
        if run and re.fullmatch(_NUMBER, run.group()):
            self.pos = run.end()
            number = run.group()
            return Literal(float(number) if any(c in number for c in ".eE") else int(number))
        found = f"'{char}'" if char else "the end of the path"
        raise self.error(f"expected a value, '@...' or '$...' in the filter but found {found}", start)

    def parse_absolute(self) -> Any:
        from statewright.core.jsonpath.path import JsonPath

        start = self.pos
        self.pos += 1
        steps, function = self.parse_steps(_FILTER_NAME_END, in_filter=True)
        return JsonPath.build(self.text[start:self.pos], "input", None, steps, function)

    def read_string_literal(self) -> str:
        quote, start = self.peek(), self.pos
        self.pos += 1
        chars: list[str] = []
        while True:
            char = self.peek()
            if not char:
                raise self.error(f"unterminated string (missing {quote})", start)
            self.pos += 1
            if char == "\\" and self.peek():
                chars.append(self.peek())
                self.pos += 1
            elif char == quote:
                return "".join(chars)
            else:
                chars.append(char)

    def read_regex(self) -> Regex:
        from statewright.core.jsonpath.filters import Regex

        start = self.pos
        end = self.pos + 1
        while end < len(self.text) and self.text[end] != "/":
            end += 2 if self.text[end] == "\\" else 1
        if end >= len(self.text):
            raise self.error("unterminated regular expression (missing '/')", start)
        body = self.text[start + 1:end]
        self.pos = end + 1
        flags = 0
        while self.peek() in ("i", "m", "s", "x") and self.peek():
            flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}[self.peek()]
            self.pos += 1
        try:
            return Regex(re.compile(body, flags))
        except re.error as exc:
            raise self.error(f"invalid regular expression: {exc}", start) from exc

    def read_list_literal(self) -> list[Any]:
        from statewright.core.jsonpath.filters import Literal

        self.pos += 1
        items: list[Any] = []
        self.skip_spaces()
        while self.peek() != "]":
            operand = self.parse_operand()
            if not isinstance(operand, Literal):
                raise self.error("a list in a filter may only hold literal values")
            items.append(operand.value)
            self.skip_spaces()
            if self.peek() == ",":
                self.pos += 1
                self.skip_spaces()
            elif self.peek() != "]":
                raise self.error("expected ',' or ']' in the list")
        self.pos += 1
        return items


def _filter_end(text: str, body: int) -> int | None:
    """The index of the ']' closing a filter whose body starts at ``body`` (just after its '('), or None.

    Quotes are skipped and parentheses and brackets counted, so ``[?(@.a == ')]')]`` ends at the last ']'.
    """
    depth, index, quote = 1, body, None
    while index < len(text):
        char = text[index]
        if quote is not None:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth == 0:
                close = index + 1
                while close < len(text) and text[close] == " ":
                    close += 1
                return close if char == ")" and close < len(text) and text[close] == "]" else None
        index += 1
    return None
