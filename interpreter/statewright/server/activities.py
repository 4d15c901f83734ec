"""Activity tasks handed to workers: the queues behind GetActivityTask (docs/activities.md).

A Task state whose Resource is an activity ARN gets a task token from the core, as a ``.waitForTaskToken``
task does, so its answer (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat) and its timeouts work exactly
as they do for callbacks. What differs is the call: the activity's handler (:class:`ActivityQueues`, a
resolver of the durable engine's registry) puts the task in its activity's queue and returns once a worker
has taken it. Taking it records ``ActivityStarted`` (the worker's name) and marks the task row *called*
before the worker hears of the task, so:

* a task no worker has taken yet is not called: a restart sends it again, and it is queued again;
* a task a worker has taken is called: after a restart only its token's answer is awaited.

A task for an activity that does not exist fails with ``States.Runtime``, as AWS's does, rather than wait.
Queues live in memory: they are rebuilt from the store's open task rows when the server starts.

On a store shared by several nodes (PostgreSQL) a worker may poll any node. A poll that finds nothing queued
on its own node looks in the store for the activity's tasks that other nodes queued and no worker took,
again whenever a node announces a new task of the activity (PostgreSQL's NOTIFY), and every few seconds
besides. Whichever node hands a task out marks its row called with a conditional
update first to succeed wins (``mark_called``), so each attempt goes to one worker; the node that queued it
finds the row called and drops its copy of the offer.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from dataclasses import dataclass, field

from statewright.core.errors import ErrorName
from statewright.core.events import ActivityStarted
from statewright.core.states.task import is_activity
from statewright.runtime.resources import Invocation, TaskError
from statewright.server.arns import activity_arn, parse_activity
from statewright.server.context import ACTIVITY, ServerContext
from statewright.server.protocol import ApiError
from statewright.store.codec import load_value
from statewright.store.protocol import StepConflict
from statewright.store.records import TaskRow

log = logging.getLogger("statewright.server.activities")

POLL_SECONDS = 60.0  # AWS holds GetActivityTask this long before answering without a task
# Tests shorten the long poll with this variable; nothing else should need to.
POLL_SECONDS_VARIABLE = "STATEWRIGHT_ACTIVITY_POLL_SECONDS"
MAX_POLLERS = 1_000  # open polls per activity before ActivityWorkerLimitExceeded (AWS's quota)
# On a shared store a waiting poll is woken by the NOTIFY of a new task on any node, and looks in the store
# this often besides (a notification can be lost with its connection).
STORE_POLL_SECONDS = 5.0
_KEY = "activities"


@dataclass(eq=False)
class Offer:
    """One activity task waiting for a worker; ``taken`` is set once one has it."""

    invocation: Invocation
    taken: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


def attach(context: ServerContext) -> ActivityQueues:
    """Serve activity resources from ``context``'s engine. Call it before the engine opens: opening sends the
    open tasks again, and activity tasks no worker took are queued again then."""
    queues = ActivityQueues(context, _poll_seconds())
    context.engine.add_resolver(queues.resolve)
    context.extensions[_KEY] = queues
    context.on_close.append(queues.close)
    return queues


def queues_of(context: ServerContext) -> ActivityQueues:
    queues = context.extensions.get(_KEY)
    if queues is None:  # a context made without serve() (no restart to serve): attach now
        queues = attach(context)
    return queues  # type: ignore[no-any-return]


def _poll_seconds() -> float:
    text = os.environ.get(POLL_SECONDS_VARIABLE)
    if not text:
        return POLL_SECONDS
    try:
        return max(0.0, float(text))
    except ValueError:
        log.warning("%s=%r is not a number of seconds: polling %g s", POLL_SECONDS_VARIABLE, text, POLL_SECONDS)
        return POLL_SECONDS


class ActivityQueues:
    """Per activity ARN: the tasks waiting for a worker, and the workers' polls waiting for a task."""

    # The durable task runner reads these: the task then waits for its token, and its row is marked called
    # here, before the worker hears of it (TaskRunner would mark it only after this handler returned).
    hands_out_token = True
    marks_called = True

    def __init__(self, context: ServerContext, poll_seconds: float) -> None:
        self.context = context
        self.poll_seconds = poll_seconds
        self.closed = False
        self._offers: dict[str, deque[Offer]] = {}
        self._polls: dict[str, deque[asyncio.Future[Offer | None]]] = {}
        self._listening = False

    def _announced(self, name: str) -> None:
        """A node queued a task of activity ``name``: the polls waiting on it look in the store now."""
        for poll in self._polls.get(activity_arn(name), ()):
            if not poll.done():
                poll.set_result(None)

    # --- the task side ---------------------------------------------------------------------------------

    def resolve(self, invocation: Invocation) -> ActivityQueues | None:
        return self if is_activity(invocation.resource) else None

    async def __call__(self, invocation: Invocation) -> None:
        """Queue the task and return once a worker has taken it (cancelled: the task timed out or ended)."""
        arn = activity_arn(parse_activity(invocation.resource))
        if await self.context.store.resource(ACTIVITY, arn) is None:
            raise TaskError(ErrorName.RUNTIME, f"The activity {invocation.resource} does not exist.")
        offer = Offer(invocation)
        self._offer(arn, offer)
        try:
            await offer.taken
        finally:
            queued = self._offers.get(arn)
            if queued is not None and offer in queued:
                queued.remove(offer)

    def _offer(self, arn: str, offer: Offer) -> None:
        polls = self._polls.get(arn)
        while polls:
            poll = polls.popleft()
            if not poll.done():
                poll.set_result(offer)
                return
        self._offers.setdefault(arn, deque()).append(offer)

    # --- the worker side --------------------------------------------------------------------------------

    async def take(self, arn: str, worker_name: str | None) -> Invocation | None:
        """GetActivityTask: the next task of the activity, taken by ``worker_name``; None when none arrives
        within the long poll (or the server is draining)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.poll_seconds
        shared = getattr(self.context.store, "shared", False)
        if shared and not self._listening:
            self._listening = True
            await self.context.store.listen("activity", self._announced)
        while not self.closed:
            offer = self._next(arn)
            if offer is None and shared:
                taken = await self._take_from_store(arn, worker_name)
                if taken is not None:
                    return taken
                left = deadline - loop.time()
                if left <= 0:
                    return None
                offer = await self._wait(arn, min(left, STORE_POLL_SECONDS))
                if offer is None:
                    continue
            elif offer is None:
                offer = await self._wait(arn, deadline - loop.time())
                if offer is None:
                    return None
            try:
                started = await self._start(offer, worker_name)
            except BaseException:
                if not offer.taken.done():  # not handed out: the next worker gets it
                    self._offers.setdefault(arn, deque()).appendleft(offer)
                raise
            if started:
                return offer.invocation
        return None

    def _next(self, arn: str) -> Offer | None:
        queued = self._offers.get(arn)
        while queued:
            offer = queued.popleft()
            if not offer.taken.done():
                return offer
        return None

    async def _wait(self, arn: str, seconds: float) -> Offer | None:
        if seconds <= 0 or self.closed:
            return None
        polls = self._polls.setdefault(arn, deque())
        if len(polls) >= MAX_POLLERS:
            raise ApiError("ActivityWorkerLimitExceeded",
                           f"Activity Worker Limit Exceeded: {MAX_POLLERS} polls are open on '{arn}'")
        poll: asyncio.Future[Offer | None] = asyncio.get_running_loop().create_future()
        polls.append(poll)
        try:
            await asyncio.wait({poll}, timeout=seconds)
        finally:
            if not poll.done():
                poll.cancel()
            if poll in polls:
                polls.remove(poll)
        return None if poll.cancelled() else poll.result()

    async def _take_from_store(self, arn: str, worker_name: str | None) -> Invocation | None:
        """A task of the activity that another node queued and no worker took, handed to this worker."""
        name = parse_activity(arn)
        for row in await self.context.store.waiting_activity_tasks(name, 10):
            invocation = _invocation_of(row)
            if await self._start(Offer(invocation), worker_name):
                return invocation
        return None

    async def _start(self, offer: Offer, worker_name: str | None) -> bool:
        """Record that the worker took the task, then mark its row called; False when the task no longer waits
        for a worker (it timed out, its execution ended, or a worker of another node took it meanwhile)."""
        invocation = offer.invocation
        if offer.taken.done():
            return False
        store = self.context.store
        owner = await store.token_owner(invocation.token or "")
        if owner is None or owner.seq != invocation.seq:
            return False
        engine = self.context.engine
        recorded = False
        for _ in range(3):
            try:
                recorded = await engine.post(owner.execution_id,
                                             ActivityStarted(invocation.seq, engine.clock.now(), worker_name))
                break
            except StepConflict:
                # Another node recorded a step of this execution first (perhaps this very start, for a worker
                # of its own): this node's copy was stale and is reloaded; post again on the fresh one.
                continue
        if not recorded:
            # Nothing to record: the task ended meanwhile, or a worker took it before a restart and the server
            # died before its row was marked called (ActivityStarted is in the history): hand it out again.
            owner = await store.token_owner(invocation.token or "")
            if owner is None or owner.seq != invocation.seq:
                return False
        if offer.taken.done():
            return False
        if not await store.mark_called(owner.execution_id, invocation.seq):
            # Handed out already (by another node, on a shared store): this offer is spent.
            if not offer.taken.done():
                offer.taken.set_result(None)
            return False
        if offer.taken.done():
            return False
        offer.taken.set_result(None)
        return True

    def close(self) -> None:
        """The server drains: open polls answer at once with no task (they would hold the drain 60 s)."""
        self.closed = True
        for polls in self._polls.values():
            for poll in polls:
                if not poll.done():
                    poll.set_result(None)
        self._polls.clear()


def _invocation_of(row: TaskRow) -> Invocation:
    """What a worker is handed for a task row another node queued: its token and effective input."""
    return Invocation(row.resource, load_value(row.payload), row.state, row.attempt, row.token, seq=row.seq,
                      timeout_seconds=row.timeout_seconds, idempotency_key=row.idempotency_key)
