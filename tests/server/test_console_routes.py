"""The console's files and graph route on a real ``statewright serve`` process (browser tests: issue 18)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.server.conftest import ROLE, Server


@pytest.fixture
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    process = Server(tmp_path)
    yield process
    process.stop()


def _get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read().decode()


def test_the_console_page_and_its_modules_are_served(server: Server) -> None:
    status, kind, page = _get(server.url + "/")
    assert status == 200 and kind.startswith("text/html")
    assert '<script type="module" src="/console/app.js">' in page
    status, kind, script = _get(server.url + "/console/app.js")
    assert kind.startswith("text/javascript")
    # Every module app.js imports, and each of theirs, is served (a missing one would blank the console).
    pending, served = [name for name in re.findall(r'from "\./([\w.]+)"', script)], {"app.js"}
    while pending:
        name = pending.pop()
        if name not in served:
            served.add(name)
            _, kind, module = _get(f"{server.url}/console/{name}")
            assert kind.startswith("text/javascript"), name
            pending += re.findall(r'from "\./([\w.]+)"', module)
    assert {"api.js", "execution.js", "executions.js", "highlight.js", "timeline.js"} <= served
    assert "X-Amz-Target" in _get(server.url + "/console/api.js")[2]
    _, kind, _ = _get(server.url + "/console/style.css")
    assert kind.startswith("text/css")
    with pytest.raises(urllib.error.HTTPError) as missing:
        _get(server.url + "/console/nope.js")
    assert missing.value.code == 404


def test_the_graph_route_lays_out_a_machines_definition(server: Server) -> None:
    sfn = server.client()
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}
    arn = sfn.create_state_machine(name="drawn", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    text = sfn.describe_state_machine(stateMachineArn=arn)["definition"]  # as the console reads it
    request = urllib.request.Request(server.url + "/console/graph", data=json.dumps({"definition": text}).encode(),
                                     method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        svg = response.read().decode()
        assert response.headers["Content-Type"].startswith("image/svg+xml")
    assert svg.startswith("<svg") and 'data-state="A"' in svg and 'data-state="B"' in svg
    bad = urllib.request.Request(server.url + "/console/graph", data=b'{"definition": "[1]"}', method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(bad, timeout=10)
    assert refused.value.code == 400
    # The API itself still answers on POST / beside the page on GET /.
    assert sfn.list_state_machines()["stateMachines"][0]["name"] == "drawn"
