"""The context object (``$$``), built lazily (spec/context-object.md).

Only a state whose compiled paths, templates or intrinsics reference ``$$`` asks for it, so a chain of
plain Pass states never pays for it. The ``Execution`` and ``StateMachine`` parts are built once per
execution and shared by every state (values are never mutated, so sharing is safe); the ``State``,
``Task`` and ``Map`` parts are built per state attempt.

Shape as AWS records it: ``State`` holds ``Name`` and ``EnteredTime``, plus ``RetryCount`` only for
states that can retry (Task, Parallel, Map); a Pass state's ``$$.State`` has no ``RetryCount``.
"""

from __future__ import annotations

from typing import Any

from statewright.core.events import ExecutionInfo
from statewright.core.timestamps import format_timestamp


class ContextSource:
    """The per-execution part of the context object, shared by every state attempt.

    Built only when a state first reads ``$$`` (most executions never do): formatting the start time
    alone costs more than a Pass state.
    """

    __slots__ = ("execution", "state_machine")

    def __init__(self, info: ExecutionInfo, execution_input: Any, start_time: float, express: bool = False) -> None:
        self.execution: dict[str, Any] = {
            "Id": info.execution_arn,
            "Input": execution_input,
            "StartTime": format_timestamp(start_time),
            "Name": info.execution_name,
            "RoleArn": info.role_arn,
            "RedriveCount": info.redrive_count,
        }
        if express:
            del self.execution["RedriveCount"]  # EXPRESS executions cannot be redriven; AWS omits it
        self.state_machine = {"Id": info.state_machine_arn, "Name": info.state_machine_name}

    def for_state(self, name: str, entered_time: float, retry_count: int | None = None,
                  token: str | None = None) -> dict[str, Any]:
        """The whole context object seen by one attempt of state ``name``."""
        state: dict[str, Any] = {"Name": name, "EnteredTime": format_timestamp(entered_time)}
        if retry_count is not None:
            state["RetryCount"] = retry_count
        context: dict[str, Any] = {
            "Execution": self.execution,
            "StateMachine": self.state_machine,
            "State": state,
        }
        if token is not None:
            context["Task"] = {"Token": token}
        return context


def with_map_item(context: dict[str, Any], index: int, value: Any) -> dict[str, Any]:
    """The context seen by a Map's ``ItemSelector`` / ``Parameters`` for one item (``$$.Map.Item``)."""
    extended = dict(context)
    extended["Map"] = {"Item": {"Index": index, "Value": value}}
    return extended
