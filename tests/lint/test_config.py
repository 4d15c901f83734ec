"""[tool.statewright.lint] in pyproject.toml: where it is found, every TOML spelling of it, and how its
select/ignore combine with the command line's (as ruff's do)."""

from __future__ import annotations

from pathlib import Path

import pytest

from statewright.lint.config import ConfigError, Layer, enabled_codes, find_config

CODES = ["SW101", "SW102", "SW201", "SW202", "SW203", "SW306", "SW801"]


@pytest.mark.parametrize(("layers", "expected"), [
    ([], CODES),
    ([Layer(("SW2",), ("SW203",))], ["SW201", "SW202"]),
    # The more specific entry wins; the same length: ignore.
    ([Layer(("SW203",), ("SW2",))], ["SW203"]),
    ([Layer(("SW203",), ("SW203",))], []),
    # ruff's documented example: the file selects E,F and ignores F401; `--select F401` enforces F401 only.
    ([Layer(("SW1", "SW2"), ("SW203",)), Layer(("SW203",), ())], ["SW203"]),
    # `--ignore` adds to the file's ignore and keeps its select.
    ([Layer(("SW2",), ()), Layer(None, ("SW201",))], ["SW202", "SW203"]),
    # A later layer's ignore wins over an earlier, more specific select.
    ([Layer(("SW203",), ()), Layer(None, ("SW2",))], []),
    ([Layer(None, ("SW8", "SW306"))], ["SW101", "SW102", "SW201", "SW202", "SW203"]),
])
def test_layers(layers: list[Layer], expected: list[str]) -> None:
    assert sorted(enabled_codes(layers, CODES)) == expected


@pytest.mark.parametrize("toml", [
    '[tool.statewright.lint]\nignore = ["SW306"]\n',
    '[tool.statewright]\nlint.ignore = ["SW306"]\n',
    '[tool.statewright]\nlint = {ignore = ["SW306"]}\n',
    '[tool]\nstatewright = {lint = {ignore = ["SW306"]}}\n',
    '[tool]\nstatewright.lint.ignore = ["SW306"]\n',
    'tool.statewright.lint.ignore = ["SW306"]\n',
    '[tool."statewright".lint]\nignore = ["SW306"]\n',
])
def test_every_toml_spelling_of_the_table_is_found(tmp_path: Path, toml: str) -> None:
    (tmp_path / "pyproject.toml").write_text(toml + '\n[project]\nname = "statewright"\n')
    found = find_config(tmp_path)
    assert found is not None and found.layer == Layer(None, ("SW306",))


def test_files_without_the_table_are_passed_over_up_to_the_nearest_with_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.statewright.lint]\nselect = ["sw2"]\n')
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    # Statewright's own kind of pyproject.toml: the name appears, the table does not (not even parsed).
    (tmp_path / "a" / "pyproject.toml").write_text(
        '[project]\nname = "statewright"\n[project.scripts]\nstatewright = "statewright.cli:main"\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["interpreter/statewright"]\n[tool.ruff]\nx = [\n')
    found = find_config(inner)
    assert found is not None and found.path == tmp_path / "pyproject.toml"
    assert found.layer == Layer(("SW2",), ())


def test_a_table_in_a_file_that_is_not_toml_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.statewright.lint]\nignore = [\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: not valid TOML"):
        find_config(tmp_path)


def test_no_file_at_all(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None
