"""The real aws CLI (PyPI awscli) against a real server: create, start, describe, history — unchanged commands."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import ROLE, Server

AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
pytestmark = pytest.mark.skipif(AWS is None, reason="the aws CLI is not installed (pip install awscli)")


def aws(server: Server, home: Path, *args: str) -> Any:
    env = {**os.environ, "HOME": str(home), "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "", "AWS_CONFIG_FILE": str(home / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(home / "none")}
    assert AWS is not None
    done = subprocess.run([AWS, "stepfunctions", *args, "--endpoint-url", server.url, "--output", "json"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def test_the_aws_cli_creates_starts_describes_and_reads_history(server: Server, tmp_path: Path) -> None:
    definition = tmp_path / "hello.asl.json"
    definition.write_text(json.dumps({"StartAt": "Hello", "States": {
        "Hello": {"Type": "Pass", "Parameters": {"message.$": "States.Format('hello {}', $.name)"}, "End": True}}}))
    created = aws(server, tmp_path, "create-state-machine", "--name", "hello", "--role-arn", ROLE,
                  "--definition", f"file://{definition}")
    machine = created["stateMachineArn"]
    assert machine.endswith(":stateMachine:hello")
    started = aws(server, tmp_path, "start-execution", "--state-machine-arn", machine, "--name", "cli-run",
                  "--input", '{"name": "cli"}')
    deadline = time.monotonic() + 20
    while True:
        described = aws(server, tmp_path, "describe-execution", "--execution-arn", started["executionArn"])
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"message": "hello cli"}
    history = aws(server, tmp_path, "get-execution-history", "--execution-arn", started["executionArn"])
    assert [event["type"] for event in history["events"]] == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    listed = aws(server, tmp_path, "list-state-machines", "--query", "stateMachines[].name")
    assert listed == ["hello"]
