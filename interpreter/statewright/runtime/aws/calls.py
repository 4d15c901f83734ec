"""One SDK call, made on a worker thread so that it never blocks the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from statewright.runtime.aws.errors import task_error
from statewright.runtime.resources import TaskError
from statewright.runtime.threads import TASK_THREADS


async def call(prefix: str, method: Callable[..., Any], parameters: dict[str, Any]) -> dict[str, Any]:
    """``method(**parameters)`` on a task thread; an SDK error becomes the :class:`TaskError` AWS names.

    boto3 is synchronous; a call runs on the daemon task threads (statewright.runtime.threads), so a slow
    endpoint holds a thread, never the loop, and a call abandoned by a timeout cannot keep the process up.
    """
    def invoke(_: Any) -> dict[str, Any]:
        try:
            return method(**parameters)
        except TaskError:
            raise
        except Exception as exc:  # botocore's ClientError, ParamValidationError, connection errors
            raise task_error(prefix, exc, getattr(method, "__self__", None)) from None

    return await TASK_THREADS.call(invoke, None)


def parameters_of(payload: Any, state: str, resource: str) -> dict[str, Any]:
    """The request parameters of a Task: its effective input, which must be an object."""
    if isinstance(payload, dict):
        return dict(payload)
    raise TaskError("States.TaskFailed", f"The state '{state}' calls {resource} with a "
                    f"{type(payload).__name__} for its parameters; Parameters or Arguments must give an object")
