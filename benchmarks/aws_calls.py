"""What the AWS integrations' thread hop costs next to the call itself (issue 17: boto3 or aiobotocore).

Usage::

    python benchmarks/aws_calls.py [--calls N] [--concurrency C]

Starts moto's server on 127.0.0.1 and sends SQS messages, in one run: boto3 alone on this thread, and the
``sqs:sendMessage`` integration's handler as an execution calls it (boto3 on Statewright's task threads,
awaited from the event loop), alternating call by call so that the noisy machine weighs on both alike;
then the handler's rate with 1 and with C calls in flight (best of three each). Medians and ratios are
printed. With a local endpoint on a 2-core machine the endpoint is the bottleneck, so C in flight is no
faster than one (against a remote endpoint, where a call mostly waits, the task threads let calls overlap;
no remote endpoint is reachable from here to measure it). aiobotocore
cannot be measured beside them: it pins botocore to a window of patch releases (3.10.0 wants
``>=1.43.115,<1.43.118``) that the installed boto3 does not accept, which is the reason it was not chosen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "interpreter"))

import boto3

from statewright.runtime.aws import AwsConfig, AwsTasks
from statewright.runtime.resources import Invocation

SEND = "arn:aws:states:::sqs:sendMessage"


def _moto() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    raise SystemExit("moto's server did not start")


async def _interleaved(tasks: AwsTasks, client: Any, queue_url: str, calls: int) -> tuple[list[float], list[float]]:
    """Per-call times of boto3 alone and of the handler, alternating call by call, so that the machine's
    drift (shared, noisy) weighs on both alike."""
    handler = tasks.resolve(Invocation(SEND, None, "Send"))
    assert handler is not None
    direct: list[float] = []
    hopped: list[float] = []
    for index in range(calls):
        started = time.perf_counter()
        client.send_message(QueueUrl=queue_url, MessageBody=f'{{"n": {index}}}')
        direct.append(time.perf_counter() - started)
        started = time.perf_counter()
        await handler(Invocation(SEND, {"QueueUrl": queue_url, "MessageBody": {"n": index}}, "Send"))
        hopped.append(time.perf_counter() - started)
    return direct, hopped


async def _rate(tasks: AwsTasks, queue_url: str, calls: int, concurrency: int) -> float:
    handler = tasks.resolve(Invocation(SEND, None, "Send"))
    assert handler is not None
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> None:
        async with gate:
            await handler(Invocation(SEND, {"QueueUrl": queue_url, "MessageBody": {"n": index}}, "Send"))

    started = time.perf_counter()
    await asyncio.gather(*(one(index) for index in range(calls)))
    return calls / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_EC2_METADATA_DISABLED": "true"})
    process, url = _moto()
    try:
        client = boto3.client("sqs", endpoint_url=url, region_name="us-east-1")
        queue_url = client.create_queue(QueueName="bench")["QueueUrl"]
        tasks = AwsTasks(AwsConfig({"sqs": url}, "us-east-1"))
        asyncio.run(_interleaved(tasks, client, queue_url, 20))  # warm both: connections, clients, threads
        direct, hopped = asyncio.run(_interleaved(tasks, client, queue_url, args.calls))
        rates = {1: [], args.concurrency: []}
        for _ in range(3):  # alternate the two, best of three each
            for concurrency in rates:
                rates[concurrency].append(asyncio.run(_rate(tasks, queue_url, args.calls // 3, concurrency)))
    finally:
        process.terminate()
        process.wait(10)
    d, h = statistics.median(direct) * 1000, statistics.median(hopped) * 1000
    print(f"boto3 alone:                  median {d:.2f} ms per call")
    print(f"integration handler:          median {h:.2f} ms per call ({h / d:.2f}x boto3 alone, interleaved)")
    one, many = max(rates[1]), max(rates[args.concurrency])
    print(f"handler, 1 in flight:         {one:.0f} calls/s")
    print(f"handler, {args.concurrency} in flight:        {many:.0f} calls/s ({many / one:.2f}x)")


if __name__ == "__main__":
    main()
