"""``python -m benchmarks --cli``: whole-process start-up, ``statewright run`` beside aws-local-stepfunctions' CLI.

A user runs one definition from the shell, so the figure is a whole process: start, read, run, print, exit.
Each round runs, in turn, ``statewright run FILE --input-file INPUT --quiet`` and ``local-sfn -f FILE`` (its
input on standard input) on a one-state Pass machine and on W1 (1,000 Pass states), and ``statewright lint``
of the one-state file. Bytecode caches are warm for both, as on a user's install: PYTHONDONTWRITEBYTECODE is
unset and an untimed first run writes Python's caches (Node compiles every time; that is its start-up).
Medians of the rounds, and the median of per-round ratios.

``--source DIR`` times the Statewright of another checkout (its ``interpreter/``): how the "before" figures
are taken. Targets (issue 16): ``statewright run`` <= 0.5x ``local-sfn`` on both workloads; ``statewright
lint`` of one file under 120 ms. Run ``benchmarks/install-peers`` first for ``local-sfn``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.workloads import pass_chain

ROOT = Path(__file__).resolve().parents[1]
LOCAL_SFN = ROOT / "benchmarks" / ".peers" / "node_modules" / ".bin" / "local-sfn"
RUN_TARGET, LINT_TARGET_S = 0.5, 0.120
ONE_STATE = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
ONE_STATE_YAML = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Result: {ok: true}\n    End: true\n"


def _timed(command: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    began = time.perf_counter()
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, check=False)
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} exited {done.returncode}: {done.stderr[-800:]}")
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks --cli", description=__doc__.splitlines()[0])
    parser.add_argument("--cli", action="store_true")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout whose Statewright is timed")
    args = parser.parse_args(argv)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(args.source.resolve() / "interpreter")
    w1 = pass_chain()
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for name, definition, value in (("one-state", ONE_STATE, {}), ("W1", w1.definition, w1.input)):
            path = Path(folder) / f"{name}.asl.json"
            path.write_text(json.dumps(definition))
            (Path(folder) / f"{name}.input.json").write_text(json.dumps(value))
            files[name] = (path, json.dumps(value))
        commands: dict[str, tuple[list[str], str | None]] = {}
        for name, (path, value) in files.items():
            commands[f"{name} statewright run"] = ([sys.executable, "-m", "statewright", "run", str(path),
                                                    "--input-file", str(path).replace(".asl.json", ".input.json"),
                                                    "--quiet"], None)
            if LOCAL_SFN.exists():
                commands[f"{name} local-sfn"] = ([str(LOCAL_SFN), "-f", str(path)], value + "\n")
        commands["one-state statewright lint"] = ([sys.executable, "-m", "statewright", "lint",
                                                   str(files["one-state"][0])], None)
        # The same machine as YAML, as most definitions are written: the lint then also imports PyYAML.
        yaml_file = Path(folder) / "one-state.asl.yaml"
        yaml_file.write_text(ONE_STATE_YAML)
        commands["one-state statewright lint YAML"] = ([sys.executable, "-m", "statewright", "lint",
                                                        str(yaml_file)], None)
        for command, stdin in commands.values():  # untimed: writes the bytecode caches, warms the disk cache
            _timed(command, env, stdin)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, (command, stdin) in commands.items():
                times[name].append(_timed(command, env, stdin))
    print(f"Whole processes, bytecode caches warm, {args.rounds} interleaved rounds, {os.cpu_count()} cores; "
          f"Statewright from {args.source.resolve()}")
    for name, values in times.items():
        print(f"{name:<30} {statistics.median(values) * 1000:>7.0f} ms (min {min(values) * 1000:.0f}, "
              f"max {max(values) * 1000:.0f})")
    for workload in files:
        ours, theirs = times[f"{workload} statewright run"], times.get(f"{workload} local-sfn")
        if not theirs:
            print(f"target {workload}: local-sfn not measured (run benchmarks/install-peers)")
            continue
        ratio = statistics.median(a / b for a, b in zip(ours, theirs, strict=True))
        print(f"target {workload}: statewright run <= {RUN_TARGET}x local-sfn: "
              f"{'met' if ratio <= RUN_TARGET else 'MISSED'} ({ratio:.2f}x)")
    for form, name in (("JSON", "one-state statewright lint"), ("YAML", "one-state statewright lint YAML")):
        lint = statistics.median(times[name])
        print(f"target statewright lint of one {form} file < {LINT_TARGET_S * 1000:.0f} ms: "
              f"{'met' if lint < LINT_TARGET_S else 'MISSED'} ({lint * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
