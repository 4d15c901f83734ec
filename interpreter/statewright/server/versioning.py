"""Publishing versions: an immutable, numbered copy of a machine's definition and role.

The machine's body counts versions (``versionCount``) and remembers the revision last published
(``publishedRevision``, ``latestVersionArn``): publishing an unchanged revision again returns the version it
already has, as AWS does. Numbers are never reused, even after a version is deleted.
"""

from __future__ import annotations

from typing import Any

from statewright.server.context import MACHINE, VERSION, ServerContext, machine_missing
from statewright.server.protocol import ApiError
from statewright.store.records import ResourceRecord


async def publish_version(context: ServerContext, arn: str, description: str | None,
                          revision_id: str | None = None) -> ResourceRecord:
    """Publish the machine ``arn``'s current revision (raises ConflictException when ``revision_id`` is stale)."""
    taken: dict[str, Any] = {}

    def change(record: ResourceRecord) -> ResourceRecord:
        body = dict(record.body)
        if revision_id is not None and revision_id != body["revisionId"]:
            raise ApiError("ConflictException", f"The revision ID {revision_id} is not the state machine's "
                           f"current revision ({body['revisionId']})")
        if body.get("publishedRevision") == body["revisionId"] and body.get("latestVersionArn"):
            taken["existing"] = body["latestVersionArn"]
            return record
        number = int(body.get("versionCount", 0)) + 1
        body["versionCount"] = number
        body["publishedRevision"] = body["revisionId"]
        body["latestVersionArn"] = taken["arn"] = f"{record.arn}:{number}"
        taken["body"] = {key: body[key] for key in ("definition", "type", "roleArn", "revisionId")}
        taken["body"].update(description=description, version=number,
                             loggingConfiguration=body.get("loggingConfiguration"),
                             tracingConfiguration=body.get("tracingConfiguration"))
        return ResourceRecord(record.kind, record.arn, record.name, body, record.parent, record.created)

    machine = await context.store.update_resource(MACHINE, arn, change)
    if machine is None:
        raise machine_missing(arn)
    if "existing" in taken:
        existing = await context.store.resource(VERSION, taken["existing"])
        if existing is not None:
            return existing
        raise ApiError("ConflictException", f"The latest version {taken['existing']} was deleted; change the "
                       "state machine before publishing again")
    return await context.store.put_resource(ResourceRecord(VERSION, taken["arn"], machine.name, taken["body"],
                                                           parent=arn))
