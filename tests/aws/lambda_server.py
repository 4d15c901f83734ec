"""A small HTTP server that answers Lambda's Invoke REST call, for functions written here in Python.

moto's Lambda runs functions in Docker, which these machines do not have; Lambda's Invoke is one REST call
(``POST /2015-03-31/functions/<name>/invocations``), so this server speaks it for real, as the Lambda
service does: the payload in the body, ``X-Amz-Function-Error`` and an error document when a function
raises, ``x-amzn-ErrorType: ResourceNotFoundException`` for a function it does not have.

Run as a process: ``python -m tests.aws.lambda_server`` prints ``listening on http://127.0.0.1:<port>``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from aiohttp import web


class PaymentDeclined(Exception):
    pass


def double(event: Any) -> Any:
    return {"value": event["value"] * 2}


def charge(event: Any) -> Any:
    if event.get("amount", 0) > 100:
        raise PaymentDeclined(f"card declined for {event['amount']}")
    return {"charged": event.get("amount", 0), "currency": "EUR"}


def echo(event: Any) -> Any:
    return event


# Stand-ins for the functions of the AWS examples in tests/aws/aws_examples (named as the samples name them).

def validate_record(event: Any) -> Any:
    return {"statusCode": 200, "body": {**event, "isValid": "@" in str(event.get("email", ""))}}


def migrate_batch(event: Any) -> Any:
    return {"execution_name": event["BatchInput"]["execution_name"], "migrated": len(event["Items"]),
            "ids": [item["id"] for item in event["Items"]]}


def consolidate(event: Any) -> Any:
    return {"execution": event["execution_name"], "batches": len(event["report"]),
            "migrated": sum(batch["migrated"] for batch in event["report"])}


def process_approval(event: Any) -> Any:
    return {"handled": event["result"]}


FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "double": double, "charge": charge, "echo": echo,
    "408676299532-validateRecord-validate-lambda": validate_record,
    "MigrateCSVToDDBDistribute-MigrationWorkflowDataTra-cYgrlXsLCigq": migrate_batch,
    "MigrateCSVToDDBDistribute-MigrationWorkflowConsoli-XfEZCwVAtxFM": consolidate,
    "process-approval": process_approval,
}
INVOCATIONS: list[dict[str, Any]] = []


def _function_name(text: str) -> str:
    text = unquote(text)
    parts = text.split(":")
    if len(parts) >= 7 and parts[5] == "function":
        return parts[6]
    return parts[0]


async def invoke(request: web.Request) -> web.Response:
    name = _function_name(request.match_info["name"])
    function = FUNCTIONS.get(name)
    if function is None:
        return web.json_response({"Type": "User", "Message": f"Function not found: {name}"}, status=404,
                                 headers={"x-amzn-ErrorType": "ResourceNotFoundException"})
    body = await request.read()
    event = json.loads(body) if body else {}
    invocation_type = request.headers.get("X-Amz-Invocation-Type", "RequestResponse")
    INVOCATIONS.append({"function": name, "event": event, "type": invocation_type})
    headers = {"X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": "11111111-2222-3333-4444-555555555555"}
    if invocation_type == "Event":
        asyncio.get_running_loop().call_soon(function, event)
        return web.Response(status=202, headers=headers)
    try:
        result = function(event)
    except Exception as exc:
        error = {"errorMessage": str(exc), "errorType": type(exc).__name__, "stackTrace": []}
        return web.json_response(error, headers={**headers, "X-Amz-Function-Error": "Unhandled"})
    return web.json_response(result, headers=headers)


async def invocations(request: web.Request) -> web.Response:
    return web.json_response(INVOCATIONS)


def app() -> web.Application:
    application = web.Application()
    application.router.add_post("/2015-03-31/functions/{name}/invocations", invoke)
    application.router.add_get("/_invocations", invocations)
    return application


async def main() -> None:
    runner = web.AppRunner(app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
