"""A real ``statewright serve`` process per test (or per module), and boto3 clients pointed at it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.server.botocore_shapes import attach
from tests.server.browser import browser  # noqa: F401 - the console tests' Playwright fixture

ROOT = Path(__file__).resolve().parents[2]
ROLE = "arn:aws:iam::123456789012:role/statewright-tests"
_LISTENING = re.compile(r"listening on (http://\S+)")


class Server:
    """``statewright serve`` started for real; ``kill()`` sends SIGKILL, ``restart()`` starts it on the same store."""

    def __init__(self, folder: Path, *extra: str, env: dict[str, str] | None = None, db: str | None = None) -> None:
        self.folder = folder
        self.db: Path | str = db or folder / "server.db"  # a SQLite file, or a postgresql:// URL
        self.extra = extra
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "interpreter"), str(ROOT)]),
                    **(env or {})}
        self.log = folder / "server.log"
        self.port = 0
        self.process: subprocess.Popen[str] | None = None
        self.start()

    def start(self) -> None:
        # The same port across restarts, so clients made before a restart keep working.
        command = [sys.executable, "-m", "statewright", "serve", "--db", str(self.db), "--port", str(self.port),
                   *self.extra]
        self.process = subprocess.Popen(command, cwd=self.folder, stdout=subprocess.PIPE,
                                        stderr=self.log.open("a"), text=True, env=self.env)
        assert self.process.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            match = _LISTENING.search(line)
            if match:
                self.url = match.group(1)
                self.port = int(self.url.rsplit(":", 1)[1])
                return
        raise AssertionError(f"the server did not start: {self.log.read_text()[-3000:]}")

    def client(self, *, check_shapes: bool = True, **config: Any) -> Any:
        client = boto3.client(
            "stepfunctions", endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1}, read_timeout=90, **config))
        return attach(client) if check_shapes else client

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(30)

    def restart(self) -> None:
        self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path)
    yield running
    running.stop()


@pytest.fixture
def sfn(server: Server) -> Any:
    """A boto3 Step Functions client on the test's server; every response is checked against botocore's model."""
    return server.client()
