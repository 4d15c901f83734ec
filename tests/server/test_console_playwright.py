"""The console driven by Playwright in Debian's Chromium against a real ``statewright serve``: open a failed
execution, see the failed state highlighted, read its error, redrive it, approve a waiting callback step,
and watch the executions succeed."""

from __future__ import annotations

import json
import os
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import ROLE, Server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
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
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("STATEWRIGHT_REQUIRE_BROWSER") == "1":
            pytest.fail("STATEWRIGHT_REQUIRE_BROWSER=1, but no chromium is installed (apt-get install chromium)")
        pytest.skip("no Chromium here (Debian: apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    (tmp_path / "tasks.py").write_text(TASKS)
    (tmp_path / "resources.yaml").write_text(RESOURCES)
    process = Server(tmp_path, "--resources", str(tmp_path / "resources.yaml"))
    yield process
    process.stop()


def _page_of(browser: Any, url: str) -> Any:
    page = browser.new_page()
    page.set_default_timeout(20_000)
    page.goto(url)
    return page


def test_a_failed_step_is_shown_read_and_redriven(browser: Any, server: Server, tmp_path: Path) -> None:
    sfn = server.client()
    definition = {"StartAt": "Post", "States": {
        "Post": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:post-ledger",
                 "Next": "Done"},
        "Done": {"Type": "Succeed"}}}
    machine = sfn.create_state_machine(name="ledger", definition=json.dumps(definition), roleArn=ROLE)
    (tmp_path / "down.flag").write_text("")
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"amount": 12}')["executionArn"]
    page = _page_of(browser, f"{server.url}/#/execution/{urllib.parse.quote(arn, safe='')}")
    page.wait_for_selector('[data-status="FAILED"]')
    failed = page.locator('g.state[data-state="Post"]')
    assert "failed" in (failed.get_attribute("class") or "")
    failed.click()
    assert "the ledger service is down" in page.text_content("#state-error")
    (tmp_path / "down.flag").unlink()  # the service is back: redrive from the console
    page.click("#redrive")
    page.wait_for_selector('[data-status="SUCCEEDED"]')
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
    page = _page_of(browser, f"{server.url}/#/execution/{urllib.parse.quote(arn, safe='')}")
    page.wait_for_selector("#approve")
    assert "running" in (page.locator('g.state[data-state="Ask"]').get_attribute("class") or "")
    page.click("#approve")
    page.wait_for_selector('[data-status="SUCCEEDED"]')
    output = json.loads(sfn.describe_execution(executionArn=arn)["output"])
    assert output == {"order": 7, "decision": {"approved": True}}
