"""The durable benchmark (``python -m benchmarks --durable``): Statewright on SQLite beside DBOS on SQLite."""
