"""The durable engine: executions recorded in a store, resumed after a crash, evicted while they wait.

The loop per execution (docs/durability.md): an input arrives (a start, a task result, a fired timer, an
answer to a task token, a stop) -> the core decides -> the step (input, new events, timers and task commands
started or withdrawn, the ending) is submitted to the group-commit writer -> once it is committed, and only
then, its task commands are carried out and the callers waiting on it are answered.

An execution in memory is a :class:`~statewright.runtime.durable.steps.LiveExecution` in a bounded LRU
table; one that waits (on a timer, a token or a long task) is dropped from it when the table is full and
rebuilt from its record by replay when its next input arrives. Opening the engine resumes everything: open
task commands are sent again, timers are read from the store (those due while the process was down fire at
once), and an execution is replayed when its next input arrives.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
import socket
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from statewright.core.events import (
    HistoryEvent,
    Input,
    Redriven,
    StopRequested,
    TaskFailed,
    TaskHeartbeat,
    TaskSucceeded,
    make_execution_info,
    make_started,
)
from statewright.core.execution import LimitedExecution
from statewright.core.names import name_problem
from statewright.runtime.callbacks import InvalidToken, TaskTimedOut
from statewright.runtime.clock import Clock, SystemClock, VirtualClock
from statewright.runtime.durable.ids import IdBlocks
from statewright.runtime.durable.leases import LeaseKeeper
from statewright.runtime.durable.redrive import ExecutionNotRedrivable, record_refusal
from statewright.runtime.durable.steps import Diverged, LiveExecution, failing_step, replay, take_step
from statewright.runtime.durable.tasks import TaskRunner
from statewright.runtime.durable.timers import TimerWheel
from statewright.runtime.durable.writer import GroupCommitWriter
from statewright.runtime.engine import ACCOUNT, REGION, Engine, ExecutionNotFound, Result, _name_and_seed
from statewright.runtime.http_options import HttpOptions
from statewright.runtime.resources import ResourceRegistry
from statewright.store import StepConflict, Store, StoreError, store_for
from statewright.store.codec import CorruptRecord, decode_events, dump_value, history_of, load_value
from statewright.store.records import DefinitionRecord, ExecutionRecord, NewExecution

log = logging.getLogger("statewright.engine")
# wait() on a shared store reads the record at least this often, in case an ending's NOTIFY was lost (a
# parent waiting days on a child costs a read a half-minute, not a read every few seconds).
_SHARED_RECHECK_SECONDS = 30.0
_CONFLICT_RETRIES = 5  # post(): reloads of a stale copy before a step conflict is given up as an error

_ID_BLOCK = 1_000
_RESEND_PAGE = 1_000
_ROLE_ARN = "arn:aws:iam::123456789012:role/statewright"
NO_INPUT: Any = object()  # start() without an input: {} as AWS's (None is an input: JSON null)


class ExecutionAlreadyExists(Exception):
    """StartExecution's ExecutionAlreadyExists: the name is taken by a closed execution or one with another input."""

    error = "ExecutionAlreadyExists"


class InvalidName(ValueError):
    """A name AWS would refuse (StartExecution's InvalidName)."""

    error = "InvalidName"


@dataclass(frozen=True, slots=True)
class ExecutionDescription:
    """DescribeExecution's facts about one execution (values, not JSON texts)."""

    execution_arn: str
    state_machine_arn: str
    name: str
    status: str
    start_date: float
    stop_date: float | None
    input: Any
    output: Any
    error: str | None
    cause: str | None
    redrive_count: int = 0
    version_arn: str | None = None
    alias_arn: str | None = None
    parent_arn: str | None = None
    redrive_date: float | None = None
    workflow_type: str = "STANDARD"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an execution came from, recorded with its start: the version or alias of the state machine it
    was started through (the API), or the execution whose Task started it."""

    version_arn: str | None = None
    alias_arn: str | None = None
    parent_arn: str | None = None
    role_arn: str | None = None  # the machine's role (its executions' ExecutionStarted and $$.Execution.RoleArn)


@dataclass(frozen=True, slots=True)
class ExecutionPage:
    """One page of :meth:`DurableEngine.list`; pass ``next_token`` back for the next."""

    executions: list[ExecutionDescription]
    next_token: str | None


class _Definition:
    """A definition the engine runs: compiled once, with the registry view its tasks resolve through.

    ``unstored`` is its row until a step that carries it is committed (None once the store has it).
    """

    __slots__ = ("compiled", "express", "hash", "machine_arn", "machine_name", "registry", "unstored")

    def __init__(self, hash: str, compiled: Any, machine_name: str, express: bool, registry: ResourceRegistry,
                 unstored: DefinitionRecord | None = None) -> None:
        self.unstored = unstored
        self.hash = hash
        self.compiled = compiled
        self.machine_name = machine_name
        self.machine_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{machine_name}"
        self.express = express
        self.registry = registry


class DurableEngine:
    """Runs executions durably on a store (SQLite by default). Use ``async with``, or ``open`` and ``close``.

    Args:
        store: a :class:`~statewright.store.Store`, or a URL or path (``statewright.db``, ``sqlite:///x.db``).
        resources: callables for Task resources, as :class:`~statewright.Engine` takes them. A restarted
            process must register the same ones: the record keeps the resource strings, not the code.
        clock: where time comes from (the system clock by default).
        virtual_time: an auto-advancing virtual clock: Waits and back-offs take no real time while no task
            is running.
        cache_size: how many executions stay in memory; one that waits is rebuilt from its record when the
            table is full (replay; docs/durability.md).
        timer_window: timers due within this many seconds are held in memory; later ones stay in the store.
        on_event: called with ``(execution_arn, event)`` for every history event once it is recorded.
        on_token: called with ``(execution_arn, token, state)`` when a ``.waitForTaskToken`` task waits for
            its answer (also, on opening, for each task left waiting).
        allow_hosts, config, http, callback_url: as :class:`~statewright.Engine` takes them (HTTP tasks).
        node_id: this process's name among the nodes of a shared (PostgreSQL) store (default: host, pid and
            a random suffix).
        lease_seconds: on a shared store, how long this node's lease lasts unrenewed: a node that dies has
            its executions taken over by the others within about 1.25 times this (``leases.py``).

    Example::

        async with statewright.DurableEngine("orders.db", resources={"arn:...:charge": charge}) as engine:
            arn = await engine.start(statewright.load("order.asl.yaml"), {"total": 42}, name="order-1")
            result = await engine.wait(arn)
    """

    def __init__(
        self,
        store: Store | str | Path | None = None,
        resources: Any = None,
        *,
        clock: Clock | None = None,
        virtual_time: bool = False,
        cache_size: int = 10_000,
        timer_window: float = 60.0,
        on_event: Callable[[str, HistoryEvent], None] | None = None,
        on_token: Callable[[str, str, str], None] | None = None,
        allow_hosts: Sequence[str] | None = None,
        config: str | Path | None = None,
        http: HttpOptions | None = None,
        callback_url: str | None = None,
        node_id: str | None = None,
        lease_seconds: float = 10.0,
    ) -> None:
        self.store: Store = store if store is not None and not isinstance(store, str | Path) else store_for(
            None if store is None else str(store))
        self.clock: Clock = clock if clock is not None else VirtualClock() if virtual_time else SystemClock()
        self._tasks_engine = Engine(resources, clock=self.clock, allow_hosts=allow_hosts, config=config, http=http,
                                    callback_url=callback_url)
        self.cache_size = cache_size
        self.on_event = on_event
        self._writer = GroupCommitWriter(self.store)
        self._wheel = TimerWheel(self.store, self.clock, self.post_nowait, self._writer.flush, self._idle,
                                 window=timer_window)
        self._tasks = TaskRunner(self.store, self.clock, self.post_nowait, self._wheel.poke)
        self._tasks.on_token = on_token
        self._cache: OrderedDict[int, LiveExecution] = OrderedDict()
        self._arns: dict[str, int] = {}  # the ARN of each execution in _cache (wait() needs no read for those)
        self._loading: dict[int, list[tuple[Input, asyncio.Future[bool] | None]]] = {}
        # Callers of wait() per execution: answered with the Result when its ending step is committed.
        self._waiters: dict[int, list[asyncio.Future[Result | None]]] = {}
        self._definitions: dict[str, _Definition] = {}
        self._by_machine: dict[int, tuple[Any, _Definition]] = {}
        self._ids = IdBlocks(self.store, _ID_BLOCK)
        self._background: set[asyncio.Task[Any]] = set()
        self._wheel_task: asyncio.Task[None] | None = None
        self.node_id = node_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._leases = LeaseKeeper(self.store, self.node_id, lease_seconds, self._taken_over, self._sweep)
        self._lease_task: asyncio.Task[None] | None = None
        self._opened = False
        self.replays = 0
        self.conflicts = 0  # steps another writer recorded first (StepConflict): this copy was dropped, reloaded

    # --- opening, resuming, closing ------------------------------------------------------------------

    async def open(self, *, migrate: bool = True) -> DurableEngine:
        """Open the store (migrating it when ``migrate``) and resume every execution it holds.

        Raises:
            statewright.store.StoreError: the store cannot be opened (a clear message; nothing was changed).
        """
        await self.store.open(migrate=migrate)
        self._opened = True
        try:
            await self._ids.open()
            # Join before the first timer read: from then on the store reads only this node's timers.
            if getattr(self.store, "shared", False):
                await self._leases.join()
                await self.store.listen("ended", self._ended_elsewhere)
        except BaseException:
            await self.close()
            raise
        self._writer.start()
        self._wheel_task = asyncio.get_running_loop().create_task(self._wheel.run(), name="statewright-timers")
        self._wheel_task.add_done_callback(_loud)
        try:
            await self._resend_open_tasks()
        except BaseException:
            await self.close()
            raise
        if getattr(self.store, "shared", False):
            self._lease_task = asyncio.get_running_loop().create_task(self._leases.run(), name="statewright-leases")
            self._lease_task.add_done_callback(_loud)
        return self

    async def _sweep(self, round: int) -> None:
        """A shared store's safety net, each lease round: fire this node's overdue timers that no read put in
        memory, and (every fourth round) start its open tasks that nothing here runs. Ownership moves between
        nodes as they record steps, and a node that gains an execution that way can miss a timer or a task
        decided by the node before it; this bounds how late such a timer or task can be."""
        self._wheel.sweep(await self.store.due_timers(None, self.clock.now(), 10_000))
        if round % 4 == 0:
            await self._resend_open_tasks(tokens=False)

    def _ended_elsewhere(self, payload: str) -> None:
        """Executions that ended (on any node): their waiters here read the record now."""
        for text in payload.split(","):
            execution_id = int(text)
            live = self._cache.get(execution_id)
            if live is not None and not live.pending:
                self._drop(live)  # a copy of an execution another node ended: stale
            self._settle_ended(execution_id)

    async def _taken_over(self, execution_ids: list[int]) -> None:
        """Executions of a dead node are this node's now: read their timers, send their open tasks again."""
        self._wheel.rescan()
        await self._resend_open_tasks(only=set(execution_ids))

    async def close(self) -> None:
        """Stop carrying out tasks and firing timers, write what is decided, close the store. Nothing recorded
        is lost: a later ``open`` carries on."""
        if not self._opened:
            return
        self._opened = False
        if self._lease_task is not None:
            self._lease_task.cancel()
            await asyncio.gather(self._lease_task, return_exceptions=True)
            self._lease_task = None
        if self._wheel_task is not None:
            self._wheel_task.cancel()
            await asyncio.gather(self._wheel_task, return_exceptions=True)
        await self._tasks.close()
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self._writer.close()
        for waiting in self._waiters.values():
            for waiter in waiting:
                waiter.cancel()
        await self._tasks_engine.aclose()
        if getattr(self.store, "shared", False):
            try:
                await self.store.leave()  # everything decided is written: the other nodes may carry on at once
            except StoreError as error:
                log.warning("node %s could not end its lease (%s): it lapses by itself", self.node_id, error)
        await self.store.close()

    async def __aenter__(self) -> DurableEngine:
        return await self.open()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def register(self, resource: str, function: Callable[[Any], Any]) -> None:
        """Call ``function(payload)`` (sync or async) for Task states whose Resource is ``resource``."""
        self._tasks_engine.register(resource, function)

    def register_handler(self, resource: str, handler: Any) -> None:
        """Serve Task states whose Resource is ``resource`` with ``handler(invocation)`` (an async callable
        taking the whole :class:`~statewright.runtime.resources.Invocation`). Register before :meth:`open`,
        which sends the open tasks again through it."""
        self._tasks_engine.resources.register_handler(resource, handler)

    def registry_for(self, definition: Mapping[str, Any]) -> ResourceRegistry:
        """The registry the tasks of ``definition`` resolve through (resource map, HTTP tasks, handlers)."""
        return self._registry(definition)

    def add_resolver(self, resolver: Callable[[Any], Any]) -> None:
        """Resolve more Task resources (after the registered callables): ``resolver(invocation)`` returns a
        handler or None. Add it before :meth:`open`, which sends the open tasks again through it."""
        self._tasks_engine.resources.add_resolver(resolver)

    async def _resend_open_tasks(self, only: set[int] | None = None, *, tokens: bool = True) -> None:
        """Send again every task command whose result was never recorded (same invocation, same key); of the
        executions in ``only`` when given (those just taken over). ``tokens``: also announce the tokens that
        called tasks wait for (``on_token``), as on opening."""
        after: tuple[int, int] | None = None
        owners: dict[int, tuple[str, _Definition] | None] = {}
        while True:
            rows = await self.store.open_tasks(after, _RESEND_PAGE)
            for row in rows:
                if only is not None and row.execution_id not in only:
                    continue
                if row.execution_id not in owners:
                    owners[row.execution_id] = await self._owner(row.execution_id)
                owner = owners[row.execution_id]
                if owner is None:
                    continue
                if not row.called:
                    self._tasks.start(owner[0], row, owner[1].registry, again=True)
                elif tokens and row.token is not None and self._tasks.on_token is not None:
                    self._tasks.on_token(owner[0], row.token, row.state)
            if len(rows) < _RESEND_PAGE:
                return
            after = (rows[-1].execution_id, rows[-1].seq)

    async def _owner(self, execution_id: int) -> tuple[str, _Definition] | None:
        record = await self.store.execution_by_id(execution_id)
        if record is None or record.status != "RUNNING":
            return None
        try:
            return record.arn, await self._definition_by_hash(record.definition_hash)
        except (StoreError, ValueError) as error:
            log.error("cannot resume %s: %s", record.arn, error)
            return None

    # --- starting --------------------------------------------------------------------------------------

    async def start(self, machine: Any, input: Any = NO_INPUT, *, name: str | None = None,
                    origin: Origin | None = None) -> str:
        """StartExecution: record the execution's start and return its ARN once that is committed.

        ``input`` defaults to ``{}``, as AWS's (``None`` is JSON null, as for the in-memory engine). A name
        already used by an execution of this machine that is still running with the same input returns that
        execution again (as AWS's StartExecution does).
        ``origin`` records the version or alias it was started through, or the execution that started it.

        Raises:
            InvalidName: a name AWS refuses.
            ExecutionAlreadyExists: the name belongs to a closed execution, or one with another input.
        """
        arn, _ = await self._start(machine, input, name, False, origin)
        return arn

    async def execute(self, machine: Any, input: Any = NO_INPUT, *, name: str | None = None,
                      origin: Origin | None = None) -> Result:
        """Start an execution and wait for its end (:meth:`start`, then :meth:`wait`)."""
        if not name and self._ids:
            # The common case (a generated name, ids at hand) needs no read: one future, answered when the
            # ending is committed, or failed when the start itself could not be recorded.
            definition, input, name, seed, info = self._prepare(machine, input, None, origin)
            arn, waiter = self._record_start(definition, input, name, seed, info, origin, True, None)
            try:
                result = await waiter
            except StoreError:
                if await self.store.execution(arn) is None:
                    raise
                result = None  # recorded after all (a commit that reported an error but landed): read it
        else:
            arn, waiter = await self._start(machine, input, name, True, origin)
            result = await waiter if waiter is not None else None
        return result if result is not None else await self.wait(arn)

    async def _start(self, machine: Any, input: Any, name: str | None, wait: bool,
                     origin: Origin | None = None) -> tuple[str, asyncio.Future[Result | None] | None]:
        """Record the start; with ``wait``, also the future of its Result (made before anything can end it)."""
        named = bool(name)
        definition, input, name, seed, info = self._prepare(machine, input, name, origin)
        if named and not definition.express:  # a uuid4 is never taken: no read for it
            existing = await self.store.execution(info.execution_arn)
            if existing is not None:
                return self._existing(existing, input), None
        if not self._ids:
            await self._ids.wait()
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        _, waiter = self._record_start(definition, input, name, seed, info, origin, wait, future)
        try:
            await future
        except StoreError as error:
            existing = await self.store.execution(info.execution_arn)
            if existing is not None:  # a start of the same name raced this one and won
                return self._existing(existing, input), None
            raise error
        return info.execution_arn, waiter

    def _prepare(self, machine: Any, input: Any, name: str | None,
                 origin: Origin | None) -> tuple[_Definition, Any, str, int, Any]:
        """(definition, input, name, seed, execution info) of a start: ``{}`` for no input, a generated name
        (uuid4) for none, and a name given checked as AWS checks it (raises InvalidName)."""
        definition = self._definition_of(machine)
        if name:
            problem = name_problem(name)
            if problem is not None:
                raise InvalidName(f"Invalid Name: {problem}")
            seed = secrets.randbits(63)
        else:
            name, seed = _name_and_seed()
        info = _info(definition, name, origin.role_arn if origin is not None else None)
        return definition, {} if input is NO_INPUT else input, name, seed, info

    def _record_start(self, definition: _Definition, input: Any, name: str, seed: int, info: Any,
                      origin: Origin | None, wait: bool,
                      future: asyncio.Future[bool] | None) -> tuple[str, asyncio.Future[Result | None] | None]:
        """Submit the start step (an id must be at hand); (ARN, the waiter of its Result when ``wait``).
        ``future`` is answered once the step is committed; without one, a start that is not recorded fails
        the waiter."""
        execution_id = self._ids.take()
        now = self.clock.now()
        new = NewExecution(execution_id, info.execution_arn, name, definition.machine_name, definition.machine_arn,
                           definition.hash, "EXPRESS" if definition.express else "STANDARD", dump_value(input), now,
                           seed, info.role_arn)
        if origin is not None:
            new.version_arn, new.alias_arn, new.parent_arn = origin.version_arn, origin.alias_arn, origin.parent_arn
        live = LiveExecution(execution_id, LimitedExecution(definition.compiled, express=definition.express), info,
                             definition, now)
        self._keep(live)
        waiter = self._waiter(execution_id, asyncio.get_running_loop()) if wait else None
        self._apply(live, make_started(now, input, seed, info), future, new, definition.unstored)
        return info.execution_arn, waiter

    def _waiter(self, execution_id: int, loop: asyncio.AbstractEventLoop) -> asyncio.Future[Result | None]:
        """A future answered with the Result when the execution's ending is committed (None: read the record)."""
        waiter: asyncio.Future[Result | None] = loop.create_future()
        waiting = self._waiters.get(execution_id)
        if waiting is None:
            self._waiters[execution_id] = [waiter]
        else:
            waiting.append(waiter)
        return waiter

    def _existing(self, record: ExecutionRecord, input: Any) -> str:
        if record.status == "RUNNING" and load_value(record.input) == input:
            return record.arn
        raise ExecutionAlreadyExists(f"Execution Already Exists: '{record.arn}'")

    def _known_definition(self, machine: Any) -> _Definition | None:
        cached = self._by_machine.get(id(machine))
        return cached[1] if cached is not None and cached[0] is machine else None

    def _definition_of(self, machine: Any) -> _Definition:
        """The definition of a loaded machine (``statewright.load``), pinned by a content hash. Its row goes to
        the store with the first step that needs it (in the same transaction), not in a write of its own."""
        cached = self._known_definition(machine)
        if cached is not None:
            return cached
        if not hasattr(machine, "compiled") or not hasattr(machine, "definition"):
            raise TypeError(f"start() takes a machine from statewright.load(), not {type(machine).__name__}")
        document = machine.document
        written = document.text if document.text and machine.definition is document.value else None
        text = written if written is not None else dump_value(machine.definition).decode()
        workflow_type = machine.workflow_type
        digest = hashlib.sha256(f"{machine.name}\n{workflow_type}\n{text}".encode()).hexdigest()
        definition = self._definitions.get(digest)
        if definition is None:
            compiled = machine.compiled  # raises on unfilled placeholders, before anything is recorded
            definition = self._definitions[digest] = _Definition(
                digest, compiled, machine.name, workflow_type == "EXPRESS", self._registry(machine.definition),
                DefinitionRecord(digest, text, workflow_type, machine.name))
        if len(self._by_machine) >= 128:
            del self._by_machine[next(iter(self._by_machine))]
        self._by_machine[id(machine)] = (machine, definition)
        return definition

    async def _definition_by_hash(self, digest: str) -> _Definition:
        definition = self._definitions.get(digest)
        if definition is not None:
            return definition
        record = await self.store.definition(digest)
        if record is None:
            raise StoreError(f"the definition {digest[:12]} of a recorded execution is missing from the store")
        from statewright.core.model import compile_machine
        from statewright.source import parse_source

        value = parse_source(record.text).value
        definition = self._definitions[digest] = _Definition(
            digest, compile_machine(value), record.machine_name, record.workflow_type == "EXPRESS",
            self._registry(value))
        return definition

    def _registry(self, definition: Mapping[str, Any]) -> ResourceRegistry:
        return self._tasks_engine._registry_for(SimpleNamespace(definition=definition), None, None, None)

    # --- inputs ------------------------------------------------------------------------------------------

    async def post(self, execution_id: int, item: Input) -> bool:
        """Deliver an input to an execution, rebuilding it first when it is not in memory.

        True once the step it caused is committed, False when the input changed nothing (the execution had
        ended, or no longer waited for that task or timer). When another node recorded a step of the
        execution first (a shared store), this node's copy was stale: it is reloaded and the input tried
        again. Raises StoreError when the step could not be recorded.
        """
        for attempt in range(_CONFLICT_RETRIES):
            future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            self.post_nowait(execution_id, item, future)
            try:
                return await future
            except StepConflict:
                if attempt == _CONFLICT_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def post_nowait(self, execution_id: int, item: Input, future: asyncio.Future[bool] | None = None) -> None:
        """:meth:`post` for a sender that waits for nothing (a fired timer, a task's result): no future."""
        live = self._cache.get(execution_id)
        if live is not None:
            self._cache.move_to_end(execution_id)
            self._apply(live, item, future, cached=True)
            return
        queue = self._loading.get(execution_id)
        if queue is not None:
            queue.append((item, future))
            return
        self._loading[execution_id] = [(item, future)]
        self._spawn(self._load(execution_id))

    def _apply(self, live: LiveExecution, item: Input, future: asyncio.Future[bool] | None,
               new: NewExecution | None = None, definition: DefinitionRecord | None = None, *,
               cached: bool = False) -> None:
        if live.ended:
            if future is not None:
                future.set_result(False)
            return
        step = take_step(live, item, new, future)
        if step is None and cached and not live.pending and getattr(self.store, "shared", False):
            # Nothing to do on the copy held here, but on a shared store another node may have advanced the
            # execution since (the copy is stale, and the input may be for a timer or task it does not know):
            # read it again and apply the input to what is recorded.
            self._drop(live)
            self.post_nowait(live.id, item, future)
            return
        if step is None:
            if future is not None:
                future.set_result(False)
            return
        write = step
        write.definition = definition
        wheel = self._wheel
        if write.timers_removed:
            for seq in write.timers_removed:
                wheel.disarm(live.id, seq)
        if write.timers_added:
            for seq, due in write.timers_added:
                wheel.arm(live.id, seq, due)
        for seq in step.cancelled:
            self._tasks.cancel(live.id, seq)
        live.pending += 1
        self._writer.submit(write, self._committed)

    def _committed(self, step: Any, error: StoreError | None) -> None:
        live, future = step.live, step.future
        live.pending -= 1
        if error is not None:
            # Not recorded: this copy of the execution is ahead of its record. Drop it; the next input
            # rebuilds it from what was recorded. A StepConflict is another node that recorded this step
            # first (the store's version check): expected when nodes share a store, counted, not an error.
            if isinstance(error, StepConflict):
                self.conflicts += 1
                log.warning("step %d of %s was recorded by another writer first; reloading: %s", step.step,
                            live.arn, error)
            else:
                log.error("step %d of %s was not recorded: %s", step.step, live.arn, error)
            self._drop(live)
            # The step armed and disarmed timers as it was decided; the record says which it has.
            self._spawn(self._resync_timers(live.id, step))
            if future is not None and not future.done():
                future.set_exception(error)
            elif step.new is not None:  # a start without a future of its own (execute()): its waiter hears it
                for waiter in self._waiters.pop(live.id, ()):
                    if not waiter.done():
                        waiter.set_exception(error)
            self._wheel.poke()
            return
        if step.definition is not None:
            live.definition.unstored = None  # the store has it now
        if self.on_event is not None:  # what is recorded, as it is recorded
            for event in live.core.history[step.first_event - 1:step.first_event - 1 + step.event_count]:
                self.on_event(live.arn, event)
        if step.invocations:
            registry = live.definition.registry
            for row, payload in zip(step.invocations, step.payloads, strict=True):
                self._tasks.start(live.arn, row, registry, payload)
        if step.ending is not None:
            self._drop(live)
            waiting = self._waiters.pop(live.id, None)
            if waiting is not None:
                # The Result from the execution in memory: the waiters need not read the record back.
                outcome = live.core.outcome
                result = Result(outcome.status, outcome.output, outcome.error, outcome.cause, live.arn,
                                live.started, live.core.now, live.core.history)
                for waiter in waiting:
                    if not waiter.done():
                        waiter.set_result(result)
        if future is not None and not future.done():
            future.set_result(True)
        self._trim()
        self._wheel.poke()

    async def _resync_timers(self, execution_id: int, refused: Any) -> None:
        """After a refused step: forget the timers it added, arm the ones the record holds (those it removed
        are still there when it was refused)."""
        for seq, _ in refused.timers_added or ():
            self._wheel.disarm(execution_id, seq)
        try:
            stored = await self.store.timers_of(execution_id)
        except StoreError as error:
            log.error("cannot read the timers of execution %d: %s", execution_id, error)
            return
        for seq, due in stored:
            self._wheel.arm(execution_id, seq, due)

    def _keep(self, live: LiveExecution) -> None:
        self._cache[live.id] = live
        self._arns[live.arn] = live.id

    def _drop(self, live: LiveExecution) -> None:
        if self._cache.get(live.id) is live:
            del self._cache[live.id]
            del self._arns[live.arn]

    def _trim(self) -> None:
        """Drop the least recently used executions beyond ``cache_size`` (those with no step on its way)."""
        cache = self._cache
        skipped = []
        while len(cache) > self.cache_size:
            execution_id, live = cache.popitem(last=False)
            if live.pending:
                skipped.append((execution_id, live))
                if len(skipped) > 64:
                    break
            else:
                del self._arns[live.arn]
        for execution_id, live in skipped:
            cache[execution_id] = live
            cache.move_to_end(execution_id, last=False)

    async def _load(self, execution_id: int) -> None:
        """Rebuild an execution from its record (replay, checked), then apply the inputs queued for it."""
        live = None
        failure: BaseException | None = None
        try:
            live = await self._rebuild(execution_id)
        except (StoreError, CorruptRecord) as error:
            log.error("cannot rebuild execution %d: %s", execution_id, error)
            failure = error
        except Exception as error:  # a bug here must not leave the inputs' callers waiting forever
            log.exception("cannot rebuild execution %d", execution_id)
            failure = StoreError(f"cannot rebuild execution {execution_id}: {type(error).__name__}: {error}")
        queue = self._loading.pop(execution_id, [])
        if live is not None and self._cache.get(execution_id) is None:
            self._keep(live)
        for item, future in queue:
            if live is not None:
                self._apply(live, item, future)
            elif future is None:
                continue  # a timer or task result for an execution that cannot take it: nobody to tell
            elif failure is not None:
                future.set_exception(failure)
            else:
                future.set_result(False)
        self._trim()
        self._wheel.poke()

    async def _rebuild(self, execution_id: int) -> LiveExecution | None:
        record = await self.store.execution_by_id(execution_id)
        if record is None or record.status != "RUNNING":
            return None
        steps = await self.store.steps(execution_id)
        try:
            definition = await self._definition_by_hash(record.definition_hash)
        except StoreError:
            raise
        except Exception as error:  # the recorded text no longer reads or compiles (an upgrade, a hand edit)
            await self._fail(record, steps, f"The recorded definition can no longer be run: {error}")
            return None
        try:
            live = self._replayed(record, steps, definition)
        except Diverged as error:
            await self._fail(record, steps, str(error))
            return None
        if live.ended:
            return None
        if getattr(self.store, "shared", False):
            # Another node may own it, and this node may advance it and so own it: its timers that this node's
            # reads skipped (they were another's) are armed here, so they fire wherever it goes next.
            for seq, due in await self.store.timers_of(execution_id):
                self._wheel.arm(execution_id, seq, due)
        return live

    def _replayed(self, record: ExecutionRecord, steps: Sequence[Any], definition: _Definition) -> LiveExecution:
        # RedriveCount 0 at the start: each recorded redrive counts itself as it is replayed (core/redrive.py).
        info = make_execution_info(record.arn, record.name, record.machine_arn, record.machine_name,
                                   record.role_arn, 0)
        core = LimitedExecution(definition.compiled, express=definition.express)
        live = LiveExecution(record.id, core, info, definition, record.start_date)
        live.open_rows = -1  # what earlier steps left in the store is not counted here
        self.replays += 1
        replay(live, steps, load_value(record.input))
        return live

    async def _fail(self, record: ExecutionRecord, steps: Sequence[Any], cause: str) -> None:
        """Record the end of an execution that cannot be rebuilt: FAILED, States.Runtime, with why."""
        log.error("%s cannot be resumed; it fails with States.Runtime: %s", record.arn, cause)
        write = failing_step(record.id, cause, self.clock.now(), steps[-1].step if steps else 0,
                             sum(step.event_count for step in steps))
        failure = await self._writer.write(write)
        if failure is not None:
            raise failure
        self._settle_ended(record.id)

    def _settle_ended(self, execution_id: int) -> None:
        for waiter in self._waiters.pop(execution_id, ()):
            if not waiter.done():
                waiter.set_result(None)  # its waiters read the record

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _idle(self) -> bool:
        return not self._tasks.in_flight and not self._writer.busy and not self._loading

    # --- reading -----------------------------------------------------------------------------------------

    async def _record(self, arn: str) -> ExecutionRecord:
        record = await self.store.execution(arn)
        if record is None:
            raise ExecutionNotFound(f"Execution Does Not Exist: '{arn}'")
        return record

    async def wait(self, arn: str) -> Result:
        """The Result of the execution ``arn``, once it has ended.

        Raises:
            ExecutionNotFound: no execution with that ARN is in the store.
        """
        loop = asyncio.get_running_loop()
        execution_id = self._arns.get(arn)
        if execution_id is not None:  # running in memory: its ending answers the waiter, no read needed
            result = await self._waiter(execution_id, loop)
            if result is not None:
                return result
        record = await self._record(arn)
        while record.status == "RUNNING":
            waiter = self._waiter(record.id, loop)
            record = await self._record(arn)  # it may have ended before the waiter was there
            if record.status != "RUNNING":
                break
            result = await self._until_ended(record.id, waiter)
            if result is not None:
                return result
            record = await self._record(arn)
        return await self._result(record)

    async def _until_ended(self, execution_id: int, waiter: asyncio.Future[Result | None]) -> Result | None:
        """The waiter's answer. On a shared store another node may end the execution: its notification
        answers the waiter, and the record is read again every half-minute in case one was lost."""
        if not getattr(self.store, "shared", False):
            return await waiter
        done, _ = await asyncio.wait({waiter}, timeout=_SHARED_RECHECK_SECONDS)
        if done:
            return waiter.result()
        waiting = self._waiters.get(execution_id)
        if waiting is not None and waiter in waiting:
            waiting.remove(waiter)
            if not waiting:
                del self._waiters[execution_id]
        waiter.cancel()
        return None

    async def _result(self, record: ExecutionRecord) -> Result:
        return Result(record.status, load_value(record.output), record.error, record.cause, record.arn,
                      record.start_date, record.stop_date if record.stop_date is not None else self.clock.now(),
                      await self._history(record.id))

    async def _history(self, execution_id: int) -> Sequence[HistoryEvent]:
        rows: list[Any] = []
        for step in await self.store.events(execution_id):
            rows += decode_events(step.events)
        return history_of(rows)

    async def describe(self, arn: str) -> ExecutionDescription:
        """DescribeExecution. Raises ExecutionNotFound."""
        return _description(await self._record(arn))

    async def history(self, arn: str) -> Sequence[HistoryEvent]:
        """GetExecutionHistory: every event, in order (``event.to_aws()`` gives AWS's shape)."""
        return await self._history((await self._record(arn)).id)

    async def list(self, *, machine: str | None = None, status: str | None = None, limit: int = 100,
                   next_token: str | None = None, redriven: bool | None = None,
                   name_prefix: str | None = None) -> ExecutionPage:
        """ListExecutions, newest first: ``machine`` (a name), ``status``, ``redriven`` (redriven at least
        once, or never) and ``name_prefix`` filter; ``next_token`` pages."""
        before = _page_key(next_token)
        records = await self.store.executions(machine_name=machine, status=status, limit=limit + 1, before=before,
                                              redriven=redriven, name_prefix=name_prefix)
        more = len(records) > limit
        records = records[:limit]
        token = str(records[-1].id) if more and records else None
        return ExecutionPage([_description(record) for record in records], token)

    # --- the control and callback API ----------------------------------------------------------------

    async def stop(self, arn: str, error: str | None = None, cause: str | None = None) -> ExecutionDescription:
        """StopExecution: a running execution ends ABORTED (once that is recorded); an ended one is left alone."""
        record = await self._record(arn)
        if record.status == "RUNNING":
            await self.post(record.id, StopRequested(self.clock.now(), error, cause))
            record = await self._record(arn)
        return _description(record)

    async def redrive(self, arn: str) -> float:
        """RedriveExecution: a FAILED, TIMED_OUT or ABORTED execution runs again from the states that did not
        finish (spec/redrive.md); returns the redrive date once the redrive is recorded.

        Raises:
            ExecutionNotFound: no execution with that ARN.
            ExecutionNotRedrivable: AWS would refuse it (the message says why).
        """
        record = await self._record(arn)
        now = self.clock.now()
        reason = record_refusal(record, now)
        if reason is not None:
            raise ExecutionNotRedrivable(reason)
        steps = await self.store.steps(record.id)
        try:
            live = self._replayed(record, steps, await self._definition_by_hash(record.definition_hash))
        except StoreError:
            raise
        except Exception as error:  # no longer compiles or replays: it stays as it ended
            raise ExecutionNotRedrivable(f"Execution can no longer be rebuilt from its history: {error}") from None
        reason = live.core.redrive_refusal()
        if reason is None and (record.id in self._cache or record.id in self._loading):
            reason = "Execution is RUNNING and cannot be redriven"  # another redrive got there first
        if reason is not None:
            raise ExecutionNotRedrivable(reason)
        live.ended = False
        self._keep(live)
        recorded = self.post(record.id, Redriven(now))
        if not await recorded:
            raise ExecutionNotRedrivable("Execution is RUNNING and cannot be redriven")
        return now

    async def send_task_success(self, token: str, output: Any) -> None:
        """SendTaskSuccess (returns once the result is recorded). Raises InvalidToken or TaskTimedOut."""
        execution_id, seq = await self._token_task(token)
        await self._answer(token, execution_id, TaskSucceeded(seq, self.clock.now(), output))

    async def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        """SendTaskFailure. Raises InvalidToken or TaskTimedOut."""
        execution_id, seq = await self._token_task(token)
        await self._answer(token, execution_id,
                           TaskFailed(seq, self.clock.now(), error or "States.TaskFailed", cause))

    async def send_task_heartbeat(self, token: str) -> None:
        """SendTaskHeartbeat. Raises InvalidToken or TaskTimedOut."""
        execution_id, seq = await self._token_task(token)
        await self.post(execution_id, TaskHeartbeat(seq, self.clock.now()))

    async def _token_task(self, token: str) -> tuple[int, int]:
        owner = await self.store.token_owner(token)
        if owner is None:
            raise InvalidToken(f"No task is waiting for the token {_short(token)}")
        if owner.seq is None:
            raise TaskTimedOut(f"The task of token {_short(token)} has already ended")
        return owner.execution_id, owner.seq

    async def _answer(self, token: str, execution_id: int, item: Input) -> None:
        if not await self.post(execution_id, item):
            raise TaskTimedOut(f"The task of token {_short(token)} has already ended")

    # --- numbers for /metrics, benchmarks and tests ---------------------------------------------------

    @property
    def stats(self) -> dict[str, int | float]:
        """Counters: steps and commits written, tasks sent and re-sent, replays, executions in memory."""
        return {"steps": self._writer.steps, "commits": self._writer.commits,
                "commit_seconds": self._writer.commit_seconds, "tasks_sent": self._tasks.sent,
                "tasks_resent": self._tasks.resent, "replays": self.replays, "in_memory": len(self._cache),
                "timers_in_memory": self._wheel.in_memory, "timers_fired": self._wheel.fired,
                "step_conflicts": self.conflicts, "taken_over": self._leases.taken_over}


def _loud(task: asyncio.Task[Any]) -> None:
    """A task that must run until close() ended by itself: say so, whatever it was (it is a bug)."""
    if not task.cancelled() and task.exception() is not None:
        log.critical("%s stopped: %r; this process fires no more timers or leases until restarted",
                     task.get_name(), task.exception(), exc_info=task.exception())


def _info(definition: _Definition, name: str, role_arn: str | None = None) -> Any:
    if definition.express:
        from statewright.runtime.engine import execution_info

        return execution_info(definition.machine_name, name, express=True)
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{definition.machine_name}:{name}"
    return make_execution_info(arn, name, definition.machine_arn, definition.machine_name, role_arn or _ROLE_ARN, 0)


def _description(record: ExecutionRecord) -> ExecutionDescription:
    return ExecutionDescription(record.arn, record.machine_arn, record.name, record.status, record.start_date,
                                record.stop_date, load_value(record.input), load_value(record.output), record.error,
                                record.cause, record.redrive_count, record.version_arn, record.alias_arn,
                                record.parent_arn, record.redrive_date, record.workflow_type)


def _page_key(token: str | None) -> int | None:
    if token is None:
        return None
    try:
        return int(token)
    except ValueError:
        raise ValueError(f"invalid next_token {token!r}") from None


def _short(token: str) -> str:
    return repr(token if len(token) <= 40 else token[:37] + "...")
