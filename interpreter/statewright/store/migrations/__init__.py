"""Numbered, forward-only schema migrations, one folder per SQL dialect (``sqlite/0001_initial.sql``, ...).

A database records the highest migration applied (table ``statewright_schema``). Opening applies the
missing ones in order, each in its own transaction; a database whose version is higher than the highest
file here was written by a newer Statewright and is refused, untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations(dialect: str) -> list[Migration]:
    """The migrations of ``dialect`` (``sqlite``, ``postgresql``), in version order, numbered 1, 2, ... with no gap."""
    folder = resources.files(__package__).joinpath(dialect)
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"the {dialect} migrations are not numbered 1..{len(found)}: {[m.name for m in found]}")
    return found


def latest(dialect: str) -> int:
    """The schema version this code writes."""
    return len(migrations(dialect))
