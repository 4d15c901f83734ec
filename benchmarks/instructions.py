"""Machine instructions per execution, counted by valgrind's callgrind: the quiet measure of per-execution
cost on a shared, noisy machine (wall time here drifts by half between moments; instruction counts do not).

    python benchmarks/instructions.py                    # W4 and W2, in memory
    python benchmarks/instructions.py --workloads W4 --executions 1000

Each workload runs in two processes under callgrind, both loading the machine and running one untimed warm
round of the whole workload; then one runs the measured round and the other does not. The difference,
divided by the number of executions (W4: 1,000) or transitions (W2), is what one more costs, with start-up,
imports and the first run's compilation left out. PYTHONHASHSEED is fixed so both processes hash alike.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CHILD = r"""
import asyncio, json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from benchmarks import workloads
import statewright

workload = {w.name: w for w in workloads.all_workloads()}[sys.argv[3]]
machine = statewright.load(workload.definition)
measured = sys.argv[4] == "1"

async def round_():
    if workload.executions == 1:
        result = await machine.execute(workload.input, virtual_time=True)
        assert result.status == "SUCCEEDED", result
        return
    started = [machine.start(item, virtual_time=True) for item in workload.input]
    for execution in started:
        assert (await execution).status == "SUCCEEDED"

async def main():
    await round_()  # warm: imports, compilation, first-run caches
    if measured:
        await round_()

asyncio.run(main())
"""
_COLLECTED = re.compile(r"Collected : (\d+)")


def count(workload: str, measured: bool) -> int:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "child.py"
        script.write_text(_CHILD)
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        completed = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/out", sys.executable, str(script),
             str(ROOT / "interpreter"), str(ROOT), workload, "1" if measured else "0"],
            capture_output=True, text=True, env=env, check=False)
        match = _COLLECTED.search(completed.stderr)
        if completed.returncode != 0 or match is None:
            raise SystemExit(f"callgrind run of {workload} failed:\n{completed.stderr[-3000:]}")
        return int(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", default="W4,W2")
    parser.add_argument("--output", help="write the counts as JSON here too")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "interpreter"), str(ROOT)]
    from benchmarks import workloads

    known = {w.name: w for w in workloads.all_workloads()}
    results = {}
    for name in args.workloads.split(","):
        workload = known[name]
        per = workload.executions if workload.executions > 1 else workload.transitions
        unit = "execution" if workload.executions > 1 else "transition"
        with_round, without = count(name, True), count(name, False)
        each = (with_round - without) / per
        results[name] = {"instructions_per_" + unit: round(each), "round": with_round - without}
        print(f"{name}: {each:,.0f} instructions per {unit} ({with_round - without:,} for the round of {per:,})")
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
