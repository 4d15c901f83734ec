"""`statewright run` with HTTP tasks: the quick start as documented, the approval example, the flags."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPROVAL = ROOT / "examples" / "approval"


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _quick_start() -> str:
    page = (ROOT / "spec" / "http-tasks.md").read_text(encoding="utf-8")
    section = page.split("## Quick start", 1)[1]
    return section.split("```sh\n", 1)[1].split("\n```", 1)[0]


@pytest.mark.skipif(not _port_free(8080), reason="the quick start uses port 8080, which is taken here")
def test_the_quick_start_runs_exactly_as_documented(tmp_path: Path) -> None:
    script = _quick_start() + "\nstatus=$?\nkill %1\nexit $status\n"
    # The page's commands call `statewright` as a user's shell would find it: the venv running the tests
    # comes first on PATH, whether or not that venv is activated.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": path})
    assert done.returncode == 0, done.stderr
    page = (ROOT / "spec" / "http-tasks.md").read_text(encoding="utf-8")
    expected = page.split("## Quick start", 1)[1].split("```json\n", 1)[1].split("\n```", 1)[0]
    assert json.loads(done.stdout) == json.loads(expected)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "statewright", "run", *args]


def test_a_person_approves_the_example_with_one_curl() -> None:
    command = _cli(str(APPROVAL / "workflow.asl.yaml"), "--input-file", str(APPROVAL / "input.json"),
                   "--resources", str(APPROVAL / "resources.yaml"), "--no-color")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:
        assert process.stderr is not None
        deadline = time.monotonic() + 20
        url = None
        while url is None and time.monotonic() < deadline:
            match = re.search(r"curl -X POST (\S+/success) -d", process.stderr.readline())
            url = match.group(1) if match else None
        assert url is not None, "the run printed no callback command"
        # What `curl -X POST URL -d '{"approved": true}'` does:
        request = urllib.request.Request(url, data=b'{"approved": true}', method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read()) == {"ok": True}
        out, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    assert json.loads(out) == {"expenseId": "exp-42", "status": "APPROVED"}


def test_allow_host_refuses_other_hosts(tmp_path: Path) -> None:
    definition = tmp_path / "call.asl.yaml"
    definition.write_text("StartAt: Call\nStates:\n  Call:\n    Type: Task\n"
                          "    Resource: http://127.0.0.1:9/x\n    End: true\n", encoding="utf-8")
    done = subprocess.run(_cli(str(definition), "--allow-host", "api.example.com", "--json"),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"] == "Statewright.Http.HostNotAllowed"


def test_a_config_with_a_literal_secret_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "statewright.yaml"
    config.write_text("connections:\n  stripe:\n    ApiKeyAuthParameters:\n"
                      "      ApiKeyName: Authorization\n      ApiKeyValue: sk_live_123\n", encoding="utf-8")
    done = subprocess.run(_cli(str(APPROVAL / "workflow.asl.yaml"), "--config", str(config)),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "ApiKeyValue is a secret" in done.stderr and "sk_live_123" not in done.stderr


def test_the_default_engine_closes_its_session_without_warnings(tmp_path: Path) -> None:
    script = (
        "import asyncio, statewright, warnings\n"
        "warnings.simplefilter('error')\n"
        "from aiohttp import web\n"
        "async def ok(request):\n"
        "    return web.json_response({'ok': 1})\n"
        "async def main():\n"
        "    app = web.Application(); app.router.add_post('/x', ok)\n"
        "    runner = web.AppRunner(app); await runner.setup()\n"
        "    site = web.TCPSite(runner, '127.0.0.1', 0); await site.start()\n"
        "    port = site._server.sockets[0].getsockname()[1]\n"
        "    machine = statewright.load({'StartAt': 'A', 'States': {'A': {'Type': 'Task', 'End': True,\n"
        "        'Resource': f'http://127.0.0.1:{port}/x'}}})\n"
        "    result = await machine.execute({})\n"
        "    await runner.cleanup()\n"
        "    return result.output\n"
        "print(asyncio.run(main()))\n"
        "print(asyncio.run(main()))\n"  # a second loop: the default engine opens a fresh session
        "import gc; gc.collect()\n"
    )
    done = subprocess.run([sys.executable, "-X", "dev", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["{'ok':", "1}", "{'ok':", "1}"]
    assert "Unclosed" not in done.stderr and "Warning" not in done.stderr, done.stderr
