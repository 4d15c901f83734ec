-- RedriveExecution (as SQLite's migration 4).
ALTER TABLE executions ADD COLUMN redrive_date double precision;
