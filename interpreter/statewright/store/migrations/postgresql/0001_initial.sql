-- Statewright store, PostgreSQL dialect, migration 1: executions as steps, with their timers and open tasks.
-- The same tables as the SQLite dialect's migration 1 (store/migrations/sqlite), in PostgreSQL's types: JSON
-- texts are kept as the bytes the codec wrote (bytea), never parsed by the database. Every statement runs
-- inside the migration's transaction, under an advisory lock (store/postgresql.py): nodes that start
-- together migrate once.

CREATE TABLE definitions (
    hash          text PRIMARY KEY,      -- sha256 of the text: an execution is pinned to it
    text          text NOT NULL,
    workflow_type text NOT NULL,
    machine_name  text NOT NULL,
    created       double precision NOT NULL
);

CREATE TABLE executions (
    id              bigint PRIMARY KEY,
    arn             text NOT NULL UNIQUE, -- STANDARD: unique per machine and name, as AWS's
    name            text NOT NULL,
    machine_name    text NOT NULL,
    machine_arn     text NOT NULL,
    definition_hash text NOT NULL REFERENCES definitions (hash),
    workflow_type   text NOT NULL,
    status          text NOT NULL,        -- RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
    input           bytea NOT NULL,
    output          bytea,
    error           text,
    cause           text,
    start_date      double precision NOT NULL,
    stop_date       double precision,
    seed            bigint NOT NULL,
    role_arn        text NOT NULL,
    redrive_count   integer NOT NULL DEFAULT 0
);
CREATE INDEX executions_by_start ON executions (start_date DESC, id DESC);
CREATE INDEX executions_by_status ON executions (status, start_date DESC, id DESC);
CREATE INDEX executions_by_machine ON executions (machine_name, start_date DESC, id DESC);

-- One row per input the core received. The primary key is the version check of one writer per execution:
-- a node that decided a step another node already recorded is refused here (StepConflict).
CREATE TABLE steps (
    execution_id bigint NOT NULL,
    step         bigint NOT NULL,
    first_event  integer NOT NULL,
    event_count  integer NOT NULL,
    input        bytea NOT NULL,
    events       bytea NOT NULL,
    PRIMARY KEY (execution_id, step)
);

CREATE TABLE timers (
    execution_id bigint NOT NULL,
    seq          bigint NOT NULL,       -- bigint, as SQLite's integers: the timer wheel reads past keys of 2**62
    due          double precision NOT NULL,
    PRIMARY KEY (execution_id, seq)
);
CREATE INDEX timers_by_due ON timers (due, execution_id, seq);

CREATE TABLE tasks (
    execution_id      bigint NOT NULL,
    seq               bigint NOT NULL,
    state             text NOT NULL,
    resource          text NOT NULL,
    payload           bytea NOT NULL,
    attempt           integer NOT NULL,
    token             text,
    idempotency_key   text NOT NULL,
    credentials       bytea,
    heartbeat_seconds double precision,
    timeout_seconds   double precision,
    called            integer NOT NULL DEFAULT 0,
    PRIMARY KEY (execution_id, seq)
);
CREATE UNIQUE INDEX tasks_by_token ON tasks (token) WHERE token IS NOT NULL;

CREATE TABLE ended_tokens (
    token        text PRIMARY KEY,
    execution_id bigint NOT NULL
);

CREATE TABLE counters (
    name  text PRIMARY KEY,
    value bigint NOT NULL
);
INSERT INTO counters (name, value) VALUES ('execution_id', 0);
