"""Stopping a real server under load: SIGTERM drains and exits 0, SIGKILL loses nothing acknowledged.

Clients start executions continuously from threads while the signal arrives. Every StartExecution that was
answered 200 must be in the store afterwards (read straight from the SQLite file, and through the API after a
restart); requests after the signal find the port closed; nothing is answered with an error.
"""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import threading
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from tests.server.conftest import ROLE, Server
from tests.server.test_machines import PASS_WAIT, wait_done

CLIENTS = 6


class Load:
    """Threads starting executions until told to stop or until the server refuses them."""

    def __init__(self, server: Server, machine: str) -> None:
        self.acknowledged: dict[str, str] = {}  # name -> execution ARN, for every 200
        self.answered_errors: list[str] = []  # any HTTP answer other than 200
        self.refused: set[int] = set()  # clients whose last attempt found the port closed
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, args=(server, machine, number), daemon=True)
                         for number in range(CLIENTS)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(30)

    def _client(self, server: Server, machine: str, number: int) -> None:
        # No retries: a retried start after a lost answer would blur what was acknowledged.
        sfn = boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing",
                           config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30))
        sequence = 0
        while not self.stop.is_set():
            sequence += 1
            name = f"c{number}-{sequence}"
            try:
                arn = sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps({"who": name}))
            except EndpointConnectionError:  # nothing listens: the signal has been handled
                self.refused.add(number)
                time.sleep(0.01)
                continue
            except ConnectionClosedError:  # the connection was closed under the request: not acknowledged
                continue
            except ClientError as error:
                with self._lock:
                    self.answered_errors.append(str(error))
                continue
            self.refused.discard(number)
            with self._lock:
                self.acknowledged[name] = arn["executionArn"]

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 20
        while len(self.acknowledged) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.acknowledged) >= count, f"only {len(self.acknowledged)} starts in 20 s"

    def wait_refused(self) -> None:
        deadline = time.monotonic() + 10
        while len(self.refused) < CLIENTS and time.monotonic() < deadline:
            time.sleep(0.01)


def stored_arns(server: Server) -> set[str]:
    with sqlite3.connect(f"file:{server.db}?mode=ro", uri=True) as db:
        return {row[0] for row in db.execute("SELECT arn FROM executions")}


def _machine(server: Server) -> str:
    return str(server.client().create_state_machine(name="drained", definition=json.dumps(PASS_WAIT),
                                                    roleArn=ROLE)["stateMachineArn"])


def _check_after_restart(server: Server, acknowledged: dict[str, str]) -> None:
    server.restart()
    sfn = server.client(check_shapes=False)
    for name, arn in acknowledged.items():
        described = wait_done(sfn, arn)
        assert described["name"] == name and described["status"] == "SUCCEEDED", described


def test_sigterm_drains_keeps_every_acknowledged_start_and_exits_0(server: Server) -> None:
    machine = _machine(server)
    assert server.process is not None
    with Load(server, machine) as load:
        load.wait_for(200)
        server.process.send_signal(signal.SIGTERM)
        code = server.process.wait(30)
        load.wait_refused()
        assert load.refused == set(range(CLIENTS)), "a client could still connect after the server exited"
    assert code == 0, server.log.read_text()[-2000:]
    assert load.answered_errors == []
    missing = set(load.acknowledged.values()) - stored_arns(server)
    assert not missing, f"{len(missing)} acknowledged starts are not in the store"
    assert "draining: no new connections" in server.log.read_text()
    _check_after_restart(server, load.acknowledged)


@pytest.mark.parametrize("after", [200, 600])
def test_sigkill_loses_no_acknowledged_start(server: Server, after: int) -> None:
    machine = _machine(server)
    with Load(server, machine) as load:
        load.wait_for(after)
        server.kill()
        load.wait_refused()
    assert load.answered_errors == []
    missing = set(load.acknowledged.values()) - stored_arns(server)
    assert not missing, f"{len(missing)} acknowledged starts are not in the store"
    _check_after_restart(server, load.acknowledged)


def test_a_request_whose_body_is_still_arriving_at_sigterm_is_answered(server: Server) -> None:
    """boto3 writes a request's headers and body separately; SIGTERM between the two must not strand it:
    the port closes at once, the body is still read, the start answered 200 and recorded, then exit 0."""
    machine = _machine(server)
    assert server.process is not None
    body = json.dumps({"stateMachineArn": machine, "name": "in-flight", "input": '{"who": "drain"}'}).encode()
    head = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: application/x-amz-json-1.0\r\n"
            f"X-Amz-Target: AWSStepFunctions.StartExecution\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as slow:
        slow.sendall(head + body[:10])  # the handler is reading its body now
        time.sleep(0.3)
        server.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        refused = False
        while not refused and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
                time.sleep(0.02)
            except ConnectionRefusedError:
                refused = True
        assert refused and server.process.poll() is None, "the port should close while the drain waits"
        slow.sendall(body[10:])
        answer = slow.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 200 "), answer
    assert "Connection: close" in answer  # no next request on a connection of a draining server
    arn = json.loads(answer.split("\r\n\r\n", 1)[1])["executionArn"]
    assert server.process.wait(30) == 0
    assert arn in stored_arns(server)
