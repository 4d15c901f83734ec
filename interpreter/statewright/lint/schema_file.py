"""Finding and reading Statewright's JSON Schema (``schemas/statewright.schema.json``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_NAME = "statewright.schema.json"

# The wheel's copy, inside the installed package (statewright/schemas/).
_PACKAGED_SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / SCHEMA_NAME
# The repository's schemas/ folder, for an editable install: lint/ -> statewright/ -> interpreter/ -> repo.
_REPO_SCHEMA = Path(__file__).resolve().parents[3] / "schemas" / SCHEMA_NAME


def schema_text() -> str:
    """The schema file's text, exactly as shipped (what ``statewright schema`` prints).

    Raises:
        FileNotFoundError: neither the wheel's copy nor the repository's file exists.
    """
    # The wheel force-includes the file inside the package; an editable install leaves it in the repo.
    if _PACKAGED_SCHEMA.is_file():
        return _PACKAGED_SCHEMA.read_text(encoding="utf-8")
    if _REPO_SCHEMA.is_file():
        return _REPO_SCHEMA.read_text(encoding="utf-8")
    # A package that is not plain files (a zip import): importlib.resources, whose import costs ~5 ms of a
    # lint run's start-up, so it is the last resort rather than the first.
    from importlib import resources

    packaged = resources.files("statewright") / "schemas" / SCHEMA_NAME
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    raise FileNotFoundError(
        f"Statewright's JSON Schema was not found: looked for statewright/schemas/{SCHEMA_NAME} in the "
        f"installed package and for {_REPO_SCHEMA}"
    )


def load_schema() -> dict[str, Any]:
    """The JSON Schema for definitions (draft 2020-12), as a fresh dict the caller may change."""
    schema = json.loads(schema_text())
    if not isinstance(schema, dict):
        raise ValueError(f"{SCHEMA_NAME} does not hold a JSON object")
    return schema
