"""Every reader error: its code, its position, and its one-line rendering."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from statewright.lint import codes
from statewright.source import SourceError, Span, errors, parse_source


def error_of(source: str | bytes, filename: str | None = None, **options: object) -> SourceError:
    with pytest.raises(SourceError) as caught:
        parse_source(source, filename=filename, **options)  # type: ignore[arg-type]
    return caught.value


def where(error: SourceError) -> tuple[str, int, int]:
    return error.code, error.span.line, error.span.column


def test_rendering_is_file_line_column_code_message() -> None:
    error = error_of("a: 1\na: 2\n", "flows/order.yaml")
    assert str(error) == "flows/order.yaml:2:1: SW002 Duplicate key 'a' in this mapping (first at line 1)."
    assert error.filename == "flows/order.yaml"
    assert str(error_of("")).startswith("<input>:1:1: SW006 ")


def test_codes_match_the_lint_registry() -> None:
    pairs = {
        errors.SYNTAX_ERROR: codes.SYNTAX_ERROR, errors.DUPLICATE_KEY: codes.DUPLICATE_KEY,
        errors.NOT_UTF8: codes.NOT_UTF8, errors.SOURCE_TOO_LARGE: codes.SOURCE_TOO_LARGE,
        errors.NESTING_TOO_DEEP: codes.NESTING_TOO_DEEP, errors.EMPTY_SOURCE: codes.EMPTY_SOURCE,
        errors.BINARY_SOURCE: codes.BINARY_SOURCE, errors.UNSUPPORTED_YAML: codes.UNSUPPORTED_YAML,
    }
    for ours, declared in pairs.items():
        assert ours == declared.code


# -- SW001 syntax ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected", "message"),
    [
        ('{"a": 1,}', ("SW001", 1, 9), "trailing comma"),
        ('{\n  "a": 1\n  "b": 2\n}', ("SW001", 3, 3), "delimiter"),
        ("{'a': 1}", ("SW001", 1, 2), "double quotes"),
        ('{"a": 1} {}', ("SW001", 1, 10), "after the end"),
        ('{"a": NaN}', ("SW001", 1, 7), "NaN is not valid JSON"),
        ('[1,\n -Infinity]', ("SW001", 2, 2), "-Infinity is not valid JSON"),
        ('{"x": "1e999", "y": 1e999}', ("SW001", 1, 21), "too large"),
        ('{"a": "tab\there"}', ("SW001", 1, 11), "control character"),
        ('// note\n{"a": 1}', ("SW001", 1, 1), "no comments"),
        ('{"a": 1', ("SW001", 1, 8), "delimiter"),
    ],
)
def test_json_syntax_errors(text: str, expected: tuple[str, int, int], message: str) -> None:
    error = error_of(text, "x.json")
    assert where(error) == expected
    assert message in error.message


@pytest.mark.parametrize(
    ("text", "expected", "message"),
    [
        ("a: b: c\n", ("SW001", 1, 5), "mapping values are not allowed"),
        ("a: [1, 2\n", ("SW001", 2, 1), "flow sequence"),
        ('a: "open\n', ("SW001", 2, 1), "quoted scalar"),
        ("a:\n  - b\n c: d\n", ("SW001", 3, 2), "block mapping"),
        ("\tkey: v\n", ("SW001", 1, 1), "cannot start any token"),
        ("a: ok\nb: \x07bell\n", ("SW001", 2, 4), "U+0007"),
        ("a: *nowhere\n", ("SW001", 1, 4), "no anchor '&nowhere'"),
    ],
)
def test_yaml_syntax_errors(
    text: str, expected: tuple[str, int, int], message: str, yaml_parser: type
) -> None:
    error = error_of(text, "x.yaml")
    assert where(error) == expected
    assert message in error.message
    assert "Traceback" not in str(error)


# -- SW002 duplicate keys -------------------------------------------------------------------------

def test_json_duplicate_key_at_second_occurrence() -> None:
    text = '{\n  "States": {\n    "Load": {"Type": "Pass"},\n    "Load": {"Type": "Succeed"}\n  }\n}'
    error = error_of(text, "x.json")
    assert where(error) == ("SW002", 4, 5)
    assert error.span == Span(4, 5, 4, 11)
    assert "'Load'" in error.message and "line 3" in error.message


def test_json_duplicate_key_with_escapes_is_the_same_key() -> None:
    error = error_of('{"a": {"ab": 1, "\\u0061b": 2}}')
    assert where(error) == ("SW002", 1, 17)


def test_json_reports_the_first_duplicate_in_the_text() -> None:
    error = error_of('{"x": 1, "inner": {"y": 1, "y": 2}, "x": 2}')
    assert where(error) == ("SW002", 1, 28)


def test_yaml_duplicate_key_at_second_occurrence(yaml_parser: type) -> None:
    text = "States:\n  Load: {Type: Pass}\n  Other: {}\n  'Load': {Type: Succeed}\n"
    error = error_of(text, "x.yaml")
    assert where(error) == ("SW002", 4, 3)
    assert "line 2" in error.message


def test_yaml_duplicate_in_flow_mapping(yaml_parser: type) -> None:
    assert where(error_of("{a: 1, b: 2, a: 3}", "x.yaml")) == ("SW002", 1, 14)


def test_yaml_two_merge_keys_are_duplicates(yaml_parser: type) -> None:
    assert where(error_of("b: &b {x: 1}\nc:\n  <<: *b\n  <<: *b\n", "x.yaml")) == ("SW002", 4, 3)


def test_yaml_key_overriding_a_merged_key_is_not_a_duplicate(yaml_parser: type) -> None:
    value = parse_source("b: &b {x: 1}\nc:\n  <<: *b\n  x: 2\n", filename="x.yaml").value
    assert value["c"] == {"x": 2}


# -- SW003 / SW007 encoding and binary ------------------------------------------------------------

def test_not_utf8_positioned_at_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("StartAt: A\nComment: Café\n".encode("latin-1"))
    error = error_of(path.read_bytes(), str(path))
    assert where(error) == ("SW003", 2, 13)
    assert "e9" in error.message and "UTF-8" in error.message


def test_not_utf8_counts_columns_in_characters() -> None:
    error = error_of("a: é\nb: ééé\xff".encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
    assert where(error) == ("SW003", 2, 7)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_utf16_and_utf32_are_named(encoding: str) -> None:
    error = error_of("StartAt: A\n".encode(encoding), "x.yaml")
    assert error.code == "SW003"
    assert encoding.upper() in error.message


def test_lone_surrogate_in_text_is_not_utf8() -> None:
    assert where(error_of("a: 1\nb: x\ud800\n")) == ("SW003", 2, 5)


def test_binary_positioned_at_first_nul(tmp_path: Path) -> None:
    path = tmp_path / "image.json"
    path.write_bytes(b'{"a":\n  "\xc3\xa9x\x00"}')
    error = error_of(path.read_bytes(), str(path))
    assert where(error) == ("SW007", 2, 6)
    assert str(error).startswith(f"{path}:2:6: SW007 ")


def test_binary_in_text() -> None:
    assert where(error_of("a: 1\0")) == ("SW007", 1, 5)


def test_binary_is_checked_before_utf8() -> None:
    assert error_of(b"\xff\x00").code == "SW007"


# -- SW004 size -----------------------------------------------------------------------------------

def test_ten_megabytes_is_refused_before_parsing() -> None:
    data = b"a: " + b"x" * (10 * 1024 * 1024)
    error = error_of(data, "big.yaml")
    assert where(error) == ("SW004", 1, 1)
    assert "10,485,763 bytes" in error.message and "1,048,576" in error.message


def test_size_counts_utf8_bytes_of_text() -> None:
    text = "é" * 600  # 1,200 bytes in UTF-8
    assert error_of(text, max_bytes=1000).code == "SW004"
    assert parse_source(text, max_bytes=1200).value == text


def test_size_is_checked_before_anything_else() -> None:
    assert error_of(b"\x00\xff" * 10, max_bytes=5).code == "SW004"


# -- SW005 nesting --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "filename", "column"),
    [
        ("[" * 10_000 + "]" * 10_000, "deep.json", 201),
        ("[" * 10_000, "deep.json", 201),
        ('{"a": ' * 10_000 + "1" + "}" * 10_000, "deep.json", 1201),
        ("[" * 10_000 + "]" * 10_000, "deep.yaml", 201),
        ("a: " + "[" * 10_000, "deep.yaml", 203),  # the mapping is the first level
        ("{a: " * 10_000 + "1" + "}" * 10_000, "deep.yaml", 801),
        ("- " * 10_000 + "x\n", "deep.yaml", 401),
    ],
    ids=["json-arrays", "json-unclosed", "json-objects", "yaml-flow", "yaml-in-mapping", "yaml-flow-maps",
         "yaml-block"],
)
def test_ten_thousand_levels(text: str, filename: str, column: int) -> None:
    error = error_of(text, filename)
    assert where(error)[:2] == ("SW005", 1)
    # Newer libyaml builds stop at their own 1,000-level limit while scanning ahead of our check; the
    # error is the same, placed where libyaml stopped.
    assert where(error)[2] == column or "libyaml" in error.message
    assert "200 levels" in error.message


def test_two_hundred_levels_are_fine(yaml_parser: type) -> None:
    assert parse_source("[" * 200 + "]" * 200).value is not None
    assert parse_source("- " * 199 + "[x]\n", filename="x.yaml").value is not None
    assert error_of("- " * 200 + "[x]\n", "x.yaml").code == "SW005"


def test_deep_yaml_with_the_python_parser(yaml_parser: type) -> None:
    assert where(error_of("- " * 10_000 + "x\n", "deep.yaml")) == ("SW005", 1, 401)


def test_deep_json_below_the_recursion_limit_is_still_refused() -> None:
    text = "[" * 500 + "]" * 500
    assert where(error_of(text)) == ("SW005", 1, 201)


def test_alias_that_nests_too_deep(yaml_parser: type) -> None:
    text = "a: &a " + "[" * 150 + "]" * 150 + "\nb: " + "[" * 100 + "*a" + "]" * 100 + "\n"
    assert where(error_of(text, "x.yaml")) == ("SW005", 2, 104)


# -- SW006 empty ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("source", "filename"),
    [("", None), (b"", "x.json"), ("  \n\t\n", "x.yaml"), (b"\xef\xbb\xbf\n", None),
     ("# just a comment\n\n# another\n", "x.yaml"), ("---\n# nothing\n", "x.yaml")],
)
def test_empty(source: str | bytes, filename: str | None) -> None:
    assert where(error_of(source, filename)) == ("SW006", 1, 1)


def test_null_document_is_not_empty(yaml_parser: type) -> None:
    assert parse_source("null\n", filename="x.yaml").value is None


# -- SW009 unsupported YAML -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected", "message"),
    [
        ("Resource: !GetAtt Worker.Arn\n", ("SW009", 1, 11), "'${WorkerArn}'"),
        ("Resource: !Ref Fn\n", ("SW009", 1, 11), "'${Fn}'"),
        ("Parameters: !Sub\n  a: b\n", ("SW009", 1, 13), "plain data"),
        ("a: !!binary aGk=\n", ("SW009", 1, 4), "!!binary"),
        ("a: !!set {x}\n", ("SW009", 1, 4), "!!set"),
        ("? [a, b]\n: c\n", ("SW009", 1, 3), "keys must be strings"),
        ("{[a]: b}\n", ("SW009", 1, 2), "keys must be strings"),
        ("? {a: 1}\n: c\n", ("SW009", 1, 3), "keys must be strings"),
        ("a: 1\n---\nb: 2\n", ("SW009", 2, 1), "more than one YAML document"),
        ("a: .inf\n", ("SW009", 1, 4), "not representable in JSON"),
        ("a: [-.Inf]\n", ("SW009", 1, 5), "not representable in JSON"),
        ("a: .NaN\n", ("SW009", 1, 4), "not representable in JSON"),
        ("a: 1e400\n", ("SW009", 1, 4), "too large"),
        ("a: !!int x1\n", ("SW009", 1, 4), "!!int"),
        ("a: &x\n  b: *x\n", ("SW009", 2, 6), "cannot recurse"),
        ("<<: 5\n", ("SW009", 1, 1), "merge key"),
        ("x: &l [1]\n*l : 3\n", ("SW009", 2, 1), "not a string"),
    ],
)
def test_unsupported_yaml(text: str, expected: tuple[str, int, int], message: str, yaml_parser: type) -> None:
    error = error_of(text, "x.yaml")
    assert where(error) == expected
    assert message in error.message


def test_alias_bomb_is_refused(yaml_parser: type) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    error = error_of("\n".join(lines) + "\n", "bomb.yaml")
    assert error.code == "SW004"
    assert re.search(r"more than [\d,]+ values", error.message)
