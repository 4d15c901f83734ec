"""What every action works with: the durable engine, its store, and machines resolved for starting.

A state machine is a ``machine`` resource whose body holds its definition text, type and role; a published
version is a ``version`` resource (the definition as it was), an alias a weighted choice between versions.
:meth:`ServerContext.target` turns any of their ARNs into the loaded definition to start and the
:class:`~statewright.runtime.durable.Origin` to record with the execution.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from statewright.definitions import DefinitionError, LoadedMachine, UnfilledPlaceholder, load_definition
from statewright.runtime.durable import DurableEngine, Origin
from statewright.server.arns import MachineRef, parse_machine
from statewright.server.protocol import ApiError
from statewright.store.records import ResourceRecord

MACHINE, VERSION, ALIAS, ACTIVITY, TAGS = "machine", "version", "alias", "activity", "tags"


def machine_missing(arn: str) -> ApiError:
    return ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def invalid_definition(error: Exception) -> ApiError:
    return ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{error}'")


@dataclass(frozen=True, slots=True)
class Target:
    """What StartExecution starts: the machine's record, the loaded definition, and where it came from."""

    machine: ResourceRecord
    loaded: LoadedMachine
    origin: Origin


class ServerContext:
    """Shared by every request of one server."""

    def __init__(self, engine: DurableEngine, *, rng: random.Random | None = None) -> None:
        self.engine = engine
        self.store = engine.store
        self.clock = engine.clock
        self.rng = rng or random.Random()
        self._loaded: OrderedDict[str, LoadedMachine] = OrderedDict()
        # Called when the server stops (helpers register closers: long polls, background tasks).
        self.on_close: list[Callable[[], Any]] = []
        self.extensions: dict[str, Any] = {}  # per-feature state (activities' queues, metrics, ...)

    # --- definitions ---------------------------------------------------------------------------------

    def load(self, name: str, workflow_type: str, definition: str) -> LoadedMachine:
        """The definition loaded (linted, named, typed), cached by content. Raises ApiError InvalidDefinition."""
        key = hashlib.sha256(f"{name}\n{workflow_type}\n{definition}".encode()).hexdigest()
        loaded = self._loaded.get(key)
        if loaded is not None:
            self._loaded.move_to_end(key)
            return loaded
        loaded = check_definition(definition, workflow_type)
        loaded = dataclasses.replace(loaded, name=name)
        self._loaded[key] = loaded
        if len(self._loaded) > 256:
            self._loaded.popitem(last=False)
        return loaded

    # --- lookups -------------------------------------------------------------------------------------

    async def machine(self, arn: str) -> ResourceRecord:
        """The state machine an unqualified ARN names (raises InvalidArn, StateMachineDoesNotExist)."""
        ref = parse_machine(arn)
        record = await self.store.resource(MACHINE, ref.arn)
        if record is None:
            raise machine_missing(arn)
        return record

    async def resolve(self, arn: str, *, missing_alias: str = "StateMachineDoesNotExist",
                      ) -> tuple[MachineRef, ResourceRecord, ResourceRecord | None]:
        """(ref, machine, the version or alias record when the ARN is qualified), each of which must exist.

        A missing alias answers ``missing_alias``: the error the action's model lists for it (StartExecution
        and DescribeStateMachine know only StateMachineDoesNotExist; ListExecutions has ResourceNotFound).
        """
        ref = parse_machine(arn)
        machine = await self.store.resource(MACHINE, ref.arn)
        if machine is None:
            raise machine_missing(arn)
        if ref.version is not None:
            version = await self.store.resource(VERSION, ref.qualified_arn)
            if version is None:
                raise machine_missing(arn)
            return ref, machine, version
        if ref.alias is not None:
            alias = await self.store.resource(ALIAS, ref.qualified_arn)
            if alias is None:
                if missing_alias == "StateMachineDoesNotExist":
                    raise machine_missing(arn)
                raise ApiError(missing_alias, f"Resource Not Found: '{arn}'")
            return ref, machine, alias
        return ref, machine, None

    async def target(self, arn: str) -> Target:
        """The definition StartExecution runs for a machine, version or alias ARN."""
        ref, machine, qualifier = await self.resolve(arn)
        name = ref.name
        if qualifier is None:
            body = machine.body
            return Target(machine, self.load(name, body["type"], body["definition"]),
                          Origin(role_arn=body.get("roleArn")))
        alias_arn = None
        version = qualifier
        if qualifier.kind == ALIAS:
            alias_arn = qualifier.arn
            version_arn = self.route(qualifier.body["routingConfiguration"])
            found = await self.store.resource(VERSION, version_arn)
            if found is None:
                raise machine_missing(version_arn)
            version = found
        body = version.body
        return Target(machine, self.load(name, body["type"], body["definition"]),
                      Origin(version.arn, alias_arn, role_arn=body.get("roleArn")))

    def route(self, routing: list[dict[str, Any]]) -> str:
        """Pick a version of an alias's routing configuration by its weights."""
        arns = [entry["stateMachineVersionArn"] for entry in routing]
        weights = [entry.get("weight", 0) for entry in routing]
        if len(arns) == 1 or not any(weights):
            return str(arns[0])
        return str(self.rng.choices(arns, weights=weights)[0])


def check_definition(definition: str, workflow_type: str) -> LoadedMachine:
    """Lint and compile a definition as Create/UpdateStateMachine take it (raises InvalidDefinition)."""
    try:
        loaded = load_definition(definition, workflow_type=workflow_type)
        loaded.compiled  # noqa: B018 - compiling finds unfilled placeholders and unsupported features
    except DefinitionError as error:
        raise invalid_definition(_diagnostics_text(error)) from None
    except (UnfilledPlaceholder, ValueError) as error:
        raise invalid_definition(error) from None
    return loaded


def _diagnostics_text(error: DefinitionError) -> str:
    """Every error diagnostic on one line each, as ``CODE: message at /pointer (line:col)``."""
    lines = []
    for diagnostic in error.diagnostics:
        if diagnostic.is_error:
            where = f" at {diagnostic.pointer}" if diagnostic.pointer else ""
            lines.append(f"{diagnostic.code}: {diagnostic.message}{where} (line {diagnostic.line}, column "
                         f"{diagnostic.column})")
    return "; ".join(lines) or str(error)
