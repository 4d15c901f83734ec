"""The console driven by Playwright in Debian's Chromium against a real ``statewright serve``: open a failed
execution, see the failed state highlighted, read its error, redrive it, approve a waiting callback step,
and watch the executions succeed."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.browser import page_of
from tests.server.conftest import ROLE, Server

TASKS = '''
from pathlib import Path


def flaky(event):
    if Path("down.flag").exists():
        raise RuntimeError("the ledger service is down")
    return {"posted": event.get("amount")}


def ask(event):
    return None  # the request went out; the step now waits for its task token
'''
RESOURCES = """resources:
  arn:aws:lambda:us-east-1:123456789012:function:post-ledger: tasks:flaky
  arn:aws:states:::sqs:sendMessage.waitForTaskToken: tasks:ask
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    (tmp_path / "tasks.py").write_text(TASKS)
    (tmp_path / "resources.yaml").write_text(RESOURCES)
    process = Server(tmp_path, "--resources", str(tmp_path / "resources.yaml"))
    yield process
    process.stop()


def test_a_failed_step_is_shown_read_and_redriven(browser: Any, server: Server, tmp_path: Path) -> None:
    sfn = server.client()
    definition = {"StartAt": "Post", "States": {
        "Post": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:post-ledger",
                 "Next": "Done"},
        "Done": {"Type": "Succeed"}}}
    machine = sfn.create_state_machine(name="ledger", definition=json.dumps(definition), roleArn=ROLE)
    (tmp_path / "down.flag").write_text("")
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"amount": 12}')["executionArn"]
    page = page_of(browser, f"{server.url}/#/execution/{urllib.parse.quote(arn, safe='')}")
    page.wait_for_selector('#execution-status [data-status="FAILED"]')
    failed = page.locator('g.state[data-state="Post"]')
    assert "failed" in (failed.get_attribute("class") or "")
    failed.click()
    assert "the ledger service is down" in page.text_content("#state-error")
    (tmp_path / "down.flag").unlink()  # the service is back: redrive from the console
    page.click("#redrive")
    page.wait_for_selector('#execution-status [data-status="SUCCEEDED"]')
    assert "succeeded" in (page.locator('g.state[data-state="Post"]').get_attribute("class") or "")
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"


def test_a_waiting_callback_step_is_approved(browser: Any, server: Server) -> None:
    sfn = server.client()
    definition = {"StartAt": "Ask", "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "approvals", "MessageBody": {"order.$": "$.order",
                                                                        "token.$": "$$.Task.Token"}},
                "ResultPath": "$.decision", "Next": "Done"},
        "Done": {"Type": "Succeed"}}}
    machine = sfn.create_state_machine(name="approval", definition=json.dumps(definition), roleArn=ROLE)
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"order": 7}')["executionArn"]
    page = page_of(browser, f"{server.url}/#/execution/{urllib.parse.quote(arn, safe='')}")
    page.wait_for_selector("#approve")
    assert "running" in (page.locator('g.state[data-state="Ask"]').get_attribute("class") or "")
    page.click("#approve")
    page.wait_for_selector('#execution-status [data-status="SUCCEEDED"]')
    output = json.loads(sfn.describe_execution(executionArn=arn)["output"])
    assert output == {"order": 7, "decision": {"approved": True}}
