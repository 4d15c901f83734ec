"""``statewright lint`` over real-world definitions deployed on AWS (tests/lint/real_world/): not one error.

The definitions come from public repositories of deployed state machines, each listed with its source and
licence in real_world/README.md. AWS created every one of them, so any error lint gives is a false one
(warnings are allowed: deployment placeholders left unfilled, for example). The folder is linted as a user
would, by the command with its exit status, and in-process, to name each file and finding if one appears.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import statewright

FOLDER = Path(__file__).parent / "real_world"
DEFINITIONS = sorted((FOLDER / "definitions").iterdir())


def test_the_folder_holds_at_least_100_definitions_each_with_its_source_in_the_readme() -> None:
    assert len(DEFINITIONS) >= 100
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\|\s*`?([^|`]+\.asl\.(?:json|ya?ml))`?\s*\|", readme, flags=re.MULTILINE))
    assert listed == {path.name for path in DEFINITIONS}
    repositories = set(re.findall(r"^\|[^|]+\|\s*`?([\w.-]+/[\w.-]+)`?\s*\|", readme, flags=re.MULTILINE))
    assert len(repositories) >= 30, sorted(repositories)


def test_lint_gives_no_error_on_any_real_world_definition() -> None:
    errors = {}
    for path in DEFINITIONS:
        found = [f"{d.line}:{d.column} {d.code} {d.message}" for d in statewright.lint(path) if d.is_error]
        if found:
            errors[path.name] = found
    assert not errors, json.dumps(errors, indent=1)


def test_the_lint_command_passes_the_folder() -> None:
    done = subprocess.run([sys.executable, "-m", "statewright", "lint", "--format", "concise",
                           str(FOLDER / "definitions")], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("Found 0 errors") and last.endswith(f"of {len(DEFINITIONS)} files."), last
