"""TagResource, UntagResource and ListTagsForResource through boto3 against a real server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import ROLE
from tests.server.test_machines import PASS_WAIT, code_of


def create(sfn: Any, name: str = "tagged", **extra: Any) -> str:
    return str(sfn.create_state_machine(name=name, definition=json.dumps(PASS_WAIT), roleArn=ROLE,
                                        **extra)["stateMachineArn"])


def tags_of(sfn: Any, arn: str) -> list[dict[str, str]]:
    return list(sfn.list_tags_for_resource(resourceArn=arn)["tags"])


def test_tags_are_added_replaced_and_removed(sfn: Any) -> None:
    arn = create(sfn, tags=[{"key": "team", "value": "payments"}])
    assert tags_of(sfn, arn) == [{"key": "team", "value": "payments"}]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "prod"}, {"key": "team", "value": "billing"},
                                            {"key": "empty"}])
    # A key set again keeps its place and takes the new value; a tag without a value has the value "".
    assert tags_of(sfn, arn) == [{"key": "team", "value": "billing"}, {"key": "env", "value": "prod"},
                                 {"key": "empty", "value": ""}]
    sfn.untag_resource(resourceArn=arn, tagKeys=["team", "not-there"])
    assert tags_of(sfn, arn) == [{"key": "env", "value": "prod"}, {"key": "empty", "value": ""}]
    sfn.untag_resource(resourceArn=arn, tagKeys=["env", "empty"])
    assert tags_of(sfn, arn) == []
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "cost-centre:id", "value": "a/b=c+d@e f.g_h-ü"}])
    assert tags_of(sfn, arn) == [{"key": "cost-centre:id", "value": "a/b=c+d@e f.g_h-ü"}]
    # Tags go with the machine: the same name created again starts with none.
    sfn.delete_state_machine(stateMachineArn=arn)
    assert code_of(lambda: sfn.list_tags_for_resource(resourceArn=arn)) == "ResourceNotFound"
    assert tags_of(sfn, create(sfn)) == []


def test_an_untagged_machine_lists_no_tags_and_an_arn_from_another_region_finds_it(sfn: Any) -> None:
    arn = create(sfn)
    assert tags_of(sfn, arn) == []
    elsewhere = arn.replace("us-east-1", "eu-west-1")
    sfn.tag_resource(resourceArn=elsewhere, tags=[{"key": "k", "value": "v"}])
    assert tags_of(sfn, arn) == [{"key": "k", "value": "v"}]


def test_too_many_tags_and_bad_tags(sfn: Any) -> None:
    arn = create(sfn, tags=[{"key": f"k{index}", "value": "v"} for index in range(49)])
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "k48", "value": "again"}, {"key": "k49", "value": "v"}])
    assert len(tags_of(sfn, arn)) == 50
    assert code_of(lambda: sfn.tag_resource(resourceArn=arn, tags=[{"key": "one-more", "value": "v"}])) == (
        "TooManyTags")
    assert len(tags_of(sfn, arn)) == 50  # nothing of a refused request is kept
    assert code_of(lambda: create(sfn, "crowded", tags=[{"key": f"k{i}", "value": "v"} for i in range(51)])) == (
        "TooManyTags")
    assert code_of(lambda: sfn.tag_resource(resourceArn=arn, tags=[{"key": "bad#key", "value": "v"}])) == (
        "ValidationException")
    assert code_of(lambda: sfn.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": "semi;colon"}])) == (
        "ValidationException")
    assert code_of(lambda: sfn.tag_resource(resourceArn=arn, tags=[{"key": "k" * 129, "value": "v"}])) == (
        "ValidationException")


def test_what_cannot_be_tagged(sfn: Any) -> None:
    arn = create(sfn, publish=True)
    # AWS answers ResourceNotFound for a version's ARN (and an alias's): only machines and activities have tags.
    with pytest.raises(ClientError) as caught:
        sfn.tag_resource(resourceArn=f"{arn}:1", tags=[{"key": "k", "value": "v"}])
    assert caught.value.response["Error"] == {"Code": "ResourceNotFound", "Message": f"Resource not found: '{arn}:1'"}
    missing = arn.replace("tagged", "nothing")
    for call in (lambda: sfn.tag_resource(resourceArn=missing, tags=[]),
                 lambda: sfn.untag_resource(resourceArn=missing, tagKeys=["k"]),
                 lambda: sfn.list_tags_for_resource(resourceArn=missing),
                 lambda: sfn.list_tags_for_resource(resourceArn="arn:aws:states:us-east-1:123456789012:activity:none")):
        assert code_of(call) == "ResourceNotFound"
    execution = sfn.start_execution(stateMachineArn=arn, input='{"who": "x"}')["executionArn"]
    assert code_of(lambda: sfn.list_tags_for_resource(resourceArn=execution)) == "InvalidArn"
    assert code_of(lambda: sfn.list_tags_for_resource(resourceArn="not-an-arn")) == "InvalidArn"


def test_activities_are_tagged_like_machines(sfn: Any) -> None:
    activity = sfn.create_activity(name="approve", tags=[{"key": "team", "value": "ops"}])["activityArn"]
    sfn.tag_resource(resourceArn=activity, tags=[{"key": "env", "value": "prod"}])
    assert tags_of(sfn, activity) == [{"key": "team", "value": "ops"}, {"key": "env", "value": "prod"}]
    sfn.untag_resource(resourceArn=activity, tagKeys=["team"])
    assert tags_of(sfn, activity) == [{"key": "env", "value": "prod"}]
    sfn.delete_activity(activityArn=activity)
    assert code_of(lambda: sfn.list_tags_for_resource(resourceArn=activity)) == "ResourceNotFound"
