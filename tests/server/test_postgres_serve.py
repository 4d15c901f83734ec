"""`statewright serve --db postgresql://...`: boto3 against a real server on the real PostgreSQL, the server
SIGKILLed mid-run and started again on the same database; nothing acknowledged is lost."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.postgres import drop_schema, postgres_url  # noqa: F401 - the fixture
from tests.server.conftest import ROLE, Server

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
TASKS = '''
def double(event):
    return {"n": event["n"] * 2}
'''
# A Wait that outlives the first server process, a Python task, and a Map over the items.
MACHINE = {"StartAt": "Hold", "States": {
    "Hold": {"Type": "Wait", "Seconds": 2, "Next": "Each"},
    "Each": {"Type": "Map", "ItemsPath": "$.items", "End": True,
             "ItemProcessor": {"StartAt": "Double", "States": {
                 "Double": {"Type": "Task", "Resource": FN + "double", "End": True}}}}}}


@pytest.fixture()
def server(tmp_path: Path, postgres_url: str) -> Iterator[Server]:  # noqa: F811
    (tmp_path / "tasks.py").write_text(TASKS)
    (tmp_path / "resources.yaml").write_text(f"resources:\n  {FN}double: tasks:double\n")
    # A short lease: the restarted process is a new node, which takes the killed one's executions over once
    # its lease has lapsed.
    running = Server(tmp_path, "--resources", str(tmp_path / "resources.yaml"), "--lease-seconds", "2",
                     db=postgres_url)
    yield running
    running.stop()


def settled(sfn: Any, arns: list[str], timeout: float = 60) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        described = [sfn.describe_execution(executionArn=arn) for arn in arns]
        if all(d["status"] != "RUNNING" for d in described) or time.monotonic() > deadline:
            return described
        time.sleep(0.2)


def test_executions_on_postgresql_survive_a_sigkill_of_the_server(server: Server) -> None:
    sfn = server.client()
    machine = sfn.create_state_machine(name="doubler", definition=json.dumps(MACHINE), roleArn=ROLE)
    arns = [sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name=f"run-{n}",
                                input=json.dumps({"items": [{"n": n}, {"n": n + 1}]}))["executionArn"]
            for n in range(20)]
    assert {sfn.describe_execution(executionArn=arn)["status"] for arn in arns} == {"RUNNING"}
    server.kill()  # SIGKILL while every execution waits
    server.restart()
    sfn = server.client()
    described = settled(sfn, arns)
    assert [d["status"] for d in described] == ["SUCCEEDED"] * 20
    assert [json.loads(d["output"]) for d in described] == [[{"n": 2 * n}, {"n": 2 * n + 2}] for n in range(20)]
    history = sfn.get_execution_history(executionArn=arns[0])["events"]
    assert [e["id"] for e in history] == list(range(1, len(history) + 1))
    assert [e["type"] for e in history].count("WaitStateExited") == 1
    listed = sfn.list_executions(stateMachineArn=machine["stateMachineArn"], maxResults=5)
    assert [e["name"] for e in listed["executions"]] == [f"run-{n}" for n in range(19, 14, -1)]
    assert sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])["name"] == "doubler"


def test_the_backup_and_restore_recipe_of_deploy_md(tmp_path: Path, server: Server,
                                                   postgres_url: str) -> None:  # noqa: F811
    """docs/deploy.md, "Backing up and restoring", as written: pg_dump of the schema while the node runs, the
    schema lost, pg_restore, and a node started on it resumes the executions that were RUNNING in the copy."""
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed (Debian: postgresql-client)")
    schema = dict(parse_qsl(urlsplit(postgres_url).query))["schema"]
    database = urlsplit(postgres_url)._replace(query="").geturl()
    sfn = server.client()
    machine = sfn.create_state_machine(name="doubler", definition=json.dumps(MACHINE), roleArn=ROLE)
    arns = [sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name=f"run-{n}",
                                input=json.dumps({"items": [{"n": n}]}))["executionArn"] for n in range(10)]
    dump = tmp_path / "statewright.dump"
    subprocess.run(["pg_dump", f"--schema={schema}", "--format=custom", "-f", str(dump), database], check=True)
    server.kill()
    drop_schema(schema)  # the disaster
    restored = subprocess.run(["pg_restore", "--clean", "--if-exists", "-d", database, str(dump)],
                              capture_output=True, text=True)
    assert restored.returncode == 0, restored.stderr
    server.restart()
    described = settled(server.client(), arns)
    assert [d["status"] for d in described] == ["SUCCEEDED"] * 10
    assert [json.loads(d["output"]) for d in described] == [[{"n": 2 * n}] for n in range(10)]
    history = server.client().get_execution_history(executionArn=arns[0])["events"]
    assert [e["type"] for e in history].count("ExecutionStarted") == 1
