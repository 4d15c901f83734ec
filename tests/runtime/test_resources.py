"""The resource registry, resource map files, mock configurations and clocks (no core needed)."""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path

import pytest

from statewright.runtime.clock import VirtualClock
from statewright.runtime.mock_config import MockConfig, MockConfigError
from statewright.runtime.resources import (
    UNKNOWN_RESOURCE,
    Invocation,
    ResourceMapError,
    ResourceRegistry,
    TaskError,
    error_of,
    load_resource_map,
    strip_pattern_suffix,
)

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:charge"


def call(handler, invocation):
    return asyncio.run(handler(invocation))


def test_exact_match_wins_over_the_bare_resource() -> None:
    registry = ResourceRegistry({"arn:aws:states:::sqs:sendMessage": lambda p: "bare",
                                 "arn:aws:states:::sqs:sendMessage.waitForTaskToken": lambda p: "exact"})
    exact = Invocation("arn:aws:states:::sqs:sendMessage.waitForTaskToken", {}, "S")
    assert call(registry.resolve(exact), exact) == "exact"
    bare = Invocation("arn:aws:states:::sqs:sendMessage.sync", {}, "S")
    assert call(registry.resolve(bare), bare) == "bare"
    assert registry.resolve(Invocation("arn:aws:states:::sns:publish", {}, "S")) is UNKNOWN_RESOURCE


@pytest.mark.parametrize(
    ("resource", "bare"),
    [("a.waitForTaskToken", "a"), ("a.sync", "a"), ("a.sync:2", "a"), ("a", "a"), ("a.sync.x", "a.sync.x")],
)
def test_pattern_suffixes(resource: str, bare: str) -> None:
    assert strip_pattern_suffix(resource) == bare


def test_a_resolver_plugs_in_for_new_resource_kinds() -> None:
    registry = ResourceRegistry()

    async def http(invocation: Invocation):
        return {"url": invocation.resource, "attempt": invocation.attempt}

    registry.add_resolver(lambda inv: http if inv.resource.startswith("https://") else None)
    invocation = Invocation("https://example.test/x", {}, "S", attempt=2)
    assert call(registry.resolve(invocation), invocation) == {"url": "https://example.test/x", "attempt": 2}


def test_layered_views_do_not_change_the_base_registry() -> None:
    base = ResourceRegistry({LAMBDA: lambda p: "base"})
    view = base.layered(extra=ResourceRegistry({LAMBDA: lambda p: "extra"}))
    invocation = Invocation(LAMBDA, {}, "S")
    assert call(view.resolve(invocation), invocation) == "extra"
    assert call(base.resolve(invocation), invocation) == "base"


def test_error_names() -> None:
    class Declined(Exception):
        pass

    class Named(Exception):
        error = "Payments.Throttled"

    assert error_of(Declined("no")) == ("Declined", "no")
    assert error_of(Named("later")) == ("Payments.Throttled", "later")
    assert error_of(TaskError("X.Y")) == ("X.Y", None)
    with pytest.raises(TypeError):
        ResourceRegistry().register(LAMBDA, "not callable")  # type: ignore[arg-type]


def write_map(folder: Path, body: str, tasks: str = "def charge(p):\n    return {'charged': p}\n") -> Path:
    (folder / "tasks.py").write_text(tasks)
    path = folder / "resources.yaml"
    path.write_text(textwrap.dedent(body))
    return path


def test_resource_map_imports_the_tasks_module_beside_it(tmp_path: Path) -> None:
    path = write_map(tmp_path, f"resources:\n  {LAMBDA}: tasks:charge\n")
    registry = load_resource_map(path)
    invocation = Invocation(LAMBDA, 5, "S")
    assert call(registry.resolve(invocation), invocation) == {"charged": 5}


def test_two_maps_with_a_tasks_module_each_keep_their_own(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    first = load_resource_map(write_map(one, "resources:\n  r: tasks:f\n", "def f(p):\n    return 1\n"))
    second = load_resource_map(write_map(two, "resources:\n  r: tasks:f\n", "def f(p):\n    return 2\n"))
    invocation = Invocation("r", None, "S")
    assert call(first.resolve(invocation), invocation) == 1
    assert call(second.resolve(invocation), invocation) == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("resources: [a, b]\n", "expected"),
        ("resources:\n  r: tasks\n", "module:function"),
        ("resources:\n  r: no_such_module_xyz:f\n", "cannot import"),
        ("resources:\n  r: tasks:missing\n", "no attribute"),
        ("resources: {r: [\n", "resources.yaml"),
    ],
)
def test_resource_map_errors_are_one_clear_exception(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ResourceMapError, match=message):
        load_resource_map(write_map(tmp_path, body))
    with pytest.raises(ResourceMapError, match="cannot read"):
        load_resource_map(tmp_path / "absent.yaml")


MOCKS = {
    "StateMachines": {
        "LambdaSQSIntegration": {
            "TestCases": {
                "RetryPath": {"LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQSSuccess"},
                "HybridPath": {"LambdaState": "MockedLambdaSuccess"},
            }
        }
    },
    "MockedResponses": {
        "MockedLambdaSuccess": {"0": {"Return": {"StatusCode": 200, "Payload": {"body": "Hello"}}}},
        "MockedSQSSuccess": {"0": {"Return": {"MessageId": "m-1"}}},
        "MockedLambdaRetry": {
            "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "not ready"}},
            "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "timed out"}},
            "3": {"Return": {"StatusCode": 200, "Payload": {"body": "Hello"}}},
        },
    },
}


def answers(resolver, state: str, times: int) -> list:
    found = []
    for _ in range(times):
        invocation = Invocation("arn:aws:states:::lambda:invoke", {}, state)
        handler = resolver(invocation)
        if handler is None:
            found.append(None)
            continue
        try:
            found.append(call(handler, invocation))
        except TaskError as error:
            found.append((error.error, error.cause))
    return found


def test_mocked_responses_follow_invocation_numbers_and_ranges() -> None:
    case = MockConfig(MOCKS).test_case("LambdaSQSIntegration", "RetryPath")
    resolver = case.resolver()
    assert answers(resolver, "LambdaState", 5) == [
        ("Lambda.ResourceNotReadyException", "not ready"),
        ("Lambda.TimeoutException", "timed out"),
        ("Lambda.TimeoutException", "timed out"),
        {"StatusCode": 200, "Payload": {"body": "Hello"}},
        ("States.TaskFailed",
         "The mocked response 'MockedLambdaRetry' for state 'LambdaState' defines invocations 0-3, "
         "but this is invocation 4"),
    ]
    assert answers(resolver, "OtherState", 1) == [None]  # not mocked: the registry answers
    assert answers(case.resolver(), "LambdaState", 1)[0][0] == "Lambda.ResourceNotReadyException"  # fresh count


def test_mock_config_names_and_files(tmp_path: Path) -> None:
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(MOCKS))
    config = MockConfig.load(path)
    assert config.test_case(("workflow", "LambdaSQSIntegration"), "HybridPath").machine == "LambdaSQSIntegration"
    with pytest.raises(MockConfigError, match="no state machine named 'Nope'"):
        config.test_case("Nope", "HybridPath")
    with pytest.raises(MockConfigError, match=r"no test case 'Sad'.*HybridPath, RetryPath"):
        config.test_case("LambdaSQSIntegration", "Sad")


@pytest.mark.parametrize(
    "responses",
    [
        {"M": {"1": {"Return": 1}}},
        {"M": {"0": {"Return": 1}, "2": {"Return": 1}}},
        {"M": {"0": {"Return": 1, "Throw": {"Error": "E"}}}},
        {"M": {"x": {"Return": 1}}},
        {"M": {"0": {"Throw": {"Cause": "no error"}}}},
        {"M": {"2-1": {"Return": 1}}},
    ],
)
def test_bad_mocked_responses_are_rejected(responses) -> None:
    with pytest.raises(MockConfigError):
        MockConfig({"StateMachines": {}, "MockedResponses": responses})


def test_mock_config_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(MockConfigError, match="not valid JSON"):
        MockConfig.load(bad)
    with pytest.raises(MockConfigError, match="cannot read"):
        MockConfig.load(tmp_path / "absent.json")


def test_virtual_clock_jumps_and_wakes_in_order() -> None:
    async def scenario():
        clock = VirtualClock(100.0, auto_advance=False)
        woken = []
        clock.wake_at(130, lambda: woken.append(130))
        cancel = clock.wake_at(120, lambda: woken.append(120))
        clock.wake_at(110, lambda: woken.append(110))
        cancel()
        clock.advance(15)
        assert woken == [110] and clock.now() == 115
        clock.advance_to(50)  # never backwards
        assert clock.now() == 115
        await clock.sleep_until(200)
        assert woken == [110, 130] and clock.now() == 200
        clock.wake_at(10, lambda: woken.append("past"))
        await asyncio.sleep(0)
        assert woken[-1] == "past"

    asyncio.run(scenario())


def test_virtual_clock_starts_at_the_real_time_by_default() -> None:
    import time

    assert abs(VirtualClock().now() - time.time()) < 5
