"""The pure core imports nothing impure (see statewright/core/__init__.py and ARCHITECTURE)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "interpreter" / "statewright"

# Modules that do I/O, read the clock, draw randomness or read the environment.
FORBIDDEN_IN_CORE = {
    "asyncio", "socket", "sqlite3", "aiohttp", "time", "random", "os", "subprocess", "threading",
    "secrets", "uuid", "pathlib", "http", "urllib", "psycopg", "selectors", "signal", "shutil",
}
# The pure layers may not reach up into impure ones.
FORBIDDEN_PACKAGES_IN_CORE = (
    "statewright.runtime", "statewright.store", "statewright.server", "statewright.cli", "statewright.lint",
)
CLOCK_CALLS = ("now", "utcnow", "today")
# io stays allowed for in-memory buffers (lark loads its pre-built tables from bytes); opening files is not.
FILE_CALLS = ("open",)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _clock_reads(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in CLOCK_CALLS
    ]


def _pure_modules() -> list[Path]:
    return sorted([*(PACKAGE / "core").rglob("*.py"), *(PACKAGE / "source").rglob("*.py")])


def test_core_and_source_import_nothing_impure() -> None:
    modules = _pure_modules()
    assert len(modules) >= 3, "the pure core was not found where the test looks for it"
    violations = []
    for path in modules:
        for line, name in _imports(path):
            top = name.split(".")[0]
            if top in FORBIDDEN_IN_CORE or name.startswith(FORBIDDEN_PACKAGES_IN_CORE):
                violations.append(f"{path.relative_to(PACKAGE)}:{line} imports {name}")
    assert violations == []


# Imports point down (docs/architecture.md): what runs executions and keeps them never calls back up into the
# library's front door or the command line, not even inside a function.
UPWARD = {"runtime": ("statewright.api", "statewright.cli"), "store": ("statewright.api", "statewright.cli",
                                                                    "statewright.runtime"),
          "definitions.py": ("statewright.api", "statewright.cli", "statewright.runtime")}


def test_runtime_and_store_never_import_upwards() -> None:
    violations = []
    for part, forbidden in UPWARD.items():
        paths = [PACKAGE / part] if part.endswith(".py") else sorted((PACKAGE / part).rglob("*.py"))
        assert paths and all(path.exists() for path in paths), part
        for path in paths:
            violations += [f"{path.relative_to(PACKAGE)}:{line} imports {name}" for line, name in _imports(path)
                           if name.startswith(forbidden)]
    assert violations == []


def _file_opens(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FILE_CALLS
    ]


def test_core_opens_no_file() -> None:
    violations = [
        f"{path.relative_to(PACKAGE)}:{line}" for path in _pure_modules() for line in _file_opens(path)
    ]
    assert violations == []


def test_core_reads_no_clock() -> None:
    violations = [
        f"{path.relative_to(PACKAGE)}:{line}" for path in _pure_modules() for line in _clock_reads(path)
    ]
    assert violations == []


def test_layering_check_catches_a_violation(tmp_path: Path) -> None:
    """The check itself can fail: a module importing asyncio is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("import asyncio\nfrom time import monotonic\nx = datetime.now()\ny = open('f')\n")
    names = [name for _, name in _imports(bad)]
    assert "asyncio" in names and "time" in names
    assert _clock_reads(bad) == [3]
    assert _file_opens(bad) == [4]
