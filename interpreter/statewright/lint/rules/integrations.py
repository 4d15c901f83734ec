"""SW606: a Task's ``arn:aws:states:::<service>:<action>`` that is not one of AWS's optimized integrations.

AWS checks such a Resource against its catalogue when the machine is created: the service, the action, and
the integration pattern the suffix asks for (none: request-response, ``.sync``, ``.sync:2``,
``.waitForTaskToken``). Anything else is refused with ``SCHEMA_VALIDATION_FAILED: The resource provided
<arn> is not recognized ...``. The catalogue is data, in ``lint/data/service_integrations.json`` (with
``SERVICE_INTEGRATIONS.md``, which says which AWS page each part came from and what was uncertain; uncertain
patterns are accepted, so a doubt never becomes a false error). ``aws-sdk:<service>:<action>`` stays open,
as the catalogue of SDK services is AWS's own, but its action must be camelCase and its pattern one the SDK
integrations have (never ``.sync``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from statewright.lint.context import LintContext
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import rule
from statewright.lint.rules._model import facts

CATALOGUE = Path(__file__).resolve().parents[1] / "data" / "service_integrations.json"
# arn:<partition>:states:::<service>:<action><suffix>; the partition may be aws, aws-cn, aws-us-gov, ...
_OPTIMIZED = re.compile(r"^arn:aws[a-z-]*:states:::(?P<service>[^:]+):(?P<rest>.+)$")
_SUFFIXES = ((".waitForTaskToken", "waitForTaskToken"), (".sync:2", "sync:2"), (".sync", "sync"))
_NAMES = {"request-response": "request-response", "sync": "'.sync'", "sync:2": "'.sync:2'",
          "waitForTaskToken": "'.waitForTaskToken'"}


@cache
def catalogue() -> dict[str, Any]:
    """The services, their actions and each action's patterns (``service_integrations.json``'s ``services``)."""
    services: dict[str, Any] = json.loads(CATALOGUE.read_text(encoding="utf-8"))["services"]
    return services


def _split(rest: str) -> tuple[str, str]:
    for suffix, pattern in _SUFFIXES:
        if rest.endswith(suffix):
            return rest[: -len(suffix)], pattern
    return rest, "request-response"


def integration_problem(resource: str) -> str | None:
    """Why AWS would not recognise ``resource`` as an optimized integration; None when it would (or it is
    no ``arn:aws:states:::`` resource at all, or still holds a deployment placeholder)."""
    found = _OPTIMIZED.match(resource)
    if found is None or "${" in resource:
        return None
    service, (action, pattern) = found["service"], _split(found["rest"])
    known = catalogue().get(service)
    if known is None:
        return (f"'{service}' has no optimized integration (an AWS service's API is reached with "
                f"'aws-sdk:{service}:<action>')")
    actions = known.get("actions")
    if actions is None:  # aws-sdk:<service>:<action>: any SDK service, a camelCase action
        sdk_action = action.rsplit(":", 1)[-1]
        if ":" not in action or not sdk_action[:1].islower():
            return "an AWS SDK integration is 'aws-sdk:<service>:<action>' with the action in camelCase"
        allowed = known.get("patterns") or []
    elif action not in actions:
        names = [f"'{name}'" for name in sorted(actions)]
        return f"'{service}' has no optimized action '{action}'; it has {_listed(names)}"
    else:
        allowed = actions[action]
    if pattern not in allowed:
        return (f"'{service}:{action}' does not support the {_NAMES[pattern]} pattern; it supports "
                f"{_listed([_NAMES[name] for name in allowed])}")
    return None


def _listed(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: the names as given (the caller quotes them)."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@rule("SW606", "unknown-service-integration", Severity.ERROR)
def unknown_service_integration(context: LintContext) -> Iterator[Finding]:
    """A Task's `arn:aws:states:::<service>:<action>` Resource is not one of AWS's optimized integrations.

    ## What it does
    Checks every Task Resource of the form `arn:aws:states:::<service>:<action>` (with an optional `.sync`,
    `.sync:2` or `.waitForTaskToken`) against AWS's catalogue of optimized integrations: the service, the
    action, and whether that action supports the pattern. `aws-sdk:<service>:<action>` is open to every SDK
    service, with the action in camelCase and without `.sync`. Resources holding a `${...}` placeholder are
    left alone.

    ## Why is this bad?
    AWS refuses to create the machine: "The resource provided ... is not recognized. The value is not a
    valid resource ARN, or the resource is not available in this region." A misspelt action
    (`lambda:invoke.sync`, `dynamodb:query`, `sns:Publish`) is found before deployment, not after.

    ## Example
    ```yaml
    Save: {Type: Task, Resource: "arn:aws:states:::dynamodb:query", End: true}
    ```

    ## Use instead
    Use an optimized action, or the AWS SDK integration for the rest of the service's API:
    ```yaml
    Save: {Type: Task, Resource: "arn:aws:states:::aws-sdk:dynamodb:query", End: true}
    ```
    """
    for state in facts(context).states:
        resource = state.body.get("Resource") if state.type == "Task" else None
        if not isinstance(resource, str):
            continue
        problem = integration_problem(resource)
        if problem is not None:
            yield Finding(f"The resource provided {resource} is not recognized as the Resource of Task "
                          f"'{state.name}': {problem}.",
                          state.field_pointer("Resource"), state=state.name, field="Resource")
