"""CreateStateMachineAlias, DescribeStateMachineAlias, ListStateMachineAliases, UpdateStateMachineAlias,
DeleteStateMachineAlias.

An alias is an ``alias`` resource (parent: its machine) whose body holds ``description`` and
``routingConfiguration``: one version at weight 100, or two whose weights sum to 100. StartExecution on the
alias's ARN picks a version by those weights (``ServerContext.route``). Messages are AWS's where it has one.
"""

from __future__ import annotations

import re
from typing import Any

from statewright.server.arns import MachineRef, invalid_arn, parse_machine
from statewright.server.context import ALIAS, MACHINE, VERSION, ServerContext, machine_missing
from statewright.server.paging import page_after, page_token
from statewright.server.protocol import ApiError, Params, operation, validation
from statewright.server.versioning import versions_lock
from statewright.store import ResourceExists
from statewright.store.records import ResourceRecord

MAX_ALIASES = 100  # AWS's quota of aliases per state machine
# AWS's pattern: letters, digits, '_', '-' and '.', not digits alone (that would read as a version number).
_NAME = re.compile(r"^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]+$")


def not_found(arn: str | None = None) -> ApiError:
    return ApiError("ResourceNotFound", f"Resource not found: '{arn}'" if arn else
                    "Request references a resource that does not exist.")


def _name(params: Params) -> str:
    name = params.required_str("name")
    if len(name) > 80:
        raise validation(f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
                         "Member must have length less than or equal to 80")
    if not _NAME.match(name):
        raise validation(f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
                         f"Member must satisfy regular expression pattern: {_NAME.pattern}")
    return name


def _alias_ref(arn: str) -> MachineRef:
    ref = parse_machine(arn)
    if ref.alias is None:
        raise invalid_arn(arn, "state machine alias")
    return ref


def _routing_entry(index: int, entry: Any) -> dict[str, Any]:
    where = f"routingConfiguration.{index + 1}.member"
    if not isinstance(entry, dict) or not isinstance(entry.get("stateMachineVersionArn"), str):
        raise validation(f"1 validation error detected: Value null at '{where}.stateMachineVersionArn' failed to "
                         "satisfy constraint: Member must not be null")
    weight = entry.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int):
        raise validation(f"1 validation error detected: Value null at '{where}.weight' failed to satisfy "
                         "constraint: Member must not be null")
    if weight > 100 or weight < 0:
        bound = "less than or equal to 100" if weight > 100 else "greater than or equal to 0"
        raise validation(f"1 validation error detected: Value '{weight}' at '{where}.weight' failed to satisfy "
                         f"constraint: Member must have value {bound}")
    return {"stateMachineVersionArn": entry["stateMachineVersionArn"], "weight": weight}


async def routing_of(context: ServerContext, value: Any) -> tuple[str, list[dict[str, Any]]]:
    """(the machine ARN, the routing configuration in canonical ARNs): checked as AWS checks it.

    Raises ValidationException for the shape, ARNs that are not versions of one machine, repeated versions or
    weights not summing to 100; ResourceNotFound for a version (or machine) that does not exist.
    """
    if not isinstance(value, list) or not 1 <= len(value) <= 2:
        length = len(value) if isinstance(value, list) else 0
        bound = "less than or equal to 2" if length > 2 else "greater than or equal to 1"
        raise validation(f"1 validation error detected: Value at 'routingConfiguration' failed to satisfy "
                         f"constraint: Member must have length {bound}")
    entries = [_routing_entry(index, entry) for index, entry in enumerate(value)]
    given = [entry["stateMachineVersionArn"] for entry in entries]
    refs = []
    for arn in given:
        try:
            ref = parse_machine(arn)
        except ApiError:
            ref = None
        if ref is None or ref.version is None:
            raise validation(f"Routing configuration must contain state machine version ARNs. Received: "
                             f"[{', '.join(given)}]")
        refs.append(ref)
    if len({ref.qualified_arn for ref in refs}) != len(refs):
        raise validation(f"Routing configuration must contain distinct state machine version ARNs. Received: "
                         f"[{', '.join(given)}]")
    if len({ref.arn for ref in refs}) != 1:
        raise validation(f"Routing configuration must contain versions of one state machine. Received: "
                         f"[{', '.join(given)}]")
    weights = [entry["weight"] for entry in entries]
    if sum(weights) != 100:
        raise validation(f"Sum of routing configuration weights must equal 100. Received: "
                         f"[{', '.join(map(str, weights))}]")
    for ref, arn in zip(refs, given, strict=True):
        if await context.store.resource(VERSION, ref.qualified_arn) is None:
            raise not_found(arn)
    routing = [{"stateMachineVersionArn": ref.qualified_arn, "weight": entry["weight"]}
               for ref, entry in zip(refs, entries, strict=True)]
    return refs[0].arn, routing


def _same(record: ResourceRecord, description: str | None, routing: list[dict[str, Any]]) -> bool:
    return record.body.get("description") == description and record.body["routingConfiguration"] == routing


@operation("CreateStateMachineAlias")
async def create_state_machine_alias(context: ServerContext, params: Params) -> dict[str, Any]:
    """Idempotent, as AWS: the same name, description and routing return the alias there is."""
    name = _name(params)
    description = params.str("description", max_length=256)
    async with versions_lock(context):  # the versions it routes to are not deleted meanwhile
        return await _create(context, name, description, params.body.get("routingConfiguration"))


async def _create(context: ServerContext, name: str, description: str | None, given: Any) -> dict[str, Any]:
    machine, routing = await routing_of(context, given)
    machine_record = await context.store.resource(MACHINE, machine)
    if machine_record is None:
        raise not_found(machine)
    arn = f"{machine}:{name}"
    record = ResourceRecord(ALIAS, arn, name, {"description": description, "routingConfiguration": routing},
                            parent=machine)
    existing = await context.store.resource(ALIAS, arn)
    if existing is None:
        if len(await context.store.resources(ALIAS, parent=machine, limit=MAX_ALIASES)) >= MAX_ALIASES:
            raise ApiError("ServiceQuotaExceededException",
                           f"The state machine '{machine}' already has {MAX_ALIASES} aliases: delete some first")
        try:
            existing = await context.store.put_resource(record)
        except ResourceExists:  # created meanwhile by another request: judged as if it came first
            existing = await context.store.resource(ALIAS, arn)
    if existing is None or not _same(existing, description, routing):
        raise ApiError("ConflictException", "Failed to create alias because an alias with the same name and a "
                       "different routing configuration already exists.")
    return {"stateMachineAliasArn": arn, "creationDate": existing.created}


def described(record: ResourceRecord) -> dict[str, Any]:
    document: dict[str, Any] = {
        "stateMachineAliasArn": record.arn, "name": record.name,
        "routingConfiguration": record.body["routingConfiguration"],
        "creationDate": record.created, "updateDate": record.updated,
    }
    if record.body.get("description") is not None:
        document["description"] = record.body["description"]
    return document


@operation("DescribeStateMachineAlias")
async def describe_state_machine_alias(context: ServerContext, params: Params) -> dict[str, Any]:
    arn = params.required_str("stateMachineAliasArn", max_length=256)
    record = await context.store.resource(ALIAS, _alias_ref(arn).qualified_arn)
    if record is None:
        raise not_found(arn)
    return described(record)


@operation("ListStateMachineAliases")
async def list_state_machine_aliases(context: ServerContext, params: Params) -> dict[str, Any]:
    """The machine's aliases, or those routing to a version when given a version ARN; in ARN order."""
    arn = params.required_str("stateMachineArn", max_length=256)
    ref = parse_machine(arn)
    if ref.alias is not None:
        raise ApiError("InvalidArn", f"Invalid Arn: '{arn}' names an alias: give a state machine or version ARN")
    if await context.store.resource(MACHINE, ref.arn) is None:
        raise machine_missing(arn)
    if ref.version is not None and await context.store.resource(VERSION, ref.qualified_arn) is None:
        raise not_found(arn)
    limit = params.int("maxResults", low=0, high=1000, default=0) or 100
    after = page_after(params.str("nextToken"))
    aliases = await context.store.resources(ALIAS, parent=ref.arn, after=after, limit=MAX_ALIASES + 1)
    if ref.version is not None:
        aliases = [alias for alias in aliases if any(
            entry["stateMachineVersionArn"] == ref.qualified_arn for entry in alias.body["routingConfiguration"])]
    page = aliases[:limit]
    response: dict[str, Any] = {"stateMachineAliases": [
        {"stateMachineAliasArn": alias.arn, "creationDate": alias.created} for alias in page]}
    if len(aliases) > limit:
        response["nextToken"] = page_token(page[-1].arn)
    return response


@operation("UpdateStateMachineAlias")
async def update_state_machine_alias(context: ServerContext, params: Params) -> dict[str, Any]:
    arn = params.required_str("stateMachineAliasArn", max_length=256)
    ref = _alias_ref(arn)
    description = params.str("description", max_length=256)
    given = params.body.get("routingConfiguration")
    if description is None and given is None:
        raise validation("Either the description or the routingConfiguration must be given")
    if await context.store.resource(ALIAS, ref.qualified_arn) is None:
        raise not_found()
    async with versions_lock(context):  # the versions it routes to are not deleted meanwhile
        return await _update(context, ref, description, given)


async def _update(context: ServerContext, ref: MachineRef, description: str | None, given: Any) -> dict[str, Any]:
    routing = None
    if given is not None:
        machine, routing = await routing_of(context, given)
        if machine != ref.arn:
            raise validation(f"Routing configuration must contain versions of the alias's state machine "
                             f"'{ref.arn}'. Received: [{', '.join(e['stateMachineVersionArn'] for e in routing)}]")

    def change(record: ResourceRecord) -> ResourceRecord:
        body = dict(record.body)
        if description is not None:
            body["description"] = description
        if routing is not None:
            body["routingConfiguration"] = routing
        return ResourceRecord(record.kind, record.arn, record.name, body, record.parent, record.created)

    updated = await context.store.update_resource(ALIAS, ref.qualified_arn, change)
    if updated is None:
        raise not_found()
    return {"updateDate": updated.updated}


@operation("DeleteStateMachineAlias")
async def delete_state_machine_alias(context: ServerContext, params: Params) -> dict[str, Any]:
    """Deleting an alias that is not there succeeds, as AWS; its versions stay."""
    ref = _alias_ref(params.required_str("stateMachineAliasArn", max_length=256))
    await context.store.delete_resource(ALIAS, ref.qualified_arn)
    return {}
