-- The resources the Step Functions API manages besides executions: state machines, their versions and
-- aliases, activities and tags. Each is a JSON document under (kind, arn); ``parent`` is the state machine
-- of a version or an alias. The API's reads are rare next to execution steps, so one table serves them all.
CREATE TABLE resources (
    kind    TEXT NOT NULL,   -- machine | version | alias | activity | tags
    arn     TEXT NOT NULL,
    parent  TEXT,
    name    TEXT NOT NULL,
    body    TEXT NOT NULL,   -- JSON object
    created REAL NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (kind, arn)
);
CREATE INDEX resources_by_parent ON resources (kind, parent, arn);

-- An execution started through a version or an alias says so (DescribeExecution's stateMachineVersionArn
-- and stateMachineAliasArn); a child execution names the execution that started it.
ALTER TABLE executions ADD COLUMN version_arn TEXT;
ALTER TABLE executions ADD COLUMN alias_arn TEXT;
ALTER TABLE executions ADD COLUMN parent_arn TEXT;
