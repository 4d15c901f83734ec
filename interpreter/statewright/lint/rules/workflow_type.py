"""SW9xx: what AWS refuses for EXPRESS state machines only (``lint --type EXPRESS``, ``lint(workflow_type=...)``).

An EXPRESS execution lasts at most five minutes and keeps no history AWS could resume from, so AWS refuses,
when the machine is created, every Task that would wait on something outside it: the ``.sync`` (run a job)
and ``.waitForTaskToken`` (callback) service-integration patterns, and activities. The messages are AWS's
(``SCHEMA_VALIDATION_FAILED: Express state machine does not support ... at /States/<name>/Resource``), in
every scope: Parallel branches and Map processors too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from statewright.lint.context import LintContext, StateRef
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import rule
from statewright.lint.rules._model import facts

EXPRESS = "EXPRESS"
_PATTERN = re.compile(r"\.(?P<pattern>sync|waitForTaskToken)(?::\d+)?$")
_ACTIVITY = re.compile(r"^arn:[^:]+:states:[^:]*:[^:]*:activity:")


def _resources(context: LintContext) -> Iterator[tuple[StateRef, str]]:
    if context.workflow_type != EXPRESS:
        return
    for state in facts(context).states:
        resource = state.body.get("Resource") if state.type == "Task" else None
        if isinstance(resource, str):
            yield state, resource


@rule("SW901", "express-integration-pattern", Severity.ERROR)
def express_integration_pattern(context: LintContext) -> Iterator[Finding]:
    """An EXPRESS machine's Task uses the `.sync` or `.waitForTaskToken` integration pattern.

    ## What it does
    With `--type EXPRESS` (or `lint(..., workflow_type="EXPRESS")`), reports every Task whose `Resource`
    ends in `.sync`, `.sync:2` or `.waitForTaskToken`.

    ## Why is this bad?
    AWS refuses to create the machine: "Express state machine does not support '.sync' service
    integration". An EXPRESS execution runs for at most five minutes and cannot wait for a job or a
    callback; a STANDARD machine can.

    ## Example
    ```yaml
    # statewright lint --type EXPRESS
    Approve: {Type: Task, Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", End: true}
    ```

    ## Use instead
    Create the machine as STANDARD, or send the message and let another workflow handle the answer:
    ```yaml
    Notify: {Type: Task, Resource: "arn:aws:states:::sqs:sendMessage", End: true}
    ```
    """
    for state, resource in _resources(context):
        found = _PATTERN.search(resource)
        if found:
            pattern = found["pattern"]
            yield Finding(f"Express state machine does not support '.{pattern}' service integration: the Resource "
                          f"of Task '{state.name}' must be '{resource[:found.start()]}' without it, or the machine "
                          "STANDARD.", state.field_pointer("Resource"), state=state.name,
                          field="Resource")


@rule("SW902", "express-activity", Severity.ERROR)
def express_activity(context: LintContext) -> Iterator[Finding]:
    """An EXPRESS machine's Task runs an activity.

    ## What it does
    With `--type EXPRESS`, reports every Task whose `Resource` is an activity ARN
    (`arn:aws:states:<region>:<account>:activity:<name>`).

    ## Why is this bad?
    AWS refuses to create the machine: "Express state machine does not support Activity ARN". An activity
    waits for a worker to poll for it, which an EXPRESS execution cannot do.

    ## Example
    ```yaml
    # statewright lint --type EXPRESS
    Review: {Type: Task, Resource: "arn:aws:states:us-east-1:123456789012:activity:review", End: true}
    ```

    ## Use instead
    Create the machine as STANDARD, or call the worker's code directly (a Lambda function or an HTTP task).
    """
    for state, resource in _resources(context):
        if _ACTIVITY.match(resource):
            yield Finding(f"Express state machine does not support Activity ARN: the Resource of Task "
                          f"'{state.name}' is an activity, which only a STANDARD machine can run.",
                          state.field_pointer("Resource"), state=state.name, field="Resource")
