"""Where diagnostics point: the exact character of a path or intrinsic syntax error, carets under wide
characters, and the end of nodes written over several lines."""

from __future__ import annotations

import pytest

from statewright.lint.diagnostic import Diagnostic, Severity
from statewright.lint.engine import lint_source
from statewright.lint.render import display_width, excerpt, render_github


def _definition(field: str, value: str, *, parameters: bool = False) -> str:
    """A one-state definition whose field (or Parameters entry) is written exactly as ``value``."""
    where = f"    Parameters:\n      {field}: {value}\n" if parameters else f"    {field}: {value}\n"
    return f"StartAt: A\nStates:\n  A:\n    Type: Pass\n{where}    End: true\n"


def _only(text: str, code: str, **options) -> Diagnostic:
    found = [d for d in lint_source(text, filename="t.asl.yaml", **options) if d.code == code]
    assert len(found) == 1, found
    return found[0]


def _marked(text: str, diagnostic: Diagnostic) -> str:
    """The source text from the diagnostic's start to its end (one line)."""
    line = text.splitlines()[diagnostic.line - 1]
    return line[diagnostic.column - 1 : diagnostic.end_column - 1]


@pytest.mark.parametrize(("field", "written", "parameters", "code", "pointed"), [
    # JSONPath: the unclosed '[' (column 9 of the path), plain, double-quoted and single-quoted.
    ("InputPath", "$.order.[", False, "SW401", 8),
    ("InputPath", '"$.order.["', False, "SW401", 9),
    ("InputPath", "'$.order.['", False, "SW401", 9),
    # A filter missing its right operand: the ')' it found instead (a warning: AWS deploys it).
    ("InputPath", "$.a[?(@.b ==)]", False, "SW405", 12),
    # Intrinsics: an unknown function name inside a call, and a bad path argument.
    ("x.$", "States.Format('{}', States.Nope())", True, "SW403", 20),
    ("x.$", "States.Format('{}', $.a[)", True, "SW403", 23),
    # '' is one quote in a YAML single-quoted string: the character after it is one column further on.
    ("x.$", "'States.Format(''{} '', $.a[)'", True, "SW403", 27),
    # Wide characters count one column each (columns are characters, as ruff's).
    ("InputPath", "$.注文..[", False, "SW401", 6),
])
def test_syntax_error_points_at_the_offending_character(
    field: str, written: str, parameters: bool, code: str, pointed: int,
) -> None:
    text = _definition(field, written, parameters=parameters)
    diagnostic = _only(text, code)
    line = text.splitlines()[diagnostic.line - 1]
    start = line.index(written)
    assert (diagnostic.column, diagnostic.end_column) == (start + 1 + pointed, start + 2 + pointed), diagnostic
    assert diagnostic.end_line == diagnostic.line


def test_the_character_of_an_intrinsic_error_is_the_one_named_in_the_message() -> None:
    text = _definition("x.$", "States.Format('{} items', States.ArrayLenght($.items))", parameters=True)
    diagnostic = _only(text, "SW403")
    assert "States.ArrayLenght" in diagnostic.message
    assert _marked(text, diagnostic) == "S"
    assert text.splitlines()[diagnostic.line - 1][diagnostic.column - 1 :].startswith("States.ArrayLenght")


@pytest.mark.parametrize("written", [
    '"States.Format(\'\\u00e9 {}\', $.a[)"',  # an escape before the error: its width in the source varies
    ">-\n        $.order.[",                   # a block scalar: the value is on another line
])
def test_whole_value_when_the_column_cannot_be_known(written: str) -> None:
    field = "x.$" if written.startswith('"States') else "InputPath"
    text = _definition(field, written, parameters=field == "x.$")
    diagnostic = _only(text, "SW403" if field == "x.$" else "SW401")
    line = text.splitlines()[diagnostic.line - 1]
    first = written.splitlines()[0]
    assert diagnostic.column == line.index(first) + 1
    assert diagnostic.end_line > diagnostic.line or diagnostic.end_column - diagnostic.column == len(first)


def test_whole_value_when_a_substitution_changed_the_text() -> None:
    text = _definition("InputPath", "${Path}", parameters=False)
    diagnostic = _only(text, "SW401", substitutions={"Path": "$.a["})
    assert _marked(text, diagnostic) == "${Path}"


def test_json_string_points_inside_the_quotes() -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": "注文", "InputPath": "$.a.[", "End": true}}}'
    diagnostic = lint_source(text, filename="t.asl.json")[0]
    assert diagnostic.code == "SW401"
    assert text[diagnostic.column - 1] == "[" and diagnostic.end_column == diagnostic.column + 1


def _diagnostic(line: int, column: int, end_line: int, end_column: int) -> Diagnostic:
    return Diagnostic("SW401", Severity.ERROR, "m", "/x", "f.yaml", line, column, end_line, end_column)


def test_carets_stay_under_the_node_after_wide_characters() -> None:
    source = ["Comment: 注文ワークフロー", "    Next: 終わり"]
    # '終わり' is columns 11-13 of line 2; each of its characters takes two terminal cells.
    _, shown, carets = excerpt(_diagnostic(2, 11, 2, 14), source)
    assert shown == "2 |     Next: 終わり"
    prefix, marks = carets.split("| ", 1)[1].split("^", 1)[0], carets.count("^")
    assert display_width(prefix) == display_width("    Next: ") and marks == 6
    # After the wide characters of line 1, the caret under 'ワ' starts at terminal cell 14 (9 + 2 * 2).
    _, _, carets = excerpt(_diagnostic(1, 12, 1, 13), source)
    assert carets.split("| ", 1)[1] == " " * 13 + "^^"


def test_display_width() -> None:
    assert display_width("abc") == 3
    assert display_width("注文") == 4
    assert display_width("ｱ") == 1  # halfwidth katakana
    assert display_width("Ａ") == 2  # fullwidth Latin
    assert display_width("e\u0301") == 1  # a combining accent takes no cell


def test_github_end_column_is_the_last_character_of_the_span() -> None:
    one_line = render_github([_diagnostic(3, 5, 3, 9)])
    assert ",line=3,endLine=3,col=5,endColumn=8," in one_line
    one_char = render_github([_diagnostic(3, 5, 3, 6)])
    assert ",col=5,endColumn=5," in one_char
    empty = render_github([_diagnostic(3, 5, 3, 5)])  # never before the start
    assert ",col=5,endColumn=5," in empty
    several = render_github([_diagnostic(3, 5, 7, 2)])
    assert ",line=3,endLine=7,title=" in several and "col=" not in several


def test_multi_line_nodes_end_at_their_last_character() -> None:
    text = ("StartAt: C\nStates:\n  C:\n    Type: Choice\n    Choices:\n"
            "      - Variable: $.n\n        NumericEquals: 1\n        NumericLessThan: 2\n        Next: D\n"
            "\n      # a comment\n    Default: D\n  D: {Type: Succeed}\n")
    diagnostic = _only(text, "SW301")
    assert (diagnostic.line, diagnostic.column) == (6, 9)
    assert (diagnostic.end_line, diagnostic.end_column) == (9, len("        Next: D") + 1)
