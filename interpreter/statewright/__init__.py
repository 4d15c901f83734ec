"""Statewright: a workflow engine for the Amazon States Language, written in YAML or JSON.

The public API::

    import statewright

    diagnostics = statewright.lint("workflow.yaml")      # list[Diagnostic]
    machine = statewright.load("workflow.yaml")          # raises statewright.DefinitionError
    result = await machine.execute({"orderId": "o-1"}, resources={"arn:...:function:charge": charge})
    result = statewright.run("workflow.yaml", {"orderId": "o-1"}, virtual_time=True)  # synchronous callers
    started = machine.start({"orderId": "o-2"})          # StartExecution: returns at once
    result = await started                               # the Result when it ends

    engine = statewright.Engine(resources)               # one per process; answers callbacks
    engine.send_task_success(token, {"approved": True})

    async with statewright.Engine(allow_hosts=["api.example.com"], config="statewright.yaml") as engine:
        ...                                              # HTTP tasks share one pooled client per engine

    async with statewright.DurableEngine("runs.db", resources) as engine:   # recorded in SQLite; resumes
        arn = await engine.start(machine, {"orderId": "o-3"}, name="o-3")  # returns once recorded
        result = await engine.wait(arn)
"""

from statewright.api import DefinitionError, StateMachine, UnfilledPlaceholder, lint, load, run
from statewright.lint.diagnostic import Diagnostic, Severity
from statewright.source import SourceError

__version__ = "0.1.0"


# The runtime (aiohttp, the HTTP client, the engine) and the compiler are imported on first use, so that
# `import statewright` for linting stays fast: aiohttp alone costs ~0.2 s of import time.
_LAZY = {
    "CallbackListener": "statewright.runtime.callback_server",
    "CallbackError": "statewright.runtime.callbacks",
    "InvalidToken": "statewright.runtime.callbacks",
    "TaskTimedOut": "statewright.runtime.callbacks",
    "Clock": "statewright.runtime.clock",
    "SystemClock": "statewright.runtime.clock",
    "VirtualClock": "statewright.runtime.clock",
    "ConfigError": "statewright.runtime.connections",
    "Connections": "statewright.runtime.connections",
    "Engine": "statewright.runtime.engine",
    "ExecutionNotFound": "statewright.runtime.engine",
    "Result": "statewright.runtime.engine",
    "default_engine": "statewright.runtime.engine",
    "HttpOptions": "statewright.runtime.http_client",
    "MockConfig": "statewright.runtime.mock_config",
    "MockConfigError": "statewright.runtime.mock_config",
    "Invocation": "statewright.runtime.resources",
    "ResourceMapError": "statewright.runtime.resources",
    "ResourceRegistry": "statewright.runtime.resources",
    "StartedExecution": "statewright.runtime.started",
    "TaskError": "statewright.runtime.resources",
    "UnsupportedDefinition": "statewright.core.model",
    "DurableEngine": "statewright.runtime.durable",
    "ExecutionAlreadyExists": "statewright.runtime.durable",
    "ExecutionDescription": "statewright.runtime.durable",
    "ExecutionPage": "statewright.runtime.durable",
    "InvalidName": "statewright.runtime.durable",
    "StoreError": "statewright.store",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'statewright' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "CallbackError",
    "CallbackListener",
    "Clock",
    "ConfigError",
    "Connections",
    "DefinitionError",
    "Diagnostic",
    "DurableEngine",
    "Engine",
    "ExecutionAlreadyExists",
    "ExecutionDescription",
    "ExecutionNotFound",
    "ExecutionPage",
    "HttpOptions",
    "InvalidName",
    "InvalidToken",
    "Invocation",
    "MockConfig",
    "MockConfigError",
    "ResourceMapError",
    "ResourceRegistry",
    "Result",
    "Severity",
    "SourceError",
    "StartedExecution",
    "StateMachine",
    "StoreError",
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
