"""Documentation that cannot drift: generated rule pages, documented commands, rule doc sections."""

from __future__ import annotations

from pathlib import Path

import pytest

from statewright.cli import build_parser
from statewright.lint.docs import render
from statewright.lint.registry import all_rules

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


def test_lint_rules_page_is_generated_from_the_rules() -> None:
    page = ROOT / "spec" / "lint-rules.md"
    assert page.read_text(encoding="utf-8") == render(), (
        "spec/lint-rules.md is stale: run `python -m statewright.lint.docs > spec/lint-rules.md`"
    )


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_rule_is_documented_in_four_sections(rule) -> None:
    missing = [section for section in SECTIONS if section not in rule.doc]
    assert not missing, f"{rule.code} {rule.name} lacks {missing}"
    assert rule.name == rule.name.lower() and " " not in rule.name, "rule names are kebab-case"


def test_every_subcommand_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    subcommands = build_parser()._subparsers._group_actions[0].choices  # argparse keeps them here
    undocumented = [name for name in subcommands if f"statewright {name}" not in readme]
    assert undocumented == []


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2, commands
    assert commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_http_quick_start_is_the_tested_one() -> None:
    """tests/http/test_cli.py runs spec/http-tasks.md's quick start; the README shows the same commands."""
    def first_sh_block(text: str) -> str:
        return text.split("```sh\n", 1)[1].split("\n```", 1)[0]

    readme = (ROOT / "README.md").read_text(encoding="utf-8").split("## Calling your services", 1)[1]
    spec = (ROOT / "spec" / "http-tasks.md").read_text(encoding="utf-8").split("## Quick start", 1)[1]
    assert first_sh_block(readme) == first_sh_block(spec)
