"""The console's pages in Playwright-driven Chromium against a real ``statewright serve``: the executions page
with 100,000 executions in the store (timed), a running execution updating in place with its timeline and
retried attempts, and a machine's page with its definition highlighted, lint findings on their lines,
versions and aliases."""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.server.browser import page_of
from tests.server.conftest import ROLE, Server

TASKS = '''
from pathlib import Path


def flaky(event):
    """Fails the first two calls of a run (counted in a file), then answers."""
    calls = Path("calls.txt")
    count = int(calls.read_text()) + 1 if calls.exists() else 1
    calls.write_text(str(count))
    if count <= 2:
        raise ConnectionError(f"the inventory service dropped call {count}")
    return {"stock": 12}
'''
RESOURCES = "resources:\n  arn:aws:lambda:us-east-1:123456789012:function:inventory: tasks:flaky\n"
TOTAL = 100_000


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    (tmp_path / "tasks.py").write_text(TASKS)
    (tmp_path / "resources.yaml").write_text(RESOURCES)
    process = Server(tmp_path, "--resources", str(tmp_path / "resources.yaml"))
    yield process
    process.stop()


def _quoted(arn: str) -> str:
    return urllib.parse.quote(arn, safe="")


def _multiply_executions(db: Path, total: int) -> None:
    """Fill the store to ``total`` executions by copying the rows real executions wrote, each copy under a new
    id, name and ARN (newer ids are newer executions, as the engine allocates them)."""
    with sqlite3.connect(db) as connection:
        cursor = connection.execute("SELECT * FROM executions ORDER BY id")
        columns = [column[0] for column in cursor.description]
        originals = cursor.fetchall()
        at = {name: index for index, name in enumerate(columns)}
        next_id = originals[-1][at["id"]] + 1
        copies = []
        for number in range(total - len(originals)):
            row = list(originals[number % len(originals)])
            kind = "refund" if row[at["machine_name"]] == "refunds" else "order"
            name = f"{kind}-{number:06d}"
            row[at["id"]], row[at["name"]] = next_id + number, name
            row[at["arn"]] = f"{row[at['arn']].rsplit(':', 1)[0]}:{name}"
            copies.append(row)
        connection.executemany(f"INSERT INTO executions ({', '.join(columns)}) VALUES "
                               f"({', '.join('?' * len(columns))})", copies)
        connection.execute("UPDATE counters SET value = ? WHERE name = 'execution_id'", (next_id + len(copies),))


def _timed_load(page: Any, url: str, ready: str) -> float:
    """Seconds from asking for the page to its table drawn: a whole load, modules and API calls included
    (from a blank page, so that the previous page's table cannot answer ``ready``)."""
    page.goto("about:blank")
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(ready)
    return time.perf_counter() - started


def _rows(page: Any) -> list[list[str]]:
    return page.eval_on_selector_all("#executions tbody tr",
                                     "rows => rows.map(row => [...row.cells].map(cell => cell.textContent))")


def test_the_executions_page_answers_in_under_a_second_with_100000_executions(browser: Any, server: Server) -> None:
    sfn = server.client()
    orders = sfn.create_state_machine(name="orders", roleArn=ROLE, definition=json.dumps({
        "StartAt": "Check", "States": {
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.bad", "BooleanEquals": True, "Next": "Refuse"}],
                      "Default": "Done"},
            "Refuse": {"Type": "Fail", "Error": "Order.Refused"}, "Done": {"Type": "Succeed"}}}))["stateMachineArn"]
    refunds = sfn.create_state_machine(name="refunds", roleArn=ROLE, definition=json.dumps(
        {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}))["stateMachineArn"]
    for number in range(100):
        sfn.start_execution(stateMachineArn=orders, name=f"seed-{number}", input=json.dumps({"bad": number % 5 == 0}))
    for number in range(20):
        sfn.start_execution(stateMachineArn=refunds, name=f"seed-refund-{number}")
    assert server.terminate() == 0  # every execution has ended: a Choice and a Succeed or Fail
    _multiply_executions(Path(server.db), TOTAL)
    server.restart()

    page = page_of(browser, "about:blank")
    base = f"{server.url}/#/executions"
    loads = [_timed_load(page, f"{base}?n={attempt}", "#executions[data-loaded] tbody tr") for attempt in range(3)]
    rows = _rows(page)
    newest = f"order-{TOTAL - 121:06d}"  # the last copy made; copies cycle through orders then refunds
    assert len(rows) == 50 and rows[0][0] in (newest, newest.replace("order", "refund"))
    filtered = _timed_load(page, f"{base}?machine={_quoted(orders)}&status=FAILED",
                           "#executions[data-loaded] tbody tr")
    assert {row[2] for row in _rows(page)} == {"FAILED"} and {row[1] for row in _rows(page)} == {"orders"}
    _timed_load(page, f"{base}?all", "#executions[data-loaded] tbody tr")  # every machine again
    started = time.perf_counter()  # the search box, typed into: the table reloads with matching names only
    page.fill("#name-prefix", "refund-09982")
    page.wait_for_function("() => [...document.querySelectorAll('#executions tbody tr td:first-child')]"
                           ".every(cell => cell.textContent.startsWith('refund-09982'))")
    searched = time.perf_counter() - started
    names = [row[0] for row in _rows(page)]
    assert names and all(name.startswith("refund-09982") for name in names) and names == sorted(names, reverse=True)
    page.fill("#name-prefix", "")
    page.wait_for_function("() => document.querySelectorAll('#executions tbody tr').length === 50")
    page.click("#next")
    page.wait_for_function("() => document.querySelector('#page-position').textContent === '51–100'")
    assert page.script_errors == []
    print(f"\n100,000 executions: page loads {[round(value, 3) for value in loads]} s, FAILED of one machine "
          f"{filtered:.3f} s, prefix search {searched:.3f} s (200 ms of it the typing pause)")
    assert statistics.median(loads) < 1.0 and filtered < 1.0 and searched < 1.0


def test_a_running_execution_updates_in_place_with_its_timeline_and_retries(browser: Any, server: Server) -> None:
    sfn = server.client()
    definition = {"StartAt": "Reserve", "States": {
        "Reserve": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:inventory",
                    "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3,
                               "BackoffRate": 1}], "Next": "Settle"},
        "Settle": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
        "Done": {"Type": "Succeed"}}}
    machine = sfn.create_state_machine(name="reserve", definition=json.dumps(definition), roleArn=ROLE)
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"])["executionArn"]
    page = page_of(browser, f"{server.url}/#/execution/{_quoted(arn)}")
    page.wait_for_selector('#execution-status [data-status="RUNNING"]')
    page.evaluate("window.notReloaded = true")
    page.click('g.state[data-state="Reserve"]')
    page.wait_for_selector('#execution-status [data-status="SUCCEEDED"]', timeout=30_000)
    assert page.evaluate("window.notReloaded") is True  # the page moved on by itself, without a reload
    for state in ("Reserve", "Settle", "Done"):
        assert "succeeded" in (page.locator(f'g.state[data-state="{state}"]').get_attribute("class") or "")
    timeline = page.locator("#timeline")
    assert timeline.locator(".span").evaluate_all("rows => rows.map(row => row.dataset.state)") == [
        "Reserve", "Settle", "Done"]
    reserve = timeline.locator('.span[data-state="Reserve"]')
    assert "3 attempts" in reserve.text_content() and reserve.locator(".retry").count() == 2
    settle_took = timeline.locator('.span[data-state="Settle"] .took').text_content()
    assert settle_took.endswith(" s") and 1.9 <= float(settle_took.split()[0]) < 10
    # The panel of the state clicked while it ran is still open, now with its three attempts.
    attempts = page.eval_on_selector_all("#attempts tbody tr", "rows => rows.map(row => row.cells[1].textContent)")
    assert attempts[0].startswith("ConnectionError: the inventory service dropped call 1")
    assert attempts[1].startswith("ConnectionError") and attempts[2] == "succeeded"
    assert page.script_errors == []


REPORT = """Comment: Nightly sales report
StartAt: Collect
States:
  Collect:
    Type: Task
    Resource: arn:aws:lambda:us-east-1:123456789012:function:inventory
    Parameters:
      items.$: $.items
    Retry:
      - ErrorEquals: [States.Runtime, States.TaskFailed]
        MaxAttempts: 2
    Next: AnythingSold
  AnythingSold:
    Type: Choice
    Choices:
      - Variable: $.stock
        NumericGreaterThan: 0
        Next: Publish
  Publish:
    Type: Succeed
"""


def test_a_machine_page_shows_its_definition_lint_findings_versions_and_aliases(browser: Any, server: Server) -> None:
    sfn = server.client()
    arn = sfn.create_state_machine(name="report", roleArn=ROLE, definition=REPORT)["stateMachineArn"]
    version = sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
    sfn.create_state_machine_alias(name="live", routingConfiguration=[
        {"stateMachineVersionArn": version, "weight": 100}])
    expected = sfn.validate_state_machine_definition(definition=REPORT, severity="WARNING")["diagnostics"]
    assert {item["code"] for item in expected} == {"SW306", "SW505"}
    page = page_of(browser, f"{server.url}/#/machine/{_quoted(arn)}")
    page.wait_for_selector("#definition .diagnostic")
    # Each finding sits under the line its pointer names (the Choice's key; the retrier's list item).
    placed = page.eval_on_selector_all("#definition .diagnostic", """items => items.map(item => {
        let line = item.previousElementSibling;
        while (!line.classList.contains("line")) line = line.previousElementSibling;
        return [item.dataset.code, line.textContent, line.classList.contains("WARNING")]; })""")
    assert sorted(placed) == [["SW306", "  AnythingSold:", True], ["SW505", "      - ErrorEquals: [States.Runtime, "
                                                                           "States.TaskFailed]", True]]
    keys = page.eval_on_selector_all("#definition .tok.key", "tokens => tokens.map(token => token.textContent)")
    assert {"StartAt", "States", "Collect", "Retry"} <= set(keys)
    assert page.text_content("#definition .tok.path") in ("items.$", "$.items")
    assert "version" not in page.text_content("#versions tbody") and page.text_content("#versions tbody td") == "1"
    assert "live" in page.text_content("#aliases") and "version 1: 100%" in page.text_content("#aliases")
    assert page.script_errors == []


def _pointers(value: Any, at: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, inner in items:
        pointer = f"{at}/{str(key).replace('~', '~0').replace('/', '~1')}"
        yield pointer
        yield from _pointers(inner, pointer)


@pytest.mark.parametrize("kind", ["json", "yaml"])
def test_every_pointer_of_a_definition_is_found_on_its_line(browser: Any, server: Server, kind: str) -> None:
    """The console places lint findings by JSON Pointer: every member and item of a definition (nested
    Parallel branches, lists of rules, keys with / and ~) is found on the line that writes it."""
    document = {"Comment": "a/b ~ c", "StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"x/y": 1, "z~": [1, {"k": None}]},
                                          "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericEquals": 1, "Next": "C"},
            {"And": [{"Variable": "$.s", "IsPresent": True}], "Next": "C"}], "Default": "C"},
            "C": {"Type": "Succeed"}}}], "Next": "End"}, "End": {"Type": "Succeed"}}}
    text = json.dumps(document) if kind == "json" else yaml.safe_dump(document, sort_keys=False)
    page = page_of(browser, f"{server.url}/")
    shown, lines = page.evaluate("""async (text) => {
        const {displayText, pointerLines} = await import("/console/highlight.js");
        const shown = displayText(text);
        return [shown, Object.fromEntries(pointerLines(shown))]; }""", text)
    assert shown.count("\n") > 30  # minified JSON is shown indented
    written = shown.split("\n")
    assert set(lines) == {"", *_pointers(document)}
    for pointer, number in lines.items():
        if not pointer:
            continue
        last = pointer.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
        line = written[number - 1]
        if last.isdigit() and isinstance(eval_parent(document, pointer), list):
            assert line.strip().startswith("-") if kind == "yaml" else True, (pointer, line)
        else:
            assert (f'"{last}":' in line) if kind == "json" else (f"{last}:" in line or f"'{last}':" in line), \
                (pointer, line)


def eval_parent(document: Any, pointer: str) -> Any:
    value = document
    for segment in pointer.split("/")[1:-1]:
        segment = segment.replace("~1", "/").replace("~0", "~")
        value = value[int(segment)] if isinstance(value, list) else value[segment]
    return value
