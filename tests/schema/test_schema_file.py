"""The schema file itself: a valid draft 2020-12 schema, found from the package, documented throughout."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from statewright.lint.schema_file import load_schema, schema_text


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("statewright.schema.json")


def test_load_schema_returns_a_fresh_copy() -> None:
    first = load_schema()
    first["$defs"].clear()
    assert load_schema()["$defs"], "callers must not be able to change the schema other callers see"
    assert schema_text().lstrip().startswith("{")


def _definitions(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [("(root)", schema)]
    found += [(f"$defs/{name}", sub) for name, sub in schema["$defs"].items()]
    for name, sub in list(found):
        found += [(f"{name}/properties/{key}", prop) for key, prop in sub.get("properties", {}).items()]
    # A bare {"$ref": ...} shows the referenced definition's help, which is itself checked.
    return [(name, sub) for name, sub in found if set(sub) != {"$ref"}]


@pytest.mark.parametrize("where, definition", _definitions(load_schema()), ids=lambda x: str(x)[:60])
def test_every_definition_and_field_has_a_title_and_description(where: str, definition: dict[str, Any]) -> None:
    # A YAML language server shows these while the user types.
    assert definition.get("title"), f"{where} has no title"
    assert definition.get("description"), f"{where} has no description"


def test_every_state_type_is_dispatched_and_rejects_unknown_fields() -> None:
    schema = load_schema()
    types = schema["$defs"]["state"]["properties"]["Type"]["enum"]
    assert types == ["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"]
    for state_type in types:
        definition = schema["$defs"][state_type]
        assert definition["additionalProperties"] is False
        assert definition["properties"]["Type"] == {**definition["properties"]["Type"], "const": state_type}


def test_statewright_extension_is_only_on_task_and_documented() -> None:
    schema = load_schema()
    holders = [name for name, sub in schema["$defs"].items() if "Statewright" in sub.get("properties", {})]
    assert holders == ["Task"]
    assert "extension" in schema["$defs"]["statewright"]["description"]
    assert set(schema["$defs"]["statewright"]["properties"]) == {"Method", "Headers"}
