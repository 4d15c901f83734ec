"""The embedding API end to end with the real core: execute, run, callbacks, stop, mocks, concurrency."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

import statewright
from statewright import Engine, VirtualClock

pytest.importorskip("statewright.core.model", reason="the pure core (statewright.core.model) has not landed")

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
QUEUE = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def machine(states: dict, start: str | None = None, **top) -> statewright.StateMachine:
    return statewright.load({"StartAt": start or next(iter(states)), "States": states, **top})


def task(resource: str, **fields) -> dict:
    return {"Type": "Task", "Resource": resource, **fields}


def callback_machine(**fields) -> statewright.StateMachine:
    return machine({"Ask": task(QUEUE, Parameters={"token.$": "$$.Task.Token", "order.$": "$.order"}, End=True,
                                **fields)})


class Declined(Exception):
    pass


def test_execute_with_an_async_task_and_a_wait_on_virtual_time() -> None:
    async def price(payload):
        return {"total": payload["qty"] * 3}

    flow = machine({
        "Price": task(FN + "price", ResultPath="$.price", Next="Hold"),
        "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    })
    began = time.monotonic()
    result = asyncio.run(flow.execute({"qty": 2}, resources={FN + "price": price}, virtual_time=True, name="e-1"))
    assert time.monotonic() - began < 2
    assert (result.status, result.output, result.error) == ("SUCCEEDED", {"qty": 2, "price": {"total": 6}}, None)
    assert result.execution_arn == "arn:aws:states:us-east-1:123456789012:execution:StateMachine:e-1"
    assert 3600 <= result.stop_date - result.start_date < 3601
    types = [event["type"] for event in result.history]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert "WaitStateEntered" in types and "LambdaFunctionSucceeded" in types
    assert all(isinstance(event["id"], int) and "timestamp" in event for event in result.history)


def test_sync_failures_retry_through_the_core_on_virtual_time() -> None:
    calls = []

    def charge(payload):
        calls.append(time.time())
        if len(calls) < 3:
            raise Declined("try again")
        return "charged"

    flow = machine({"Charge": task(FN + "charge", End=True, Retry=[
        {"ErrorEquals": ["Declined"], "IntervalSeconds": 2, "BackoffRate": 2, "MaxAttempts": 3}])})
    result = statewright.run(flow, {}, resources={FN + "charge": charge}, virtual_time=True)
    assert (result.status, result.output, len(calls)) == ("SUCCEEDED", "charged", 3)
    failed = [e for e in result.history if e["type"] == "LambdaFunctionFailed"]
    assert [e["lambdaFunctionFailedEventDetails"]["error"] for e in failed] == ["Declined", "Declined"]
    assert 6 <= result.stop_date - result.start_date < 7  # 2 s + 4 s of back-off, recorded, not slept


def test_an_uncaught_failure_and_an_unknown_resource() -> None:
    def charge(payload):
        raise Declined("card 4242 declined")

    flow = machine({"Charge": task(FN + "charge", End=True)})
    result = statewright.run(flow, {}, resources={FN + "charge": charge})
    assert (result.status, result.error, result.cause) == ("FAILED", "Declined", "card 4242 declined")
    result = statewright.run(flow, {})
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert FN + "charge" in result.cause


async def _answer_when_asked(engine: Engine, flow, answer, **options):
    asked: asyncio.Queue = asyncio.Queue()

    async def send(payload):
        await asked.put(payload["token"])

    engine.register(QUEUE, send)
    async with asyncio.TaskGroup() as group:
        running = group.create_task(engine.execute(flow, {"order": "o-1"}, **options))
        token = await asked.get()
        await asyncio.sleep(0)
        answer(token)
    return running.result(), token


def test_callback_success_and_failure_through_the_engine() -> None:
    engine = Engine()
    flow = callback_machine(TimeoutSeconds=60)
    result, token = asyncio.run(_answer_when_asked(
        engine, flow, lambda t: engine.send_task_success(t, {"approved": True})))
    assert (result.status, result.output) == ("SUCCEEDED", {"approved": True})
    with pytest.raises(statewright.TaskTimedOut):
        engine.send_task_success(token, {})
    with pytest.raises(statewright.InvalidToken):
        engine.send_task_failure("no-such-token", "E")
    result, _ = asyncio.run(_answer_when_asked(
        engine, flow, lambda t: engine.send_task_failure(t, "Approval.Rejected", "too expensive")))
    assert (result.status, result.error, result.cause) == ("FAILED", "Approval.Rejected", "too expensive")


def test_heartbeats_through_the_engine_on_a_manual_clock() -> None:
    engine = Engine()
    flow = callback_machine(TimeoutSeconds=100, HeartbeatSeconds=10)
    clock = VirtualClock(1_700_000_000, auto_advance=False)

    def beat_then_answer(token):
        for _ in range(3):
            clock.advance(8)
            engine.send_task_heartbeat(token)
        engine.send_task_success(token, "ok")

    result, _ = asyncio.run(_answer_when_asked(engine, flow, beat_then_answer, clock=clock))
    assert (result.status, result.output) == ("SUCCEEDED", "ok")

    async def silent():
        async def send(payload):
            return None

        engine.register(QUEUE, send)
        running = asyncio.ensure_future(engine.execute(flow, {"order": "o-2"}, clock=clock))
        await asyncio.sleep(0.01)
        clock.advance(11)
        return await running

    result = asyncio.run(silent())
    assert (result.status, result.error) == ("FAILED", "States.HeartbeatTimeout")


def test_a_callback_nobody_answers_times_out_on_virtual_time() -> None:
    engine = Engine({QUEUE: lambda payload: None})
    result = asyncio.run(engine.execute(callback_machine(TimeoutSeconds=86400), {"order": "o"}, virtual_time=True))
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    assert 86400 <= result.stop_date - result.start_date < 86401


def test_stop_execution() -> None:
    engine = Engine()
    flow = machine({"Hold": {"Type": "Wait", "Seconds": 3600, "End": True}})

    async def scenario():
        running = asyncio.ensure_future(engine.execute(flow, {}, name="stop-me"))
        await asyncio.sleep(0.01)
        [arn] = engine.running
        assert arn.endswith(":execution:StateMachine:stop-me")
        engine.stop_execution(arn, "Operator.Stop", "maintenance")
        return await running

    result = asyncio.run(scenario())
    assert (result.status, result.error, result.cause) == ("ABORTED", "Operator.Stop", "maintenance")
    assert engine.running == []
    with pytest.raises(statewright.ExecutionNotFound):
        engine.stop_execution("arn:aws:states:us-east-1:123456789012:execution:StateMachine:gone")


def test_mock_config_answers_listed_states_and_the_registry_the_rest(tmp_path: Path) -> None:
    definition = {"StartAt": "LambdaState", "States": {
        "LambdaState": task("arn:aws:states:::lambda:invoke", ResultPath="$.lambda", Next="SQSState",
                            Retry=[{"ErrorEquals": ["Lambda.TimeoutException"], "MaxAttempts": 3}]),
        "SQSState": task("arn:aws:states:::sqs:sendMessage", ResultPath="$.sqs", End=True),
    }}
    path = tmp_path / "LambdaSQSIntegration.asl.json"
    path.write_text(json.dumps(definition))
    mocks = {
        "StateMachines": {"LambdaSQSIntegration": {"TestCases": {
            "RetryPath": {"LambdaState": "Retry", "SQSState": "Sent"},
            "HybridPath": {"LambdaState": "Ok"},
        }}},
        "MockedResponses": {
            "Ok": {"0": {"Return": {"StatusCode": 200}}},
            "Sent": {"0": {"Return": {"MessageId": "m-1"}}},
            "Retry": {"0-1": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "slow"}},
                      "2": {"Return": {"StatusCode": 200}}},
        },
    }
    config = tmp_path / "MockConfigFile.json"
    config.write_text(json.dumps(mocks))
    flow = statewright.load(path)
    assert flow.name == "LambdaSQSIntegration"
    result = statewright.run(flow, {}, mock_config=config, test_case="RetryPath", virtual_time=True)
    assert result.output == {"lambda": {"StatusCode": 200}, "sqs": {"MessageId": "m-1"}}
    hybrid = statewright.run(flow, {}, mock_config=mocks, test_case="HybridPath",
                             resources={"arn:aws:states:::sqs:sendMessage": lambda p: "real"})
    assert hybrid.output == {"lambda": {"StatusCode": 200}, "sqs": "real"}
    with pytest.raises(statewright.MockConfigError):
        statewright.run(flow, {}, mock_config=mocks, test_case="Missing")


def test_resources_file(tmp_path: Path) -> None:
    (tmp_path / "tasks.py").write_text("def greet(p):\n    return 'hello ' + p['name']\n")
    (tmp_path / "map.yaml").write_text(f"resources:\n  {FN}greet: tasks:greet\n")
    result = statewright.run(machine({"Greet": task(FN + "greet", End=True)}), {"name": "Ana"},
                             resources=tmp_path / "map.yaml")
    assert result.output == "hello Ana"


def test_run_refuses_a_running_loop_and_pass_chains_run_instantly() -> None:
    flow = machine({"A": {"Type": "Pass", "Result": 1, "End": True}})

    async def inside():
        with pytest.raises(RuntimeError, match="execute"):
            statewright.run(flow, {})
        return await flow.execute({})

    assert asyncio.run(inside()).output == 1


def test_two_thousand_concurrent_executions_in_one_loop() -> None:
    async def step(payload):
        await asyncio.sleep(0)
        return payload["n"] * 2

    flow = machine({
        "Double": task(FN + "double", Next="Hold"),
        "Hold": {"Type": "Wait", "Seconds": 60, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    })
    engine = Engine({FN + "double": step})

    async def many():
        async with asyncio.TaskGroup() as group:
            runs = [group.create_task(engine.execute(flow, {"n": n}, virtual_time=True)) for n in range(2000)]
        return [run.result() for run in runs]

    began = time.monotonic()
    results = asyncio.run(many())
    elapsed = time.monotonic() - began
    assert [r.output for r in results] == [n * 2 for n in range(2000)]
    assert all(60 <= r.stop_date - r.start_date < 61 for r in results)
    assert elapsed < 30, elapsed


def test_unfilled_placeholders_are_refused_before_the_execution_starts() -> None:
    flow = statewright.load({"StartAt": "A", "States": {"A": task("${Fn}", End=True)}})
    with pytest.raises(statewright.UnfilledPlaceholder) as raised:
        statewright.run(flow, {})
    assert raised.value.placeholders == [("/States/A/Resource", "${Fn}")]
    filled = statewright.run({"StartAt": "A", "States": {"A": task("${Fn}", End=True)}}, {"x": 1},
                             substitutions={"Fn": FN + "echo"}, resources={FN + "echo": lambda p: p})
    assert filled.output == {"x": 1}


def test_engine_execute_loads_a_plain_definition() -> None:
    result = asyncio.run(Engine().execute({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, [1]))
    assert result.output == [1]


def test_tasks_get_a_copy_of_their_payload_and_results_must_be_json() -> None:
    import datetime

    def mutate(payload):
        payload["x"] = 2
        return payload

    flow = machine({"A": task(FN + "f", ResultPath="$.r", End=True)})
    assert statewright.run(flow, {"x": 1}, resources={FN + "f": mutate}).output == {"x": 1, "r": {"x": 2}}
    result = statewright.run(flow, {}, resources={FN + "f": lambda p: {"when": datetime.date(2026, 1, 1)}})
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert "not valid JSON" in result.cause and "date" in result.cause


def test_cancelling_execute_cancels_its_tasks_and_forgets_its_tokens() -> None:
    engine = Engine()
    flow = callback_machine(TimeoutSeconds=60)
    state = {}

    async def send(payload):
        state["token"] = payload["token"]

    engine.register(QUEUE, send)

    async def scenario():
        running = asyncio.ensure_future(engine.execute(flow, {"order": "o"}))
        while "token" not in state:
            await asyncio.sleep(0.001)
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running

    asyncio.run(scenario())
    assert engine.running == [] and len(engine.tokens) == 0
    with pytest.raises(statewright.TaskTimedOut):
        engine.send_task_success(state["token"], {})
