"""A real ``statewright run`` process whose stderr a test can watch line by line while it runs."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def write_flow(folder: Path, states: str, tasks: str) -> Path:
    """``flow.asl.yaml`` (``StartAt: Work`` and the given States block), ``tasks.py`` and ``resources.yaml``
    mapping ``FN + name`` to ``tasks:name`` for every top-level function of ``tasks``."""
    (folder / "tasks.py").write_text(tasks)
    names = [line[len("def "):].split("(")[0] for line in tasks.splitlines() if line.startswith("def ")]
    names += [line[len("async def "):].split("(")[0] for line in tasks.splitlines() if line.startswith("async def ")]
    (folder / "resources.yaml").write_text(
        "resources:\n" + "".join(f"  {FN}{name}: tasks:{name}\n" for name in names))
    path = folder / "flow.asl.yaml"
    path.write_text("StartAt: Work\nStates:\n" + states)
    return path


class RunProcess:
    """``python -m statewright run FLOW --resources ... ARGS`` started at once; stderr read by a thread."""

    def __init__(self, flow: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "statewright", "run", str(flow), "--resources",
             str(flow.parent / "resources.yaml"), *args],
            cwd=ROOT, env={**os.environ, "NO_COLOR": "1"}, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._out: list[str] = []
        self._readers = [threading.Thread(target=self._read_stderr, daemon=True),
                         threading.Thread(target=self._read_stdout, daemon=True)]
        for reader in self._readers:
            reader.start()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._queue.put(line)
        self._queue.put(None)

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        self._out.append(self.process.stdout.read())

    def wait_for(self, needle: str, timeout: float = 60) -> None:
        """Return once a stderr line contains ``needle``; fail if the process ends or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.kill()
                raise AssertionError(f"no line with {needle!r} in {timeout} s; stderr so far: {self.lines}") from None
            if line is None:
                raise AssertionError(f"the process ended before a line with {needle!r}: {self.lines}")
            self.lines.append(line)
            if needle in line:
                return

    def finish(self, timeout: float = 60) -> float:
        """Wait for the process to end; returns when it ended (``time.monotonic()``). Kills it after ``timeout``."""
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"still running after {timeout} s; stderr: {self.lines}") from None
        ended = time.monotonic()
        for reader in self._readers:
            reader.join(timeout=10)
        while not self._queue.empty():
            line = self._queue.get()
            if line is not None:
                self.lines.append(line)
        return ended

    @property
    def stdout(self) -> str:
        return "".join(self._out)

    @property
    def stderr(self) -> str:
        return "".join(self.lines)

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
