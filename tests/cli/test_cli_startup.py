"""What ``statewright lint`` loads, and the parser built for one command agreeing with the whole one.

Start-up time is measured by ``python -m benchmarks --cli``; these tests keep its causes from coming back
without timing anything: a lint of a JSON file must not import PyYAML, the HTTP stacks or logging, and the
parser ``main`` builds for one command must parse exactly as the full parser does.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from statewright.cli import SUBCOMMANDS, build_parser

PASS_MACHINE = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}'
# Modules a one-file JSON lint has no use for, each costing milliseconds of import time.
NOT_FOR_LINT = ("yaml", "aiohttp", "urllib.request", "http.client", "logging", "importlib.resources", "asyncio",
                "statewright.runtime.engine", "statewright.client.json10")


def _modules_after(args: list[str]) -> tuple[int, set[str]]:
    probe = ("import sys\nfrom statewright.cli import main\ncode = main(sys.argv[1:])\n"
             "print(code, ' '.join(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60,
                          check=True)
    code, modules = done.stdout.strip().splitlines()[-1].split(" ", 1)
    return int(code), set(modules.split())


def test_lint_of_a_json_file_imports_nothing_it_does_not_use(tmp_path: Path) -> None:
    definition = tmp_path / "one.json"
    definition.write_text(PASS_MACHINE)
    code, modules = _modules_after(["lint", str(definition)])
    assert code == 0
    assert "statewright.lint.engine" in modules  # the probe saw the lint run
    assert not modules & set(NOT_FOR_LINT), sorted(modules & set(NOT_FOR_LINT))


def test_lint_of_a_yaml_file_reads_it_with_pyyaml(tmp_path: Path) -> None:
    definition = tmp_path / "one.yaml"
    definition.write_text("StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n")
    code, modules = _modules_after(["lint", str(definition)])
    assert code == 0 and "yaml" in modules


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _helps(parser: argparse.ArgumentParser) -> dict[str, str | None]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {choice.dest: choice.help for choice in action._choices_actions}


def test_the_listed_names_and_helps_are_what_the_modules_register() -> None:
    for module_name, listed in SUBCOMMANDS.items():
        parser = argparse.ArgumentParser()
        importlib.import_module(module_name).register(parser.add_subparsers())
        assert _helps(parser) == listed, module_name
    assert _helps(build_parser()) == {name: text for names in SUBCOMMANDS.values() for name, text in names.items()}


@pytest.mark.parametrize("words", [
    ["lint", "a.yaml", "--type", "EXPRESS", "--select", "SW1"],
    ["run", "a.yaml", "--input", "{}"],
    ["serve", "--port", "0"],
    ["history", "arn:x", "--endpoint", "http://127.0.0.1:1"],
    ["send-failure", "token", "--error", "E"],
    ["db", "info"],
    ["schema"],
])
def test_the_parser_built_for_one_command_parses_as_the_full_one(words: list[str]) -> None:
    one, full = vars(build_parser(words).parse_args(words)), vars(build_parser().parse_args(words))
    assert one.pop("handler").__code__ is full.pop("handler").__code__
    assert one == full
    assert set(_subcommands(build_parser(words))) == set(_subcommands(build_parser()))


def _options(parser: argparse.ArgumentParser, command: str) -> set[str]:
    return {option for action in _subcommands(parser)[command]._actions for option in action.option_strings}


def test_only_the_named_command_is_built_in_full_unless_help_or_an_unknown_one_is_asked() -> None:
    assert "--port" not in _options(build_parser(["lint", "a.yaml"]), "serve")
    assert "--type" in _options(build_parser(["lint", "a.yaml"]), "lint")
    for words in ([], ["--help"], ["-h", "lint"], ["bogus"], ["--version"]):
        parser = build_parser(words)
        assert "--port" in _options(parser, "serve") and "--type" in _options(parser, "lint"), words
