"""The benchmark suite stays runnable: every workload runs correctly on Statewright at a tiny size, and each
engine's command line is well-formed. No timing is asserted here (``python -m benchmarks`` measures)."""

from __future__ import annotations

import asyncio
import json
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks.engines import ENGINES, RUNNERS
from benchmarks.suite import run_engine, write_workload
from benchmarks.workloads import Workload, all_workloads, many_executions

import statewright

TINY = all_workloads(scale=0.01)


def _run(workload: Workload) -> object:
    machine = statewright.load(workload.definition)

    async def go() -> list[statewright.Result]:
        inputs = workload.input if workload.executions > 1 else [workload.input]
        return await asyncio.gather(*(machine.execute(item, virtual_time=True) for item in inputs))

    results = asyncio.run(go())
    assert all(result.status == "SUCCEEDED" for result in results), [(r.error, r.cause) for r in results]
    outputs = [result.output for result in results]
    return outputs if workload.executions > 1 else outputs[0]


@pytest.mark.parametrize("workload", TINY, ids=lambda workload: workload.name)
def test_each_workload_runs_correctly_on_statewright(workload: Workload) -> None:
    workload.check(_run(workload))
    json.dumps(workload.to_json())  # what every engine's runner reads


@pytest.mark.parametrize("workload", TINY, ids=lambda workload: workload.name)
def test_each_check_rejects_a_wrong_output(workload: Workload) -> None:
    with pytest.raises((AssertionError, KeyError, TypeError)):
        workload.check({"wrong": True})


def test_the_full_size_workloads_match_the_issue() -> None:
    sizes = {workload.name: workload.transitions for workload in all_workloads()}
    assert sizes == {"W1": 1000, "W2": 20_001, "W3-mc0": 10_001, "W3-mc10": 10_001, "W4": 5000, "W5": 1001}
    assert many_executions(10_000).executions == 10_000


@pytest.mark.parametrize("engine", ENGINES.values(), ids=lambda engine: engine.name)
def test_each_engine_command_line_is_well_formed(engine, tmp_path: Path) -> None:
    file = write_workload(TINY[0], tmp_path)
    command = engine.command(file, runs=2, warmup=0)
    assert all(isinstance(part, str) and part for part in command)
    runner = next(Path(part) for part in command if Path(part).parent == RUNNERS)
    assert runner.is_file()
    assert str(file) in command and "2" in command
    if runner.suffix == ".py":
        py_compile.compile(str(runner), doraise=True)
    elif shutil.which("node"):
        subprocess.run(["node", "--check", str(runner)], check=True)
    missing = engine.missing()
    assert missing is None or "install-peers" in missing or "node" in missing


def test_the_statewright_runner_reports_a_checked_output(tmp_path: Path) -> None:
    workload = many_executions(3)
    report = run_engine(ENGINES["statewright"], workload, write_workload(workload, tmp_path))
    assert len(report["times_s"]) == 1 and report["peak_rss_bytes"] > 0


def test_the_entry_point_installs_nothing_and_explains_itself() -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--help"], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], check=True)
    assert "--rounds" in done.stdout and "--engines" in done.stdout


def test_the_cli_benchmark_times_whole_processes_and_judges_the_targets(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.cli_bench import main

    assert main(["--cli", "--rounds", "1"]) == 0
    printed = capsys.readouterr().out
    assert "one-state statewright run" in printed and "W1 statewright run" in printed
    assert "target statewright lint of one JSON file < 120 ms:" in printed
    assert "target statewright lint of one YAML file < 120 ms:" in printed
    assert printed.count("target ") == 4  # both run targets (or "local-sfn not measured") and lint's two


def test_every_workload_records_the_history_it_recorded_before_the_speed_work() -> None:
    """Speed work must not change what is recorded: each full-size workload's histories and outputs hash to
    the digest benchmarks/histories.json keeps (written by the code before issue 19's changes)."""
    from benchmarks.histories import DIGESTS, digests

    assert digests() == json.loads(DIGESTS.read_text())
