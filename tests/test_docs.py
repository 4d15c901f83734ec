"""Documentation that cannot drift: generated rule pages, documented commands, rule doc sections, links."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from urllib.parse import unquote

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
    undocumented = [name for name in sorted(_subcommands()) if f"statewright {name}" not in readme]
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


# --- links and commands in the Markdown documentation ------------------------------------------------------

FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.M)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
# `statewright <word>` as a command: not part of a longer name (statewright.lint, interpreter/statewright).
COMMAND = re.compile(r"(?<![\w./-])statewright ([a-z][\w-]*)")
# Where the guides may name subcommands that do not exist yet, to say so.
NOT_BUILT_SECTION = "## What is not built yet"


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "spec").glob("*.md"))]


def _prose(text: str) -> str:
    """The text without fenced code blocks and code spans (links there are examples, not links)."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def _links(text: str) -> list[str]:
    prose = _prose(text)
    return [*INLINE_LINK.findall(prose), *REFERENCE_LINK.findall(prose)]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, title in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        slug = _slug(title)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def _subcommands() -> set[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1, "the statewright parser should have exactly one set of subcommands"
    return set(actions[0].choices)


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_to_existing_files(path: Path) -> None:
    broken = []
    for target in _links(path.read_text(encoding="utf-8")):
        if SCHEME.match(target):
            continue  # https:, mailto:, ...: not checked here
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: {linked.relative_to(ROOT) if linked.is_relative_to(ROOT) else linked} "
                          "does not exist")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(f"{target}: no heading in {linked.relative_to(ROOT)} has the anchor #{anchor}")
    assert broken == [], f"{path.relative_to(ROOT)} has broken links"


def test_link_checker_sees_links_and_skips_code() -> None:
    text = ("See [spec](spec/README.md), [a](../x.md#part \"title\"), ![img](pic.png) and [web](https://example.com).\n"
            "`[not](a-link.md)`\n```md\n[also not](b.md)\n```\n[ref]: docs/ref.md\n")
    assert _links(text) == ["spec/README.md", "../x.md#part", "pic.png", "https://example.com", "docs/ref.md"]
    assert _slug("## `statewright lint`".lstrip("# ")) == "statewright-lint"
    assert _slug("SW001 syntax-error") == "sw001-syntax-error"
    assert _slug("4. Deployment placeholders") == "4-deployment-placeholders"


def test_the_guides_name_only_real_subcommands() -> None:
    real = _subcommands()
    assert {"lint", "run", "schema"} <= real
    unknown = []
    for path in sorted((ROOT / "docs").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if NOT_BUILT_SECTION in text:  # that section names what does not exist yet, on purpose
            before, _, after = text.partition(NOT_BUILT_SECTION)
            _, heading, rest = after.partition("\n## ")
            text = before + heading + rest
        unknown += [f"{path.name}: statewright {name}" for name in COMMAND.findall(text) if name not in real]
    assert unknown == [], f"not subcommands of statewright ({', '.join(sorted(real))})"


def test_command_pattern_finds_commands_only() -> None:
    text = "Run `statewright lint x`, statewright run y; not statewright.lint, src/statewright run, Statewright is."
    assert COMMAND.findall(text) == ["lint", "run"]


def test_every_guide_is_listed_in_the_docs_index() -> None:
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    listed = {target.partition("#")[0] for target in _links(index)}
    guides = {p.name for p in (ROOT / "docs").glob("*.md") if p.name != "README.md"}
    assert guides, "docs/ has no guides"
    assert sorted(guides - listed) == []


@pytest.mark.parametrize("path", sorted((ROOT / "docs").glob("*.md")), ids=lambda p: p.name)
def test_python_samples_in_the_guides_compile(path: Path) -> None:
    blocks = re.findall(r"^```python\n(.*?)^```", path.read_text(encoding="utf-8"), re.M | re.S)
    for number, code in enumerate(blocks):
        compile(code, f"{path.name} python block {number}", "exec")
