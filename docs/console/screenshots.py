"""Rebuild the console screenshots in this folder (docs/console/*.png), shown in README.md and docs/console.md.

    python docs/console/screenshots.py            # needs the test extra (boto3, playwright) and Chromium

Starts a real ``statewright serve`` on a temporary store with examples/order-processing's tasks, creates the
executions the pictures show (done, waiting for approval, failed), and photographs each page in Chromium.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
EXAMPLE = ROOT / "examples" / "order-processing"
ROLE = "arn:aws:iam::123456789012:role/statewright"
# A second machine with two things the linter warns about, so the definition view has findings to show.
REPORT = """Comment: Nightly sales report
StartAt: Collect
States:
  Collect:
    Type: Task
    Resource: arn:aws:lambda:us-east-1:123456789012:function:validate-order
    Parameters:
      items.$: $.items
      orderId: nightly
    Retry:
      - ErrorEquals: [States.Runtime, States.TaskFailed]
        MaxAttempts: 2
    Next: AnythingSold
  AnythingSold:
    Type: Choice
    Choices:
      - Variable: $.itemCount
        NumericGreaterThan: 0
        Next: Publish
  Publish:
    Type: Succeed
"""
ORDER = json.loads((EXAMPLE / "input.json").read_text())


def serve(folder: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "interpreter")}
    process = subprocess.Popen([sys.executable, "-m", "statewright", "serve", "--db", str(folder / "console.db"),
                                "--port", "0", "--resources", str(EXAMPLE / "resources.yaml")],
                               cwd=EXAMPLE, stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    for line in process.stdout:
        match = re.search(r"listening on (http://\S+)", line)
        if match:
            return process, match.group(1)
    raise SystemExit("statewright serve did not start")


def populate(url: str) -> dict[str, str]:
    sfn = boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                       aws_secret_access_key="x")
    orders = sfn.create_state_machine(name="order-processing", roleArn=ROLE,
                                      definition=(EXAMPLE / "workflow.asl.yaml").read_text())["stateMachineArn"]
    version = sfn.publish_state_machine_version(stateMachineArn=orders, description="first release")
    sfn.create_state_machine_alias(name="live", description="what the shop calls",
                                   routingConfiguration=[{"stateMachineVersionArn": version["stateMachineVersionArn"],
                                                          "weight": 100}])
    sfn.create_state_machine(name="nightly-report", roleArn=ROLE, definition=REPORT)
    small = {**ORDER, "orderId": "ord-1002", "items": [{"sku": "PEN-1", "qty": 3, "price": 2.5}]}
    arns = {}
    for number in range(3, 9):  # some history for the executions page
        sfn.start_execution(stateMachineArn=orders, name=f"order-100{number}", input=json.dumps(
            {**small, "orderId": f"ord-100{number}"}))
    arns["done"] = sfn.start_execution(stateMachineArn=orders, name="order-1002",
                                       input=json.dumps(small))["executionArn"]
    broken = {key: value for key, value in small.items() if key != "customer"}
    arns["failed"] = sfn.start_execution(stateMachineArn=orders, name="order-1010",
                                         input=json.dumps({**broken, "orderId": "ord-1010"}))["executionArn"]
    arns["waiting"] = sfn.start_execution(stateMachineArn=orders, name="order-1001",
                                          input=json.dumps(ORDER))["executionArn"]
    arns["orders"] = orders
    arns["report"] = orders.replace("order-processing", "nightly-report")
    time.sleep(1.0)  # let the short executions end
    return arns


def photograph(url: str, arns: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    quote = lambda arn: urllib.parse.quote(arn, safe="")  # noqa: E731
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
        shots = [
            ("machines", "#/", "#machines", None),
            ("machine", f"#/machine/{quote(arns['orders'])}", "#versions", None),
            ("lint", f"#/machine/{quote(arns['report'])}", "#definition .diagnostic", "#lint-summary"),
            ("executions", "#/executions", "#executions[data-loaded]", None),
            ("execution-waiting", f"#/execution/{quote(arns['waiting'])}", "#approve", None),
            ("execution-failed", f"#/execution/{quote(arns['failed'])}", '[data-status="FAILED"]', None),
        ]
        for name, route, ready, scroll_to in shots:
            page.goto(f"{url}/{route}")
            page.wait_for_selector(ready)
            if name == "execution-failed":
                page.click('g.state[data-state="ChargeCard"]')
                page.wait_for_selector("#state-error")
            if name == "execution-waiting":
                page.click('g.state[data-state="RequestApproval"]')
                page.wait_for_selector("#state-timing")
            if scroll_to:
                page.locator(scroll_to).evaluate("node => node.scrollIntoView()")
                page.evaluate("window.scrollBy(0, -60)")
            page.screenshot(path=str(HERE / f"{name}.png"), full_page=name.startswith("execution-"))
            print(f"wrote docs/console/{name}.png")
        browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        process, url = serve(Path(folder))
        try:
            photograph(url, populate(url))
        finally:
            process.terminate()
            process.wait(30)


if __name__ == "__main__":
    main()
