"""The vocabulary between the pure core and the runtime: inputs, commands, decisions, history events.

The runtime feeds an :class:`~statewright.core.execution.Execution` *inputs* (facts from the outside
world: the execution started, a task finished, a timer fired, a callback arrived, a stop was asked for),
each carrying the time it happened. After every input it asks for a :class:`Decision`: the history
events to append (in AWS Step Functions' shape) and the *commands* to carry out. Every command carries a
sequence number, and the input that answers it carries the same number. Time and randomness come only
from inputs (``Started.seed``, each input's ``time``), so replaying the recorded inputs reproduces every
decision.

Times are float seconds since the Unix epoch (UTC), as the runtime's clock gives them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import MISSING, dataclass, fields
from typing import Any, overload


def _direct_init(cls: type) -> type:
    """Give a frozen slots dataclass an ``__init__`` that stores each field through its slot descriptor.

    The generated frozen ``__init__`` goes through ``object.__setattr__`` once per field; the runtime
    makes several of these objects per transition, and storing through the descriptors costs about
    half. Everything else (frozen assignment, equality, hash, repr, pattern matching) is the
    dataclass's own; the signature and defaults are the same.
    """
    params, body, scope = [], [], {}
    for item in fields(cls):
        if item.default_factory is not MISSING or not item.init:  # pragma: no cover - guards future fields
            raise TypeError(f"{cls.__name__}.{item.name}: _direct_init supports plain fields and defaults only")
        if item.default is not MISSING:
            scope[f"_default_{item.name}"] = item.default
            params.append(f"{item.name}=_default_{item.name}")
        else:
            params.append(item.name)
        scope[f"_set_{item.name}"] = getattr(cls, item.name).__set__
        body.append(f"    _set_{item.name}(self, {item.name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body) + "\n"
    exec(source, scope)  # generated from the class's own field names, as dataclasses does
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[misc]
    return cls

def _maker(cls: type) -> Any:
    """A function that makes ``cls`` instances (a frozen slots dataclass; same parameters and defaults) for
    about half of what ``cls(...)`` costs; the hot paths use it for the few objects made per execution.

    The object is made as an instance of an unfrozen twin with the same slots, its fields stored the plain
    way, then given ``cls`` as its class: it *is* a ``cls`` (frozen, equal, hashed and printed as one). A
    type call with an ``__init__`` that stores through slot descriptors costs about 1,200 machine
    instructions a field in CPython 3.11; the twin's stores cost tens.
    """
    twin = type(f"_{cls.__name__}Unfrozen", (), {"__slots__": cls.__slots__, "__module__": cls.__module__})
    params, body, scope = [], ["    made = _new(_twin)"], {"_new": object.__new__, "_twin": twin, "_cls": cls}
    for item in fields(cls):
        if item.default is not MISSING:
            scope[f"_default_{item.name}"] = item.default
            params.append(f"{item.name}=_default_{item.name}")
        else:
            params.append(item.name)
        body.append(f"    made.{item.name} = {item.name}")
    body += ["    made.__class__ = _cls", "    return made"]
    name = f"make_{cls.__name__}"
    exec(f"def {name}({', '.join(params)}):\n" + "\n".join(body) + "\n", scope)  # as _direct_init does
    maker = scope[name]
    maker.__module__ = cls.__module__
    return maker


# --- Inputs (Execution.receive) ---------------------------------------------------------------------------


@_direct_init
@dataclass(frozen=True, slots=True)
class ExecutionInfo:
    """Names that the context object ($$.Execution, $$.StateMachine) and history show."""

    execution_arn: str
    execution_name: str
    state_machine_arn: str
    state_machine_name: str
    role_arn: str = "arn:aws:iam::123456789012:role/statewright"
    redrive_count: int = 0


@_direct_init
@dataclass(frozen=True, slots=True)
class Started:
    """The execution starts with ``input``. ``seed`` drives States.UUID, States.MathRandom, jitter and tokens."""

    time: float
    input: Any
    seed: int
    info: ExecutionInfo


@_direct_init
@dataclass(frozen=True, slots=True)
class TaskSucceeded:
    seq: int
    time: float
    output: Any


@_direct_init
@dataclass(frozen=True, slots=True)
class TaskFailed:
    seq: int
    time: float
    error: str
    cause: str | None = None


@_direct_init
@dataclass(frozen=True, slots=True)
class TaskHeartbeat:
    """A heartbeat for the task of ``seq`` (SendTaskHeartbeat): restarts its HeartbeatSeconds timer."""

    seq: int
    time: float


@_direct_init
@dataclass(frozen=True, slots=True)
class ActivityStarted:
    """A worker took the activity task of ``seq`` (GetActivityTask): recorded as ActivityStarted, and the
    task's HeartbeatSeconds clock starts again from now. ``worker_name`` is what the worker called itself."""

    seq: int
    time: float
    worker_name: str | None = None


@_direct_init
@dataclass(frozen=True, slots=True)
class TimerFired:
    seq: int
    time: float


@_direct_init
@dataclass(frozen=True, slots=True)
class StopRequested:
    """StopExecution: the execution ends ABORTED."""

    time: float
    error: str | None = None
    cause: str | None = None


@_direct_init
@dataclass(frozen=True, slots=True)
class Redriven:
    """RedriveExecution: an execution that ended FAILED, TIMED_OUT or ABORTED runs again from the states that did
    not finish (spec/redrive.md). The core counts redrives itself (``ExecutionRedriven``'s ``redriveCount``)."""

    time: float


make_execution_info = _maker(ExecutionInfo)
"""``ExecutionInfo(...)`` at half the cost (see :func:`_maker`)."""
make_started = _maker(Started)
"""``Started(...)`` at half the cost (see :func:`_maker`)."""
make_timer_fired = _maker(TimerFired)
"""``TimerFired(...)`` at half the cost (see :func:`_maker`)."""

Input = (Started | TaskSucceeded | TaskFailed | TaskHeartbeat | ActivityStarted | TimerFired | StopRequested
         | Redriven)

# --- Commands (carried out by the runtime) ----------------------------------------------------------------


@_direct_init
@dataclass(frozen=True, slots=True)
class InvokeTask:
    """Call ``resource`` with ``payload``; answer with TaskSucceeded/TaskFailed carrying ``seq``.

    Attributes:
        state: the Task state's name (for logs and idempotency keys).
        attempt: 0 for the first try, n for the n-th retry (part of the idempotency key).
        token: the task token for ``.waitForTaskToken`` and activity resources (also in ``$$.Task.Token``):
            the runtime calls the resource (or hands the activity task to a worker), then waits for a
            callback carrying this token.
        credentials: the evaluated Credentials field, if any.
        heartbeat_seconds: informational; the core enforces timeouts itself with timers.
    """

    seq: int
    resource: str
    payload: Any
    state: str
    attempt: int = 0
    token: str | None = None
    credentials: Any = None
    heartbeat_seconds: float | None = None
    timeout_seconds: float | None = None


@_direct_init
@dataclass(frozen=True, slots=True)
class StartTimer:
    """Answer with TimerFired(seq) at ``fire_at`` (epoch seconds); a time in the past fires at once."""

    seq: int
    fire_at: float


@_direct_init
@dataclass(frozen=True, slots=True)
class CancelTask:
    """The task of ``seq`` is no longer wanted (timed out, its branch failed, the execution ended)."""

    seq: int


@_direct_init
@dataclass(frozen=True, slots=True)
class CancelTimer:
    seq: int


make_start_timer = _maker(StartTimer)
"""``StartTimer(...)`` at half the cost (see :func:`_maker`)."""

Command = InvokeTask | StartTimer | CancelTask | CancelTimer

# --- History and decisions --------------------------------------------------------------------------------


class HistoryEvent:
    """One history event in AWS Step Functions' shape.

    ``details`` holds the ``<type>EventDetails`` fields with JSON *values* (not texts) for input and
    output; :meth:`to_aws` renders them as GetExecutionHistory does (JSON texts, ISO timestamps).

    Events are immutable by contract: nothing assigns to an event or its ``details`` once it is made.
    This is a plain slots class rather than a frozen dataclass (see STYLE.md) because the core makes
    two per state transition, and a frozen dataclass's ``__init__`` (one ``object.__setattr__`` per
    field) costs about 1.1 µs against 0.36 µs here: a quarter of a Pass state's whole cost. Equality,
    hashing and ``repr`` behave as the dataclass's did.

    A state's entered and exited events (``{"name", "input"}`` / ``{"name", "output"}``, two per state),
    ExecutionStarted and ExecutionSucceeded are made by :func:`lazy_event`, which keeps the name and the
    value and builds the ``details`` dict on first read (once): most histories are never read event by
    event, and the dict per event was almost half of the objects a finished execution leaves for the
    garbage collector to scan. Anything that reads ``details`` sees the same dict as before.
    """

    __slots__ = ("_data", "_details", "_name", "id", "previous_event_id", "timestamp", "type")
    __match_args__ = ("id", "previous_event_id", "type", "timestamp", "details")

    id: int
    previous_event_id: int
    type: str
    timestamp: float

    def __init__(self, id: int, previous_event_id: int, type: str, timestamp: float,
                 details: dict[str, Any] | None = None) -> None:
        self.id = id
        self.previous_event_id = previous_event_id
        self.type = type
        self.timestamp = timestamp
        self._details = details

    @property
    def details(self) -> dict[str, Any] | None:
        details = self._details
        if details.__class__ is _DetailsKind:  # made by lazy_event(): built now, once
            details = self._details = details.build(self._name, self._data)  # type: ignore[union-attr]
        return details  # type: ignore[return-value]

    def _fields(self) -> tuple[Any, ...]:
        return self.id, self.previous_event_id, self.type, self.timestamp, self.details

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (f"HistoryEvent(id={self.id!r}, previous_event_id={self.previous_event_id!r}, type={self.type!r}, "
                f"timestamp={self.timestamp!r}, details={self.details!r})")

    def to_aws(self) -> dict[str, Any]:
        from statewright.core.history import render_event  # rendering lives with the other AWS shapes

        return render_event(self)


class _DetailsKind(int):
    """Marks a :class:`HistoryEvent` whose details are not built yet, and how to build them from the
    event's name and value: ``{"name": name, <key>: value}``, or ``{<key>: value}`` (plus ``<extra>: name``)
    for the execution's own events, whose details have no state name.

    Each kind is also a small int, its code (0-3): a JSON encoder writes a history row holding one as that
    number with no call back into Python (the durable record keeps rows so: store/codec.py). Nothing compares
    kinds as numbers; they are told apart by identity.
    """

    def __new__(cls, code: int, key: str, *, named: bool = True, extra: str | None = None) -> _DetailsKind:
        kind = super().__new__(cls, code)
        kind.key = key
        kind.named = named
        kind.extra = extra
        return kind

    key: str
    named: bool
    extra: str | None

    def build(self, name: Any, value: Any) -> dict[str, Any]:
        if self.named:
            return {"name": name, self.key: value}
        if self.extra is not None:
            return {self.key: value, self.extra: name}
        return {self.key: value}

    def __repr__(self) -> str:
        return f"<details kind {self.key!r}>"


ENTERED = _DetailsKind(0, "input")
"""``lazy_event``'s ``kind`` for ``<Type>StateEntered``: details ``{"name", "input"}``."""
EXITED = _DetailsKind(1, "output")
"""``lazy_event``'s ``kind`` for ``<Type>StateExited``: details ``{"name", "output"}``."""
EXECUTION_STARTED = _DetailsKind(2, "input", named=False, extra="roleArn")
"""``lazy_event``'s ``kind`` for ExecutionStarted: details ``{"input", "roleArn"}`` (the role ARN as ``name``)."""
EXECUTION_SUCCEEDED = _DetailsKind(3, "output", named=False)
"""``lazy_event``'s ``kind`` for ExecutionSucceeded: details ``{"output"}`` (``name`` is not used)."""
MAP_ITERATION = _DetailsKind(4, "index", named=False, extra="name")
"""``lazy_event``'s ``kind`` for ``MapIteration{Started,Succeeded,Failed,Aborted}``: details ``{"index", "name"}``
(the Map state's name as ``name``, the iteration's index as the value): an inline Map over 10,000 items
otherwise keeps 20,000 small dicts in its rows, each one more object for the garbage collector to scan."""

_new_event = object.__new__


def lazy_event(id: int, previous_event_id: int, type: str, timestamp: float, kind: _DetailsKind, name: Any,
               value: Any) -> HistoryEvent:
    """``HistoryEvent(id, previous_event_id, type, timestamp, {"name": name, kind.key: value})`` (for
    :data:`ENTERED` and :data:`EXITED`; see :class:`_DetailsKind` for the others) at half the cost: no
    ``__init__`` call, and the details dict is built only if someone reads it."""
    event = _new_event(HistoryEvent)
    event.id = id
    event.previous_event_id = previous_event_id
    event.type = type
    event.timestamp = timestamp
    event._details = kind
    event._name = name
    event._data = value
    return event


ROW = 6
"""Entries per event in :attr:`History.rows`: previous event id, type, timestamp, details (or a
:class:`_DetailsKind`), name, value. The event's id is its position: ``len(rows) // ROW`` events precede it."""


class History(Sequence[HistoryEvent]):
    """One execution's history events, in order: a read-only sequence of :class:`HistoryEvent`.

    The core records an event by extending :attr:`rows` with its :data:`ROW` fields (or through
    :meth:`add`); an event object is made only when the event is first read, and kept. Why: a finished
    execution used to keep one object per event (12 for a 5-state machine), and with thousands of
    executions in flight those were most of what the garbage collector scanned, again and again; one
    flat list is one object to scan, and extending it costs less than making an event. Reading an event
    returns the same object every time (its ``details`` dict is built once, as :func:`lazy_event`'s).
    """

    __slots__ = ("_events", "rows")

    def __init__(self, events: Iterable[HistoryEvent] = ()) -> None:
        self.rows: list[Any] = []
        self._events: list[HistoryEvent] | None = None  # the events read so far (a prefix); a list from the first read
        for event in events:
            self.append(event)

    def add(self, previous_event_id: int, type: str, timestamp: float, details: dict[str, Any] | None) -> int:
        """Record ``HistoryEvent(<next id>, previous_event_id, type, timestamp, details)``; returns its id."""
        rows = self.rows
        rows += (previous_event_id, type, timestamp, details, None, None)
        return len(rows) // ROW

    def append(self, event: HistoryEvent) -> None:
        """Record ``event``, whose id must be the next one."""
        if event.id != len(self.rows) // ROW + 1:
            raise ValueError(f"event {event.id} cannot follow event {len(self.rows) // ROW}")
        self.rows += (event.previous_event_id, event.type, event.timestamp, event.details, None, None)

    def __len__(self) -> int:
        return len(self.rows) // ROW

    @overload
    def __getitem__(self, index: int) -> HistoryEvent: ...

    @overload
    def __getitem__(self, index: slice) -> list[HistoryEvent]: ...

    def __getitem__(self, index: int | slice) -> HistoryEvent | list[HistoryEvent]:
        return self._read()[index]

    def __iter__(self) -> Iterator[HistoryEvent]:
        return iter(self._read())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, History | list | tuple):
            return self._read() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which are not hashable

    def __repr__(self) -> str:
        return f"History({self._read()!r})"

    def _read(self) -> list[HistoryEvent]:
        """The event objects of every recorded event, made now for those not read before."""
        events = self._events
        if events is None:
            events = self._events = []
        rows = self.rows
        for start in range(len(events) * ROW, len(rows), ROW):
            previous, type, timestamp, details, name, value = rows[start:start + ROW]
            event_id = start // ROW + 1
            if details.__class__ is _DetailsKind:
                events.append(lazy_event(event_id, previous, type, timestamp, details, name, value))
            else:
                events.append(HistoryEvent(event_id, previous, type, timestamp, details))
        return events


@_direct_init
@dataclass(frozen=True, slots=True)
class Decision:
    """What the runtime must do after an input: append ``events``, then carry out ``commands``."""

    events: tuple[HistoryEvent, ...] = ()
    commands: tuple[Command, ...] = ()


@dataclass(slots=True)
class Outcome:
    """How an execution ended (``status`` is RUNNING while it has not)."""

    status: str = "RUNNING"
    output: Any = None
    error: str | None = None
    cause: str | None = None


def new_outcome() -> Outcome:
    """``Outcome()`` (RUNNING) without the type call, which costs more than its four fields (one per execution)."""
    made = _new_event(Outcome)
    made.status = "RUNNING"
    made.output = made.error = made.cause = None
    return made


def new_history() -> History:
    """``History()`` without the type call (one per execution, see :func:`new_outcome`)."""
    made = _new_event(History)
    made.rows = []
    made._events = None
    return made
