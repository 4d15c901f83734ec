"""AWS Step Functions Local's mocked-response configuration (``--mock-config F --test-case T``).

The file format is AWS's own ("Using mocked service integrations" in the Step Functions developer guide),
so mocked tests written for Step Functions Local run unchanged::

    {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<TaskState>": "<MockedResponseName>"}}}},
     "MockedResponses": {"<MockedResponseName>": {"0": {"Return": {...}},
                                                  "1-2": {"Throw": {"Error": "...", "Cause": "..."}}}}}

Rules as Step Functions Local applies them:

* The keys of a mocked response are zero-based invocation numbers of that state within the execution
  (every attempt, retries included, is one invocation), single (``"0"``) or inclusive ranges
  (``"1-2"``); they must cover 0..n without gaps or overlaps.
* Each entry holds exactly one of ``Return`` (the task result) or ``Throw`` (``Error`` and ``Cause``).
* A listed Task state never calls its resource. With ``.waitForTaskToken`` the mocked response is the
  callback's answer: the task does not wait.
* Task states the test case does not list go to the resource registry as usual.

Where Step Functions Local's documentation is silent we chose: an invocation past the last defined
number fails the task with ``States.TaskFailed`` and a cause saying so (it does not repeat the last
response, which would hide a retry count that changed). The machine name is the definition file's
name without ``.asl.json`` / ``.asl.yaml`` / ``.json`` / ``.yaml``; the full stem (``workflow.asl``) is
accepted too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statewright.core.errors import ErrorName
from statewright.runtime.resources import Handler, Invocation, TaskError, json_copy
from statewright.source import strict_json


class MockConfigError(Exception):
    """A mock configuration that cannot be read or does not have the documented shape."""


@dataclass(frozen=True, slots=True)
class MockedResponse:
    """One entry: a result to return or an (error, cause) to throw, for invocations ``first..last``."""

    first: int
    last: int
    returns: Any = None
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True, slots=True)
class MockTestCase:
    """The mocked responses of one test case, by Task state name.

    Use :meth:`resolver` to get a fresh per-execution resolver (invocation counters start at 0).
    """

    machine: str
    name: str
    states: Mapping[str, tuple[str, tuple[MockedResponse, ...]]]

    def resolver(self) -> _MockResolver:
        return _MockResolver(self)


class MockConfig:
    """A parsed mock configuration file.

    Args:
        value: the decoded JSON document.
        source: where it came from, for messages.
    """

    def __init__(self, value: Any, source: str = "<mock config>") -> None:
        if not isinstance(value, dict):
            raise MockConfigError(f"{source}: the mock configuration must be a JSON object")
        machines = value.get("StateMachines", {})
        responses = value.get("MockedResponses", {})
        if not isinstance(machines, dict) or not isinstance(responses, dict):
            raise MockConfigError(f"{source}: 'StateMachines' and 'MockedResponses' must be objects")
        self.source = source
        self._machines = machines
        self._responses = {name: _parse_response(name, entries, source) for name, entries in responses.items()}

    @classmethod
    def load(cls, path: str | Path) -> MockConfig:
        """Read a mock configuration file (JSON)."""
        path = Path(path)
        try:
            value = strict_json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise MockConfigError(f"cannot read {path}: {error.strerror or error}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise MockConfigError(f"{path}: not valid JSON: {error}") from None
        return cls(value, str(path))

    def test_case(self, machine_names: str | tuple[str, ...], case: str) -> MockTestCase:
        """The test case ``case`` of the first of ``machine_names`` present in ``StateMachines``."""
        names = (machine_names,) if isinstance(machine_names, str) else machine_names
        machine = next((name for name in names if name in self._machines), None)
        if machine is None:
            known = ", ".join(sorted(self._machines)) or "none"
            raise MockConfigError(
                f"{self.source}: no state machine named {names[0]!r} in 'StateMachines' (found: {known})"
            )
        cases = self._machines[machine].get("TestCases") if isinstance(self._machines[machine], dict) else None
        if not isinstance(cases, dict) or case not in cases:
            known = ", ".join(sorted(cases or {})) or "none"
            raise MockConfigError(
                f"{self.source}: state machine {machine!r} has no test case {case!r} (found: {known})"
            )
        mapping = cases[case]
        if not isinstance(mapping, dict):
            raise MockConfigError(f"{self.source}: test case {case!r} must map state names to mocked responses")
        states: dict[str, tuple[str, tuple[MockedResponse, ...]]] = {}
        for state, response_name in mapping.items():
            if response_name not in self._responses:
                raise MockConfigError(
                    f"{self.source}: test case {case!r} maps state {state!r} to the mocked response "
                    f"{response_name!r}, which 'MockedResponses' does not define"
                )
            states[state] = (response_name, self._responses[response_name])
        return MockTestCase(machine, case, states)


def _parse_response(name: str, entries: Any, source: str) -> tuple[MockedResponse, ...]:
    if not isinstance(entries, dict) or not entries:
        raise MockConfigError(f"{source}: mocked response {name!r} must be a non-empty object")
    parsed = sorted((_parse_entry(name, key, entry, source) for key, entry in entries.items()), key=lambda r: r.first)
    expected = 0
    for response in parsed:
        if response.first != expected:
            raise MockConfigError(
                f"{source}: mocked response {name!r} must number invocations 0, 1, 2, ... without gaps or "
                f"overlaps; expected {expected} next but found {response.first}"
            )
        expected = response.last + 1
    return tuple(parsed)


def _parse_entry(name: str, key: str, entry: Any, source: str) -> MockedResponse:
    first_text, _, last_text = str(key).partition("-")
    try:
        first = int(first_text)
        last = int(last_text) if last_text else first
    except ValueError:
        raise MockConfigError(
            f"{source}: mocked response {name!r} has the key {key!r}; keys are invocation numbers like '0' or '1-2'"
        ) from None
    if first < 0 or last < first:
        raise MockConfigError(f"{source}: mocked response {name!r} has the empty or negative range {key!r}")
    if not isinstance(entry, dict) or len(entry.keys() & {"Return", "Throw"}) != 1:
        raise MockConfigError(f"{source}: mocked response {name!r}[{key!r}] must hold exactly one of Return, Throw")
    if "Return" in entry:
        return MockedResponse(first, last, returns=entry["Return"])
    throw = entry["Throw"]
    if not isinstance(throw, dict) or not isinstance(throw.get("Error"), str):
        raise MockConfigError(f"{source}: mocked response {name!r}[{key!r}].Throw needs a string 'Error'")
    cause = throw.get("Cause")
    return MockedResponse(first, last, error=throw["Error"], cause=cause if isinstance(cause, str) else None)


class _MockResolver:
    """Per-execution resolver: counts invocations per state and answers from the test case."""

    __slots__ = ("_case", "_counts")

    def __init__(self, case: MockTestCase) -> None:
        self._case = case
        self._counts: dict[str, int] = {}

    def __call__(self, invocation: Invocation) -> Handler | None:
        entry = self._case.states.get(invocation.state)
        if entry is None:
            return None
        number = self._counts.get(invocation.state, 0)
        self._counts[invocation.state] = number + 1
        return _MockedHandler(invocation.state, entry[0], entry[1], number)


class _MockedHandler:
    # A mocked response is the callback's answer too: the driver does not wait for a token.
    completes_callback = True

    __slots__ = ("_name", "_number", "_responses", "_state")

    def __init__(self, state: str, name: str, responses: tuple[MockedResponse, ...], number: int) -> None:
        self._state, self._name, self._responses, self._number = state, name, responses, number

    async def __call__(self, invocation: Invocation) -> Any:
        for response in self._responses:
            if response.first <= self._number <= response.last:
                if response.error is not None:
                    raise TaskError(response.error, response.cause)
                return json_copy(response.returns, "mocked response")  # shared by every invocation
        raise TaskError(
            ErrorName.TASK_FAILED,
            f"The mocked response {self._name!r} for state {self._state!r} defines invocations "
            f"0-{self._responses[-1].last}, but this is invocation {self._number}",
        )
