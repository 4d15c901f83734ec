"""The load generator: N concurrent clients POSTing StartExecution as boto3 does, timed per request.

Run as ``python -m benchmarks.serve.load --url URL --machine ARN --executions N --concurrency C`` (the suite
starts it in its own process so the client does not share the server's event loop), it prints one JSON line:
``{"took_s", "latencies_ms", "arns", "errors"}``. The requests carry the headers botocore sends for
``stepfunctions`` (JSON 1.0 content type, X-Amz-Target, a SigV4-shaped Authorization, X-Amz-Date, the SDK
invocation headers); the signature is made once and reused, since the server does not check signatures and
signing each request would make the client, not the server, the thing measured.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import time
import uuid
from typing import Any

import aiohttp

TARGET = "AWSStepFunctions.StartExecution"


def boto3_headers() -> dict[str, str]:
    """The headers of a botocore StartExecution request (the signature is shaped right but not checked)."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": TARGET,
        "User-Agent": "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux lang/python#3.11 cfg/retry-mode#legacy",
        "X-Amz-Date": stamp,
        "Authorization": (f"AWS4-HMAC-SHA256 Credential=testing/{stamp[:8]}/us-east-1/states/aws4_request, "
                          "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64),
        "amz-sdk-request": "attempt=1; max=1",
    }


async def start_many(url: str, machine: str, executions: int, concurrency: int, warmup: int = 0) -> dict[str, Any]:
    """Start ``executions`` executions with ``concurrency`` clients, each with its own name, after ``warmup``
    untimed ones (they open the connections and load the definition, as a server in service has)."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        warm = await _clients(session, url, machine, warmup, concurrency)
        timed = await _clients(session, url, machine, executions, concurrency)
    timed["warmup_arns"] = warm["arns"]
    timed["error_count"] += warm["error_count"]
    timed["errors"] = (warm["errors"] + timed["errors"])[:20]
    return timed


async def _clients(session: aiohttp.ClientSession, url: str, machine: str, executions: int,
                   concurrency: int) -> dict[str, Any]:
    headers = boto3_headers()
    latencies: list[float] = []
    arns: list[str] = []
    errors: list[str] = []
    remaining = iter(range(executions))
    prefix = uuid.uuid4().hex[:8]

    async def client() -> None:
        for number in remaining:
            body = json.dumps({"stateMachineArn": machine, "name": f"{prefix}-{number}",
                               "input": json.dumps({"n": number})}).encode()
            began = time.perf_counter()
            async with session.post(url, data=body, headers={**headers, "amz-sdk-invocation-id": str(uuid.uuid4())}
                                    ) as response:
                answer = await response.read()
            latencies.append((time.perf_counter() - began) * 1000)
            if response.status == 200:
                arns.append(json.loads(answer)["executionArn"])
            else:
                errors.append(f"{response.status} {answer[:200]!r}")

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    took = time.perf_counter() - began
    return {"took_s": took, "latencies_ms": latencies, "arns": arns, "errors": errors[:20],
            "error_count": len(errors)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve.load", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--machine", required=True)
    parser.add_argument("--executions", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=0, help="untimed starts first")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(start_many(args.url, args.machine, args.executions, args.concurrency,
                                            args.warmup))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
