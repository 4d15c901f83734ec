"""The embeddable engine: runs executions in the current event loop and routes callbacks to them.

One :class:`Engine` per process is typical. It holds the resource registry, the tokens of tasks waiting
for callbacks and the executions in flight, so ``send_task_success`` / ``send_task_failure`` /
``send_task_heartbeat`` and ``stop_execution`` reach the right execution. It holds no event loop: each
``execute`` call runs its execution in the caller's task; ``start`` returns at once and hands what is
left of the execution (if anything) to a task the engine owns and ``aclose`` cancels.
"""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
import struct
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from time import time as _time
from typing import Any

from statewright.core.events import ExecutionInfo, HistoryEvent, StopRequested, make_execution_info
from statewright.core.execution import Execution
from statewright.core.names import check_name
from statewright.definitions import LoadedMachine, load_definition
from statewright.runtime.callbacks import CallbackAnswer, TaskTokens
from statewright.runtime.clock import Clock, SystemClock, VirtualClock
from statewright.runtime.connections import Connections, load_config
from statewright.runtime.driver import Driver, EventSink, start_on_virtual_time
from statewright.runtime.http_options import HttpOptions
from statewright.runtime.http_tasks import HttpTasks, definition_options
from statewright.runtime.item_reader import resolve_local as resolve_local_items
from statewright.runtime.mock_config import MockConfig, MockTestCase
from statewright.runtime.resources import ResourceRegistry, load_resource_map
from statewright.runtime.result_writer import resolve_local as resolve_local_results
from statewright.runtime.started import StartedExecution

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
        events: the history as :class:`HistoryEvent` objects, a read-only sequence whose objects are made
            when first read (``core.events.History``).
    """

    status: str
    output: Any
    error: str | None
    cause: str | None
    execution_arn: str
    start_date: float
    stop_date: float
    events: Sequence[HistoryEvent] = field(default=(), repr=False)

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


_new = object.__new__
_ResultUnfrozen = type("_ResultUnfrozen", (), {"__module__": __name__})  # Result's layout, without frozen


def _result_of(execution: Any, execution_arn: str, began: float, stopped: float) -> Result:
    """The Result of an ended execution, at a third of the cost of ``Result(...)``: made as an unfrozen twin
    with the same layout, its fields stored the plain way, then given ``Result`` as its class (as
    ``core.events._maker`` does for the core's records). A frozen ``__setattr__`` per field is most of what
    ``Result(...)`` costs, and an execution that ends at once is not much more than this."""
    outcome = execution.outcome
    result = _new(_ResultUnfrozen)
    result.status = outcome.status
    result.output = outcome.output
    result.error = outcome.error
    result.cause = outcome.cause
    result.execution_arn = execution_arn
    result.start_date = began
    result.stop_date = stopped
    result.events = execution.history  # a read-only sequence; its event objects are made on first read
    result.__class__ = Result
    return result  # type: ignore[return-value]


def _driven_result(driver: Driver, began: float) -> Result:
    return _result_of(driver.execution, driver.info.execution_arn, began, driver.clock.now())  # type: ignore[union-attr]


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
        self._plans: dict[int, _Plan] = {}
        self._unfinished: set[asyncio.Task[Result]] = set()  # executions start() handed to a task
        configured, settings = load_config(config) if config is not None else (Connections(), {})
        options = http if http is not None else HttpOptions(**settings)
        if allow_hosts is not None:
            options = replace(options, allow_hosts=tuple(allow_hosts))
        if connections is not None and not isinstance(connections, Connections):
            connections = Connections.from_config(connections)
        self.http = HttpTasks(options, connections if connections is not None else configured,
                              callback_url)

    @property
    def callback_url(self) -> str | None:
        """Base URL of the callback listener answering this engine's task tokens, if any."""
        return self.http.callback_url

    @callback_url.setter
    def callback_url(self, url: str | None) -> None:
        self.http.callback_url = url.rstrip("/") if url else None

    async def aclose(self) -> None:
        """Cancel the executions :meth:`start` left running, then close the HTTP client's pooled connections
        (a later HTTP task opens new ones)."""
        unfinished = list(self._unfinished)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        await self.http.aclose()

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
                no real time; the times they would have taken are recorded). While a task call is in
                flight the clock follows real time, so its TimeoutSeconds and HeartbeatSeconds hold.
            name: the execution name (default: a uuid4).
            clock: a specific clock for this execution (overrides ``virtual_time``).
            on_event: called with every history event as it is appended.

        Returns:
            The :class:`Result`; a failed execution is a result, not an exception.
        """
        begun = self._begin(machine, input, resources, mock_config, test_case, virtual_time, name, clock, on_event)
        if begun.__class__ is Result:
            return begun  # type: ignore[return-value]
        driver, began = begun  # type: ignore[misc]
        try:
            await driver.finish()
        finally:
            del self._running[driver.info.execution_arn]  # type: ignore[union-attr]
        return _driven_result(driver, began)

    def start(
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
    ) -> StartedExecution:
        """Start an execution and return at once, as StartExecution does; ``await`` the handle for its Result.

        Takes the arguments of :meth:`execute`; call it from a coroutine (it needs the running event loop).
        The execution runs as far as it can before this returns (a Pass/Choice chain, or Waits on virtual
        time, may end right here); what is left runs in a task this engine owns, which :meth:`aclose`
        cancels. Starting many executions, then awaiting them, keeps them all in flight together without
        a task for each one that has already ended.
        """
        loop = asyncio.get_running_loop()
        begun = self._begin(machine, input, resources, mock_config, test_case, virtual_time, name, clock, on_event)
        if begun.__class__ is Result:
            return StartedExecution.ended(begun.execution_arn, begun)  # type: ignore[union-attr, arg-type]
        driver, began = begun  # type: ignore[misc]
        task = loop.create_task(self._finish(driver, began))
        self._unfinished.add(task)
        task.add_done_callback(self._unfinished.discard)
        return StartedExecution(driver.info.execution_arn, None, task)  # type: ignore[union-attr]

    async def _finish(self, driver: Driver, began: float) -> Result:
        try:
            await driver.finish()
        finally:
            del self._running[driver.info.execution_arn]  # type: ignore[union-attr]
        return _driven_result(driver, began)

    def _begin(self, machine: Any, input: Any, resources: Resources | None, mock_config: Any, test_case: str | None,
               virtual_time: bool, name: str | None, clock: Clock | None,
               on_event: EventSink | None) -> Result | tuple[Driver, float]:
        """Everything up to the first await: the Result of an execution that ended, else its driver and start
        time. An execution that has not ended is in ``_running``; the caller removes it when it ends.
        """
        plan = self._plans.get(id(machine))
        if plan is None or plan.machine is not machine:  # else a StateMachine run before
            if not isinstance(machine, LoadedMachine):  # a dict, a path or text: loaded (and linted) here
                machine = load_definition(machine)
            plan = self._plan_for(machine)
        # The shared registry view is looked up only when a driver needs it; one of this execution's own is
        # made now, so a bad resource map or mock configuration is reported before anything runs.
        own = None if resources is None and mock_config is None and test_case is None else \
            self._registry_for(machine, resources, mock_config, test_case)
        # The seed drives States.UUID, States.MathRandom, jitter and task tokens (recorded in history).
        if not name:  # None or "": a uuid4
            name, seed = _name_and_seed()
        else:
            check_name(name)  # ValueError for a name AWS refuses (core/names.py)
            seed = _seed()
        if plan.express:
            info = execution_info(plan.machine_name, name, express=True)
        else:
            info = make_execution_info(f"{plan.execution_prefix}{name}", name, plan.state_machine_arn,
                                       plan.machine_name)
        execution_arn = info.execution_arn
        running = self._running
        if execution_arn in running:
            raise ValueError(f"an execution named {execution_arn.rsplit(':', 1)[1]!r} is already running")
        compiled = plan.compiled
        if compiled is None:
            compiled = plan.compiled = machine.compiled
        # No keyword arguments in the hot path: calling a class with them costs a dict per call.
        execution = Execution(compiled, express=True) if plan.express else Execution(compiled)
        if clock is None and virtual_time and on_event is None:
            # Its own auto-advancing clock and nobody reading events: run with no driver or clock object
            # until it ends or a task needs one (most executions without tasks end right here).
            began = _time()
            head = start_on_virtual_time(execution, input, info, seed, began)
            if head.__class__ is float:  # it ended, at this time
                return _result_of(execution, execution_arn, began, head)  # type: ignore[arg-type]
            registry = own if own is not None else self._shared_registry(plan)
            driver = Driver.taking_over(head, registry, self.tokens)  # type: ignore[arg-type]
            carry_on = driver.settle
        else:
            if clock is None:
                clock = VirtualClock() if virtual_time else self.clock
            registry = own if own is not None else self._shared_registry(plan)
            driver = Driver(execution, registry, clock, self.tokens, on_event)
            began = clock.now()
            # Most executions without tasks end inside start(): no coroutine, no task group.
            carry_on = functools.partial(driver.start, input, info=info, seed=seed)
        running[execution_arn] = driver
        try:
            ended = carry_on()
        except BaseException:
            del running[execution_arn]
            raise
        if ended:
            del running[execution_arn]
            return _driven_result(driver, began)
        return driver, began

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

    def _plan_for(self, machine: Any) -> _Plan:
        # Per-machine facts every execution needs, worked out once (the entry keeps the machine alive,
        # so its id cannot be reused while cached).
        plan = self._plans.get(id(machine))
        if plan is None or plan.machine is not machine:
            if len(self._plans) >= 128:
                del self._plans[next(iter(self._plans))]
            plan = self._plans[id(machine)] = _Plan(machine)
        return plan

    def _shared_registry(self, plan: _Plan) -> ResourceRegistry:
        """The registry view of an execution without resources or mocks of its own.

        The same view serves every such execution of the machine while the engine's registry keeps the
        same resolvers (a view only resolves; handlers registered later are found through the
        registry's own resolvers, as in a fresh view).
        """
        base = self.resources
        cached = plan.registry
        if cached is not None and cached[0] is base and cached[1] == base._resolvers \
                and cached[2] is self.http:
            return cached[3]
        view = self._registry_for(plan.machine, None, None, None)
        plan.registry = (base, list(base._resolvers), self.http, view)
        return view

    def _registry_for(
        self, machine: Any, resources: Resources | None, mock_config: Any, test_case: str | None
    ) -> ResourceRegistry:
        extra = as_registry(resources) if resources is not None else None
        first = []
        if mock_config is not None or test_case is not None:
            first.append(mock_test_case(machine, mock_config, test_case).resolver())
        # HTTP resources come last: a callable registered for a URL (a test double) wins over the network.
        http = self.http.resolver(self._http_options(machine.definition))
        return self.resources.layered(first=first, extra=extra, last=[http, resolve_local_items, resolve_local_results])

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


class _Plan:
    """What every execution of one machine shares at run time (see :meth:`Engine._plan_for`)."""

    __slots__ = ("compiled", "execution_prefix", "express", "machine", "machine_name", "registry",
                 "state_machine_arn")

    def __init__(self, machine: Any) -> None:
        self.machine = machine
        self.compiled: Any = None  # machine.compiled, taken when the first execution starts
        self.express = machine.workflow_type == "EXPRESS"
        self.machine_name = name = machine.name
        prefix = f"arn:aws:states:{REGION}:{ACCOUNT}"
        self.execution_prefix = f"{prefix}:execution:{name}:"
        self.state_machine_arn = f"{prefix}:stateMachine:{name}"
        self.registry: tuple[Any, list[Any], Any, ResourceRegistry] | None = None



def _name_and_seed() -> tuple[str, int]:
    """A uuid4 execution name and a 63-bit seed, both made of fresh bytes from the OS's random source.

    Equivalent to ``str(uuid.uuid4())`` and ``secrets.randbits(63)`` (both read ``os.urandom``), at
    about half their cost: the bytes are read for :data:`_BATCH` executions at once and each pair is
    handed out exactly once (``list.pop`` is atomic, so threads never share one; a forked child drops
    the parent's unused pairs).
    """
    while True:
        try:
            return _PAIRS.pop()
        except IndexError:  # used up (by this thread or others): read more
            _PAIRS.extend(_fresh_pairs())


def _fresh_pairs() -> list[tuple[str, int]]:
    raw = os.urandom(24 * _BATCH)
    ids = bytearray(raw[:16 * _BATCH])
    # Version 4 and the RFC 4122 variant (10xx in the top bits of byte 8), as uuid.UUID(version=4) sets them,
    # for every 16-byte id at once.
    ids[6::16] = ids[6::16].translate(_VERSION_4)
    ids[8::16] = ids[8::16].translate(_RFC_4122)
    # The texts of all the ids at once, with no Python work per id: each byte's high and low nibble go to
    # their places in a 37-byte row per id (36 characters and a space), dashes and spaces are already
    # there, and one translate turns nibbles into hex digits.
    high, low = ids.translate(_HIGH_NIBBLE), ids.translate(_LOW_NIBBLE)
    rows = bytearray(_ROWS)
    for index in range(16):
        rows[_DIGIT_AT[2 * index]::37] = high[index::16]
        rows[_DIGIT_AT[2 * index + 1]::37] = low[index::16]
    names = rows.translate(_UUID_TEXT).decode("ascii").split()
    seeds = [value >> 1 for value in _SEEDS.unpack(raw[16 * _BATCH:])]  # what secrets.randbits(63) makes of 8 bytes
    return list(zip(names, seeds, strict=True))


def _seed() -> int:
    return secrets.randbits(63)


_BATCH = 64
_SEEDS = struct.Struct(f">{_BATCH}Q")
_VERSION_4 = bytes(0x40 | (byte & 0x0F) for byte in range(256))
_RFC_4122 = bytes(0x80 | (byte & 0x3F) for byte in range(256))
_HIGH_NIBBLE = bytes(byte >> 4 for byte in range(256))
_LOW_NIBBLE = bytes(byte & 0x0F for byte in range(256))
_DASH, _SPACE = 16, 17  # the two non-digit "nibbles" of a row
_UUID_TEXT = b"0123456789abcdef- ".ljust(256, b"?")  # nibble (or _DASH, _SPACE) -> its character
_DIGIT_AT = [position for position in range(36) if position not in (8, 13, 18, 23)]  # 8-4-4-4-12
_ROWS = bytes(_DASH if position in (8, 13, 18, 23) else _SPACE if position == 36 else 0
              for position in range(37)) * _BATCH
_PAIRS: list[tuple[str, int]] = []
if hasattr(os, "register_at_fork"):  # a child must not reuse the parent's bytes
    os.register_at_fork(after_in_child=_PAIRS.clear)


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
