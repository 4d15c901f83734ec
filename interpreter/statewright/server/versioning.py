"""Publishing versions: an immutable, numbered copy of a machine's definition and role.

The machine's body counts versions (``versionCount``) and remembers the revision last published
(``publishedRevision``, ``latestVersionArn``): publishing an unchanged revision again returns the version it
already has, as AWS does. Numbers are never reused, even after a version is deleted; a revision whose version
was deleted is published again under a new number (AWS finds no version of the revision, so it makes one).

Publishing writes two records (the machine's counters, then the version), and deleting a version must not
race an alias being pointed at it; :func:`versions_lock` serialises those changes within the one server
process that owns the store (the store takes a file lock, so there is only ever one).
"""

from __future__ import annotations

import asyncio
from typing import Any

from statewright.server.context import MACHINE, VERSION, ServerContext, machine_missing
from statewright.server.protocol import ApiError
from statewright.store.records import ResourceRecord

MAX_VERSIONS = 1000  # AWS's quota of versions per state machine


def stale_revision(given: str, current: str) -> ApiError:
    return ApiError("ConflictException", f"Failed to publish the State Machine version for revision {given}. "
                    f"The current State Machine revision is {current}.")


def versions_lock(context: ServerContext) -> asyncio.Lock:
    """The lock held while versions are published or deleted and while aliases are pointed at versions."""
    lock = context.extensions.get("versions.lock")
    if lock is None:
        lock = context.extensions["versions.lock"] = asyncio.Lock()
    return lock


async def publish_version(context: ServerContext, arn: str, description: str | None,
                          revision_id: str | None = None) -> ResourceRecord:
    """Publish the machine ``arn``'s current revision (raises ConflictException when ``revision_id`` is stale)."""
    async with versions_lock(context):
        return await _publish(context, arn, description, revision_id)


async def _publish(context: ServerContext, arn: str, description: str | None,
                   revision_id: str | None) -> ResourceRecord:
    current = await context.store.resource(MACHINE, arn)
    if current is None:
        raise machine_missing(arn)
    latest = current.body.get("latestVersionArn")
    # Read before the transaction (its change callback cannot await); the lock keeps it true meanwhile.
    latest_exists = bool(latest) and await context.store.resource(VERSION, latest) is not None
    if not latest_exists and len(await context.store.resources(VERSION, parent=arn, limit=MAX_VERSIONS)) >= (
            MAX_VERSIONS):
        raise ApiError("ServiceQuotaExceededException",
                       f"The state machine '{arn}' already has {MAX_VERSIONS} versions: delete some first")
    taken: dict[str, Any] = {}

    def change(record: ResourceRecord) -> ResourceRecord:
        body = dict(record.body)
        if revision_id is not None and revision_id != body["revisionId"]:
            raise stale_revision(revision_id, body["revisionId"])
        if latest_exists and body.get("publishedRevision") == body["revisionId"]:
            taken["existing"] = latest
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
        if existing is None:  # DeleteStateMachine took the machine's versions meanwhile
            raise machine_missing(arn)
        return existing
    return await context.store.put_resource(ResourceRecord(VERSION, taken["arn"], machine.name, taken["body"],
                                                           parent=arn))
