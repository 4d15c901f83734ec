"""Parsing intrinsic calls: the lark grammar, a Transformer to the model, and the static checks."""

from __future__ import annotations

import json
import pkgutil
import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from statewright.core.intrinsics.functions import FUNCTIONS
from statewright.core.intrinsics.model import Argument, IntrinsicCall, Literal, PathArgument, StringLiteral
from statewright.core.intrinsics.text import split_template
from statewright.core.jsonpath import PathSyntaxError, is_plain_path, parse_path

if TYPE_CHECKING:
    from lark import Lark
    from lark.exceptions import UnexpectedInput

# lark is imported on first need only: importing it costs more than linting a small definition, and the
# hand-written scanner below reads every valid call without it (lark then only explains the errors).


class IntrinsicSyntaxError(ValueError):
    """An intrinsic call AWS would reject when the state machine is created.

    Attributes:
        message: what is wrong, in words.
        column: 1-based column inside the call's text.
    """

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message, column)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return f"{self.message} (at column {self.column})"


_PREFIX = "States."


def is_intrinsic(text: str) -> bool:
    """Whether a ``.$`` value is meant as an intrinsic call rather than a path: it starts ``States.``.

    No leading whitespace is skipped: AWS reads ``" States.Array()"`` as neither a path nor a call.
    """
    return text.startswith(_PREFIX)


@cache
def _transformer() -> Any:
    """The lark Transformer to the model (built on first use, with lark)."""
    from lark import Token, Transformer, v_args

    class _ToModel(Transformer[Token, Any]):
        """Builds the model bottom-up; every check that needs a column happens here, next to the token."""

        def start(self, children: list[IntrinsicCall]) -> IntrinsicCall:
            return children[0]

        def call(self, children: list[Any]) -> IntrinsicCall:
            name_token: Token = children[0]
            args: tuple[Argument, ...] = tuple(children[1:])
            name, column = str(name_token), name_token.column or 1
            signature = FUNCTIONS.get(name)
            if signature is None:
                raise IntrinsicSyntaxError(_unknown_function_message(name), column)
            low, high = signature.min_args, signature.max_args
            if len(args) < low or (high is not None and len(args) > high):
                raise IntrinsicSyntaxError(f"{name} {_arity_text(low, high)}, but {len(args)} "
                                           f"{'was' if len(args) == 1 else 'were'} given", column)
            return IntrinsicCall(name=name, args=args, column=column, _impl=signature.impl)

        @v_args(inline=True)
        def string(self, token: Token) -> StringLiteral:
            column = token.column or 1
            body = str(token)[1:-1]
            segments, problem = split_template(body)
            if problem is not None:
                offset = _illegal_escape_offset(body)
                raise IntrinsicSyntaxError(
                    f"illegal escape sequence '{problem}' in a string literal; only \\', \\{{, \\}} and \\\\ "
                    "may be escaped", column + 1 + offset)
            return StringLiteral(value="{}".join(segments), column=column, segments=segments)

        @v_args(inline=True)
        def number(self, token: Token) -> Literal:
            return Literal(json.loads(str(token)), token.column or 1)

        @v_args(meta=True)
        def true(self, meta: Any, children: list[Any]) -> Literal:
            return Literal(True, _meta_column(meta))

        @v_args(meta=True)
        def false(self, meta: Any, children: list[Any]) -> Literal:
            return Literal(False, _meta_column(meta))

        @v_args(meta=True)
        def null(self, meta: Any, children: list[Any]) -> Literal:
            return Literal(None, _meta_column(meta))

        @v_args(inline=True)
        def path(self, token: Token) -> PathArgument:
            column = token.column or 1
            try:
                return PathArgument(parse_path(str(token)), column)
            except PathSyntaxError as exc:
                raise IntrinsicSyntaxError(f"invalid path '{token}': {exc.message}", column + exc.column - 1) from exc

    return _ToModel()


def _meta_column(meta: Any) -> int:
    return int(getattr(meta, "column", 1) or 1)


def _illegal_escape_offset(body: str) -> int:
    index = 0
    while index < len(body):
        if body[index] == "\\":
            if body[index + 1:index + 2] not in ("'", "{", "}", "\\"):
                return index
            index += 2
        else:
            index += 1
    return 0


def _arity_text(low: int, high: int | None) -> str:
    if high is None:
        return f"takes at least {low} argument{'s' if low != 1 else ''}"
    if low == high:
        return f"takes {'no' if low == 0 else low} argument{'s' if low != 1 else ''}"
    return f"takes {low} to {high} arguments"


def _unknown_function_message(name: str) -> str:
    import difflib

    # Compare the part after "States.": the shared prefix would make every name look close.
    short = {known[len(_PREFIX):]: known for known in FUNCTIONS}
    wanted = name[len(_PREFIX):]
    close = difflib.get_close_matches(wanted, short, n=1, cutoff=0.6)
    lowered = {key.lower(): key for key in short}
    if wanted.lower() in lowered:
        close = [lowered[wanted.lower()]]
    if close:
        return f"unknown intrinsic function '{name}'; did you mean '{short[close[0]]}'?"
    return f"unknown intrinsic function '{name}'; known functions: " + ", ".join(FUNCTIONS)


# The grammar ships inside the package. Building lark's LALR tables from it takes ~100 ms, more than the
# rest of `statewright lint` on a small file, so the built parser also ships, serialised with lark's own
# save(), in grammar.lark.cache behind a key naming the grammar's hash and lark's version. A stale or
# unreadable cache is ignored and the parser is built from the grammar: the cache can make loading
# faster, never different. tests/core/test_intrinsics_parser_cache.py keeps it fresh.
_PACKAGE = "statewright.core.intrinsics"
_OPTIONS: dict[str, Any] = {"parser": "lalr", "propagate_positions": True, "maybe_placeholders": False}


def parser_cache_key(grammar: bytes) -> bytes:
    """The first line of grammar.lark.cache: which grammar and which lark the tables were built from."""
    import hashlib

    import lark

    digest = hashlib.sha256(grammar).hexdigest()
    return f"statewright-intrinsics grammar-sha256={digest} lark={lark.__version__}".encode()


def build_parser(grammar: bytes) -> Lark:
    from lark import Lark

    return Lark(grammar.decode("utf-8"), **_OPTIONS)


@cache
def _parser() -> Lark:
    grammar = pkgutil.get_data(_PACKAGE, "grammar.lark")
    if grammar is None:  # pragma: no cover - a broken installation
        raise RuntimeError(f"{_PACKAGE}/grammar.lark is missing from the installation")
    try:
        cached = pkgutil.get_data(_PACKAGE, "grammar.lark.cache") or b""
    except OSError:
        cached = b""
    key, _, tables = cached.partition(b"\n")
    if key == parser_cache_key(grammar):
        from io import BytesIO

        from lark import Lark

        try:
            return Lark.load(BytesIO(tables))
        except Exception:
            pass
    return build_parser(grammar)


@lru_cache(maxsize=4096)
def parse_intrinsic(text: str) -> IntrinsicCall:
    """Parse an intrinsic call such as ``States.Format('{} items', States.ArrayLength($.items))``.

    Results are cached (a definition's calls recur across executions); the returned objects are frozen.

    Raises:
        IntrinsicSyntaxError: bad syntax, an illegal escape (``\\"`` included), an unknown function
            name or a wrong number of arguments; ``column`` is 1-based inside ``text``.
    """
    if not is_intrinsic(text):
        raise IntrinsicSyntaxError("an intrinsic function call must start with 'States.'", 1)
    # lark counts columns per line; the scanner counts from the start, so it takes one-line calls only.
    if "\n" not in text and "\r" not in text:
        scanned = _scan(text)
        if isinstance(scanned, IntrinsicCall):
            return IntrinsicCall(scanned.name, scanned.args, scanned.column, text, scanned._impl)
    return _parse_with_lark(text)


def check_intrinsic(text: str) -> None:
    """Raise :class:`IntrinsicSyntaxError` exactly when :func:`parse_intrinsic` would; build nothing.

    For a linter, which only asks whether a call is valid: a valid one-line call is only scanned.
    """
    if is_intrinsic(text) and "\n" not in text and "\r" not in text and _scan(text, build=False):
        return
    parse_intrinsic(text)


def _parse_with_lark(text: str) -> IntrinsicCall:
    """The grammar's parse: the reference for what is valid, and the source of every error message."""
    from lark.exceptions import UnexpectedInput, VisitError

    try:
        tree = _parser().parse(text)
        call: IntrinsicCall = _transformer().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, IntrinsicSyntaxError):
            raise exc.orig_exc from None
        raise
    except UnexpectedInput as exc:
        raise IntrinsicSyntaxError(_syntax_message(text, exc), _error_column(text, exc)) from None
    return IntrinsicCall(call.name, call.args, call.column, text, call._impl)


# The terminals of grammar.lark (and its %ignore), as the scanner reads them; tests/lint/test_fast_paths.py
# checks that scanner and grammar agree. Every terminal starts with a character no other one starts with,
# so the first character says which one to match, as lark's lexer would find.
_NAME, _STRING, _NUMBER, _PATH, _KEYWORD, _PUNCTUATION, _END = range(1, 8)
_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


@cache
def _terminals() -> dict[str, tuple[int, Any]]:
    """First character -> (token kind, compiled terminal's match)."""
    name = re.compile(r"States\.[A-Za-z0-9_]+").match
    string = re.compile(r"'(?:[^'\\]|\\.)*'", re.DOTALL).match
    number = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?").match
    path = re.compile(
        r"""\$(?:[^\s,()\[\]'"]|\[(?:[^\[\]'"]|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\[[^\[\]]*\])*\]|\(\))*"""
    ).match
    keyword = re.compile(r"true|false|null").match
    table: dict[str, tuple[int, Any]] = {"S": (_NAME, name), "'": (_STRING, string), "$": (_PATH, path),
                                         "-": (_NUMBER, number), "t": (_KEYWORD, keyword),
                                         "f": (_KEYWORD, keyword), "n": (_KEYWORD, keyword)}
    table.update({digit: (_NUMBER, number) for digit in "0123456789"})
    return table


def _scan(text: str, build: bool = True) -> IntrinsicCall | bool | None:
    """Reads a valid one-line call into the model exactly as grammar and Transformer would, ~30x faster.

    It answers ``None`` at the first thing it does not expect, or that the Transformer would reject (an
    unknown name, a wrong arity, an illegal escape, a bad path): lark then parses the text again and
    reports the error in its own terms, so error messages and columns never depend on this scanner.
    """
    terminals = _terminals()
    tokens: list[tuple[int, str, int]] = []
    pos, size = 0, len(text)
    while pos < size:
        char = text[pos]
        if char in "(),":
            tokens.append((_PUNCTUATION, char, pos + 1))
            pos += 1
        elif char in " \t\r\n":
            pos += 1
        else:
            terminal = terminals.get(char)
            if terminal is None:
                return None
            match = terminal[1](text, pos)
            if match is None:
                return None
            tokens.append((terminal[0], match.group(), pos + 1))
            pos = match.end()
    tokens.append((_END, "", size + 1))  # so that every lookahead finds a token
    found = _call(tokens, 0, build)
    if found is None or tokens[found[1]][0] != _END:
        return None
    return found[0] if build else True


def _call(tokens: list[tuple[int, str, int]], index: int, build: bool) -> tuple[Any, int] | None:
    """The call starting at ``tokens[index]`` and the index after it; with ``build`` false, only checked."""
    kind, name, column = tokens[index]
    if kind != _NAME or tokens[index + 1][1] != "(" or tokens[index + 1][0] != _PUNCTUATION:
        return None
    index += 2
    args: list[Any] = []
    if tokens[index][0] == _PUNCTUATION and tokens[index][1] == ")":
        index += 1
    else:
        while True:
            kind, value, at = tokens[index]
            arg: Any
            if kind == _NAME:
                nested = _call(tokens, index, build)
                if nested is None:
                    return None
                arg, index = nested
            else:
                if kind == _STRING:
                    segments, problem = split_template(value[1:-1])
                    if problem is not None:
                        return None
                    arg = StringLiteral(value="{}".join(segments), column=at, segments=segments) if build else None
                elif kind == _PATH:
                    if build or not is_plain_path(value):
                        try:
                            path = parse_path(value)
                        except PathSyntaxError:
                            return None
                    arg = PathArgument(path, at) if build else None
                elif kind == _NUMBER:
                    arg = Literal(json.loads(value), at) if build else None
                elif kind == _KEYWORD:
                    arg = Literal(_KEYWORDS[value], at) if build else None
                else:
                    return None
                index += 1
            args.append(arg)
            kind, value, _ = tokens[index]
            if kind != _PUNCTUATION or value == "(":
                return None
            index += 1
            if value == ")":
                break
    signature = FUNCTIONS.get(name)
    if signature is None:
        return None
    high = signature.max_args
    if len(args) < signature.min_args or (high is not None and len(args) > high):
        return None
    if not build:
        return True, index
    return IntrinsicCall(name=name, args=tuple(args), column=column, _impl=signature.impl), index


def _error_column(text: str, exc: UnexpectedInput) -> int:
    from lark.exceptions import UnexpectedEOF, UnexpectedToken

    if isinstance(exc, UnexpectedEOF) or getattr(exc, "column", -1) in (-1, None):
        return len(text) + 1
    if isinstance(exc, UnexpectedToken) and exc.token.type == "$END":
        return len(text) + 1
    return int(exc.column)


def _syntax_message(text: str, exc: UnexpectedInput) -> str:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        return "the call ends too early; expected an argument or ')'"
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        if char == '"':
            return "string literals in intrinsic functions use single quotes ('...'), not double quotes"
        if char == "'":
            return "unterminated string literal (missing closing ')"
        return f"unexpected character '{char}'"
    if isinstance(exc, UnexpectedToken):
        return f"unexpected '{exc.token}'; expected {_expected_text(exc.expected)}"
    return "invalid intrinsic function call"


_TERMINAL_TEXT = {
    "LPAR": "'('", "RPAR": "')'", "COMMA": "','", "STRING": "a string", "NUMBER": "a number",
    "PATH": "a path", "FUNCTION_NAME": "a States.* call", "TRUE": "true", "FALSE": "false", "NULL": "null",
}


def _expected_text(expected: set[str]) -> str:
    names = sorted({_TERMINAL_TEXT.get(name, name.lower()) for name in expected})
    return " or ".join(names) if names else "something else"


_LITERAL_TYPES = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer(),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: False,  # no literal is an array or an object
    "object": lambda v: False,
}


def literal_type_errors(call: IntrinsicCall) -> list[IntrinsicSyntaxError]:
    """Literal arguments that can never be accepted (``States.MathAdd('1', 2)``), for lint warnings.

    Kept out of :func:`parse_intrinsic` because AWS accepts such definitions and fails only when the
    state runs; a linter may still want to say so.
    """
    problems: list[IntrinsicSyntaxError] = []
    for each in call.calls():
        signature = FUNCTIONS[each.name]
        for position, arg in enumerate(each.args):
            if not isinstance(arg, Literal | StringLiteral):
                continue
            expected = signature.param_type(position)
            accepts = _LITERAL_TYPES.get(expected)
            if accepts is not None and not accepts(arg.value):
                problems.append(IntrinsicSyntaxError(
                    f"argument {position + 1} of {each.name} must be {_article(expected)}, "
                    f"but the literal {json.dumps(arg.value)} is not", arg.column))
            elif each.name == "States.JsonMerge" and position == 2 and arg.value is True:
                problems.append(IntrinsicSyntaxError(
                    "States.JsonMerge supports only a shallow merge: the third argument must be false",
                    arg.column))
    return problems


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
