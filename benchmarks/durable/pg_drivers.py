"""Why the PostgreSQL store uses asyncpg: the two async drivers on the store's own write path, in one run.

``python -m benchmarks.durable.pg_drivers [--server URL] [--rounds 7]``: a group commit of 2,000 step rows
(one ``executemany`` in one transaction, the rows the D10 workload writes) and 2,000 one-row reads by primary
key, with asyncpg and with psycopg 3 (``pip install 'psycopg[binary]'``; skipped when it is not installed),
each on one connection to the same server, medians printed. Measured on 2026-12-05 on this project's
2-core machine against the local PostgreSQL 15, two passes: asyncpg 9.3-9.6 ms per 2,000-row commit,
psycopg 19.0-20.0 ms; one-row reads 103-131 µs with both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

ROWS = [(i, 1, 1, 7, json.dumps({"type": "Started", "input": {"n": i}}).encode(),
         json.dumps([["PassStateEntered", {"name": "x", "input": "{}"}]] * 7).encode()) for i in range(2000)]
TABLE = ("CREATE TEMPORARY TABLE bench_steps (execution_id bigint, step bigint, first_event integer, "
         "event_count integer, input bytea, events bytea, PRIMARY KEY (execution_id, step))")


async def with_asyncpg(server: str, rounds: int) -> tuple[float, float]:
    import asyncpg

    connection = await asyncpg.connect(server)
    await connection.execute(TABLE)
    commits, reads = [], []
    for _ in range(rounds):
        await connection.execute("TRUNCATE bench_steps")
        began = time.perf_counter()
        async with connection.transaction():
            await connection.executemany("INSERT INTO bench_steps VALUES ($1, $2, $3, $4, $5, $6)", ROWS)
        commits.append(time.perf_counter() - began)
    for number in range(len(ROWS)):
        began = time.perf_counter()
        await connection.fetchrow("SELECT input FROM bench_steps WHERE execution_id = $1 AND step = 1", number)
        reads.append(time.perf_counter() - began)
    await connection.close()
    return statistics.median(commits), statistics.median(reads)


async def with_psycopg(server: str, rounds: int) -> tuple[float, float]:
    import psycopg

    connection = await psycopg.AsyncConnection.connect(server, autocommit=True)
    await connection.execute(TABLE)
    commits, reads = [], []
    for _ in range(rounds):
        await connection.execute("TRUNCATE bench_steps")
        began = time.perf_counter()
        async with connection.transaction(), connection.cursor() as cursor:
            await cursor.executemany("INSERT INTO bench_steps VALUES (%s, %s, %s, %s, %s, %s)", ROWS)
        commits.append(time.perf_counter() - began)
    for number in range(len(ROWS)):
        began = time.perf_counter()
        cursor = await connection.execute(
            "SELECT input FROM bench_steps WHERE execution_id = %s AND step = 1", (number,), prepare=True)
        await cursor.fetchone()
        reads.append(time.perf_counter() - began)
    await connection.close()
    return statistics.median(commits), statistics.median(reads)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    drivers: dict[str, Any] = {"asyncpg": with_asyncpg, "psycopg": with_psycopg}
    for _ in range(2):  # twice, interleaved: the second pass is the warmer one
        for name, measure in drivers.items():
            try:
                commit, read = asyncio.run(measure(args.server, args.rounds))
            except ImportError:
                print(f"{name}: not installed")
                continue
            print(f"{name:8} 2,000-row group commit: median {commit * 1000:6.1f} ms; one-row read: median "
                  f"{read * 1e6:4.0f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
