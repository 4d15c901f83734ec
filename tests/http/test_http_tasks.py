"""HTTP task resources against a real aiohttp server on 127.0.0.1 (spec/http-tasks.md)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any

import statewright
from statewright.runtime.http_tasks import idempotency_key, url_encode
from statewright.runtime.resources import Invocation
from tests.http.server import serve, task


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def execute(definition: dict, value: Any = None, **engine: Any) -> tuple[statewright.Result, Any]:
    async with serve() as endpoint:
        resolved = json.loads(json.dumps(definition).replace("BASE", endpoint.base))
        async with statewright.Engine(**engine) as sw:
            result = await sw.execute(statewright.load(resolved), {} if value is None else value, virtual_time=True)
        return result, endpoint


def test_url_resource_posts_the_input_and_returns_the_json_body() -> None:
    result, endpoint = run(execute(task("BASE/charge"), {"amount": 5}))
    assert result.status == "SUCCEEDED"
    assert result.output["method"] == "POST"
    assert json.loads(result.output["body"]) == {"amount": 5}
    headers = endpoint.requests[0]["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"].startswith("statewright/")
    assert len(headers["Idempotency-Key"]) == 36


def test_url_resource_takes_method_and_headers_from_the_statewright_field() -> None:
    definition = task("BASE/items", Statewright={"Method": "GET", "Headers": {"X-Team": "checkout"}})
    result, endpoint = run(execute(definition, {"ignored": True}))
    assert result.output["method"] == "GET" and result.output["body"] == ""
    assert endpoint.requests[0]["headers"]["X-Team"] == "checkout"


def test_url_resource_with_a_non_json_body_fails_with_task_failed() -> None:
    result, _ = run(execute(task("BASE/text")))
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert "not JSON" in result.cause


def test_url_resource_with_an_empty_body_gives_null() -> None:
    result, _ = run(execute(task("BASE/empty")))
    assert (result.status, result.output) == ("SUCCEEDED", None)


def test_http_invoke_sends_every_parameter_and_returns_aws_result_shape() -> None:
    definition = task("arn:aws:states:::http:invoke", Parameters={
        "ApiEndpoint": "BASE/orders", "Method": "PATCH", "Headers": {"X-Trace": "t-1"},
        "QueryParameters": {"page": 2, "q": "a b"}, "RequestBody": {"status": "shipped"},
    })
    result, endpoint = run(execute(definition))
    assert result.status == "SUCCEEDED", result.cause
    output = result.output
    assert set(output) == {"Headers", "ResponseBody", "StatusCode", "StatusText"}
    assert (output["StatusCode"], output["StatusText"]) == (200, "OK")
    assert output["Headers"]["Content-Type"] == ["application/json; charset=utf-8"]
    seen = endpoint.requests[0]
    assert seen["method"] == "PATCH" and seen["query"] == {"page": "2", "q": "a b"}
    assert json.loads(seen["body"]) == {"status": "shipped"} and seen["headers"]["X-Trace"] == "t-1"
    assert output["ResponseBody"]["method"] == "PATCH"  # parsed, since the response is JSON


def test_http_invoke_url_encodes_the_body_with_each_array_format() -> None:
    body = {"tags": ["a", "b"], "user": {"name": "Ann Lee"}}
    assert url_encode(body, "INDICES") == "tags[0]=a&tags[1]=b&user[name]=Ann%20Lee"
    assert url_encode(body, "REPEAT") == "tags=a&tags=b&user[name]=Ann%20Lee"
    assert url_encode(body, "COMMAS") == "tags=a%2Cb&user[name]=Ann%20Lee"
    assert url_encode(body, "BRACKETS") == "tags[]=a&tags[]=b&user[name]=Ann%20Lee"
    definition = task("arn:aws:states:::http:invoke", Parameters={
        "ApiEndpoint": "BASE/form", "Method": "POST", "RequestBody": body,
        "Transform": {"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "REPEAT"}},
    })
    result, endpoint = run(execute(definition))
    assert result.status == "SUCCEEDED"
    assert endpoint.requests[0]["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert endpoint.requests[0]["body"] == "tags=a&tags=b&user[name]=Ann%20Lee"


def test_4xx_and_5xx_fail_with_the_status_code_error_and_the_body_as_cause() -> None:
    for code in (404, 422, 500, 503):
        result, _ = run(execute(task(f"BASE/status/{code}")))
        assert (result.status, result.error) == ("FAILED", f"States.Http.StatusCode.{code}")
        assert result.cause == f"failure body /status/{code}"
    definition = task("arn:aws:states:::http:invoke", Parameters={"ApiEndpoint": "BASE/status/409", "Method": "GET"})
    result, _ = run(execute(definition))
    assert result.error == "States.Http.StatusCode.409"


def _backoffs(result: statewright.Result) -> list[float]:
    """From each failure to the next attempt: the retry delays (the requests themselves take real time)."""
    failed = [event.timestamp for event in result.events if event.type == "TaskFailed"]
    scheduled = [event.timestamp for event in result.events if event.type == "TaskScheduled"]
    # (the last failure has no attempt after it)
    return [round(again - failure, 6) for failure, again in zip(failed, scheduled[1:], strict=False)]


def test_retry_counts_and_backoff_delays_on_the_virtual_clock() -> None:
    retry = [{"ErrorEquals": ["States.Http.StatusCode.503"], "IntervalSeconds": 2, "BackoffRate": 2,
              "MaxAttempts": 3}]
    result, endpoint = run(execute(task("BASE/status/503", Retry=retry)))
    assert result.error == "States.Http.StatusCode.503"
    assert len(endpoint.requests) == 4  # the first try and three retries
    assert _backoffs(result) == [2, 4, 8]
    keys = {r["headers"]["Idempotency-Key"] for r in endpoint.requests}
    assert len(keys) == 4  # one key per attempt


def test_max_delay_seconds_caps_the_backoff_and_full_jitter_stays_below_the_cap() -> None:
    capped = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 4,
               "MaxDelaySeconds": 5}]
    result, _ = run(execute(task("BASE/status/500", Retry=capped)))
    assert _backoffs(result) == [2, 5, 5, 5]
    jitter = [{**capped[0], "JitterStrategy": "FULL"}]
    delays: list[float] = []
    for _ in range(5):
        result, endpoint = run(execute(task("BASE/status/500", Retry=jitter)))
        assert len(endpoint.requests) == 5
        delays += _backoffs(result)
    assert all(0 <= d <= 5 for d in delays) and len(set(delays)) > 1


def test_timeout_seconds_cancels_the_request_and_fails_with_states_timeout() -> None:
    async def scenario() -> tuple[statewright.Result, float, Any]:
        async with serve() as endpoint, statewright.Engine() as sw:
            started = time.monotonic()
            machine = statewright.load(task(f"{endpoint.base}/slow/30", TimeoutSeconds=1))
            result = await sw.execute(machine, {})
            elapsed = time.monotonic() - started
            await asyncio.sleep(0.1)  # let the server notice the closed connection
            return result, elapsed, endpoint

    result, elapsed, endpoint = run(scenario())
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert 0.9 < elapsed < 3
    assert endpoint.cancelled == 1 and endpoint.in_flight == 0  # the request was aborted, not left running


def test_heartbeat_seconds_fails_a_slow_request_with_heartbeat_timeout() -> None:
    async def scenario() -> statewright.Result:
        async with serve() as endpoint, statewright.Engine() as sw:
            machine = statewright.load(task(f"{endpoint.base}/slow/30", TimeoutSeconds=20, HeartbeatSeconds=1))
            return await sw.execute(machine, {})

    result = run(scenario())
    assert (result.status, result.error) == ("FAILED", "States.HeartbeatTimeout")


def test_connection_refused_fails_with_states_http_socket() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed on leaving: nothing listens there
    result = statewright.run(task(f"http://127.0.0.1:{port}/x"), {})
    assert (result.status, result.error) == ("FAILED", "States.Http.Socket")
    assert "Connection to 127.0.0.1" in result.cause and "refused" in result.cause.lower()


def test_a_response_over_256_kib_fails_with_data_limit_exceeded() -> None:
    for path in ("big", "big-chunked"):
        result, _ = run(execute(task(f"BASE/{path}")))
        assert (result.status, result.error) == ("FAILED", "States.DataLimitExceeded"), path


def test_the_allow_list_refuses_other_hosts_and_metadata_addresses_are_always_refused() -> None:
    result, endpoint = run(execute(task("BASE/x"), allow_hosts=["api.example.com"]))
    assert result.error == "Statewright.Http.HostNotAllowed" and endpoint.requests == []
    result, _ = run(execute(task("BASE/x"), allow_hosts=["127.0.0.1"]))
    assert result.status == "SUCCEEDED"
    result = statewright.run(task("http://169.254.169.254/latest/meta-data/"), {})
    assert result.error == "Statewright.Http.HostNotAllowed"


def test_idempotency_key_is_stable_per_attempt() -> None:
    first = Invocation("https://x", {}, "Charge", attempt=0, execution_arn="arn:e", seq=3)
    assert idempotency_key(first) == idempotency_key(Invocation("https://x", {"other": 1}, "Charge", 0,
                                                                 execution_arn="arn:e", seq=3))
    assert idempotency_key(first) != idempotency_key(Invocation("https://x", {}, "Charge", 1,
                                                                 execution_arn="arn:e", seq=4))


def test_idempotency_key_is_the_uuid5_of_execution_state_seq_and_attempt() -> None:
    import uuid

    from statewright.runtime.http_tasks import _KEY_NAMESPACE

    for seq in range(200):
        invocation = Invocation("https://x", {}, f"Charge é {seq}", attempt=seq % 3, execution_arn=f"arn:e:{seq}",
                                seq=seq)
        name = f"arn:e:{seq}\nCharge é {seq}\n{seq}\n{seq % 3}"
        assert idempotency_key(invocation) == str(uuid.uuid5(_KEY_NAMESPACE, name))


def test_a_map_of_1000_http_tasks_never_exceeds_max_concurrency() -> None:
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "MaxConcurrency": 50, "End": True,
        "ItemProcessor": {"StartAt": "Call", "States": {"Call": {
            "Type": "Task", "Resource": "arn:aws:states:::http:invoke", "End": True,
            "Parameters": {"ApiEndpoint": "BASE/work", "Method": "GET",
                           "QueryParameters": {"i.$": "States.Format('{}', $)"}},
            "ResultSelector": {"done.$": "$.ResponseBody.done"}}}},
    }}}
    result, endpoint = run(execute(definition, list(range(1000))))
    assert result.status == "SUCCEEDED", result.cause
    assert len(result.output) == 1000 and result.output[999] == {"done": "999"}
    assert len(endpoint.requests) == 1000
    assert 1 < endpoint.peak <= 50


def test_the_statewright_field_of_a_task_nested_in_a_map_is_used() -> None:
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "End": True, "ItemProcessor": {"StartAt": "Get", "States": {"Get": {
            "Type": "Task", "Resource": "BASE/item", "End": True,
            "Statewright": {"Method": "DELETE", "Headers": {"X-Nested": "yes"}}}}}}}}
    result, endpoint = run(execute(definition, [1, 2]))
    assert result.status == "SUCCEEDED", result.cause
    assert [(r["method"], r["headers"]["X-Nested"]) for r in endpoint.requests] == [("DELETE", "yes")] * 2
