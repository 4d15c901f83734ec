-- Leases (docs/deploy.md): every node that opens the store has a row here and renews its lease; a RUNNING
-- execution belongs to the node that last advanced it (its owner). A node fires the timers and re-sends the
-- tasks of the executions it owns only; when a node's lease lapses, the others take its executions over.
-- Lease times are the database's clock (clock_timestamp()), so the nodes' clocks need not agree.
CREATE TABLE nodes (
    id          text PRIMARY KEY,
    started     double precision NOT NULL,
    lease_until double precision NOT NULL
);
ALTER TABLE executions ADD COLUMN owner text;
CREATE INDEX executions_running_by_owner ON executions (owner, id) WHERE status = 'RUNNING';
