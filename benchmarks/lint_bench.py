"""Lint speed: a generated 1,000-state YAML definition, in process and as a CLI process, beside peers.

Usage: ``python benchmarks/lint_bench.py [--states 1000] [--repeats 15]``. Peers are measured in the same
run when installed with ``benchmarks/install-peers`` (asl-validator, on Node). Prints a table of medians
(min, max) and the ratios, and writes ``benchmarks/results/lint.json``.
Targets (issue 3): in process <= 100 ms, CLI <= 400 ms, and faster than every peer measured.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import linear_workflow  # noqa: E402

PEER_MODULES = HERE / ".peers" / "node_modules"


def _stats(samples: list[float]) -> dict[str, float]:
    return {"median_ms": statistics.median(samples), "min_ms": min(samples), "max_ms": max(samples),
            "runs": len(samples)}


def _time_command(command: list[str], repeats: int, expect_exit: int = 0) -> list[float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        samples.append((time.perf_counter() - start) * 1000)
        if done.returncode != expect_exit:
            raise SystemExit(f"{command[0]} exited {done.returncode}: {done.stdout[-2000:]}{done.stderr[-2000:]}")
    return samples


def measure_statewright(yaml_file: Path, repeats: int) -> dict[str, dict[str, float]]:
    import statewright

    text = yaml_file.read_text()
    start = time.perf_counter()
    first = statewright.lint(text)
    first_ms = (time.perf_counter() - start) * 1000
    errors = [d for d in first if d.is_error]
    if errors:
        raise SystemExit(f"statewright reported errors on the generated definition: {errors[:3]}")
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        statewright.lint(text)
        samples.append((time.perf_counter() - start) * 1000)
    script = Path(sys.executable).with_name("statewright")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "statewright"]
    return {
        "in_process": {**_stats(samples), "first_call_ms": first_ms},
        "cli": _stats(_time_command([*cli, "lint", "--format", "concise", str(yaml_file)], max(repeats // 2, 5))),
    }


def measure_asl_validator(json_file: Path, yaml_file: Path, repeats: int) -> dict[str, dict[str, float]] | None:
    node = shutil.which("node")
    if node is None or not (PEER_MODULES / "asl-validator").is_dir():
        return None
    done = subprocess.run(
        [node, str(HERE / "peers" / "asl_validator_inprocess.js"), str(PEER_MODULES), str(json_file),
         str(repeats + 1)],
        capture_output=True, text=True, check=True,
    )
    report = json.loads(done.stdout)
    if not report["valid"]:
        raise SystemExit("asl-validator judged the generated definition invalid; the comparison would be unfair")
    cli = [node, str(PEER_MODULES / ".bin" / "asl-validator"), "--silent", "--yaml-path", str(yaml_file)]
    return {
        "in_process": {**_stats(report["times_ms"][1:]), "first_call_ms": report["times_ms"][0]},
        "cli": _stats(_time_command(cli, max(repeats // 2, 5))),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    definition = linear_workflow(args.states)
    with tempfile.TemporaryDirectory() as tmp:
        yaml_file = Path(tmp) / "workflow.asl.yaml"
        json_file = Path(tmp) / "workflow.asl.json"
        yaml_file.write_text(yaml.safe_dump(definition, sort_keys=False))
        json_file.write_text(json.dumps(definition, indent=2))
        results = {"statewright": measure_statewright(yaml_file, args.repeats)}
        peer = measure_asl_validator(json_file, yaml_file, args.repeats)
        if peer:
            results["asl-validator"] = peer
    report(results, args.states, yaml_file.name)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "lint.json").write_text(json.dumps({"states": args.states, "results": results}, indent=2))
    return 0


def report(results: dict, states: int, name: str) -> None:
    print(f"Linting a generated {states}-state YAML definition (median of runs; min..max), ms")
    print(f"{'engine':<16}{'in process':>24}{'CLI process':>24}")
    for engine, r in results.items():
        cells = [
            f"{r[k]['median_ms']:8.1f} ({r[k]['min_ms']:.0f}..{r[k]['max_ms']:.0f})" for k in ("in_process", "cli")
        ]
        print(f"{engine:<16}{cells[0]:>24}{cells[1]:>24}")
    ours = results["statewright"]
    for engine, r in results.items():
        if engine == "statewright":
            continue
        for kind in ("in_process", "cli"):
            ratio = r[kind]["median_ms"] / ours[kind]["median_ms"]
            print(f"statewright is {ratio:.1f}x faster than {engine} ({kind.replace('_', ' ')})")
    if "asl-validator" not in results:
        print("asl-validator not measured: run benchmarks/install-peers (needs node and npm)")
    print("statelint (Ruby gem) not measured: its gem host is not reachable from this machine")
    verdicts = [("in process <= 100 ms", ours["in_process"]["median_ms"] <= 100),
                ("CLI <= 400 ms", ours["cli"]["median_ms"] <= 400)]
    for label, ok in verdicts:
        print(f"target {label}: {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
