"""The engines the suite measures, each as a command line that runs one workload file (see ``runners/``).

Every runner reads ``{name, definition, input, executions, wait_states}``, runs ``warmup`` untimed and then
``runs`` timed executions of the workload in one process, and prints ``{times_s, output, base_rss_bytes,
peak_rss_bytes}`` as JSON; the suite checks ``output`` before any time counts. Peers live in
``benchmarks/.peers`` (``benchmarks/install-peers``); a peer that is not installed is reported, never
installed here.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNNERS = HERE / "runners"
PEERS = HERE / ".peers"
PEER_PYTHON = PEERS / "venv" / "bin" / "python"
NODE_MODULES = PEERS / "node_modules"


@dataclass(frozen=True, slots=True)
class Engine:
    """One engine: how to run a workload file on it, and why it cannot run here (``None``: it can).

    ``warmup`` untimed runs precede the timed one in each round's process: one for engines whose first run
    pays for imports, compilation or a JIT; none for moto and DBOS, whose runs are seconds long and
    dominated by per-state work (a warm-up would double the suite's time for no change in their rate).
    """

    name: str
    warmup: int
    build: Callable[[Path, int, int, bool], list[str]]
    missing: Callable[[], str | None]

    def command(self, workload_file: Path, *, runs: int = 1, real_time: bool = False,
                warmup: int | None = None) -> list[str]:
        return self.build(workload_file, self.warmup if warmup is None else warmup, runs, real_time)


def _statewright(file: Path, warmup: int, runs: int, real_time: bool) -> list[str]:
    command = [sys.executable, str(RUNNERS / "statewright_runner.py"), str(file), "--warmup", str(warmup),
               "--runs", str(runs), "--skip-lint"]
    return [*command, "--real-time"] if real_time else command


def _sfn_local(file: Path, warmup: int, runs: int, real_time: bool) -> list[str]:
    command = [shutil.which("node") or "node", str(RUNNERS / "sfn_local_runner.js"), str(NODE_MODULES), str(file),
               str(warmup), str(runs)]
    return [*command, "--real-time"] if real_time else command


def _moto(file: Path, warmup: int, runs: int, real_time: bool) -> list[str]:
    return [str(PEER_PYTHON), str(RUNNERS / "moto_runner.py"), str(file), "--warmup", str(warmup), "--runs", str(runs)]


def _dbos(file: Path, warmup: int, runs: int, real_time: bool) -> list[str]:
    return [str(PEER_PYTHON), str(RUNNERS / "dbos_runner.py"), str(file), "--warmup", str(warmup), "--runs", str(runs)]


def _always() -> str | None:
    return None


def _node_package_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not (NODE_MODULES / "aws-local-stepfunctions" / "package.json").is_file():
        return "not installed: run benchmarks/install-peers"
    return None


def _python_package_missing(package: str) -> Callable[[], str | None]:
    def missing() -> str | None:
        if not PEER_PYTHON.exists():
            return "not installed: run benchmarks/install-peers"
        if not any((PEERS / "venv" / "lib").glob(f"python3*/site-packages/{package}/__init__.py")):
            return f"{package} is not in benchmarks/.peers/venv: run benchmarks/install-peers"
        return None

    return missing


ENGINES = {
    "statewright": Engine("statewright", 1, _statewright, _always),
    "aws-local-stepfunctions": Engine("aws-local-stepfunctions", 1, _sfn_local, _node_package_missing),
    "moto": Engine("moto", 0, _moto, _python_package_missing("moto")),
    "dbos": Engine("dbos", 0, _dbos, _python_package_missing("dbos")),
}
