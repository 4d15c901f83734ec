"""`.waitForTaskToken` on HTTP resources, answered through the callback listener (spec/http-tasks.md)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

import statewright
from statewright.runtime.callback_server import CallbackListener
from tests.http.server import Endpoint, serve, task


def approval(base: str, **fields: Any) -> dict:
    return task(f"{base}/notify.waitForTaskToken", Parameters={"token.$": "$$.Task.Token", "amount.$": "$.amount"},
                TimeoutSeconds=fields.pop("TimeoutSeconds", 30), **fields)


async def with_approver(definition: Callable[[str], dict],
                        approver: Callable[[aiohttp.ClientSession, str, Endpoint], Awaitable[Any]]
                        ) -> tuple[statewright.Result, Any, Endpoint]:
    """Run the machine while ``approver`` answers through the listener, as a person with curl would."""
    async with serve() as endpoint, statewright.Engine() as engine, CallbackListener(engine) as listener:
        engine.callback_url = listener.url
        async with aiohttp.ClientSession() as client, asyncio.TaskGroup() as group:
            run = group.create_task(engine.execute(statewright.load(definition(endpoint.base)), {"amount": 7}))
            while not endpoint.requests:
                await asyncio.sleep(0.01)
            token = json.loads(endpoint.requests[0]["body"])["token"]
            await asyncio.sleep(0.05)  # the request's response has been read: the task now only waits
            endpoint.tasks_while_waiting = sum(len(d._tasks) for d in engine._running.values())
            answered = await approver(client, f"{listener.url}/task/{token}", endpoint)
        return run.result(), answered, endpoint


async def post(client: aiohttp.ClientSession, url: str, body: Any = None) -> tuple[int, Any]:
    async with client.post(url, data=None if body is None else json.dumps(body)) as response:
        return response.status, await response.json()


def test_callback_success_through_the_listener() -> None:
    async def approve(client: aiohttp.ClientSession, url: str, endpoint: Endpoint) -> Any:
        return await post(client, f"{url}/success", {"approved": True})

    result, answered, endpoint = asyncio.run(with_approver(approval, approve))
    assert answered == (200, {"ok": True})
    assert (result.status, result.output) == ("SUCCEEDED", {"approved": True})
    assert endpoint.tasks_while_waiting == 0  # waiting for the callback holds no asyncio task
    sent = endpoint.requests[0]
    assert json.loads(sent["body"])["amount"] == 7
    token = json.loads(sent["body"])["token"]
    assert sent["headers"]["Statewright-Callback-Url"].endswith(f"/task/{token}")


def test_callback_failure_through_the_listener() -> None:
    async def reject(client: aiohttp.ClientSession, url: str, endpoint: Endpoint) -> Any:
        return await post(client, f"{url}/failure", {"error": "Rejected", "cause": "too expensive"})

    result, answered, _ = asyncio.run(with_approver(approval, reject))
    assert answered == (200, {"ok": True})
    assert (result.status, result.error, result.cause) == ("FAILED", "Rejected", "too expensive")


def test_callback_timeout_then_a_late_answer_is_refused() -> None:
    async def too_late(client: aiohttp.ClientSession, url: str, endpoint: Endpoint) -> Any:
        await asyncio.sleep(1.3)
        return await post(client, f"{url}/success", {})

    result, answered, _ = asyncio.run(with_approver(lambda base: approval(base, TimeoutSeconds=1), too_late))
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert answered[0] == 410 and answered[1]["error"] == "TaskTimedOut"


def test_heartbeats_keep_a_callback_alive_past_heartbeat_seconds() -> None:
    async def beat_then_approve(client: aiohttp.ClientSession, url: str, endpoint: Endpoint) -> Any:
        for _ in range(4):
            await asyncio.sleep(0.4)
            assert (await post(client, f"{url}/heartbeat"))[0] == 200
        return await post(client, f"{url}/success", {"ok": 1})

    result, _, _ = asyncio.run(with_approver(lambda base: approval(base, HeartbeatSeconds=1), beat_then_approve))
    assert (result.status, result.output) == ("SUCCEEDED", {"ok": 1})


def test_unknown_tokens_and_bad_bodies_are_refused() -> None:
    async def scenario() -> list[int]:
        async with CallbackListener(statewright.Engine()) as listener, aiohttp.ClientSession() as client:
            unknown = (await post(client, f"{listener.url}/task/nope/success", {}))[0]
            async with client.post(f"{listener.url}/task/nope/success", data="{not json") as response:
                bad = response.status
        return [unknown, bad]

    assert asyncio.run(scenario()) == [404, 400]
