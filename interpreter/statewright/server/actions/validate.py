"""ValidateStateMachineDefinition: `statewright lint`'s findings in AWS's response shape.

The checks are the ones CreateStateMachine applies (``lint_document``, then compiling: an unfilled
``${Placeholder}`` fails there), so ``result`` is OK exactly when CreateStateMachine would accept the
definition. Codes are Statewright's rule codes (``SW...``, documented in spec/lint-rules.md), not AWS's
(``SCHEMA_VALIDATION_FAILED``, ...): AWS documents its codes and wording as unstable, and ours say more.
``location`` is the JSON Pointer AWS gives too (``/States/A/Next``).
"""

from __future__ import annotations

from typing import Any

from statewright.definitions import LoadedMachine, UnfilledPlaceholder
from statewright.lint import Diagnostic, Severity, lint_document
from statewright.lint.engine import source_error_diagnostic
from statewright.server.protocol import Params, operation, validation
from statewright.source import SourceError, parse_source

_TYPES = ("STANDARD", "EXPRESS")
_SEVERITIES = ("ERROR", "WARNING")
_MAX_DEFINITION = 1_048_576
_PLACEHOLDER_CODE = "SW-PLACEHOLDER"


def _enum(params: Params, name: str, values: tuple[str, ...], default: str) -> str:
    value = params.str(name, default=default)
    if value not in values:
        raise validation(f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: "
                         f"Member must satisfy enum value set: [{', '.join(values)}]")
    return str(value)


def findings(text: str, workflow_type: str = "STANDARD") -> list[dict[str, Any]]:
    """Every diagnostic, errors and warnings, in AWS's shape, in source order."""
    try:
        document = parse_source(text)
    except SourceError as error:
        return [_shaped(source_error_diagnostic(error))]
    shaped = [_shaped(diagnostic) for diagnostic in lint_document(document, workflow_type=workflow_type)]
    if not any(item["severity"] == "ERROR" for item in shaped):
        try:
            LoadedMachine(document.value, document).compiled  # noqa: B018 - compiling finds what lint leaves
        except UnfilledPlaceholder as error:
            shaped += [{"severity": "ERROR", "code": _PLACEHOLDER_CODE, "location": pointer,
                        "message": f"The deployment placeholder {name} is not filled: substitute it before deploying"}
                       for pointer, name in error.placeholders]
        except ValueError as error:
            shaped.append({"severity": "ERROR", "code": "SW000", "message": str(error)})
    return shaped


def _shaped(diagnostic: Diagnostic) -> dict[str, Any]:
    item: dict[str, Any] = {"severity": "ERROR" if diagnostic.severity is Severity.ERROR else "WARNING",
                            "code": diagnostic.code, "message": diagnostic.message}
    # AWS omits location where a problem has none (the whole document): "" would be the root pointer.
    if diagnostic.pointer:
        item["location"] = diagnostic.pointer
    return item


@operation("ValidateStateMachineDefinition")
async def validate_state_machine_definition(_context: Any, params: Params) -> dict[str, Any]:
    text = params.required_str("definition", max_length=_MAX_DEFINITION)
    workflow_type = _enum(params, "type", _TYPES, "STANDARD")
    severity = _enum(params, "severity", _SEVERITIES, "ERROR")
    limit = params.int("maxResults", low=0, high=100, default=0) or 100
    found = findings(text, workflow_type)
    result = "FAIL" if any(item["severity"] == "ERROR" for item in found) else "OK"
    if severity == "ERROR":
        found = [item for item in found if item["severity"] == "ERROR"]
    return {"result": result, "diagnostics": found[:limit], "truncated": len(found) > limit}
