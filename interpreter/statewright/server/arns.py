"""ARNs the API hands out and takes: state machines (and their versions and aliases), executions, activities.

Resources are kept under the ARN this server makes (its region and account: ``runtime/engine.py``). An ARN
a client sends is read loosely — any region and account — and turned into that canonical form, so a client
configured for another region still finds what it created.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from statewright.runtime.engine import ACCOUNT, REGION
from statewright.server.protocol import ApiError

PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}:"
_ARN = re.compile(r"^arn:aws[a-z-]*:states:[a-z0-9-]*:\d*:(?P<kind>[a-zA-Z]+):(?P<rest>.+)$")


def machine_arn(name: str) -> str:
    return f"{PREFIX}stateMachine:{name}"


def activity_arn(name: str) -> str:
    return f"{PREFIX}activity:{name}"


@dataclass(frozen=True, slots=True)
class MachineRef:
    """A state machine ARN as a client gave it: the machine, and a version number or an alias name."""

    name: str
    version: int | None = None
    alias: str | None = None

    @property
    def arn(self) -> str:
        """The unqualified state machine ARN."""
        return machine_arn(self.name)

    @property
    def qualified_arn(self) -> str:
        if self.version is not None:
            return f"{self.arn}:{self.version}"
        if self.alias is not None:
            return f"{self.arn}:{self.alias}"
        return self.arn


def invalid_arn(arn: str, what: str) -> ApiError:
    return ApiError("InvalidArn", f"Invalid Arn: '{arn}' is not a valid {what} ARN")


def _parts(arn: str, kind: str, what: str) -> list[str]:
    match = _ARN.match(arn)
    if match is None or match.group("kind") != kind:
        raise invalid_arn(arn, what)
    return match.group("rest").split(":")


def parse_machine(arn: str) -> MachineRef:
    """A state machine ARN, possibly qualified by a version number or an alias name (raises InvalidArn)."""
    parts = _parts(arn, "stateMachine", "state machine")
    if len(parts) == 1 and parts[0]:
        return MachineRef(parts[0])
    if len(parts) == 2 and parts[0] and parts[1]:
        qualifier = parts[1]
        if qualifier.isdigit():
            return MachineRef(parts[0], version=int(qualifier))
        return MachineRef(parts[0], alias=qualifier)
    raise invalid_arn(arn, "state machine")


def parse_activity(arn: str) -> str:
    """The activity's name (raises InvalidArn)."""
    parts = _parts(arn, "activity", "activity")
    if len(parts) != 1 or not parts[0]:
        raise invalid_arn(arn, "activity")
    return parts[0]


def canonical_execution(arn: str) -> str:
    """An execution ARN in this server's region and account (raises InvalidArn)."""
    match = _ARN.match(arn)
    if match is None or match.group("kind") not in ("execution", "express"):
        raise invalid_arn(arn, "execution")
    parts = match.group("rest").split(":")
    if len(parts) < 2 or not all(parts):
        raise invalid_arn(arn, "execution")
    return f"{PREFIX}{match.group('kind')}:{match.group('rest')}"
