"""A durable engine in a process of its own, for the tests that kill it (``python tests/durable/app.py``).

    app.py DB start MACHINE_FILE COUNT [INPUT_JSON]   start COUNT executions, print their ARNs, then idle until killed
    app.py DB resume                                  open the store, wait for every execution, print the results

Task resources (``FN + name``): ``slow`` appends its payload to $STATEWRIGHT_TEST_LOG and sleeps 30 s (a task in
flight when the process is killed); ``echo`` returns its payload; ``ask`` appends its token to the log (a
``.waitForTaskToken`` request). HTTP tasks go wherever the definition points.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import statewright
from statewright.runtime.durable import DurableEngine

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def _log(entry: Any) -> None:
    with open(os.environ["STATEWRIGHT_TEST_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


async def slow(payload: Any) -> Any:
    _log({"slow": payload, "pid": os.getpid()})
    await asyncio.sleep(float(os.environ.get("STATEWRIGHT_TEST_SLOW", "30")))
    return {"done": payload}


async def echo(payload: Any) -> Any:
    return payload


async def ask(payload: Any) -> None:
    _log({"token": payload["token"]})


RESOURCES = {FN + "slow": slow, FN + "echo": echo, "arn:aws:states:::sqs:sendMessage": ask}


async def main(db: str, mode: str, *rest: str) -> None:
    async with DurableEngine(db, RESOURCES) as engine:
        if mode == "start":
            machine = statewright.load(Path(rest[0]))
            value = json.loads(rest[2]) if len(rest) > 2 else {}
            for index in range(int(rest[1])):
                print("started", await engine.start(machine, {**value, "index": index}), flush=True)
            await asyncio.Event().wait()
        elif mode == "resume":
            page = await engine.list(status="RUNNING", limit=100_000)
            print("resumed", len(page.executions), flush=True)
            results = {d.execution_arn: await engine.wait(d.execution_arn) for d in page.executions}
            print(json.dumps({arn: {"status": r.status, "output": r.output, "error": r.error, "cause": r.cause,
                                    "types": [e.type for e in r.events]} for arn, r in results.items()}))
            print(json.dumps({"stats": engine.stats}))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
