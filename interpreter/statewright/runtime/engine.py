"""The embeddable engine: runs executions in the current event loop and routes callbacks to them.

One :class:`Engine` per process is typical. It holds the resource registry, the tokens of tasks waiting
for callbacks and the executions in flight, so ``send_task_success`` / ``send_task_failure`` /
``send_task_heartbeat`` and ``stop_execution`` reach the right execution. It holds no event loop and
no task of its own: each ``execute`` call runs its execution in the caller's task.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from statewright.core.events import ExecutionInfo, HistoryEvent, StopRequested
from statewright.runtime.callbacks import CallbackAnswer, TaskTokens
from statewright.runtime.clock import Clock, SystemClock, VirtualClock
from statewright.runtime.connections import Connections, load_config
from statewright.runtime.driver import Driver, EventSink
from statewright.runtime.http_client import HttpClient, HttpOptions
from statewright.runtime.http_tasks import HttpTasks, definition_options
from statewright.runtime.mock_config import MockConfig, MockTestCase
from statewright.runtime.resources import ResourceRegistry, load_resource_map

ACCOUNT = "123456789012"
REGION = "us-east-1"

Resources = ResourceRegistry | Mapping[str, Callable[[Any], Any]] | str | Path


class ExecutionNotFound(Exception):
    """``stop_execution`` named an execution that is not running in this engine."""

    error = "ExecutionDoesNotExist"


@dataclass(frozen=True)
class Result:
    """How an execution ended.

    Attributes:
        status: "SUCCEEDED", "FAILED", "TIMED_OUT" or "ABORTED".
        output: the execution's output (SUCCEEDED), else None.
        error: the error name (FAILED, TIMED_OUT, ABORTED), else None.
        cause: the cause, when there is one.
        execution_arn: ``arn:aws:states:us-east-1:123456789012:execution:<machine>:<name>``.
        start_date: start time, epoch seconds (virtual when the run used virtual time).
        stop_date: end time, epoch seconds.
    """

    status: str
    output: Any
    error: str | None
    cause: str | None
    execution_arn: str
    start_date: float
    stop_date: float
    events: tuple[HistoryEvent, ...] = field(default=(), repr=False)

    @cached_property
    def history(self) -> list[dict[str, Any]]:
        """The history in GetExecutionHistory's shape (rendered on first access, so execute stays cheap)."""
        return [event.to_aws() for event in self.events]

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    def to_json(self, *, history: bool = False) -> dict[str, Any]:
        """``{"status", "output", "error", "cause"}`` (plus ``"history"``), as ``statewright run --json`` prints."""
        document: dict[str, Any] = {
            "status": self.status, "output": self.output, "error": self.error, "cause": self.cause,
        }
        if history:
            document["history"] = self.history
        return document


class Engine:
    """Runs state machines in the running event loop.

    Args:
        resources: callables for Task resources (a :class:`ResourceRegistry`, a mapping of resource
            strings to callables, or the path of a resource map file).
        clock: the clock for executions that do not ask for virtual time (default: the system clock).
        allow_hosts: hosts HTTP tasks may call (``api.example.com``, ``*.example.com``); None allows
            every host except link-local cloud-metadata addresses (spec/http-tasks.md, "Host allow-list").
        connections: named credentials for HTTP Tasks' ``Authentication.ConnectionArn``: a
            :class:`Connections` or the ``connections:`` section of a config file as a mapping.
        config: a Statewright config file (``connections:`` and ``http:`` sections); explicit
            ``allow_hosts`` / ``connections`` / ``http`` arguments win over it.
        http: limits of the HTTP client (:class:`HttpOptions`).
        callback_url: base URL of a :class:`~statewright.CallbackListener` answering this engine's tokens;
            ``.waitForTaskToken`` HTTP requests then carry ``Statewright-Callback-Url``.

    The HTTP client's session is opened on first use; close it with ``await engine.aclose()`` or
    ``async with Engine() as engine:`` (or let the event loop's end close it).

    Example::

        engine = statewright.Engine({"arn:aws:lambda:us-east-1:123456789012:function:charge": charge})
        result = await engine.execute(machine, {"orderId": "o-1"})
    """

    def __init__(
        self,
        resources: Resources | None = None,
        *,
        clock: Clock | None = None,
        allow_hosts: Iterable[str] | None = None,
        connections: Connections | Mapping[str, Any] | None = None,
        config: str | Path | None = None,
        http: HttpOptions | None = None,
        callback_url: str | None = None,
    ) -> None:
        self.resources = as_registry(resources) if resources is not None else ResourceRegistry()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.tokens = TaskTokens()
        self._running: dict[str, Driver] = {}
        self._options_cache: dict[int, tuple[dict[str, Any], dict[str, dict[str, Any]]]] = {}
        configured, settings = load_config(config) if config is not None else (Connections(), {})
        options = http if http is not None else HttpOptions(**settings)
        if allow_hosts is not None:
            options = replace(options, allow_hosts=tuple(allow_hosts))
        if connections is not None and not isinstance(connections, Connections):
            connections = Connections.from_config(connections)
        self.http = HttpTasks(HttpClient(options), connections if connections is not None else configured,
                              callback_url)

    @property
    def callback_url(self) -> str | None:
        """Base URL of the callback listener answering this engine's task tokens, if any."""
        return self.http.callback_url

    @callback_url.setter
    def callback_url(self, url: str | None) -> None:
        self.http.callback_url = url.rstrip("/") if url else None

    async def aclose(self) -> None:
        """Close the HTTP client's pooled connections (a later HTTP task opens new ones)."""
        await self.http.client.aclose()

    async def __aenter__(self) -> Engine:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def register(self, resource: str, function: Callable[[Any], Any]) -> None:
        """Call ``function(payload)`` (sync or async) for Task states whose Resource is ``resource``."""
        self.resources.register(resource, function)

    @property
    def running(self) -> list[str]:
        """ARNs of the executions in flight."""
        return list(self._running)

    async def execute(
        self,
        machine: Any,
        input: Any,
        *,
        resources: Resources | None = None,
        mock_config: MockConfig | Mapping[str, Any] | str | Path | None = None,
        test_case: str | None = None,
        virtual_time: bool = False,
        name: str | None = None,
        clock: Clock | None = None,
        on_event: EventSink | None = None,
    ) -> Result:
        """Run ``machine`` (a :class:`statewright.StateMachine`) with ``input`` to its end.

        Args:
            machine: from :func:`statewright.load` (a dict, path or text is loaded first).
            input: the execution input, any JSON value (None is JSON null; AWS's default is ``{}``).
            resources: extra callables for this execution, tried before the engine's.
            mock_config: a Step Functions Local mock configuration (object or file); needs ``test_case``.
            test_case: the test case to use from ``mock_config``.
            virtual_time: run on a fresh auto-advancing :class:`VirtualClock` (Waits and back-offs take
                no real time; the times they would have taken are recorded).
            name: the execution name (default: a uuid4).
            clock: a specific clock for this execution (overrides ``virtual_time``).
            on_event: called with every history event as it is appended.

        Returns:
            The :class:`Result`; a failed execution is a result, not an exception.
        """
        from statewright.api import StateMachine, load
        from statewright.core.execution import Execution

        if not isinstance(machine, StateMachine):
            machine = load(machine)
        registry = self._registry_for(machine, resources, mock_config, test_case)
        if clock is None:
            clock = VirtualClock() if virtual_time else self.clock
        express = machine.workflow_type == "EXPRESS"
        info = execution_info(machine.name, name or str(uuid.uuid4()), express=express)
        if info.execution_arn in self._running:
            raise ValueError(f"an execution named {info.execution_arn.rsplit(':', 1)[1]!r} is already running")
        execution = Execution(machine.compiled, express=express)
        driver = Driver(execution, registry, clock, tokens=self.tokens, on_event=on_event)
        self._running[info.execution_arn] = driver
        start = clock.now()
        try:
            # The seed drives States.UUID, States.MathRandom, jitter and task tokens (recorded in history).
            outcome = await driver.run(input, info=info, seed=secrets.randbits(63))
        finally:
            del self._running[info.execution_arn]
        return Result(
            status=outcome.status,
            output=outcome.output,
            error=outcome.error,
            cause=outcome.cause,
            execution_arn=info.execution_arn,
            start_date=start,
            stop_date=clock.now(),
            events=tuple(execution.history),
        )

    # --- the Step Functions callback and control API ---------------------------------------------------

    def send_task_success(self, token: str, output: Any) -> None:
        """SendTaskSuccess: ``output`` (a JSON value, not JSON text) becomes the task's result.

        Raises:
            InvalidToken: no task waits for ``token``.
            TaskTimedOut: the task of ``token`` has already ended.
        """
        self.tokens.answer(token, CallbackAnswer(output=output))

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        """SendTaskFailure: the attempt fails with ``error`` (default States.TaskFailed) and ``cause``."""
        self.tokens.answer(token, CallbackAnswer(error=error or "States.TaskFailed", cause=cause))

    def send_task_heartbeat(self, token: str) -> None:
        """SendTaskHeartbeat: restarts the task's HeartbeatSeconds clock."""
        self.tokens.heartbeat(token)

    def stop_execution(self, execution_arn: str, error: str | None = None, cause: str | None = None) -> None:
        """StopExecution: the execution ends ABORTED (its ``execute`` call returns that result).

        Raises:
            ExecutionNotFound: no execution with that ARN is running in this engine.
        """
        driver = self._running.get(execution_arn)
        if driver is None:
            raise ExecutionNotFound(f"Execution Does Not Exist: '{execution_arn}'")
        driver.post(StopRequested(driver.clock.now(), error, cause))

    # --- helpers ----------------------------------------------------------------------------------------

    def _registry_for(
        self, machine: Any, resources: Resources | None, mock_config: Any, test_case: str | None
    ) -> ResourceRegistry:
        extra = as_registry(resources) if resources is not None else None
        first = []
        if mock_config is not None or test_case is not None:
            first.append(mock_test_case(machine, mock_config, test_case).resolver())
        # HTTP resources come last: a callable registered for a URL (a test double) wins over the network.
        http = self.http.resolver(self._http_options(machine.definition))
        return self.resources.layered(first=first, extra=extra, last=[http])

    def _http_options(self, definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
        # Walking a 1,000-state definition costs ~2 ms: done once per definition, not per execution. The
        # entry keeps the definition alive, so its id cannot be reused while cached.
        key = id(definition)
        cached = self._options_cache.get(key)
        if cached is None or cached[0] is not definition:
            if len(self._options_cache) >= 128:
                del self._options_cache[next(iter(self._options_cache))]
            cached = self._options_cache[key] = (definition, definition_options(definition))
        return cached[1]


def as_registry(resources: Resources) -> ResourceRegistry:
    """Accept a registry, a mapping of resource strings to callables, or a resource map file path."""
    if isinstance(resources, ResourceRegistry):
        return resources
    if isinstance(resources, str | Path):
        return load_resource_map(resources)
    return ResourceRegistry(resources)


def mock_test_case(machine: Any, mock_config: Any, test_case: str | None) -> MockTestCase:
    """The test case to mock with; raises MockConfigError (or ValueError when one of the two is missing)."""
    if mock_config is None or not test_case:
        raise ValueError("mock_config and test_case go together: give both or neither")
    if not isinstance(mock_config, MockConfig):
        mock_config = MockConfig.load(mock_config) if isinstance(mock_config, str | Path) else MockConfig(mock_config)
    return mock_config.test_case(machine.mock_names, test_case)


def execution_info(machine_name: str, execution_name: str, *, express: bool = False) -> ExecutionInfo:
    """The names $$.Execution and $$.StateMachine show, in AWS's ARN shapes.

    An EXPRESS execution's ARN reads ``...:express:<machine>:<name>:<id>``, as StartSyncExecution returns it.
    """
    prefix = f"arn:aws:states:{REGION}:{ACCOUNT}"
    if express:
        execution_arn = f"{prefix}:express:{machine_name}:{execution_name}:{uuid.uuid4()}"
    else:
        execution_arn = f"{prefix}:execution:{machine_name}:{execution_name}"
    return ExecutionInfo(
        execution_arn=execution_arn,
        execution_name=execution_name,
        state_machine_arn=f"{prefix}:stateMachine:{machine_name}",
        state_machine_name=machine_name,
    )


_default: Engine | None = None


def default_engine() -> Engine:
    """The process-wide engine ``StateMachine.execute`` and ``statewright.run`` use."""
    global _default
    if _default is None:
        _default = Engine()
    return _default
