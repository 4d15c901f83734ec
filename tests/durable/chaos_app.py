"""The engine process of the kill test (tests/durable/test_chaos.py): ``python tests/durable/chaos_app.py ...``.

    chaos_app.py durable DB MACHINE_FILE COUNT BACKEND_URL CALLBACK_PORT LOG
        open the store (resuming what it holds), start ``exec-0`` .. ``exec-<COUNT-1>`` (a start that was
        recorded by an earlier launch returns the same execution), wait for every one, then exit
    chaos_app.py reference MACHINE_FILE COUNT BACKEND_URL CALLBACK_PORT
        the same executions on the in-memory engine, uninterrupted, on virtual time: the expected outputs

Both answer task tokens on a :class:`~statewright.CallbackListener` at ``127.0.0.1:CALLBACK_PORT`` and print
JSON lines, flushed at once because the test reads them from a process it kills: ``{"opened": stats}``,
``{"progress": {"ended": n, "stats": {...}}}`` every 0.2 s, and at the end ``{"done": ...}``.

Task resources: ``compute`` (Python, output derived from its payload; under ``durable`` it sleeps up to
0.15 s, so kills land while calls are in flight, and appends each call to LOG) and the
``.waitForTaskToken`` request ``sqs:sendMessage``, which POSTs its payload (token included) to
``BACKEND_URL/approve``: the backend answers the token on the callback listener. HTTP tasks go to the
backend by the URLs in the definition.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import sys
import zlib
from pathlib import Path
from typing import Any

import aiohttp

import statewright
from statewright.runtime.callback_server import CallbackListener, bind
from statewright.runtime.durable import DurableEngine, ExecutionAlreadyExists

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
ASK = "arn:aws:states:::sqs:sendMessage"


def input_of(index: int) -> dict[str, Any]:
    """The input of ``exec-<index>``: a Wait of 0 to 2 s, a Map of 2 to 6 items."""
    return {"index": index, "wait": index % 3, "value": index * 7 % 50,
            "items": [(index + k) % 9 for k in range(2 + index % 5)]}


def emit(entry: Any) -> None:
    sys.stdout.write(json.dumps(entry) + "\n")
    sys.stdout.flush()


class Resources:
    """The task functions, with what they need: the backend's URL, a call log, whether to take time."""

    def __init__(self, backend: str, log: str | None, slow: bool) -> None:
        self.backend = backend
        self.log = log
        self.slow = slow
        self.session: aiohttp.ClientSession | None = None

    def mapping(self) -> dict[str, Any]:
        return {FN + "compute": self.compute, ASK: self.ask}

    def _record(self, entry: Any) -> None:
        if self.log is not None:  # one write(2) per line: a kill never leaves half a line
            fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, (json.dumps(entry) + "\n").encode())
            finally:
                os.close(fd)

    async def compute(self, payload: Any) -> Any:
        self._record({"compute": payload})
        if self.slow:
            await asyncio.sleep(zlib.crc32(json.dumps(payload, sort_keys=True).encode()) % 4 * 0.05)
        return {"total": payload["value"] * payload["value"] + payload["index"], "odd": payload["value"] % 2 == 1}

    async def ask(self, payload: Any) -> None:
        self._record({"ask": payload})
        if self.session is None:
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        async with self.session.post(f"{self.backend}/approve", json=payload) as response:
            response.raise_for_status()

    async def aclose(self) -> None:
        if self.session is not None:
            await self.session.close()


class Launch:
    """One launch's executions: each started (or found again) and awaited; how many have ended is reported."""

    def __init__(self, engine: DurableEngine, machine: Any) -> None:
        self.engine = engine
        self.machine = machine
        self.ended = 0

    def progress(self) -> dict[str, Any]:
        return {"ended": self.ended, "stats": self.engine.stats}

    async def report(self) -> None:
        while True:
            emit({"progress": self.progress()})
            await asyncio.sleep(0.2)

    async def run(self, index: int) -> None:
        try:
            arn = await self.engine.start(self.machine, input_of(index), name=f"exec-{index}")
        except ExecutionAlreadyExists:  # it ended in an earlier launch
            arn = None
        if arn is not None:
            await self.engine.wait(arn)
        self.ended += 1

    async def run_all(self, count: int) -> None:
        async with asyncio.TaskGroup() as group:
            reporter = group.create_task(self.report())
            async with asyncio.TaskGroup() as executions:
                for index in range(count):
                    executions.create_task(self.run(index))
            reporter.cancel()


async def durable(db: str, machine_file: str, count: str, backend: str, callback_port: str, log: str) -> None:
    resources = Resources(backend, log, slow=True)
    machine = statewright.load(Path(machine_file))
    try:
        async with DurableEngine(db, resources.mapping()) as engine:
            emit({"opened": engine.stats})  # open() has sent again what the last launch left in flight
            async with CallbackListener(engine, bind(port=int(callback_port))):
                launch = Launch(engine, machine)
                await launch.run_all(int(count))
                emit({"done": launch.progress()})
    finally:
        await resources.aclose()


async def reference(machine_file: str, count: str, backend: str, callback_port: str) -> None:
    resources = Resources(backend, None, slow=False)
    try:
        engine = statewright.Engine(resources.mapping())
        async with engine, CallbackListener(engine, bind(port=int(callback_port))):
            machine = statewright.load(Path(machine_file))
            started = [engine.start(machine, input_of(index), name=f"exec-{index}", virtual_time=True)
                       for index in range(int(count))]
            results = [await execution for execution in started]
        emit({"done": {f"exec-{index}": {"status": result.status, "output": result.output, "error": result.error,
                                         "cause": result.cause, "shape": shape(result.events)}
                       for index, result in enumerate(results)}})
    finally:
        await resources.aclose()


def shape(events: Any) -> list[tuple[str, str | None, int]]:
    """How many events of each (type, state name) a history holds: equal for two runs of one input whatever
    the interleaving of its Map iterations, unless a task was retried."""
    counts = collections.Counter((event.type, (event.details or {}).get("name")) for event in events)
    return sorted(((kind, name, n) for (kind, name), n in counts.items()), key=lambda row: (row[0], row[1] or ""))


if __name__ == "__main__":
    mode, *arguments = sys.argv[1:]
    asyncio.run(durable(*arguments) if mode == "durable" else reference(*arguments))
