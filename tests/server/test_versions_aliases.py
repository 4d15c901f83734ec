"""Versions, aliases and RedriveExecution through boto3 against a real server.

Every response (errors included) is checked against botocore's model by the client ``Server.client()`` gives.
The messages asserted are the ones AWS sends, as recorded by LocalStack's AWS-validated snapshots.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from tests.server.conftest import ROLE, Server
from tests.server.test_machines import code_of, wait_done


def result_of(label: str) -> dict[str, Any]:
    """A one-state definition whose output names it, so an execution shows which version ran."""
    return {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": label, "End": True}}}


def create(sfn: Any, name: str = "versioned", label: str = "r1", **extra: Any) -> str:
    return str(sfn.create_state_machine(name=name, definition=json.dumps(result_of(label)), roleArn=ROLE,
                                        **extra)["stateMachineArn"])


def update(sfn: Any, arn: str, label: str, **extra: Any) -> dict[str, Any]:
    return dict(sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(result_of(label)), **extra))


def versions_of(sfn: Any, arn: str) -> list[str]:
    return [item["stateMachineVersionArn"] for item in
            sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]]


def message_of(call: Any) -> str:
    try:
        call()
    except ClientError as error:
        return str(error.response["Error"]["Message"])
    raise AssertionError("the call succeeded")


def test_publish_is_idempotent_per_revision_and_checks_the_revision(sfn: Any) -> None:
    arn = create(sfn)
    first = sfn.publish_state_machine_version(stateMachineArn=arn, description="first cut")
    assert first["stateMachineVersionArn"] == f"{arn}:1"
    again = sfn.publish_state_machine_version(stateMachineArn=arn)
    assert again["stateMachineVersionArn"] == f"{arn}:1" and again["creationDate"] == first["creationDate"]
    old_revision = sfn.describe_state_machine(stateMachineArn=f"{arn}:1")["revisionId"]
    new_revision = update(sfn, arn, "r2")["revisionId"]
    assert new_revision != old_revision
    stale = message_of(lambda: sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=old_revision))
    assert stale == (f"Failed to publish the State Machine version for revision {old_revision}. The current "
                     f"State Machine revision is {new_revision}.")
    assert code_of(lambda: sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=old_revision)) == (
        "ConflictException")
    second = sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=new_revision)
    assert second["stateMachineVersionArn"] == f"{arn}:2"

    # DescribeStateMachine on a version: the version's ARN, definition, revision and description.
    v1 = sfn.describe_state_machine(stateMachineArn=f"{arn}:1")
    assert v1["stateMachineArn"] == f"{arn}:1" and v1["name"] == "versioned" and v1["description"] == "first cut"
    assert json.loads(v1["definition"]) == result_of("r1") and v1["creationDate"] == first["creationDate"]
    v2 = sfn.describe_state_machine(stateMachineArn=f"{arn}:2")
    assert v2["revisionId"] == new_revision and "description" not in v2
    assert json.loads(v2["definition"]) == result_of("r2")
    machine = sfn.describe_state_machine(stateMachineArn=arn)
    assert machine["stateMachineArn"] == arn and machine["revisionId"] == new_revision


def test_versions_list_newest_first_page_and_never_reuse_numbers(sfn: Any) -> None:
    arn = create(sfn, publish=True)
    for label in ("r2", "r3", "r4"):
        update(sfn, arn, label, publish=True)
    assert versions_of(sfn, arn) == [f"{arn}:{number}" for number in (4, 3, 2, 1)]
    pages, token = [], None
    while True:
        page = sfn.list_state_machine_versions(stateMachineArn=arn, maxResults=3, **(
            {"nextToken": token} if token else {}))
        pages.append([item["stateMachineVersionArn"].rsplit(":", 1)[1] for item in page["stateMachineVersions"]])
        token = page.get("nextToken")
        if token is None:
            break
    assert pages == [["4", "3", "2"], ["1"]]
    assert code_of(lambda: sfn.list_state_machine_versions(stateMachineArn=arn, nextToken="forged")) == (
        "InvalidToken")

    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:4")
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:4")  # gone already: still fine, as AWS
    assert versions_of(sfn, arn) == [f"{arn}:3", f"{arn}:2", f"{arn}:1"]
    assert code_of(lambda: sfn.describe_state_machine(stateMachineArn=f"{arn}:4")) == "StateMachineDoesNotExist"
    # The revision of the deleted version 4 is still current: publishing it makes version 5, not 4 again.
    assert sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"] == f"{arn}:5"
    assert versions_of(sfn, arn)[0] == f"{arn}:5"  # 5 before 3 (numbers, not text: ':10' sorts after ':9')


def test_concurrent_publishes_of_one_revision_make_one_version(server: Server) -> None:
    """Publishing writes the machine's counters, then the version: requests racing on one revision must all
    get the same version, not one number each."""
    arn = create(server.client())
    clients = [server.client() for _ in range(8)]
    with ThreadPoolExecutor(len(clients)) as pool:
        published = list(pool.map(lambda client: client.publish_state_machine_version(stateMachineArn=arn)[
            "stateMachineVersionArn"], clients))
    assert set(published) == {f"{arn}:1"}
    assert versions_of(clients[0], arn) == [f"{arn}:1"]


def test_version_errors(sfn: Any) -> None:
    arn = create(sfn, publish=True)
    missing = arn.replace("versioned", "nothing")
    assert code_of(lambda: sfn.publish_state_machine_version(stateMachineArn=missing)) == "StateMachineDoesNotExist"
    assert code_of(lambda: sfn.publish_state_machine_version(stateMachineArn=f"{arn}:1")) == "InvalidArn"
    assert code_of(lambda: sfn.publish_state_machine_version(stateMachineArn="not-an-arn")) == "InvalidArn"
    assert code_of(lambda: sfn.delete_state_machine_version(stateMachineVersionArn=arn)) == "InvalidArn"
    assert code_of(lambda: sfn.list_state_machine_versions(stateMachineArn=f"{arn}:1")) == "InvalidArn"
    assert sfn.list_state_machine_versions(stateMachineArn=missing)["stateMachineVersions"] == []


def test_executions_of_a_version_record_it(sfn: Any) -> None:
    arn = create(sfn, publish=True)
    update(sfn, arn, "r2")
    by_version = sfn.start_execution(stateMachineArn=f"{arn}:1", name="pinned")["executionArn"]
    plain = sfn.start_execution(stateMachineArn=arn, name="latest")["executionArn"]
    done = wait_done(sfn, by_version)
    assert json.loads(done["output"]) == "r1"  # the version's definition, not the machine's current one
    assert done["stateMachineArn"] == arn and done["stateMachineVersionArn"] == f"{arn}:1"
    assert "stateMachineAliasArn" not in done
    latest = wait_done(sfn, plain)
    assert json.loads(latest["output"]) == "r2" and "stateMachineVersionArn" not in latest
    listed = sfn.list_executions(stateMachineArn=f"{arn}:1")["executions"]
    assert [item["name"] for item in listed] == ["pinned"]
    assert listed[0]["stateMachineVersionArn"] == f"{arn}:1"
    assert {item["name"] for item in sfn.list_executions(stateMachineArn=arn)["executions"]} == {"pinned", "latest"}
    assert code_of(lambda: sfn.list_executions(stateMachineArn=f"{arn}:9")) == "StateMachineDoesNotExist"
    assert code_of(lambda: sfn.list_executions(stateMachineArn=f"{arn}:NOPE")) == "ResourceNotFound"


def test_alias_lifecycle(sfn: Any) -> None:
    arn = create(sfn, publish=True)
    update(sfn, arn, "r2", publish=True)
    assert sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"] == []
    routing = [{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    created = sfn.create_state_machine_alias(name="PROD", description="live", routingConfiguration=routing)
    alias = created["stateMachineAliasArn"]
    assert alias == f"{arn}:PROD"
    # Idempotent: the same request answers the same alias; a different one is a conflict.
    again = sfn.create_state_machine_alias(name="PROD", description="live", routingConfiguration=routing)
    assert again == {**again, "stateMachineAliasArn": alias, "creationDate": created["creationDate"]}
    conflict = message_of(lambda: sfn.create_state_machine_alias(name="PROD", routingConfiguration=routing))
    assert conflict == ("Failed to create alias because an alias with the same name and a different routing "
                        "configuration already exists.")
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["name"] == "PROD" and described["description"] == "live"
    assert described["routingConfiguration"] == routing and described["creationDate"] == created["creationDate"]

    sfn.update_state_machine_alias(stateMachineAliasArn=alias, description="canary")
    split = [{"stateMachineVersionArn": f"{arn}:1", "weight": 50}, {"stateMachineVersionArn": f"{arn}:2", "weight": 50}]
    updated = sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=split)
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["description"] == "canary" and described["routingConfiguration"] == split
    assert described["updateDate"] == updated["updateDate"]

    sfn.create_state_machine_alias(name="beta", routingConfiguration=[{"stateMachineVersionArn": f"{arn}:2",
                                                                        "weight": 100}])
    listed = sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]
    assert [item["stateMachineAliasArn"] for item in listed] == [f"{arn}:PROD", f"{arn}:beta"]
    first = sfn.list_state_machine_aliases(stateMachineArn=arn, maxResults=1)
    second = sfn.list_state_machine_aliases(stateMachineArn=arn, maxResults=1, nextToken=first["nextToken"])
    assert [page["stateMachineAliases"][0]["stateMachineAliasArn"] for page in (first, second)] == [
        f"{arn}:PROD", f"{arn}:beta"] and "nextToken" not in second
    # Given a version ARN, only the aliases that route to it.
    assert [item["stateMachineAliasArn"] for item in sfn.list_state_machine_aliases(
        stateMachineArn=f"{arn}:1")["stateMachineAliases"]] == [f"{arn}:PROD"]

    refused = message_of(lambda: sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:2"))
    assert refused == ("Version to be deleted must not be referenced by an alias. Current list of aliases "
                       "referencing this version: [PROD, beta]")
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)  # gone already: still fine, as AWS
    assert code_of(lambda: sfn.describe_state_machine_alias(stateMachineAliasArn=alias)) == "ResourceNotFound"
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:1")  # no alias routes to it any more
    assert versions_of(sfn, arn) == [f"{arn}:2"]


def test_alias_validation_and_missing_resources(sfn: Any) -> None:
    arn = create(sfn, publish=True)
    update(sfn, arn, "r2", publish=True)
    other = create(sfn, "other", publish=True)
    one = [{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]

    def refused(name: str = "live", routing: list[dict[str, Any]] | None = None) -> tuple[str, str]:
        call = lambda: sfn.create_state_machine_alias(name=name, routingConfiguration=routing or one)  # noqa: E731
        return code_of(call), message_of(call)

    pattern = r"^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]+$"
    assert refused("123") == ("ValidationException", "1 validation error detected: Value '123' at 'name' failed to "
                              f"satisfy constraint: Member must satisfy regular expression pattern: {pattern}")
    assert refused("bad name")[0] == "ValidationException"
    assert refused("A" * 81)[1].endswith("Member must have length less than or equal to 80")
    v1, v2 = f"{arn}:1", f"{arn}:2"
    assert refused(routing=[{"stateMachineVersionArn": arn, "weight": 100}]) == (
        "ValidationException", f"Routing configuration must contain state machine version ARNs. Received: [{arn}]")
    assert refused(routing=[{"stateMachineVersionArn": v1, "weight": 50}, {"stateMachineVersionArn": v1,
                                                                          "weight": 50}])[1] == (
        f"Routing configuration must contain distinct state machine version ARNs. Received: [{v1}, {v1}]")
    assert refused(routing=[{"stateMachineVersionArn": v1, "weight": 70}, {"stateMachineVersionArn": v2,
                                                                          "weight": 29}])[1] == (
        "Sum of routing configuration weights must equal 100. Received: [70, 29]")
    assert refused(routing=[{"stateMachineVersionArn": v1, "weight": 101}])[1].endswith(
        "at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must have value less than "
        "or equal to 100")
    three = [{"stateMachineVersionArn": f"{arn}:{n}", "weight": w} for n, w in ((1, 50), (2, 30), (3, 20))]
    assert refused(routing=three)[1].endswith("Member must have length less than or equal to 2")
    assert refused(routing=[{"stateMachineVersionArn": v1, "weight": 50},
                            {"stateMachineVersionArn": f"{other}:1", "weight": 50}])[0] == "ValidationException"
    assert refused(routing=[{"stateMachineVersionArn": f"{arn}:7", "weight": 100}]) == (
        "ResourceNotFound", f"Resource not found: '{arn}:7'")
    assert sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"] == []

    alias = sfn.create_state_machine_alias(name="live", routingConfiguration=one)["stateMachineAliasArn"]
    assert code_of(lambda: sfn.update_state_machine_alias(stateMachineAliasArn=f"{arn}:gone", description="x")) == (
        "ResourceNotFound")
    assert code_of(lambda: sfn.update_state_machine_alias(stateMachineAliasArn=alias)) == "ValidationException"
    assert code_of(lambda: sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=[
        {"stateMachineVersionArn": f"{other}:1", "weight": 100}])) == "ValidationException"
    assert code_of(lambda: sfn.describe_state_machine_alias(stateMachineAliasArn=f"{arn}:1")) == "InvalidArn"
    missing = arn.replace("versioned", "nothing")
    assert code_of(lambda: sfn.list_state_machine_aliases(stateMachineArn=missing)) == "StateMachineDoesNotExist"
    assert code_of(lambda: sfn.list_state_machine_aliases(stateMachineArn=f"{arn}:9")) == "ResourceNotFound"
    assert code_of(lambda: sfn.list_state_machine_aliases(stateMachineArn=arn, nextToken="forged")) == "InvalidToken"


def test_an_alias_routes_starts_by_weight(sfn: Any) -> None:
    """200 starts through an 80/20 alias: each version's share lands within 4.5 standard deviations
    (sd = sqrt(200 * 0.8 * 0.2) = 5.7 starts), and the executions list under the alias and their version."""
    arn = create(sfn, label="stable", publish=True)
    update(sfn, arn, "canary", publish=True)
    alias = sfn.create_state_machine_alias(name="live", routingConfiguration=[
        {"stateMachineVersionArn": f"{arn}:1", "weight": 80},
        {"stateMachineVersionArn": f"{arn}:2", "weight": 20}])["stateMachineAliasArn"]
    for index in range(200):
        sfn.start_execution(stateMachineArn=alias, name=f"run-{index}")
    paginator = sfn.get_paginator("list_executions")

    def listed(qualified: str) -> list[dict[str, Any]]:
        pages = paginator.paginate(stateMachineArn=qualified, PaginationConfig={"PageSize": 50})
        return [item for page in pages for item in page["executions"]]

    through_alias = listed(alias)
    assert len(through_alias) == 200 and all(item["stateMachineAliasArn"] == alias for item in through_alias)
    stable, canary = listed(f"{arn}:1"), listed(f"{arn}:2")
    assert len(stable) + len(canary) == 200
    assert 134 <= len(stable) <= 186, len(stable)
    # Each execution ran the definition of the version it is listed under.
    sample = wait_done(sfn, canary[0]["executionArn"])
    assert json.loads(sample["output"]) == "canary"
    assert sample["stateMachineAliasArn"] == alias and sample["stateMachineVersionArn"] == f"{arn}:2"
    # Moved entirely to version 2: every new start runs it.
    sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=[
        {"stateMachineVersionArn": f"{arn}:2", "weight": 100}])
    for index in range(20):
        sfn.start_execution(stateMachineArn=alias, name=f"after-{index}")
    assert len(listed(f"{arn}:2")) == len(canary) + 20


def test_redrive_is_refused_with_aws_error_shapes(sfn: Any) -> None:
    failing = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Broken", "Cause": "on purpose"}}}
    arn = sfn.create_state_machine(name="failing", definition=json.dumps(failing), roleArn=ROLE)["stateMachineArn"]
    failed = sfn.start_execution(stateMachineArn=arn, name="once")["executionArn"]
    assert wait_done(sfn, failed)["status"] == "FAILED"
    # A Fail state is entered again on a redrive (spec/redrive.md), so it fails again; tests/server/test_redrive.py
    # has the redrives that succeed.
    sfn.redrive_execution(executionArn=failed)
    again = wait_done(sfn, failed)
    assert (again["status"], again["redriveCount"]) == ("FAILED", 1)
    ok = sfn.start_execution(stateMachineArn=create(sfn))["executionArn"]
    wait_done(sfn, ok)
    assert message_of(lambda: sfn.redrive_execution(executionArn=ok)) == (
        "Execution is SUCCEEDED and cannot be redriven")
    assert code_of(lambda: sfn.redrive_execution(executionArn=failed + "-not")) == "ExecutionDoesNotExist"
    assert code_of(lambda: sfn.redrive_execution(executionArn="arn:aws:states:us-east-1:1:bogus")) == "InvalidArn"
