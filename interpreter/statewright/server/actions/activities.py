"""CreateActivity, DescribeActivity, ListActivities, DeleteActivity, GetActivityTask (docs/activities.md).

An activity is an ``activity`` resource whose body holds its ``encryptionConfiguration`` (kept and shown as
given; nothing is encrypted). The queues its tasks wait in are ``server/activities.py``'s.
"""

from __future__ import annotations

from typing import Any

from statewright.core.names import name_problem
from statewright.server.activities import queues_of
from statewright.server.arns import activity_arn, parse_activity
from statewright.server.context import ACTIVITY, TAGS, ServerContext
from statewright.server.paging import page_after, page_token
from statewright.server.protocol import ApiError, Params, operation, validation
from statewright.server.shapes import json_text
from statewright.server.tagging import tags_of_request
from statewright.store import ResourceExists
from statewright.store.records import ResourceRecord

_ENCRYPTION_TYPES = ("AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY")


def activity_missing(arn: str) -> ApiError:
    return ApiError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")


def _encryption(params: Params) -> dict[str, Any] | None:
    config = params.dict("encryptionConfiguration")
    if config is None:
        return None
    kind = config.get("type")
    if kind not in _ENCRYPTION_TYPES:
        raise validation(f"1 validation error detected: Value '{kind}' at 'encryptionConfiguration.type' failed "
                         f"to satisfy constraint: Member must satisfy enum value set: [{', '.join(_ENCRYPTION_TYPES)}]")
    if kind == "CUSTOMER_MANAGED_KMS_KEY" and not config.get("kmsKeyId"):
        raise ApiError("InvalidEncryptionConfiguration", "Invalid Encryption Configuration: kmsKeyId is required "
                       "for CUSTOMER_MANAGED_KMS_KEY")
    return config


async def _activity(context: ServerContext, params: Params) -> ResourceRecord:
    """The activity ``activityArn`` names (raises InvalidArn, ActivityDoesNotExist)."""
    given = params.required_str("activityArn", max_length=256)
    record = await context.store.resource(ACTIVITY, activity_arn(parse_activity(given)))
    if record is None:
        raise activity_missing(given)
    return record


@operation("CreateActivity")
async def create_activity(context: ServerContext, params: Params) -> dict[str, Any]:
    """Idempotent by name, as AWS: creating an existing activity again returns it, its tags unchanged."""
    name = params.required_str("name")
    if name_problem(name, "activity name") is not None:
        raise ApiError("InvalidName", f"Invalid Name: '{name}'")
    tags = tags_of_request(params.list("tags"))
    encryption = _encryption(params)
    arn = activity_arn(name)
    body: dict[str, Any] = {} if encryption is None else {"encryptionConfiguration": encryption}
    try:
        record = await context.store.put_resource(ResourceRecord(ACTIVITY, arn, name, body))
    except ResourceExists:
        existing = await context.store.resource(ACTIVITY, arn)
        if existing is None or (encryption is not None and existing.body.get("encryptionConfiguration") != encryption):
            raise ApiError("ActivityAlreadyExists", f"Activity Already Exists: '{arn}'") from None
        return {"activityArn": arn, "creationDate": existing.created}
    if tags:
        await context.store.put_resource(ResourceRecord(TAGS, arn, name, tags), replace=True)
    return {"activityArn": arn, "creationDate": record.created}


@operation("DescribeActivity")
async def describe_activity(context: ServerContext, params: Params) -> dict[str, Any]:
    record = await _activity(context, params)
    document: dict[str, Any] = {"activityArn": record.arn, "name": record.name, "creationDate": record.created}
    if record.body.get("encryptionConfiguration"):
        document["encryptionConfiguration"] = record.body["encryptionConfiguration"]
    return document


@operation("ListActivities")
async def list_activities(context: ServerContext, params: Params) -> dict[str, Any]:
    limit = params.int("maxResults", low=0, high=1000, default=0) or 100
    after = page_after(params.str("nextToken"))
    records = await context.store.resources(ACTIVITY, after=after, limit=limit + 1)
    response: dict[str, Any] = {"activities": [
        {"activityArn": record.arn, "name": record.name, "creationDate": record.created}
        for record in records[:limit]]}
    if len(records) > limit:
        response["nextToken"] = page_token(records[limit - 1].arn)
    return response


@operation("DeleteActivity")
async def delete_activity(context: ServerContext, params: Params) -> dict[str, Any]:
    """Deleting an activity that does not exist succeeds, as AWS. Tasks already queued for it stay queued
    (until their timeouts); new ones fail with States.Runtime."""
    arn = activity_arn(parse_activity(params.required_str("activityArn", max_length=256)))
    await context.store.delete_resource(TAGS, arn)
    await context.store.delete_resource(ACTIVITY, arn)
    return {}


@operation("GetActivityTask")
async def get_activity_task(context: ServerContext, params: Params) -> dict[str, Any]:
    """The long poll: a task as soon as one is scheduled, or ``{}`` (no taskToken) after 60 s without one."""
    record = await _activity(context, params)
    worker_name = params.str("workerName", max_length=80)
    invocation = await queues_of(context).take(record.arn, worker_name)
    if invocation is None:
        return {}
    return {"taskToken": invocation.token, "input": json_text(invocation.payload)}
