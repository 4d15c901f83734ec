"""Statewright: a workflow engine for the Amazon States Language, written in YAML or JSON.

The public API::

    import statewright

    diagnostics = statewright.lint("workflow.yaml")      # list[Diagnostic]
    machine = statewright.load("workflow.yaml")          # raises statewright.DefinitionError
    result = await machine.execute({"orderId": "o-1"}, resources={"arn:...:function:charge": charge})
    result = statewright.run("workflow.yaml", {"orderId": "o-1"}, virtual_time=True)  # synchronous callers

    engine = statewright.Engine(resources)               # one per process; answers callbacks
    engine.send_task_success(token, {"approved": True})

    async with statewright.Engine(allow_hosts=["api.example.com"], config="statewright.yaml") as engine:
        ...                                              # HTTP tasks share one pooled client per engine
"""

from statewright.api import DefinitionError, StateMachine, UnfilledPlaceholder, lint, load, run
from statewright.lint.diagnostic import Diagnostic, Severity
from statewright.runtime.callback_server import CallbackListener
from statewright.runtime.callbacks import CallbackError, InvalidToken, TaskTimedOut
from statewright.runtime.clock import Clock, SystemClock, VirtualClock
from statewright.runtime.connections import ConfigError, Connections
from statewright.runtime.engine import Engine, ExecutionNotFound, Result, default_engine
from statewright.runtime.http_client import HttpOptions
from statewright.runtime.mock_config import MockConfig, MockConfigError
from statewright.runtime.resources import Invocation, ResourceMapError, ResourceRegistry, TaskError
from statewright.source import SourceError

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # Imported on first use: compiling support costs ~0.15 s of import time that `lint` never needs.
    if name == "UnsupportedDefinition":
        from statewright.core.model import UnsupportedDefinition

        return UnsupportedDefinition
    raise AttributeError(f"module 'statewright' has no attribute {name!r}")


__all__ = [
    "CallbackError",
    "CallbackListener",
    "Clock",
    "ConfigError",
    "Connections",
    "DefinitionError",
    "Diagnostic",
    "Engine",
    "ExecutionNotFound",
    "HttpOptions",
    "InvalidToken",
    "Invocation",
    "MockConfig",
    "MockConfigError",
    "ResourceMapError",
    "ResourceRegistry",
    "Result",
    "Severity",
    "SourceError",
    "StateMachine",
    "SystemClock",
    "TaskError",
    "TaskTimedOut",
    "UnfilledPlaceholder",
    "UnsupportedDefinition",
    "VirtualClock",
    "__version__",
    "default_engine",
    "lint",
    "load",
    "run",
]
