"""The shipped, pre-built intrinsic parser (grammar.lark.cache) matches grammar.lark and parses alike.

After changing grammar.lark (or upgrading lark), regenerate it:
``python -m tests.core.test_intrinsics_parser_cache``.
"""

from __future__ import annotations

import io
from pathlib import Path

from lark import Lark

from statewright.core.intrinsics import parser as intrinsics_parser

PACKAGE_DIR = Path(intrinsics_parser.__file__).parent
GRAMMAR = PACKAGE_DIR / "grammar.lark"
CACHE = PACKAGE_DIR / "grammar.lark.cache"
SAMPLES = [
    "States.Format('Hello, {}!', $.name)",
    "States.Array(1, -2.5, true, null, 'x', $$.Execution.Id, States.ArrayLength($.items))",
    "States.JsonMerge($.a, $.b, false)",
]


def write_cache() -> None:
    grammar = GRAMMAR.read_bytes()
    buffer = io.BytesIO()
    intrinsics_parser.build_parser(grammar).save(buffer)
    CACHE.write_bytes(intrinsics_parser.parser_cache_key(grammar) + b"\n" + buffer.getvalue())


def test_cache_key_names_the_current_grammar_and_lark() -> None:
    key = CACHE.read_bytes().partition(b"\n")[0]
    assert key == intrinsics_parser.parser_cache_key(GRAMMAR.read_bytes()), (
        "grammar.lark.cache is stale: run `python -m tests.core.test_intrinsics_parser_cache`"
    )


def test_cached_parser_parses_like_a_fresh_build() -> None:
    tables = CACHE.read_bytes().partition(b"\n")[2]
    cached = Lark.load(io.BytesIO(tables))
    fresh = intrinsics_parser.build_parser(GRAMMAR.read_bytes())
    for text in SAMPLES:
        assert cached.parse(text) == fresh.parse(text)


def test_a_stale_cache_is_ignored(monkeypatch) -> None:
    """A cache whose key does not match is never used: the parser is built from the grammar."""
    real_get_data = intrinsics_parser.pkgutil.get_data

    def stale(package: str, resource: str) -> bytes | None:
        if resource == "grammar.lark.cache":
            return b"statewright-intrinsics grammar-sha256=0 lark=0\ngarbage"
        return real_get_data(package, resource)

    monkeypatch.setattr(intrinsics_parser.pkgutil, "get_data", stale)
    intrinsics_parser._parser.cache_clear()
    try:
        assert intrinsics_parser._parser().parse(SAMPLES[0]) is not None
    finally:
        intrinsics_parser._parser.cache_clear()


if __name__ == "__main__":
    write_cache()
    print(f"wrote {CACHE}")
