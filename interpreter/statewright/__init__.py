"""Statewright: a workflow engine for the Amazon States Language, written in YAML or JSON.

The public API::

    import statewright

    diagnostics = statewright.lint("workflow.yaml")      # list[Diagnostic]
    machine = statewright.load("workflow.yaml")          # raises statewright.DefinitionError
"""

from statewright.api import DefinitionError, StateMachine, lint, load
from statewright.lint.diagnostic import Diagnostic, Severity
from statewright.source import SourceError

__version__ = "0.1.0"

__all__ = [
    "DefinitionError",
    "Diagnostic",
    "Severity",
    "SourceError",
    "StateMachine",
    "__version__",
    "lint",
    "load",
]
