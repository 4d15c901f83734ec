"""The ``serve`` process as an operator meets it: a closed stderr, a taken port, the last line at exit."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.server.conftest import ROOT, Server

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "interpreter"), str(ROOT)])}


def test_sigterm_drains_even_when_nobody_reads_stderr(tmp_path: Path) -> None:
    """A supervisor that went away closes the pipe: the drain message fails to write, the drain must not."""
    reader, writer = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-m", "statewright", "serve", "--db", str(tmp_path / "s.db"), "--port", "0"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=writer, text=True, env=ENV)
    os.close(writer)
    try:
        assert process.stdout is not None
        assert "listening on" in process.stdout.readline()
        os.close(reader)  # from now on every write to stderr fails with EPIPE
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_a_taken_port_is_one_line_exit_2_and_leaves_no_store_behind(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "statewright", "serve", "--db", str(tmp_path / "fresh.db"), "--port", str(port)],
            cwd=tmp_path, capture_output=True, text=True, env=ENV, timeout=60)
    assert done.returncode == 2, done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "fresh.db").exists(), "a server that never listened created a store"


def test_the_last_line_says_it_stopped(tmp_path: Path) -> None:
    server = Server(tmp_path)
    try:
        started = time.monotonic()
        assert server.terminate() == 0
        assert time.monotonic() - started < 30
        lines = server.log.read_text().splitlines()
        assert lines[-1] == "statewright serve: stopped; every decision is recorded", lines[-3:]
    finally:
        server.stop()
