"""The library face: statewright.lint and statewright.load on dicts, paths and text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import statewright

GOOD = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


def test_lint_accepts_a_dict_text_and_a_path(tmp_path: Path) -> None:
    path = tmp_path / "wf.asl.json"
    path.write_text(json.dumps(GOOD))
    assert statewright.lint(GOOD) == []
    assert statewright.lint(json.dumps(GOOD)) == []
    assert statewright.lint("StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n") == []
    assert statewright.lint(path) == []
    assert statewright.lint(str(path)) == []


@pytest.mark.parametrize("source", [5, 2.5, None, ["StartAt"], object()])
def test_lint_and_load_refuse_what_is_no_definition_with_a_type_error(source: object) -> None:
    """A caller's mistake is a TypeError naming what is accepted, not a diagnostic about the definition."""
    for call in (statewright.lint, statewright.load):
        with pytest.raises(TypeError, match=r"text \(str or bytes\), a file path .* or a mapping, not "
                                           + type(source).__name__):
            call(source)  # type: ignore[arg-type]


def test_load_returns_the_definition() -> None:
    machine = statewright.load("StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n")
    assert machine.definition == GOOD
    assert machine.warnings == ()


def test_load_raises_definition_error_with_positioned_diagnostics() -> None:
    text = "StartAt: B\nStates:\n  A:\n    Type: Pass\n    End: true\n"
    with pytest.raises(statewright.DefinitionError) as raised:
        statewright.load(text)
    error = raised.value
    assert error.diagnostics and all(isinstance(d, statewright.Diagnostic) for d in error.diagnostics)
    first = error.diagnostics[0]
    assert (first.line, first.column) == (1, 10)
    assert str(error).startswith("<definition>:1:10: ")


def test_reader_errors_become_diagnostics() -> None:
    [diagnostic] = statewright.lint("StartAt: [unclosed\n")
    assert diagnostic.code == "SW001" and diagnostic.line >= 1
    with pytest.raises(statewright.DefinitionError):
        statewright.load(b"\x00\x01")


def test_top_level_must_be_an_object() -> None:
    [diagnostic] = statewright.lint("- StartAt: A\n")
    assert diagnostic.code == "SW008"


def test_substitutions_are_applied_by_load() -> None:
    text = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}",
                                                        "TimeoutSeconds": "${T}", "End": True}}})
    machine = statewright.load(text, substitutions={"T": "5", "Fn": "arn:aws:lambda:us-east-1:1:function:f"})
    state = machine.definition["States"]["A"]
    assert state["TimeoutSeconds"] == 5 and state["Resource"].endswith(":function:f")


def test_placeholders_in_comments_do_not_block_a_run_but_those_in_data_do() -> None:
    definition = {
        "Comment": "Deployed to ${Stage}",
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Comment": "for ${Team}", "End": True}},
    }
    assert statewright.run(definition, {"x": 1}).output == {"x": 1}
    in_data = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"Comment": "${Stage}"}, "End": True}}}
    with pytest.raises(statewright.UnfilledPlaceholder) as raised:
        statewright.run(in_data, {})
    assert raised.value.placeholders == [("/States/A/Result/Comment", "${Stage}")]
    assert "substitutions=" in str(raised.value) and "--substitute" in str(raised.value)


# -- a file name that names no readable file (issue 12, item 7) ----------------------------------------------


@pytest.mark.parametrize("name", ["missing.asl.yaml", "flows/missing.json", "missing.YML", "flows/no-suffix"])
def test_a_missing_file_named_by_a_string_or_a_path_cannot_be_read(tmp_path: Path, name: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for source in (name, Path(name)):
        with pytest.raises(statewright.DefinitionError) as raised:
            statewright.load(source)
        assert str(raised.value) == f"SW010 cannot read {name}: no such file"
        [diagnostic] = statewright.lint(source)
        assert (diagnostic.code, diagnostic.file, diagnostic.message) == (
            "SW010", name, f"cannot read {name}: no such file")
        with pytest.raises(statewright.DefinitionError, match="SW010"):
            statewright.run(source, {})


def test_a_directory_cannot_be_read_as_a_definition(tmp_path: Path) -> None:
    for source in (str(tmp_path), tmp_path):
        with pytest.raises(statewright.DefinitionError, match="it is a directory") as raised:
            statewright.load(source)
        assert raised.value.diagnostics[0].code == "SW010"


def test_one_line_definition_text_with_slashes_is_still_text() -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a/b.json", "End": true}}}'
    assert statewright.load(text).definition["States"]["A"]["Result"] == "a/b.json"
    assert statewright.lint('["States/A.yaml"]')[0].code == "SW008"  # read as JSON text, not as a file name
