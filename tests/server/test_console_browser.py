"""The console in a real browser (Debian's Chromium, headless): the page runs its modules against a real
``statewright serve`` and shows a failed execution's failed state. Playwright-driven tests (clicks, redrive,
approval) are issue 18's next step; this one reads the DOM the browser built (``--dump-dom``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.server.conftest import ROLE, Server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(autouse=True)
def _browser() -> None:
    """Skip without Chromium, or fail under STATEWRIGHT_REQUIRE_BROWSER=1 (set by .ci/run, which installs it)."""
    if CHROMIUM is None:
        if os.environ.get("STATEWRIGHT_REQUIRE_BROWSER") == "1":
            pytest.fail("STATEWRIGHT_REQUIRE_BROWSER=1, but no chromium is installed (apt-get install chromium)")
        pytest.skip("no Chromium here (Debian: apt-get install chromium)")


def _dom(url: str) -> str:
    completed = subprocess.run([CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                                "--virtual-time-budget=8000", "--dump-dom", url],
                               capture_output=True, text=True, timeout=90)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def test_a_failed_execution_shows_its_failed_state_and_error(tmp_path: Path) -> None:
    server = Server(tmp_path)
    try:
        sfn = server.client()
        definition = {"StartAt": "Check", "States": {
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Big"}],
                      "Default": "Done"},
            "Big": {"Type": "Fail", "Error": "TooBig", "Cause": "n is over 5"},
            "Done": {"Type": "Succeed"}}}
        machine = sfn.create_state_machine(name="shown", definition=json.dumps(definition), roleArn=ROLE)
        arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"n": 9}')["executionArn"]
        deadline = time.monotonic() + 30
        while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        page = _dom(f"{server.url}/#/execution/{urllib.parse.quote(arn, safe='')}")
        assert 'data-status="FAILED"' in page
        assert 'id="execution-error"' in page and "TooBig" in page and "n is over 5" in page
        assert 'class="state failed" data-state="Big"' in page
        assert 'class="state succeeded" data-state="Check"' in page
        assert 'id="redrive"' in page  # a failed execution offers Redrive
        listing = _dom(f"{server.url}/")
        assert 'id="machines"' in listing and ">shown<" in listing
    finally:
        server.stop()
