"""Durable executions: the record in a store, resume after a crash, eviction while waiting (docs/durability.md)."""

from statewright.runtime.durable.engine import (
    DurableEngine,
    ExecutionAlreadyExists,
    ExecutionDescription,
    ExecutionPage,
    InvalidName,
    Origin,
)
from statewright.runtime.durable.redrive import ExecutionNotRedrivable

__all__ = ["DurableEngine", "ExecutionAlreadyExists", "ExecutionDescription", "ExecutionNotRedrivable", "ExecutionPage",
           "InvalidName", "Origin"]
