"""Lint speed: a generated 1,000-state YAML definition, in process and as a CLI process, beside peers.

Usage: ``python benchmarks/lint_bench.py [--states 1000] [--rounds 11]``. Peers are measured in the same
run when installed with ``benchmarks/install-peers`` (asl-validator, on Node). In process, each timed call
lints a definition of the same shape that no earlier call has seen (see ``fresh_variants``); the CLI
lints the generated file in a new process each time. Prints a table of medians
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


def _statewright_cli() -> list[str]:
    script = Path(sys.executable).with_name("statewright")
    return [str(script)] if script.exists() else [sys.executable, "-m", "statewright"]


def _statewright_in_process(texts: list[str]) -> list[float]:
    import statewright

    samples = []
    for text in texts:
        start = time.perf_counter()
        diagnostics = statewright.lint(text)
        samples.append((time.perf_counter() - start) * 1000)
        errors = [d for d in diagnostics if d.is_error]
        if errors:
            raise SystemExit(f"statewright reported errors on the generated definition: {errors[:3]}")
    return samples


def _asl_validator_in_process(node: str, json_file: Path, calls: int) -> list[float]:
    done = subprocess.run(
        [node, str(HERE / "peers" / "asl_validator_inprocess.js"), str(PEER_MODULES), str(json_file), str(calls + 1)],
        capture_output=True, text=True, check=True,
    )
    report = json.loads(done.stdout)
    if not report["valid"]:
        raise SystemExit("asl-validator judged the generated definition invalid; the comparison would be unfair")
    return report["times_ms"][1:]  # the first call warms the JIT up, as our first call imports and compiles


def fresh_variants(states: int, count: int) -> list[str]:
    """Definitions of the benchmark's shape that no earlier call has seen: each in-process call lints a
    new one, so what the linter memoizes by expression text (parsed paths and intrinsics) never carries
    over from one timed call to the next, as it would not for a user linting a new file."""
    return [yaml.safe_dump(linear_workflow(states, variant), sort_keys=False) for variant in range(1, count + 1)]


def measure(yaml_file: Path, json_file: Path, rounds: int, states: int) -> dict[str, dict[str, list[float]]]:
    """Interleaved rounds: in each, every engine runs once in process (median of 3 calls) and once as a
    CLI process, so a burst of noise on this shared machine hits all engines alike."""
    # Imports and compiles once (the schema, the grammars), as a long-running process would.
    _statewright_in_process([yaml_file.read_text()])
    variants = fresh_variants(states, 3 * rounds)
    node = shutil.which("node")
    peer = node is not None and (PEER_MODULES / "asl-validator").is_dir()
    samples: dict[str, dict[str, list[float]]] = {"statewright": {"in_process": [], "cli": []}}
    if peer:
        samples["asl-validator"] = {"in_process": [], "cli": []}
    ours_cli = [*_statewright_cli(), "lint", "--format", "concise", str(yaml_file)]
    for round_number in range(rounds):
        fresh = variants[3 * round_number : 3 * round_number + 3]
        samples["statewright"]["in_process"].append(statistics.median(_statewright_in_process(fresh)))
        samples["statewright"]["cli"].extend(_time_command(ours_cli, 1))
        if peer:
            assert node is not None
            peer_samples = samples["asl-validator"]
            peer_samples["in_process"].append(statistics.median(_asl_validator_in_process(node, json_file, 3)))
            cli = [node, str(PEER_MODULES / ".bin" / "asl-validator"), "--silent", "--yaml-path", str(yaml_file)]
            peer_samples["cli"].extend(_time_command(cli, 1))
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()
    definition = linear_workflow(args.states)
    with tempfile.TemporaryDirectory() as tmp:
        yaml_file = Path(tmp) / "workflow.asl.yaml"
        json_file = Path(tmp) / "workflow.asl.json"
        yaml_file.write_text(yaml.safe_dump(definition, sort_keys=False))
        json_file.write_text(json.dumps(definition, indent=2))
        samples = measure(yaml_file, json_file, args.rounds, args.states)
    results = {engine: {kind: _stats(values) for kind, values in kinds.items()} for engine, kinds in samples.items()}
    report(results, samples, args.states)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "lint.json").write_text(json.dumps({"states": args.states, "results": results}, indent=2))
    return 0


def report(results: dict, samples: dict, states: int) -> None:
    print(f"Linting a generated {states}-state YAML definition: median of interleaved rounds (min..max), ms")
    print(f"{'engine':<16}{'in process':>24}{'CLI process':>24}")
    for engine, r in results.items():
        cells = [
            f"{r[k]['median_ms']:8.1f} ({r[k]['min_ms']:.0f}..{r[k]['max_ms']:.0f})" for k in ("in_process", "cli")
        ]
        print(f"{engine:<16}{cells[0]:>24}{cells[1]:>24}")
    ours = samples["statewright"]
    for engine, theirs in samples.items():
        if engine == "statewright":
            continue
        for kind in ("in_process", "cli"):
            # The ratio of each round's pair, then the median: robust to noise that spans a round.
            ratios = [peer / own for peer, own in zip(theirs[kind], ours[kind], strict=True)]
            print(f"statewright is {statistics.median(ratios):.1f}x faster than {engine} ({kind.replace('_', ' ')}; "
                  f"median of per-round ratios, range {min(ratios):.1f}..{max(ratios):.1f})")
    if "asl-validator" not in results:
        print("asl-validator not measured: run benchmarks/install-peers (needs node and npm)")
    print("statelint (Ruby gem) not measured: its gem host is not reachable from this machine")
    verdicts = [("in process <= 100 ms", results["statewright"]["in_process"]["median_ms"] <= 100),
                ("CLI <= 400 ms", results["statewright"]["cli"]["median_ms"] <= 400)]
    for label, ok in verdicts:
        print(f"target {label}: {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
