"""TagResource, UntagResource, ListTagsForResource on state machines and activities.

Tags are a ``tags`` resource under the tagged resource's ARN (``server/tagging.py``). Versions and aliases
cannot be tagged: AWS answers ResourceNotFound for their ARNs, and so does this server.
"""

from __future__ import annotations

from typing import Any

from statewright.server.arns import PREFIX, invalid_arn, parse_activity, parse_machine
from statewright.server.context import ACTIVITY, MACHINE, TAGS, ServerContext
from statewright.server.protocol import ApiError, Params, operation, validation
from statewright.server.tagging import check_count, tag_list, tags_of_request
from statewright.store import ResourceExists
from statewright.store.records import ResourceRecord


async def tagged(context: ServerContext, arn: str) -> ResourceRecord:
    """The state machine or activity ``arn`` names (raises InvalidArn, ResourceNotFound)."""
    if ":stateMachine:" in arn:
        ref = parse_machine(arn)
        record = None
        if ref.version is None and ref.alias is None:
            record = await context.store.resource(MACHINE, ref.arn)
    elif ":activity:" in arn:
        record = await context.store.resource(ACTIVITY, f"{PREFIX}activity:{parse_activity(arn)}")
    else:
        raise invalid_arn(arn, "state machine or activity")
    if record is None:
        raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
    return record


def _resource_arn(params: Params) -> str:
    return params.required_str("resourceArn", max_length=256)


@operation("TagResource")
async def tag_resource(context: ServerContext, params: Params) -> dict[str, Any]:
    """Adds tags, replacing the value of a key already there."""
    arn = _resource_arn(params)
    if params.body.get("tags") is None:
        raise validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member "
                         "must not be null")
    adding = tags_of_request(params.list("tags"))
    resource = await tagged(context, arn)

    def change(record: ResourceRecord) -> ResourceRecord:
        merged = {**record.body, **adding}
        check_count(merged, arn)
        return ResourceRecord(record.kind, record.arn, record.name, merged, record.parent, record.created)

    for _ in range(2):  # a first tag set written meanwhile by another request: merge into it
        if await context.store.update_resource(TAGS, resource.arn, change) is not None:
            return {}
        try:
            await context.store.put_resource(ResourceRecord(TAGS, resource.arn, resource.name, adding))
            return {}
        except ResourceExists:
            continue
    raise ApiError("InternalFailure", "The tags changed while they were being written: try again", 500)


@operation("UntagResource")
async def untag_resource(context: ServerContext, params: Params) -> dict[str, Any]:
    """Removes the keys given; keys the resource does not have are ignored, as AWS."""
    arn = _resource_arn(params)
    keys = params.body.get("tagKeys")
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise validation("1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member "
                         "must be a list of strings")
    resource = await tagged(context, arn)
    removing = set(keys)

    def change(record: ResourceRecord) -> ResourceRecord:
        kept = {key: value for key, value in record.body.items() if key not in removing}
        return ResourceRecord(record.kind, record.arn, record.name, kept, record.parent, record.created)

    await context.store.update_resource(TAGS, resource.arn, change)
    return {}


@operation("ListTagsForResource")
async def list_tags_for_resource(context: ServerContext, params: Params) -> dict[str, Any]:
    resource = await tagged(context, _resource_arn(params))
    tags = await context.store.resource(TAGS, resource.arn)
    return {"tags": tag_list(tags.body if tags is not None else {})}
