-- Executions are listed newest first by id (ids are handed out in increasing order): as SQLite's migration 2.
DROP INDEX executions_by_start;
DROP INDEX executions_by_status;
DROP INDEX executions_by_machine;
CREATE INDEX executions_by_status ON executions (status, id);
CREATE INDEX executions_by_machine ON executions (machine_name, id);
