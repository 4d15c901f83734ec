"""docs/deploy/: the compose file, nginx.conf and Dockerfile that docs/deploy.md offers, checked and run.

Docker cannot run on the machines these tests run on, so the file is checked in three ways that can fail:

* every command in it parses with statewright's own argument parser, and its URLs, ports and node names agree
  with the PostgreSQL service and with nginx's upstreams;
* the files the Dockerfile copies build a wheel that carries the ``statewright`` command;
* the same commands run for real: ``db migrate`` once, then the three ``serve`` nodes on this machine's
  PostgreSQL (the URL's options kept, only the host and database swapped), behind a round-robin proxy that
  stands in for nginx (it tries the next node when one refuses the connection, as ``proxy_next_upstream
  error`` does). Requests spread over the nodes; one node is stopped as ``docker compose stop`` stops it
  (SIGTERM) while executions wait, and every execution still ends through the proxy.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import boto3
import pytest
import yaml
from botocore.config import Config

from statewright.cli import build_parser
from tests.postgres import SERVER, drop_schema, require_postgres
from tests.server.conftest import ROLE, Server

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy"
NODES = ("node1", "node2", "node3")


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def upstreams() -> list[str]:
    """The ``server host:port`` lines of nginx.conf's upstream block."""
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    block = re.search(r"upstream\s+statewright\s*\{(?P<body>[^}]*)\}", text)
    assert block, "nginx.conf has no `upstream statewright { ... }` block"
    return re.findall(r"^\s*server\s+([\w.-]+:\d+)", block["body"], flags=re.M)


def node_args(service: dict[str, Any]) -> Any:
    return build_parser().parse_args(service["command"])


# --- the file as written -------------------------------------------------------------------------------


def test_every_command_parses_and_agrees_with_postgres_and_nginx() -> None:
    services = compose()["services"]
    assert {"postgres", "migrate", *NODES, "lb"} <= set(services)
    database = services["postgres"]["environment"]
    ports, names = set(), set()
    for name in NODES:
        args = node_args(services[name])
        assert args.command == "serve"
        url = urlsplit(args.db)
        assert (url.scheme, url.hostname, url.port) == ("postgresql", "postgres", 5432), args.db
        assert url.username == database["POSTGRES_USER"] and url.path == "/" + database["POSTGRES_DB"]
        assert args.host == "0.0.0.0", f"{name} must listen beyond its container"
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "PGPASSWORD" in services[name]["environment"]
        ports.add(args.port)
        names.add(args.node_id)
        # Draining waits out a long poll (60 s): the grace period must be longer.
        assert int(services[name]["stop_grace_period"].rstrip("s")) > 60
    assert names == set(NODES), "each node needs a name of its own"
    (port,) = ports
    assert sorted(upstreams()) == sorted(f"{name}:{port}" for name in NODES)
    migrate = build_parser().parse_args(services["migrate"]["command"])
    assert (migrate.command, migrate.action) == ("db", "migrate")
    assert urlsplit(migrate.db)[:3] == urlsplit(node_args(services["node1"]).db)[:3]
    assert any(published.endswith(f":{port}") for published in services["lb"]["ports"])


def test_the_dockerfile_copies_what_builds_the_package(tmp_path: Path) -> None:
    """The files the Dockerfile copies, and nothing else, build a wheel with the command and the schema."""
    context = tmp_path / "context"
    context.mkdir()
    for line in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("COPY "):
            *sources, target = line.split()[1:]
            for source in sources:
                destination = context / target / source if target.endswith("/") else context / target
                destination.parent.mkdir(parents=True, exist_ok=True)
                if (ROOT / source).is_dir():
                    shutil.copytree(ROOT / source, destination)
                else:
                    shutil.copyfile(ROOT / source, destination)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path / "wheels"), str(context)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "wheels").glob("statewright-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert "statewright/cli/serve_command.py" in names and "statewright/schemas/statewright.schema.json" in names
    assert "statewright = statewright.cli:main" in entry_points


# --- the same commands, run --------------------------------------------------------------------------------


class RoundRobin:
    """A TCP proxy on 127.0.0.1 in nginx's place: each connection goes to the next node, and to the one after
    it when that one refuses (``proxy_next_upstream error``)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.turn = itertools.count()
        self.served: dict[int, int] = dict.fromkeys(ports, 0)
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self.thread.start()
        assert started.wait(10)

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._connection, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        started.set()
        self.loop.run_forever()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = next(self.turn)
        for offset in range(len(self.ports)):
            port = self.ports[(first + offset) % len(self.ports)]
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue
            self.served[port] += 1
            await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))
            return
        writer.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    def client(self) -> Any:
        return boto3.client("stepfunctions", endpoint_url=f"http://127.0.0.1:{self.port}", region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing",
                            config=Config(retries={"max_attempts": 3}, read_timeout=60))

    def close(self) -> None:
        """Stop listening, end the connections still open, then stop the loop."""
        async def shutdown() -> None:
            self.server.close()
            open_connections = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in open_connections:
                task.cancel()
            await asyncio.gather(*open_connections, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def local_url(compose_url: str, schema: str) -> str:
    """The compose file's URL with its options, on this machine's server and a schema of the test's own."""
    options = dict(parse_qsl(urlsplit(compose_url).query))
    assert options, "the compose file's URL should show the settings that matter (pool_size, statement_timeout)"
    server = urlsplit(SERVER)
    return server._replace(query=urlencode({**options, "schema": schema})).geturl()


def swapped(command: list[str], db: str) -> list[str]:
    """A node's command with --db, --host and --port for this machine (everything else as written)."""
    values = {"--db": db, "--host": "127.0.0.1", "--port": "0"}
    out, words = [], iter(command)
    for word in words:
        out.append(word)
        if word in values:
            next(words)
            out.append(values[word])
    return out


@pytest.fixture()
def cluster(tmp_path: Path) -> Iterator[tuple[list[Server], RoundRobin]]:
    require_postgres()
    services = compose()["services"]
    schema = f"sw_compose_{int(time.time() * 1000) % 10**9}"
    db = local_url(node_args(services["node1"]).db, schema)
    migrate = swapped(services["migrate"]["command"], db)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "interpreter"), str(ROOT)])}
    done = subprocess.run([sys.executable, "-m", "statewright", *migrate], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    nodes = []
    try:
        for name in NODES:
            folder = tmp_path / name
            folder.mkdir()
            command = swapped(services[name]["command"], db)
            assert command[0] == "serve"
            nodes.append(Server(folder, *command[1:], db=db))
        proxy = RoundRobin([node.port for node in nodes])
        yield nodes, proxy
        proxy.close()
    finally:
        for node in nodes:
            node.stop()
        drop_schema(schema)


MACHINE = {"StartAt": "Hold", "States": {
    "Hold": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
    "Done": {"Type": "Pass", "Parameters": {"n.$": "$.n", "twice.$": "States.MathAdd($.n, $.n)"}, "End": True}}}


def test_the_compose_commands_serve_behind_a_balancer_and_survive_a_stopped_node(
        cluster: tuple[list[Server], RoundRobin]) -> None:
    nodes, proxy = cluster
    clients = [proxy.client() for _ in range(6)]  # each keeps its connection: six connections, two per node
    arn = clients[0].create_state_machine(name="compose", definition=json.dumps(MACHINE),
                                          roleArn=ROLE)["stateMachineArn"]
    started = [clients[n % 6].start_execution(stateMachineArn=arn, name=f"e{n}", input=json.dumps({"n": n}))
               ["executionArn"] for n in range(30)]
    assert all(count >= 1 for count in proxy.served.values()), proxy.served  # every node took requests
    # Any node describes an execution another node started.
    assert {clients[n % 6].describe_execution(executionArn=started[(n + 1) % 30])["status"]
            for n in range(6)} == {"RUNNING"}
    assert nodes[0].terminate() == 0  # `docker compose stop node1` while every execution waits
    deadline = time.monotonic() + 60
    fresh = proxy.client()  # a new connection: the proxy skips the stopped node
    statuses: dict[str, str] = {}
    while time.monotonic() < deadline:
        statuses = {execution: fresh.describe_execution(executionArn=execution)["status"] for execution in started}
        if set(statuses.values()) == {"SUCCEEDED"}:
            break
        time.sleep(0.5)
    assert set(statuses.values()) == {"SUCCEEDED"}, statuses
    for n, execution in enumerate(started):
        assert json.loads(fresh.describe_execution(executionArn=execution)["output"]) == {"n": n, "twice": 2 * n}
