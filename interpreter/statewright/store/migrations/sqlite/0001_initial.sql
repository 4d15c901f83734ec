-- Statewright store, SQLite dialect, migration 1: executions as steps, with their timers and open tasks.
-- Every statement runs inside the migration's transaction (see store/sqlite.py).

CREATE TABLE definitions (
    hash          TEXT PRIMARY KEY,      -- sha256 of the text: an execution is pinned to it
    text          TEXT NOT NULL,         -- as written (or the JSON of the value that ran, when substituted)
    workflow_type TEXT NOT NULL,
    machine_name  TEXT NOT NULL,
    created       REAL NOT NULL
);

CREATE TABLE executions (
    id              INTEGER PRIMARY KEY,
    arn             TEXT NOT NULL UNIQUE, -- STANDARD: unique per machine and name, as AWS's
    name            TEXT NOT NULL,
    machine_name    TEXT NOT NULL,
    machine_arn     TEXT NOT NULL,
    definition_hash TEXT NOT NULL REFERENCES definitions (hash),
    workflow_type   TEXT NOT NULL,
    status          TEXT NOT NULL,        -- RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
    input           TEXT NOT NULL,
    output          TEXT,
    error           TEXT,
    cause           TEXT,
    start_date      REAL NOT NULL,
    stop_date       REAL,
    seed            INTEGER NOT NULL,
    role_arn        TEXT NOT NULL,
    redrive_count   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX executions_by_start ON executions (start_date DESC, id DESC);
CREATE INDEX executions_by_status ON executions (status, start_date DESC, id DESC);
CREATE INDEX executions_by_machine ON executions (machine_name, start_date DESC, id DESC);

-- One row per input the core received: the input and the events it decided (the record; docs/durability.md).
CREATE TABLE steps (
    execution_id INTEGER NOT NULL,
    step         INTEGER NOT NULL,
    first_event  INTEGER NOT NULL,
    event_count  INTEGER NOT NULL,
    input        TEXT NOT NULL,
    events       TEXT NOT NULL,
    PRIMARY KEY (execution_id, step)      -- a second writer of the same step is refused here
);  -- a rowid table: its rows are too large for WITHOUT ROWID (SQLite's advice: under 1/20 of a page)

CREATE TABLE timers (
    execution_id INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    due          REAL NOT NULL,
    PRIMARY KEY (execution_id, seq)
) WITHOUT ROWID;
CREATE INDEX timers_by_due ON timers (due, execution_id, seq);

-- Task commands decided and not answered yet: what a restart sends again.
CREATE TABLE tasks (
    execution_id      INTEGER NOT NULL,
    seq               INTEGER NOT NULL,
    state             TEXT NOT NULL,
    resource          TEXT NOT NULL,
    payload           TEXT NOT NULL,
    attempt           INTEGER NOT NULL,
    token             TEXT,
    idempotency_key   TEXT NOT NULL,
    credentials       TEXT,
    heartbeat_seconds REAL,
    timeout_seconds   REAL,
    called            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (execution_id, seq)
);
CREATE UNIQUE INDEX tasks_by_token ON tasks (token) WHERE token IS NOT NULL;

-- Tokens of tasks that have ended: a late answer is TaskTimedOut, not InvalidToken.
CREATE TABLE ended_tokens (
    token        TEXT PRIMARY KEY,
    execution_id INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('execution_id', 0);
