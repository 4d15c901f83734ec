-- The resources the Step Functions API manages besides executions (as SQLite's migration 3).
CREATE TABLE resources (
    kind    text NOT NULL,   -- machine | version | alias | activity | tags
    arn     text COLLATE "C" NOT NULL,  -- listed in byte order, as SQLite lists them
    parent  text COLLATE "C",
    name    text NOT NULL,
    body    text NOT NULL,   -- JSON object
    created double precision NOT NULL,
    updated double precision NOT NULL,
    PRIMARY KEY (kind, arn)
);
CREATE INDEX resources_by_parent ON resources (kind, parent, arn);

ALTER TABLE executions ADD COLUMN version_arn text;
ALTER TABLE executions ADD COLUMN alias_arn text;
ALTER TABLE executions ADD COLUMN parent_arn text;
