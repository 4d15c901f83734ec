"""SW5xx: Retry and Catch (spec/errors.md): `States.ALL` alone and last, error names that can match."""

from __future__ import annotations

from collections.abc import Iterator

from statewright.lint.context import LintContext
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import rule
from statewright.lint.rules._model import facts

ALL = "States.ALL"
# The predefined error names (AWS Step Functions developer guide, "Error names").
KNOWN_ERRORS = frozenset({
    "States.ALL", "States.BranchFailed", "States.DataLimitExceeded", "States.ExceedToleratedFailureThreshold",
    "States.HeartbeatTimeout", "States.Http.Socket", "States.IntrinsicFailure", "States.ItemReaderFailed",
    "States.NoChoiceMatched", "States.ParameterPathFailure", "States.Permissions", "States.QueryEvaluationError",
    "States.ResultPathMatchFailure", "States.ResultWriterFailed", "States.Runtime", "States.TaskFailed",
    "States.Timeout",
})


@rule("SW501", "states-all-not-alone", Severity.ERROR)
def states_all_not_alone(context: LintContext) -> Iterator[Finding]:
    """`States.ALL` shares its `ErrorEquals` with other error names.

    ## What it does
    Reports retriers and catchers whose `ErrorEquals` lists `States.ALL` next to other names.

    ## Why is this bad?
    `States.ALL` matches every error, so the other names say nothing; AWS rejects the definition.

    ## Example
    ```yaml
    Catch:
      - {ErrorEquals: [States.Timeout, States.ALL], Next: Recover}
    ```

    ## Use instead
    ```yaml
    Catch:
      - {ErrorEquals: [States.ALL], Next: Recover}
    ```
    """
    known = facts(context)
    for state in known.states:
        for handler in known.handlers[state.pointer]:
            names = handler.body.get("ErrorEquals")
            if isinstance(names, list) and ALL in names and len(names) > 1:
                yield Finding(
                    f"'States.ALL' must be the only error name in {handler.label}.ErrorEquals of state "
                    f"'{state.name}'.",
                    f"{handler.pointer}/ErrorEquals", state=state.name, field=f"{handler.label}.ErrorEquals",
                )


@rule("SW502", "states-all-not-last", Severity.ERROR)
def states_all_not_last(context: LintContext) -> Iterator[Finding]:
    """A retrier or catcher matching `States.ALL` is followed by another one.

    ## What it does
    Reports a `Retry` or `Catch` entry with `States.ALL` that is not the last of its list.

    ## Why is this bad?
    Handlers are tried in order and `States.ALL` matches everything, so the ones after it could
    never run; AWS rejects the definition.

    ## Example
    ```yaml
    Retry:
      - {ErrorEquals: [States.ALL], MaxAttempts: 2}
      - {ErrorEquals: [States.Timeout], MaxAttempts: 5}
    ```

    ## Use instead
    ```yaml
    Retry:
      - {ErrorEquals: [States.Timeout], MaxAttempts: 5}
      - {ErrorEquals: [States.ALL], MaxAttempts: 2}
    ```
    """
    known = facts(context)
    for state in known.states:
        for handler in known.handlers[state.pointer]:
            names = handler.body.get("ErrorEquals")
            if isinstance(names, list) and ALL in names and handler.index < handler.count - 1:
                kind = "retrier" if handler.field == "Retry" else "catcher"
                yield Finding(
                    f"The {kind} {handler.label} of state '{state.name}' has 'States.ALL' in its ErrorEquals but is "
                    f"not the last in '{handler.field}': the ones after it can never match.",
                    f"{handler.pointer}/ErrorEquals", state=state.name, field=f"{handler.label}.ErrorEquals",
                )


@rule("SW504", "unknown-states-error", Severity.WARNING)
def unknown_states_error(context: LintContext) -> Iterator[Finding]:
    """An error name starts with `States.` but is not one of the predefined errors.

    ## What it does
    Reports names in `ErrorEquals` in the reserved `States.` namespace that the language does not
    define (usually a typo: `States.Timeou`, `States.TaskFail`).

    ## Why is this bad?
    Only the engine raises `States.*` errors and task errors cannot use the prefix, so such a name
    never matches and the retrier or catcher is dead.

    ## Example
    ```yaml
    Retry:
      - {ErrorEquals: [States.Timedout]}
    ```

    ## Use instead
    ```yaml
    Retry:
      - {ErrorEquals: [States.Timeout]}
    ```
    """
    known = facts(context)
    for state in known.states:
        for handler in known.handlers[state.pointer]:
            for index, name in handler.error_names():
                if name.startswith("States.") and name not in KNOWN_ERRORS:
                    yield Finding(
                        f"'{name}' in {handler.label}.ErrorEquals of state '{state.name}' is not a predefined "
                        "error name, so it never matches.",
                        f"{handler.pointer}/ErrorEquals/{index}", state=state.name,
                        field=f"{handler.label}.ErrorEquals",
                    )


@rule("SW505", "runtime-error-not-retriable", Severity.WARNING)
def runtime_error_not_retriable(context: LintContext) -> Iterator[Finding]:
    """A retrier lists `States.Runtime`, which is never retried.

    ## What it does
    Reports `States.Runtime` in a `Retry` entry's `ErrorEquals`.

    ## Why is this bad?
    Runtime errors (such as a path that matches nothing in the state's input) always fail the
    execution; a retrier for them never runs.

    ## Example
    ```yaml
    Retry:
      - {ErrorEquals: [States.Runtime], MaxAttempts: 3}
    ```

    ## Use instead
    Fix the data flow that fails (an `InputPath` or `ResultSelector` that does not match), or
    check the input with a Choice state first.
    """
    known = facts(context)
    for state in known.states:
        for handler in known.handlers[state.pointer]:
            if handler.field != "Retry":
                continue
            for index, name in handler.error_names():
                if name == "States.Runtime":
                    yield Finding(
                        f"{handler.label}.ErrorEquals of state '{state.name}' lists 'States.Runtime', which is never "
                        "retried.",
                        f"{handler.pointer}/ErrorEquals/{index}", state=state.name,
                        field=f"{handler.label}.ErrorEquals",
                    )
