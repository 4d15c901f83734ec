"""D10 on DBOS (durable Python workflows) on a fresh SQLite file, or a fresh PostgreSQL database with
``--postgres URL`` (its server: the database is made for the run and dropped after); prints JSON like
statewright_durable.py.

The same work as Statewright's D10 (benchmarks/durable/workload.py): a workflow of ten ``@DBOS.step`` calls,
five that add a constant and five that count the fields (the Python tasks), each checkpointed by DBOS before
the next runs; 1,000 workflows started together, then awaited. One untimed round first warms the process.
Runs in the peers' venv: ``benchmarks/.peers/venv/bin/python benchmarks/durable/dbos_d10.py --rounds 3``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for benchmarks.durable.workload

from dbos import DBOS

from benchmarks.durable import workload as d10


@DBOS.step()
async def pass_step(data: dict[str, Any], index: int) -> dict[str, Any]:
    return {**data, f"p{index}": index}


@DBOS.step()
async def task_step(data: dict[str, Any], index: int) -> dict[str, Any]:
    return {**data, f"r{index}": d10.count(data)}


@DBOS.workflow()
async def ten_steps(data: dict[str, Any]) -> dict[str, Any]:
    for index in range(d10.STEPS):
        data = await (task_step(data, index) if index % 2 else pass_step(data, index))
    return data


async def one_round(inputs: list[dict[str, Any]]) -> tuple[float, list[Any]]:
    began = time.perf_counter()
    handles = [await DBOS.start_workflow_async(ten_steps, item) for item in inputs]
    outputs = [await handle.get_result() for handle in handles]
    return time.perf_counter() - began, outputs


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--executions", type=int, default=d10.EXECUTIONS)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (any database on it)")
    args = parser.parse_args()
    inputs = d10.inputs(args.executions)
    times = []
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{Path(folder) / 'dbos.db'}"
        if args.postgres:
            database = f"{args.postgres.rsplit('/', 1)[0]}/dbos_d10_{uuid.uuid4().hex[:10]}"  # DBOS creates it
        DBOS(config={"name": "statewright-durable-bench", "system_database_url": database})
        DBOS.launch()
        try:
            for number in range(args.rounds + 1):  # round 0 warms up, untimed
                took, outputs = asyncio.run(one_round(inputs))
                if outputs != [d10.expected(item) for item in inputs]:
                    raise SystemExit(f"dbos: D10 gave {outputs[:1]}, expected {d10.expected(inputs[0])}")
                if number:
                    times.append(took)
        finally:
            DBOS.destroy()
            if args.postgres:
                drop_database(args.postgres, database.rsplit("/", 1)[1])
    print(json.dumps({"times_s": times, "transitions": d10.STEPS * len(inputs),
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
