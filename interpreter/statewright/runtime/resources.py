"""The resource registry: what a Task state's ``Resource`` string calls (spec/extensions.md §3).

A registry is a chain of *resolvers*. Each resolver looks at one task invocation and returns a
:class:`Handler` or ``None``; the first handler found is called. The built-in resolvers are:

1. mocked responses for the states a mock-config test case lists (``mock_config.py``, per execution);
2. callables registered for the exact resource string;
3. callables registered for the resource without its ``.sync`` / ``.sync:2`` / ``.waitForTaskToken`` suffix;
4. ``arn:aws:states:::lambda:invoke``: the registered function its ``FunctionName`` names, answering in the
   integration's shape (``lambda_invoke.py``).

HTTP resources (``http://``, ``https://``, ``arn:aws:states:::http:invoke``) plug in as one more resolver
(:meth:`ResourceRegistry.add_resolver`): a handler gets the whole :class:`Invocation`, so it can build
idempotency keys from the execution, state and attempt.

A resource that no resolver knows fails the task with ``States.TaskFailed`` and a cause naming the
resource (spec/extensions.md rule 9): the error a Lambda invocation failure would give, so a Retry or
Catch on ``States.TaskFailed`` / ``States.ALL`` handles it.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from statewright.core.errors import ErrorName
from statewright.core.states.task import is_activity
from statewright.runtime.threads import TASK_THREADS

# Longest first, so ".sync:2" is removed before ".sync" would leave ":2" behind.
_PATTERN_SUFFIXES = (".waitForTaskToken", ".sync:2", ".sync")


@dataclass(frozen=True, slots=True)
class Invocation:
    """One attempt of one Task state, as a handler sees it.

    Attributes:
        resource: the ``Resource`` string as written (after placeholder substitution).
        payload: the effective input (after InputPath/Parameters or Arguments).
        state: the Task state's name.
        attempt: 0 for the first try, n for the n-th retry.
        token: the task token of a ``.waitForTaskToken`` resource, else None.
        execution_arn: the execution the task belongs to.
        seq: the command's sequence number within the execution.
        credentials: the evaluated ``Credentials`` field, if any.
        timeout_seconds: the attempt's timeout (the core enforces it; handlers may use it as a hint).
        idempotency_key: the key recorded with the command (durable executions), which a re-send after a
            restart carries whatever the code that derives keys has become; None: derive it.
    """

    resource: str
    payload: Any
    state: str
    attempt: int = 0
    token: str | None = None
    execution_arn: str = ""
    seq: int = 0
    credentials: Any = None
    timeout_seconds: float | None = None
    idempotency_key: str | None = None


class TaskError(Exception):
    """Raise from a handler (or a registered callable) to fail the attempt with a chosen error name.

    Args:
        error: the error name Retry and Catch match (``States.TaskFailed`` when empty).
        cause: the text recorded as the failure's cause.
    """

    def __init__(self, error: str, cause: str | None = None) -> None:
        super().__init__(cause if cause is not None else str(error))
        self.error = str(error)
        self.cause = cause


class Handler(Protocol):
    """Carries out one invocation; returns the task result or raises (see :func:`error_of`)."""

    def __call__(self, invocation: Invocation) -> Awaitable[Any]: ...


Resolver = Callable[[Invocation], "Handler | None"]


def error_of(exc: BaseException) -> tuple[str, str | None]:
    """The (error, cause) a failed attempt records (spec/extensions.md rule 6).

    The error is ``exc.error`` when that is a non-empty string, else the exception's class name; the cause
    is ``str(exc)`` (a :class:`TaskError`'s own ``cause``, which may be None).
    """
    error = getattr(exc, "error", None)
    if not isinstance(error, str) or not error:
        error = type(exc).__name__
    if isinstance(exc, TaskError):
        return error, exc.cause
    return error, str(exc)


def json_copy(value: Any, what: str) -> Any:
    """A detached copy of ``value`` as JSON would carry it; raises TaskError when it is not JSON.

    The core shares values between states without copying, and AWS hands a task a serialised payload
    and stores a serialised result: copying at this edge keeps a function that mutates its argument,
    or returns an object it changes later, from reaching into the execution's data. It also turns
    tuples into lists and rejects what JSON cannot carry (datetimes, sets, NaN) with a clear cause.
    """
    if value is None or value.__class__ in (str, int, float, bool):
        if value.__class__ is float and (value != value or value in (float("inf"), float("-inf"))):
            raise TaskError(ErrorName.TASK_FAILED, f"The {what} is not valid JSON: {value!r}")
        return value
    try:
        return json.loads(json.dumps(value, allow_nan=False, ensure_ascii=False))
    except (TypeError, ValueError) as error:
        raise TaskError(ErrorName.TASK_FAILED, f"The {what} is not valid JSON: {error}") from None


def awaits_token(resource: str, handler: Any) -> bool:
    """Whether a task that has a token waits for the token's answer once its handler has returned.

    A ``.waitForTaskToken`` call does, unless its handler answers itself (``completes_callback``). An activity
    does only when its handler handed it to a worker (``hands_out_token``, the server's activity queue); a
    callable registered for the activity ARN stands in for the worker, and its return value is the result.
    """
    if is_activity(resource):
        return bool(getattr(handler, "hands_out_token", False))
    return not getattr(handler, "completes_callback", False)


def stand_in_worker(resource: str, handler: Any) -> str | None:
    """The worker name ActivityStarted records when a callable registered for an activity ARN does the work
    in a worker's stead (its qualified name); None for any other resource or handler."""
    if handler.__class__ is CallableHandler and is_activity(resource):
        return str(getattr(handler.function, "__qualname__", None) or type(handler.function).__name__)
    return None


def strip_pattern_suffix(resource: str) -> str:
    """``arn:...:sqs:sendMessage.waitForTaskToken`` -> ``arn:...:sqs:sendMessage``."""
    for suffix in _PATTERN_SUFFIXES:
        if resource.endswith(suffix):
            return resource[: -len(suffix)]
    return resource


class CallableHandler:
    """Adapts a plain Python callable taking the payload to a :class:`Handler`.

    Async callables are awaited on the loop. Sync callables run on a daemon worker thread
    (:data:`~statewright.runtime.threads.TASK_THREADS`): we cannot know whether a user's function blocks on
    I/O, and one blocking call on the loop would stall every other execution; the thread hop costs tens of
    microseconds, which is small next to any real task. (Marking functions "fast" to run inline would be an
    optimisation with a foot-gun; we leave it out until a benchmark asks for it.) A call abandoned by its
    execution (a timeout, a stop) runs on to its end on its thread; its result is discarded.
    """

    __slots__ = ("function", "is_async")

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function
        self.is_async = inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
            getattr(function, "__call__", None)  # noqa: B004 - async callable objects count too
        )

    async def __call__(self, invocation: Invocation) -> Any:
        return await self.call_with(json_copy(invocation.payload, "payload"))

    async def call_with(self, payload: Any) -> Any:
        """Call the function with ``payload``, a copy nobody else holds (the durable runtime's, read back from
        the JSON it recorded, needs no second copy); returns a detached copy of its result."""
        if self.is_async:
            result = await self.function(payload)
        else:
            result = await TASK_THREADS.call(self.function, payload)
            if inspect.isawaitable(result):  # a sync wrapper that returned a coroutine
                result = await result
        return json_copy(result, f"result of {getattr(self.function, '__qualname__', 'the function')}")

    def __repr__(self) -> str:
        return f"CallableHandler({getattr(self.function, '__qualname__', self.function)!r})"


class UnknownResource:
    """The handler of last resort: fails with States.TaskFailed naming the resource."""

    async def __call__(self, invocation: Invocation) -> Any:
        payload = invocation.payload
        function = payload.get("FunctionName") if isinstance(payload, dict) else None
        if strip_pattern_suffix(invocation.resource) == "arn:aws:states:::lambda:invoke" and function:
            raise TaskError(ErrorName.TASK_FAILED,
                            f"No handler is registered for the Lambda function '{function}' that state "
                            f"'{invocation.state}' invokes (map its ARN or name in a --resources file)")
        raise TaskError(
            ErrorName.TASK_FAILED,
            f"No handler is registered for the resource '{invocation.resource}' of state "
            f"'{invocation.state}' (register a Python callable, or map it in a --resources file)",
        )


UNKNOWN_RESOURCE = UnknownResource()


class ResourceRegistry:
    """Maps resource strings to handlers through a chain of resolvers.

    Args:
        resources: initial ``{resource string: callable}`` entries (see :meth:`register`).

    Example::

        registry = ResourceRegistry({"arn:aws:lambda:us-east-1:123456789012:function:charge": charge})
        registry.register("arn:aws:states:::sqs:sendMessage", send_message)  # also serves .waitForTaskToken
    """

    def __init__(self, resources: Mapping[str, Callable[[Any], Any]] | None = None) -> None:
        self._handlers: dict[str, Handler] = {}
        self._resolvers: list[Resolver] = [self._exact, self._without_suffix, self._lambda_invoke]
        for resource, function in (resources or {}).items():
            self.register(resource, function)

    def register(self, resource: str, function: Callable[[Any], Any]) -> None:
        """Call ``function(payload)`` (sync or async) for Task states whose Resource is ``resource``."""
        if not callable(function):
            raise TypeError(f"the handler for {resource!r} is not callable: {function!r}")
        self._handlers[resource] = CallableHandler(function)

    def register_handler(self, resource: str, handler: Handler) -> None:
        """Register a :class:`Handler` that receives the whole :class:`Invocation`."""
        self._handlers[resource] = handler

    def add_resolver(self, resolver: Resolver, *, first: bool = False) -> None:
        """Add a resolver (for example HTTP resources) after the registered callables, or before with ``first``."""
        if first:
            self._resolvers.insert(0, resolver)
        else:
            self._resolvers.append(resolver)

    def layered(self, *, first: Iterable[Resolver] = (), extra: ResourceRegistry | None = None,
                last: Iterable[Resolver] = ()) -> ResourceRegistry:
        """A view trying ``first``, ``extra``'s resolvers, this registry's, then ``last`` (per-execution layers)."""
        view = ResourceRegistry.__new__(ResourceRegistry)
        view._handlers = {}
        view._resolvers = [*first, *(extra._resolvers if extra else ()), *self._resolvers, *last]
        return view

    def resolve(self, invocation: Invocation) -> Handler:
        """The handler for ``invocation``; :data:`UNKNOWN_RESOURCE` when no resolver knows it."""
        for resolver in self._resolvers:
            handler = resolver(invocation)
            if handler is not None:
                return handler
        return UNKNOWN_RESOURCE

    def __contains__(self, resource: str) -> bool:
        return self.resolve(Invocation(resource, None, "")) is not UNKNOWN_RESOURCE

    def _exact(self, invocation: Invocation) -> Handler | None:
        return self._handlers.get(invocation.resource)

    def _without_suffix(self, invocation: Invocation) -> Handler | None:
        bare = strip_pattern_suffix(invocation.resource)
        return self._handlers.get(bare) if bare != invocation.resource else None

    def _lambda_invoke(self, invocation: Invocation) -> Handler | None:
        resource = invocation.resource
        if not resource.startswith("arn:aws:states:::lambda:invoke") or resource.endswith((".sync", ".sync:2")):
            return None
        from statewright.runtime.lambda_invoke import LAMBDA_INVOKE, LambdaInvoke, find_function  # imports us

        if strip_pattern_suffix(resource) != LAMBDA_INVOKE:
            return None
        payload = invocation.payload
        name = payload.get("FunctionName") if isinstance(payload, dict) else None
        if isinstance(name, str) and name and find_function(name, self._handlers) is None:
            return None  # not ours: a later resolver (the AWS integrations) may call the real function
        return LambdaInvoke(self._handlers)


# --- resource map files (`--resources map.yaml`) ------------------------------------------------------------


class ResourceMapError(Exception):
    """A resource map file that cannot be read, or names an entry point that cannot be imported."""


def load_resource_map(path: str | Path) -> ResourceRegistry:
    """Read ``resources: {"<resource>": "module:function"}`` and import each entry point.

    The map file's directory goes first on ``sys.path`` so a ``tasks.py`` beside it imports. A module
    of the same name already imported from elsewhere (every example has a ``tasks.py``) is loaded again
    from the map's directory under a private name instead of being reused.

    Raises:
        ResourceMapError: unreadable file, wrong shape, or an entry point that does not import.
    """
    from statewright.source import SourceError, parse_source

    path = Path(path)
    try:
        document = parse_source(path.read_bytes(), filename=str(path))
    except OSError as error:
        raise ResourceMapError(f"cannot read {path}: {error.strerror or error}") from None
    except SourceError as error:
        raise ResourceMapError(str(error)) from None
    entries = document.value.get("resources") if isinstance(document.value, dict) else None
    if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
        raise ResourceMapError(f'{path}: expected "resources:" mapping resource strings to "module:function"')
    folder = path.resolve().parent
    registry = ResourceRegistry()
    for resource, target in entries.items():
        registry.register(str(resource), _entry_point(target, folder, path))
    return registry


def _entry_point(target: str, folder: Path, path: Path) -> Callable[[Any], Any]:
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise ResourceMapError(f"{path}: {target!r} is not of the form module:function")
    try:
        module = _import_beside(module_name, folder)
    except Exception as error:  # any import failure (syntax, missing dependency) is reported alike
        raise ResourceMapError(f"{path}: cannot import {module_name!r}: {type(error).__name__}: {error}") from None
    function = module
    for part in attribute.split("."):
        function = getattr(function, part, None)
        if function is None:
            raise ResourceMapError(f"{path}: module {module_name!r} has no attribute {attribute!r}")
    if not callable(function):
        raise ResourceMapError(f"{path}: {target!r} is not callable")
    return function


def _import_beside(module_name: str, folder: Path) -> Any:
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    local = _local_file(module_name, folder)
    loaded = sys.modules.get(module_name)
    if local is None or loaded is None or _same_file(getattr(loaded, "__file__", None), local):
        return importlib.import_module(module_name)
    # Same name, different file: load the map's own copy under a private name.
    private = f"_statewright_resources_{abs(hash(str(local))):x}_{module_name.replace('.', '_')}"
    if private in sys.modules:
        return sys.modules[private]
    spec = importlib.util.spec_from_file_location(private, local)
    if spec is None or spec.loader is None:
        return importlib.import_module(module_name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[private] = module
    spec.loader.exec_module(module)
    return module


def _local_file(module_name: str, folder: Path) -> Path | None:
    base = folder.joinpath(*module_name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _same_file(loaded: str | None, local: Path) -> bool:
    try:
        return loaded is not None and Path(loaded).resolve() == local.resolve()
    except OSError:
        return False
