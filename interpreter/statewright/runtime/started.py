"""The handle :meth:`Engine.start <statewright.runtime.engine.Engine.start>` returns: StartExecution's answer.

AWS's StartExecution returns the execution's ARN at once and the result is read later; aws-local-stepfunctions'
``run()`` returns ``{result: Promise}``. This is the same for asyncio: the ARN now, the Result on ``await``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from statewright.runtime.engine import Result

_new = object.__new__


class StartedExecution:
    """A started execution. ``await`` it for its :class:`~statewright.Result`.

    Attributes:
        execution_arn: the execution's ARN (give it to ``Engine.stop_execution`` to stop it).
    """

    __slots__ = ("_result", "_task", "execution_arn")

    def __init__(self, execution_arn: str, result: Result | None, task: asyncio.Task[Result] | None = None) -> None:
        self.execution_arn = execution_arn
        self._result = result  # set when the execution ended inside start()
        self._task = task  # otherwise, the task that drives it to its end

    @classmethod
    def ended(cls, execution_arn: str, result: Result) -> StartedExecution:
        """The handle of an execution that ended inside ``start()`` (without the type call: one per execution)."""
        made = _new(cls)
        made.execution_arn = execution_arn
        made._result = result
        made._task = None
        return made

    def done(self) -> bool:
        """True once the execution has ended."""
        return self._result is not None or (self._task is not None and self._task.done())

    def result(self) -> Result:
        """The Result of an ended execution.

        Raises:
            asyncio.InvalidStateError: the execution is still running (``await`` the handle instead).
        """
        if self._result is not None:
            return self._result
        assert self._task is not None
        return self._task.result()

    def __await__(self) -> Generator[Any, None, Result]:
        if self._result is not None:
            return self._result
        assert self._task is not None
        return (yield from self._task.__await__())

    def __repr__(self) -> str:
        return f"<StartedExecution {self.execution_arn} {'ended' if self.done() else 'running'}>"
