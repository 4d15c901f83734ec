"""Create, Describe, Update, List and Delete StateMachine.

A machine's body: ``definition`` (text, as given), ``type``, ``roleArn``, ``revisionId`` (new on every change
of definition or role), ``description``, ``loggingConfiguration``, ``tracingConfiguration``, and the
versioning counters PublishStateMachineVersion keeps (``server/versioning.py``).
"""

from __future__ import annotations

import uuid
from typing import Any

from statewright.core.names import name_problem
from statewright.server.arns import machine_arn, parse_machine
from statewright.server.context import ALIAS, MACHINE, TAGS, VERSION, ServerContext, check_definition, machine_missing
from statewright.server.paging import page_after, page_token
from statewright.server.protocol import ApiError, Params, operation, validation
from statewright.server.tagging import tags_of_request
from statewright.server.versioning import publish_version
from statewright.store import ResourceExists
from statewright.store.records import ResourceRecord

_TYPES = ("STANDARD", "EXPRESS")
_DEFAULT_LOGGING = {"level": "OFF", "includeExecutionData": False}
_DEFAULT_TRACING = {"enabled": False}
_MAX_DEFINITION = 1_048_576  # AWS's limit on a definition's length


def _name(params: Params) -> str:
    name = params.required_str("name")
    problem = name_problem(name, "state machine name")
    if problem is not None:
        raise ApiError("InvalidName", f"Invalid Name: '{name}': {problem}")
    return name


def _type(params: Params) -> str:
    kind = params.str("type", default="STANDARD")
    if kind not in _TYPES:
        raise validation(f"1 validation error detected: Value '{kind}' at 'type' failed to satisfy constraint: "
                         f"Member must satisfy enum value set: [{', '.join(_TYPES)}]")
    return str(kind)


def _role(params: Params, required: bool) -> str | None:
    role = params.str("roleArn", required=required, max_length=256)
    if role is not None and not role.startswith("arn:"):
        raise ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {role}'")
    return role


@operation("CreateStateMachine")
async def create_state_machine(context: ServerContext, params: Params) -> dict[str, Any]:
    name = _name(params)
    kind = _type(params)
    definition = params.required_str("definition", max_length=_MAX_DEFINITION)
    role = _role(params, required=True)
    check_definition(definition, kind)
    publish = params.bool("publish", False)
    if params.str("versionDescription") is not None and not publish:
        raise validation("Version description can only be set when publish is true")
    tags = tags_of_request(params.list("tags"))
    arn = machine_arn(name)
    body = {"definition": definition, "type": kind, "roleArn": role, "revisionId": str(uuid.uuid4()),
            "loggingConfiguration": params.dict("loggingConfiguration") or _DEFAULT_LOGGING,
            "tracingConfiguration": params.dict("tracingConfiguration") or _DEFAULT_TRACING}
    try:
        record = await context.store.put_resource(ResourceRecord(MACHINE, arn, name, body))
    except ResourceExists:
        existing = await context.store.resource(MACHINE, arn)
        # As AWS: creating the same machine again is idempotent; anything different is a conflict.
        if existing is None or any(existing.body.get(key) != body[key] for key in ("definition", "type", "roleArn")):
            raise ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'") from None
        record = existing
    if tags:
        await context.store.put_resource(ResourceRecord(TAGS, arn, name, tags), replace=True)
    response: dict[str, Any] = {"stateMachineArn": arn, "creationDate": record.created}
    if publish:
        version = await publish_version(context, arn, params.str("versionDescription"))
        response["stateMachineVersionArn"] = version.arn
    return response


def describe(record: ResourceRecord, arn: str | None = None) -> dict[str, Any]:
    """DescribeStateMachine's document for a machine or a version record."""
    body = record.body
    document: dict[str, Any] = {
        "stateMachineArn": arn or record.arn, "name": record.name, "status": "ACTIVE",
        "definition": body["definition"], "roleArn": body["roleArn"], "type": body["type"],
        "creationDate": record.created,
        "loggingConfiguration": body.get("loggingConfiguration") or _DEFAULT_LOGGING,
        "tracingConfiguration": body.get("tracingConfiguration") or _DEFAULT_TRACING,
    }
    if body.get("revisionId"):
        document["revisionId"] = body["revisionId"]
    if body.get("description"):
        document["description"] = body["description"]
    return document


@operation("DescribeStateMachine")
async def describe_state_machine(context: ServerContext, params: Params) -> dict[str, Any]:
    arn = params.required_str("stateMachineArn")
    _, machine, qualifier = await context.resolve(arn)
    if qualifier is not None and qualifier.kind == ALIAS:
        raise ApiError("InvalidArn", f"Invalid Arn: '{arn}' names an alias: use DescribeStateMachineAlias")
    if qualifier is not None:
        document = describe(qualifier)
        document["name"] = machine.name
        return document
    return describe(machine)


@operation("UpdateStateMachine")
async def update_state_machine(context: ServerContext, params: Params) -> dict[str, Any]:
    arn = params.required_str("stateMachineArn")
    ref = parse_machine(arn)
    if ref.version is not None or ref.alias is not None:
        raise ApiError("InvalidArn", f"Invalid Arn: '{arn}': UpdateStateMachine takes an unqualified ARN")
    definition = params.str("definition", max_length=_MAX_DEFINITION)
    role = _role(params, required=False)
    logging_config = params.dict("loggingConfiguration")
    tracing = params.dict("tracingConfiguration")
    if definition is None and role is None and logging_config is None and tracing is None:
        raise ApiError("MissingRequiredParameter",
                       "Either the definition, roleArn, loggingConfiguration or tracingConfiguration must be given")
    publish = params.bool("publish", False)
    if params.str("versionDescription") is not None and not publish:
        raise validation("Version description can only be set when publish is true")
    current = await context.store.resource(MACHINE, ref.arn)
    if current is None:
        raise machine_missing(arn)
    if definition is not None:
        check_definition(definition, current.body["type"])

    def change(record: ResourceRecord) -> ResourceRecord:
        body = dict(record.body)
        changed = False
        for key, value in (("definition", definition), ("roleArn", role)):
            if value is not None and body.get(key) != value:
                body[key] = value
                changed = True
        if changed:
            body["revisionId"] = str(uuid.uuid4())
        if logging_config is not None:
            body["loggingConfiguration"] = logging_config
        if tracing is not None:
            body["tracingConfiguration"] = tracing
        return ResourceRecord(record.kind, record.arn, record.name, body, record.parent, record.created)

    updated = await context.store.update_resource(MACHINE, ref.arn, change)
    if updated is None:
        raise machine_missing(arn)
    response: dict[str, Any] = {"updateDate": updated.updated, "revisionId": updated.body["revisionId"]}
    if publish:
        version = await publish_version(context, ref.arn, params.str("versionDescription"))
        response["stateMachineVersionArn"] = version.arn
    return response


@operation("ListStateMachines")
async def list_state_machines(context: ServerContext, params: Params) -> dict[str, Any]:
    limit = params.int("maxResults", low=0, high=1000, default=0) or 100
    after = page_after(params.str("nextToken"))
    records = await context.store.resources(MACHINE, after=after, limit=limit + 1)
    response: dict[str, Any] = {"stateMachines": [
        {"stateMachineArn": record.arn, "name": record.name, "type": record.body["type"],
         "creationDate": record.created} for record in records[:limit]]}
    if len(records) > limit:
        response["nextToken"] = page_token(records[limit - 1].arn)
    return response


@operation("DeleteStateMachine")
async def delete_state_machine(context: ServerContext, params: Params) -> dict[str, Any]:
    """Deletes the machine, its versions, aliases and tags; its executions (running ones too) are kept, as AWS."""
    arn = params.required_str("stateMachineArn")
    ref = parse_machine(arn)
    store = context.store
    if ref.version is not None:  # a version: as DeleteStateMachineVersion (refused while an alias routes to it)
        from statewright.server.actions.versions import delete_state_machine_version

        return await delete_state_machine_version(context, Params({"stateMachineVersionArn": ref.qualified_arn}))
    if ref.alias is not None:
        raise ApiError("InvalidArn", f"Invalid Arn: '{arn}' names an alias: use DeleteStateMachineAlias")
    for kind in (ALIAS, VERSION):
        for child in await store.resources(kind, parent=ref.arn, limit=10_000):
            await store.delete_resource(kind, child.arn)
            await store.delete_resource(TAGS, child.arn)
    await store.delete_resource(TAGS, ref.arn)
    await store.delete_resource(MACHINE, ref.arn)
    return {}
