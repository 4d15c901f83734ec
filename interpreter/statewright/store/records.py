"""What the store keeps, as plain records: the vocabulary between the durable runtime and a store.

An execution is its definition (pinned by content hash) plus its ordered *steps*: each step is one input
the core received (``Started``, a task result, a fired timer, ...) and the history events the core decided
on it (docs/durability.md). Timers and outstanding task commands are kept beside the steps so that a
process that starts finds what is due without rebuilding any execution. Everything a step changes is
written in one transaction, before any command it decided is carried out.

Values (inputs, outputs, payloads) travel as JSON *texts* (UTF-8 bytes, or str): the store never parses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Text = str | bytes  # JSON text, as store/codec.py writes it (bytes) or a store returns it


@dataclass(frozen=True, slots=True)
class DefinitionRecord:
    """A definition as it was run: its text (as written, or the JSON of the substituted value), pinned by hash."""

    hash: str
    text: str
    workflow_type: str  # STANDARD | EXPRESS
    machine_name: str


class NewExecution:
    """The row of an execution that its first step creates (a plain slots class: one is made per start)."""

    __slots__ = ("alias_arn", "arn", "definition_hash", "id", "input", "machine_arn", "machine_name", "name",
                 "parent_arn", "redrive_count", "role_arn", "seed", "start_date", "version_arn", "workflow_type")

    def __init__(self, id: int, arn: str, name: str, machine_name: str, machine_arn: str, definition_hash: str,
                 workflow_type: str, input: Text, start_date: float, seed: int, role_arn: str,
                 redrive_count: int = 0, version_arn: str | None = None, alias_arn: str | None = None,
                 parent_arn: str | None = None) -> None:
        self.id = id
        self.arn = arn
        self.name = name
        self.machine_name = machine_name
        self.machine_arn = machine_arn
        self.definition_hash = definition_hash
        self.workflow_type = workflow_type
        self.input = input  # JSON text
        self.start_date = start_date
        self.seed = seed
        self.role_arn = role_arn
        self.redrive_count = redrive_count
        self.version_arn = version_arn  # started through a version or an alias of the machine (the API)
        self.alias_arn = alias_arn
        self.parent_arn = parent_arn  # the execution whose Task started this one


@dataclass(frozen=True, slots=True)
class Ending:
    """How an execution ended: the status and the columns that say so."""

    status: str
    output: Text | None  # JSON text (SUCCEEDED)
    error: str | None
    cause: str | None
    stop_date: float
    # False when the engine knows the execution has no timer and no open task left in the store (every one it
    # added, it removed): the store then skips the clean-up an ending otherwise runs (three statements).
    leftovers: bool = True


class TaskRow:
    """A task command decided and not yet answered: enough to carry it out again after a restart.

    A plain slots class (one is made per task command): ``called`` is True once a ``.waitForTaskToken``
    resource was called, after which only its token's answer is awaited.
    """

    __slots__ = ("attempt", "called", "credentials", "execution_id", "heartbeat_seconds", "idempotency_key",
                 "payload", "resource", "seq", "state", "timeout_seconds", "token")

    def __init__(self, execution_id: int, seq: int, state: str, resource: str, payload: Text, attempt: int,
                 token: str | None, idempotency_key: str, credentials: Text | None, heartbeat_seconds: float | None,
                 timeout_seconds: float | None, called: bool = False) -> None:
        self.execution_id = execution_id
        self.seq = seq
        self.state = state
        self.resource = resource
        self.payload = payload  # JSON text
        self.attempt = attempt
        self.token = token
        self.idempotency_key = idempotency_key
        self.credentials = credentials  # JSON text
        self.heartbeat_seconds = heartbeat_seconds
        self.timeout_seconds = timeout_seconds
        self.called = called

    def __repr__(self) -> str:
        return f"TaskRow(execution_id={self.execution_id}, seq={self.seq}, state={self.state!r})"


class StepWrite:
    """Everything one step changes, written in one transaction (many steps share one commit).

    ``step`` numbers the execution's inputs from 1; the store's unique (execution, step) key is what
    refuses a second writer of the same step. The lists are ``None`` when empty: most steps add or remove
    one or two things, and a step is made for every transition of every execution.
    """

    __slots__ = ("definition", "ending", "event_count", "events", "execution_id", "first_event", "input", "new",
                 "redrive", "step", "tasks_added", "tasks_removed", "timers_added", "timers_removed",
                 "token_tasks_removed")

    def __init__(self, execution_id: int, step: int, first_event: int, input: Text, events: Text, event_count: int,
                 new: NewExecution | None = None) -> None:
        self.execution_id = execution_id
        self.step = step
        self.first_event = first_event  # id of the first event in ``events`` (events are numbered from 1)
        self.input = input  # the encoded input (store/codec.py)
        self.events = events  # the encoded events the input decided
        self.event_count = event_count
        self.new = new
        self.definition: DefinitionRecord | None = None  # the definition's row, with the first step that needs it
        self.timers_added: list[tuple[int, float]] | None = None  # (seq, due)
        self.timers_removed: list[int] | None = None
        self.tasks_added: list[TaskRow] | None = None
        self.tasks_removed: list[int] | None = None  # answered or cancelled
        self.token_tasks_removed: list[int] | None = None  # those of them that had a token (the store keeps it)
        self.ending: Ending | None = None
        # RedriveExecution's time: the step reopens the ended execution (RUNNING again, redrive_count + 1).
        self.redrive: float | None = None

    def __repr__(self) -> str:
        return f"StepWrite(execution_id={self.execution_id}, step={self.step}, events={self.event_count})"


@dataclass(frozen=True, slots=True)
class ExecutionRecord:
    """An execution's row (DescribeExecution's facts)."""

    id: int
    arn: str
    name: str
    machine_name: str
    machine_arn: str
    definition_hash: str
    workflow_type: str
    status: str
    input: Text
    output: Text | None
    error: str | None
    cause: str | None
    start_date: float
    stop_date: float | None
    seed: int
    role_arn: str
    redrive_count: int
    version_arn: str | None = None
    alias_arn: str | None = None
    parent_arn: str | None = None
    redrive_date: float | None = None


@dataclass(frozen=True, slots=True)
class StoredStep:
    """One recorded step, as read back."""

    step: int
    first_event: int
    input: Text
    events: Text
    event_count: int


@dataclass(frozen=True, slots=True)
class DueTimer:
    due: float
    execution_id: int
    seq: int


@dataclass(frozen=True, slots=True)
class TokenOwner:
    """Who waits for a task token: the execution and the task's sequence number (None once it ended)."""

    execution_id: int
    seq: int | None


@dataclass(frozen=True, slots=True)
class SchemaInfo:
    """What ``statewright db info`` prints."""

    url: str
    dialect: str
    version: int
    code_version: int
    executions: dict[str, int]
    timers: int
    tasks: int
    definitions: int
    settings: dict[str, str]


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    """A resource the Step Functions API manages (a state machine, version, alias, activity or tag set).

    ``body`` is its JSON document (the API layer owns its fields); ``parent`` is the state machine ARN of a
    version or an alias. ``created`` and ``updated`` are seconds since the epoch.
    """

    kind: str
    arn: str
    name: str
    body: dict[str, Any]
    parent: str | None = None
    created: float = 0.0
    updated: float = 0.0
