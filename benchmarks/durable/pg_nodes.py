"""D10 on PostgreSQL with 1, 2 and 3 nodes sharing one database, next to SQLite, in one run.

``python -m benchmarks.durable.pg_nodes [--server URL] [--executions 3000] [--rounds 3]``. For each node
count, a fresh schema; each node is a process of its own (a DurableEngine with its own lease), warmed with
50 untimed executions, then all start their share of the executions at one agreed moment. The rate is every
node's transitions over the time from that moment to the last node's last result. SQLite (one process,
``synchronous=FULL``) runs the same executions in the same run for the comparison, and DBOS (its D10,
``dbos_d10.py``, every step checkpointed) on the same PostgreSQL server when benchmarks/install-peers has
installed it; DBOS runs ``--dbos-executions`` workflows (1,000: at its rate, 3,000 would take minutes a round).
Rates are per durable transition, so the sizes compare. Medians of the rounds. Read the figures with the
machine in mind: the nodes and the PostgreSQL server share its cores.

Targets (issue 15): >= 5,000 durable transitions/s with one node, >= 25x DBOS, and no node count below the
one before it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "interpreter")])}
PEER_PYTHON = ROOT / "benchmarks" / ".peers" / "venv" / "bin" / "python"
ONE_NODE_TARGET, DBOS_TARGET = 5_000, 25.0


async def _node(url: str, node: str, executions: int, offset: int, start_at: float) -> dict[str, Any]:
    import statewright
    from benchmarks.durable import workload as d10
    from benchmarks.durable.statewright_durable import count
    from statewright.runtime.durable import DurableEngine

    machine = statewright.load(d10.definition())
    inputs = d10.inputs(offset + executions)[offset:]
    async with DurableEngine(url, {d10.FN + "count": count}, virtual_time=True, node_id=node) as engine:
        await asyncio.gather(*(engine.execute(machine, item) for item in d10.inputs(50)))  # warm, untimed
        await asyncio.sleep(max(0.0, start_at - time.time()))
        began = time.time()
        results = await asyncio.gather(*(engine.execute(machine, item) for item in inputs))
        ended = time.time()
        conflicts = engine.stats["step_conflicts"]
    wrong = [r for r, item in zip(results, inputs, strict=True) if r.output != d10.expected(item)]
    if wrong:
        raise SystemExit(f"{node}: wrong output {wrong[0].status} {wrong[0].output}")
    return {"began": began, "ended": ended, "transitions": d10.STEPS * executions, "conflicts": conflicts}


def _round(server: str, nodes: int, executions: int) -> dict[str, Any]:
    schema = f"bench_nodes_{uuid.uuid4().hex[:10]}"
    url = f"{server}?schema={schema}"
    subprocess.run([sys.executable, "-m", "statewright", "db", "migrate", "--db", url], check=True, env=ENV,
                   capture_output=True)
    start_at = time.time() + 6 + nodes  # the nodes start, open and warm up before it
    share = executions // nodes
    processes = [subprocess.Popen(
        [sys.executable, "-m", "benchmarks.durable.pg_nodes", "--node", f"n{k}", "--url", url,
         "--executions", str(share), "--offset", str(k * share), "--start-at", str(start_at)],
        stdout=subprocess.PIPE, text=True, env=ENV, cwd=ROOT) for k in range(nodes)]
    outputs = [json.loads(process.communicate(timeout=600)[0].strip().splitlines()[-1]) for process in processes]
    from benchmarks.durable.statewright_durable import drop_schema

    asyncio.run(drop_schema(server, schema))
    if any(output["began"] > start_at + 1 for output in outputs):
        raise SystemExit("a node was not ready at the agreed moment: raise the start delay")
    took = max(output["ended"] for output in outputs) - start_at
    transitions = sum(output["transitions"] for output in outputs)
    return {"rate": transitions / took, "took_s": took, "conflicts": sum(o["conflicts"] for o in outputs)}


def _sqlite(executions: int) -> float:
    done = subprocess.run([sys.executable, "-m", "benchmarks.durable.statewright_durable", "--workload", "D10",
                           "--executions", str(executions), "--rounds", "1"], capture_output=True, text=True,
                          env=ENV, cwd=ROOT, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["transitions"] / result["times_s"][0])


def _dbos(server: str, executions: int) -> float:
    done = subprocess.run([str(PEER_PYTHON), str(ROOT / "benchmarks" / "durable" / "dbos_d10.py"), "--executions",
                           str(executions), "--rounds", "1", "--postgres", server], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["transitions"] / result["times_s"][0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--executions", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dbos-executions", type=int, default=1000)
    parser.add_argument("--node")  # the role of a node process (started by the coordinator)
    parser.add_argument("--url")
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--start-at", type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.node:
        print(json.dumps(asyncio.run(_node(args.url, args.node, args.executions, args.offset, args.start_at))))
        return 0
    rates: dict[str, list[float]] = {"SQLite, one process": []}
    conflicts: dict[str, list[int]] = {}
    for _ in range(args.rounds):
        rates["SQLite, one process"].append(_sqlite(args.executions))
        for nodes in (1, 2, 3):
            name = f"PostgreSQL, {nodes} node{'s' if nodes > 1 else ''}"
            result = _round(args.server, nodes, args.executions)
            rates.setdefault(name, []).append(result["rate"])
            conflicts.setdefault(name, []).append(result["conflicts"])
        if PEER_PYTHON.exists():
            rates.setdefault("DBOS on PostgreSQL", []).append(_dbos(args.server, args.dbos_executions))
    print(f"D10 ({args.executions} executions of 10 durable steps), {args.rounds} rounds, {os.cpu_count()} cores; "
          "synchronous=FULL (SQLite), synchronous_commit=on (PostgreSQL)")
    for name, values in rates.items():
        extra = f"  step conflicts {conflicts[name]}" if name in conflicts else ""
        print(f"{name:<24} {statistics.median(values):>9,.0f} durable transitions/s (rounds: "
              f"{', '.join(f'{v:,.0f}' for v in values)}){extra}")
    middle = {name: statistics.median(values) for name, values in rates.items()}
    one = middle["PostgreSQL, 1 node"]
    print(f"target one node >= {ONE_NODE_TARGET:,} durable transitions/s: "
          f"{'met' if one >= ONE_NODE_TARGET else 'MISSED'} ({one:,.0f})")
    if "DBOS on PostgreSQL" in rates:
        ratios = [ours / theirs for ours, theirs in zip(rates["PostgreSQL, 1 node"], rates["DBOS on PostgreSQL"],
                                                         strict=True)]
        ratio = statistics.median(ratios)
        print(f"target one node >= {DBOS_TARGET:.0f}x DBOS on the same server: "
              f"{'met' if ratio >= DBOS_TARGET else 'MISSED'} ({ratio:.1f}x; per round {min(ratios):.1f}.."
              f"{max(ratios):.1f})")
    else:
        print("DBOS on PostgreSQL: not measured (run benchmarks/install-peers)")
    scaling = [middle[f"PostgreSQL, {n} node{'s' if n > 1 else ''}"] for n in (1, 2, 3)]
    lower = [n + 2 for n in range(2) if scaling[n + 1] < scaling[n]]
    print(f"target adding a node never lowers throughput: {'met' if not lower else 'MISSED'} ("
          + " -> ".join(f"{rate:,.0f}" for rate in scaling) + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
