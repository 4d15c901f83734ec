"""The library entry points: ``lint``, ``load``, ``run`` and ``StateMachine.execute``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from statewright.definitions import (
    WORKFLOW_TYPES,
    DefinitionError,
    LoadedMachine,
    Source,
    UnfilledPlaceholder,
    load_definition,
    machine_name,
    read_document,
)
from statewright.lint.diagnostic import Diagnostic
from statewright.lint.engine import lint_document, lint_value, source_error_diagnostic
from statewright.source import SourceError

if TYPE_CHECKING:
    from statewright.runtime.engine import Resources, Result
    from statewright.runtime.started import StartedExecution

__all__ = ["WORKFLOW_TYPES", "DefinitionError", "Source", "StateMachine", "UnfilledPlaceholder", "lint", "load",
           "machine_name", "read_document", "run"]


class StateMachine(LoadedMachine):
    """A definition that passed lint without errors, ready to run (see :class:`LoadedMachine` for its fields)."""

    __slots__ = ()

    async def execute(
        self,
        input: Any,
        *,
        resources: Resources | None = None,
        mock_config: Any = None,
        test_case: str | None = None,
        virtual_time: bool = False,
        name: str | None = None,
    ) -> Result:
        """Run this machine in the running event loop, on the default :class:`~statewright.Engine`.

        Args:
            input: the execution input (a JSON value).
            resources: callables for Task resources: a mapping of resource strings to callables, a
                :class:`~statewright.ResourceRegistry`, or the path of a resource map file.
            mock_config: a Step Functions Local mock configuration (dict or JSON file path).
            test_case: the test case of ``mock_config`` to use.
            virtual_time: Wait states and retry back-offs take no real time (times are still recorded).
            name: the execution name (default: a uuid4).

        Returns:
            A :class:`~statewright.Result`; a failed execution is a result, not an exception. Answer
            callbacks and stop executions through :func:`statewright.default_engine`.
        """
        return await _default_engine().execute(
            self, input, resources=resources, mock_config=mock_config, test_case=test_case,
            virtual_time=virtual_time, name=name,
        )

    def start(
        self,
        input: Any,
        *,
        resources: Resources | None = None,
        mock_config: Any = None,
        test_case: str | None = None,
        virtual_time: bool = False,
        name: str | None = None,
    ) -> StartedExecution:
        """Start an execution on the default engine and return at once; ``await`` the handle for the Result.

        Takes the arguments of :meth:`execute`. Use it to have many executions in flight together::

            started = [machine.start(order) for order in orders]
            results = [await execution for execution in started]
        """
        return _default_engine().start(  # type: ignore[no-any-return]
            self, input, resources=resources, mock_config=mock_config, test_case=test_case,
            virtual_time=virtual_time, name=name,
        )


def _default_engine() -> Any:
    """The runtime's default engine; the runtime is imported on the first execution, never by lint."""
    global _engine_factory
    if _engine_factory is None:
        from statewright.runtime.engine import default_engine

        _engine_factory = default_engine
    return _engine_factory()


_engine_factory: Any = None  # bound on first use: a per-call import costs ~1 µs on every execution


def lint(source: Source, *, substitutions: Mapping[str, str] | None = None,
         workflow_type: str = "STANDARD") -> list[Diagnostic]:
    """Lint a definition given as a dict, a file path, or YAML/JSON text.

    ``workflow_type`` (``"STANDARD"`` or ``"EXPRESS"``, CreateStateMachine's ``type``) adds the checks AWS
    makes for EXPRESS machines only (spec/lint-rules.md, SW9xx).

    Returns:
        Every diagnostic, errors and warnings, sorted by position. Empty when the definition is clean.
    """
    if isinstance(source, Mapping):
        return lint_value(dict(source), substitutions=substitutions, workflow_type=_workflow_type(workflow_type))
    try:
        document = read_document(source)
    except SourceError as error:
        return [source_error_diagnostic(error)]
    return lint_document(document, substitutions=substitutions, workflow_type=_workflow_type(workflow_type))


def _workflow_type(value: str) -> str:
    if value not in WORKFLOW_TYPES:
        raise ValueError(f"workflow_type must be one of {', '.join(WORKFLOW_TYPES)}, got {value!r}")
    return value


def load(
    source: Source, *, substitutions: Mapping[str, str] | None = None, workflow_type: str = "STANDARD"
) -> StateMachine:
    """Read and check a definition.

    Args:
        source: a dict, a file path, or YAML/JSON text.
        substitutions: values for deployment placeholders such as ``${LambdaArn}``.
        workflow_type: ``"STANDARD"`` or ``"EXPRESS"``, as CreateStateMachine's ``type``: it changes the
            execution ARNs and the context object (EXPRESS executions have no ``RedriveCount``).

    Raises:
        DefinitionError: the definition has lint errors (``.diagnostics`` lists them all).
        ValueError: an unknown ``workflow_type``.
    """
    return load_definition(source, substitutions=substitutions, workflow_type=workflow_type,  # type: ignore[return-value]
                           kind=StateMachine)


def run(
    source: Source | StateMachine,
    input: Any,
    *,
    resources: Resources | None = None,
    mock_config: Any = None,
    test_case: str | None = None,
    virtual_time: bool = False,
    substitutions: Mapping[str, str] | None = None,
    workflow_type: str = "STANDARD",
) -> Result:
    """Load a definition and run one execution to its end, for synchronous callers.

    Runs its own event loop (``asyncio.run``); from async code use ``await machine.execute(...)``.

    Args:
        source: a :class:`StateMachine`, a dict, a file path, or YAML/JSON text.
        input: the execution input (a JSON value).
        resources: see :meth:`StateMachine.execute`.
        mock_config: see :meth:`StateMachine.execute`.
        test_case: see :meth:`StateMachine.execute`.
        virtual_time: see :meth:`StateMachine.execute`.
        substitutions: values for ``${Name}`` deployment placeholders.
        workflow_type: ``"STANDARD"`` or ``"EXPRESS"`` (see :func:`load`); ignored for a StateMachine.

    Raises:
        DefinitionError: the definition has lint errors.
        RuntimeError: called while an event loop is running in this thread.
    """
    import asyncio  # here, not at the top: lint and load never need the event loop machinery (~45 ms to import)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError(
            "statewright.run() cannot be called from a running event loop; use "
            "`await statewright.load(src).execute(input, ...)` there instead"
        )
    if isinstance(source, StateMachine):
        machine = source
    else:
        machine = load(source, substitutions=substitutions, workflow_type=workflow_type)
    return asyncio.run(
        machine.execute(input, resources=resources, mock_config=mock_config, test_case=test_case,
                        virtual_time=virtual_time)
    )
