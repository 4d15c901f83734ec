"""PublishStateMachineVersion, ListStateMachineVersions, DeleteStateMachineVersion.

A version is a ``version`` resource whose parent is its machine (``server/versioning.py`` publishes them);
DescribeStateMachine and StartExecution take its ARN (``actions/machines.py``, ``ServerContext.target``).
"""

from __future__ import annotations

from typing import Any

from statewright.server.arns import invalid_arn, parse_machine
from statewright.server.context import ALIAS, VERSION, ServerContext
from statewright.server.paging import page_after, page_token
from statewright.server.protocol import ApiError, Params, operation
from statewright.server.versioning import MAX_VERSIONS, publish_version, versions_lock


def unqualified(arn: str) -> str:
    """The canonical ARN of a state machine that must be given without a version or alias."""
    ref = parse_machine(arn)
    if ref.version is not None or ref.alias is not None:
        raise ApiError("InvalidArn", f"Invalid Arn: '{arn}': give the state machine's ARN without a version or "
                       "alias")
    return ref.arn


def version_ref(arn: str, member: str = "stateMachineVersionArn") -> tuple[str, str]:
    """(machine ARN, version ARN) of a state machine version ARN (raises InvalidArn for any other ARN)."""
    ref = parse_machine(arn)
    if ref.version is None:
        raise invalid_arn(arn, f"state machine version ('{member}')")
    return ref.arn, ref.qualified_arn


@operation("PublishStateMachineVersion")
async def publish_state_machine_version(context: ServerContext, params: Params) -> dict[str, Any]:
    arn = unqualified(params.required_str("stateMachineArn", max_length=256))
    revision = params.str("revisionId")
    description = params.str("description", max_length=256)
    version = await publish_version(context, arn, description, revision)
    return {"stateMachineVersionArn": version.arn, "creationDate": version.created}


@operation("ListStateMachineVersions")
async def list_state_machine_versions(context: ServerContext, params: Params) -> dict[str, Any]:
    """Newest first, as AWS. A machine that does not exist has none (AWS names no error for it)."""
    arn = unqualified(params.required_str("stateMachineArn", max_length=256))
    limit = params.int("maxResults", low=0, high=1000, default=0) or 100
    after = page_after(params.str("nextToken"))
    try:
        below = int(after) if after is not None else None
    except ValueError:
        raise ApiError("InvalidToken", "Invalid Token: not a nextToken this server returned") from None
    # Numbers order versions by creation; the store orders ARNs as text (':10' before ':2'), so sort here.
    versions = sorted(await context.store.resources(VERSION, parent=arn, limit=MAX_VERSIONS),
                      key=lambda record: int(record.body["version"]), reverse=True)
    if below is not None:
        versions = [record for record in versions if int(record.body["version"]) < below]
    page = versions[:limit]
    response: dict[str, Any] = {"stateMachineVersions": [
        {"stateMachineVersionArn": record.arn, "creationDate": record.created} for record in page]}
    if len(versions) > limit:
        response["nextToken"] = page_token(str(page[-1].body["version"]))
    return response


@operation("DeleteStateMachineVersion")
async def delete_state_machine_version(context: ServerContext, params: Params) -> dict[str, Any]:
    """Refused while an alias routes to the version; deleting one that is not there succeeds, as AWS."""
    machine, version = version_ref(params.required_str("stateMachineVersionArn", max_length=2000))
    async with versions_lock(context):  # no alias is pointed at it between the check and the delete
        referencing = [alias.name for alias in await context.store.resources(ALIAS, parent=machine, limit=1000)
                       if any(entry["stateMachineVersionArn"] == version
                              for entry in alias.body["routingConfiguration"])]
        if referencing:
            raise ApiError("ConflictException", "Version to be deleted must not be referenced by an alias. Current "
                           f"list of aliases referencing this version: [{', '.join(referencing)}]")
        await context.store.delete_resource(VERSION, version)
    return {}
