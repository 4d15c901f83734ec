"""Real AWS-protocol endpoints on 127.0.0.1: moto's server (S3, SQS, SNS, DynamoDB, EventBridge) and a Lambda
Invoke server (tests/aws/lambda_server.py), each a process of its own, shared by the package's tests."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3", reason="the statewright[aws] extra (boto3) is not installed")
pytest.importorskip("moto.server", reason="moto[server] is not installed (it comes with the test extra)")

ROOT = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"listening on (http://\S+)")
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_EC2_METADATA_DISABLED": "true"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[Any], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the server did not start: {log.read_text()[-3000:]}")


@contextlib.contextmanager
def moto_server(folder: Path, **env: str) -> Iterator[str]:
    """moto in server mode, a process of its own (its log in ``folder``): a real HTTP server speaking the AWS
    protocols; ``env`` adds to its environment (``MOTO_ACCOUNT_ID``, say). Yields its URL."""
    log = folder / "moto.log"
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=log.open("w"), stderr=subprocess.STDOUT,
                               env={**os.environ, **CREDENTIALS, **env})
    try:
        _wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("moto")) as url:
        yield url


@pytest.fixture(scope="session")
def lambda_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("lambda")
    log = folder / "lambda.log"
    process = subprocess.Popen([sys.executable, "-m", "tests.aws.lambda_server"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=log.open("w"), text=True,
                               env={**os.environ,
                                    "PYTHONPATH": os.pathsep.join([str(ROOT / "interpreter"), str(ROOT)])})
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = _LISTENING.search(line)
        assert match, f"the Lambda server did not start: {line!r} {log.read_text()[-2000:]}"
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def aws_env(moto_url: str, lambda_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment a boto3 user sets: test credentials, every service at moto, Lambda at its server."""
    env = {**CREDENTIALS, "AWS_ENDPOINT_URL": moto_url, "AWS_ENDPOINT_URL_LAMBDA": lambda_url}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return env


@pytest.fixture
def aws(aws_env: dict[str, str], moto_url: str) -> Any:
    """boto3 clients on moto, to set up queues, topics and tables and to read what the workflows did."""
    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=moto_url, region_name="us-east-1")
    return client


def queue_arn_of(aws: Any, queue_url: str) -> str:
    """The ARN of an SQS queue (what SNS subscriptions and EventBridge targets name)."""
    return aws("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
