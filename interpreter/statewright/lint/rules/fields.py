"""SW6xx: relations between a state's own fields (spec/states/*.md): either-or pairs, timing, Map modes."""

from __future__ import annotations

from collections.abc import Iterator

from statewright.lint.context import LintContext, StateRef
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import rule
from statewright.lint.rules._model import facts
from statewright.lint.rules._support import (
    has_placeholder,
    is_jsonata_expression,
    is_jsonata_state,
    is_number,
    is_rfc3339,
    quote,
)

WAIT_TIMING = ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")
# Pairs of fields of which a state may set at most one, by state type.
EXCLUSIVE = {
    "Task": (("TimeoutSeconds", "TimeoutSecondsPath"), ("HeartbeatSeconds", "HeartbeatSecondsPath")),
    "Fail": (("Error", "ErrorPath"), ("Cause", "CausePath")),
    "Map": (
        ("MaxConcurrency", "MaxConcurrencyPath"),
        ("ToleratedFailureCount", "ToleratedFailureCountPath"),
        ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
        ("ItemProcessor", "Iterator"),
        ("ItemSelector", "Parameters"),
    ),
}
DISTRIBUTED_ONLY = ("ItemReader", "ResultWriter", "ItemBatcher", "Label")


@rule("SW601", "wait-timing", Severity.ERROR)
def wait_timing(context: LintContext) -> Iterator[Finding]:
    """A Wait state does not have exactly one of `Seconds`, `SecondsPath`, `Timestamp`, `TimestampPath`.

    ## What it does
    Counts the timing fields of each Wait state.

    ## Why is this bad?
    With none the state does not know how long to wait; with two it cannot tell which one wins.
    AWS rejects both.

    ## Example
    ```yaml
    Pause: {Type: Wait, Seconds: 10, TimestampPath: $.until, Next: Go}
    ```

    ## Use instead
    ```yaml
    Pause: {Type: Wait, TimestampPath: $.until, Next: Go}
    ```
    """
    for state in facts(context).states:
        if state.type != "Wait":
            continue
        present = [name for name in WAIT_TIMING if name in state.body]
        if len(present) == 1:
            continue
        if present:
            names = ", ".join(f"'{n}'" for n in present)
            message = f"Wait state '{state.name}' has {names}; keep exactly one of them."
            pointer, field = state.field_pointer(present[1]), present[1]
        else:
            message = (f"Wait state '{state.name}' needs one of 'Seconds', 'SecondsPath', 'Timestamp' or "
                       "'TimestampPath'.")
            pointer, field = state.pointer, "Seconds"
        yield Finding(message, pointer, state=state.name, field=field, at_key=bool(present))


@rule("SW602", "invalid-timestamp", Severity.ERROR)
def invalid_timestamp(context: LintContext) -> Iterator[Finding]:
    """A Wait state's `Timestamp` is not an RFC 3339 date-time.

    ## What it does
    Checks that `Timestamp` is a real date and time in RFC 3339 form (`2024-03-14T01:59:00Z`,
    `2024-03-14T01:59:00.5+01:00`). In a JSONata state it may also be a `{% ... %}` expression;
    in a JSONPath state it may not.

    ## Why is this bad?
    AWS rejects the definition ("String does not match RFC3339 timestamp"): `2016-12-05 21:29:29Z`
    (space, no `T`), `05-12-2016T21:29:29Z` (day first), `2016-12-05T25:29:29Z` (hour 25).

    ## Example
    ```yaml
    Until: {Type: Wait, Timestamp: "2024-03-14 01:59:00", Next: Go}
    ```

    ## Use instead
    ```yaml
    Until: {Type: Wait, Timestamp: "2024-03-14T01:59:00Z", Next: Go}
    ```
    """
    for state in facts(context).states:
        value = state.body.get("Timestamp")
        if state.type != "Wait" or not isinstance(value, str) or has_placeholder(value):
            continue
        if is_jsonata_expression(value):
            if is_jsonata_state(state):
                continue
            why = "a JSONata expression is only evaluated in a JSONata state (QueryLanguage: JSONata)"
        elif is_rfc3339(value):
            continue
        else:
            why = "it must be an RFC 3339 date-time such as \"2024-03-14T01:59:00Z\""
        yield Finding(
            f"Field 'Timestamp' of Wait state '{state.name}' is {quote(value)}: {why}.",
            state.field_pointer("Timestamp"), state=state.name, field="Timestamp",
        )


@rule("SW603", "exclusive-fields", Severity.ERROR)
def exclusive_fields(context: LintContext) -> Iterator[Finding]:
    """A state sets both fields of an either-or pair, such as `TimeoutSeconds` and `TimeoutSecondsPath`.

    ## What it does
    Reports Task states with both `TimeoutSeconds` and `TimeoutSecondsPath` (or both heartbeat
    fields), Fail states with both `Error` and `ErrorPath` (or both cause fields), and Map states with
    both `MaxConcurrency` and `MaxConcurrencyPath`, both forms of a tolerated failure threshold,
    both `ItemProcessor` and `Iterator`, or both `ItemSelector` and `Parameters`.

    ## Why is this bad?
    The value would be ambiguous; AWS rejects the definition.

    ## Example
    ```yaml
    Stop: {Type: Fail, Error: Rejected, ErrorPath: $.error}
    ```

    ## Use instead
    ```yaml
    Stop: {Type: Fail, ErrorPath: $.error}
    ```
    """
    for state in facts(context).states:
        for first, second in EXCLUSIVE.get(state.type or "", ()):
            if first in state.body and second in state.body:
                yield Finding(
                    f"{state.type} state '{state.name}' has both '{first}' and '{second}'; keep one.",
                    state.field_pointer(second), state=state.name, field=second, at_key=True,
                )


@rule("SW604", "heartbeat-not-below-timeout", Severity.ERROR)
def heartbeat_not_below_timeout(context: LintContext) -> Iterator[Finding]:
    """A Task's `HeartbeatSeconds` is not smaller than its `TimeoutSeconds`.

    ## What it does
    Compares the two when both are numbers.

    ## Why is this bad?
    A heartbeat interval as long as the whole timeout never fires first; AWS rejects the definition.

    ## Example
    ```yaml
    Work: {Type: Task, Resource: "${WorkerArn}", TimeoutSeconds: 60, HeartbeatSeconds: 60, End: true}
    ```

    ## Use instead
    ```yaml
    Work: {Type: Task, Resource: "${WorkerArn}", TimeoutSeconds: 60, HeartbeatSeconds: 20, End: true}
    ```
    """
    for state in facts(context).states:
        heartbeat, timeout = state.body.get("HeartbeatSeconds"), state.body.get("TimeoutSeconds")
        if state.type == "Task" and is_number(heartbeat) and is_number(timeout) and heartbeat >= timeout:
            yield Finding(
                f"Task state '{state.name}' has HeartbeatSeconds {heartbeat}, which must be less than its "
                f"TimeoutSeconds {timeout}.",
                state.field_pointer("HeartbeatSeconds"), state=state.name, field="HeartbeatSeconds",
            )


def map_mode(state: StateRef) -> str:
    """``DISTRIBUTED`` or ``INLINE`` (the default, and the only mode of the older ``Iterator``)."""
    processor = state.body.get("ItemProcessor")
    if isinstance(processor, dict):
        config = processor.get("ProcessorConfig")
        if isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED":
            return "DISTRIBUTED"
    return "INLINE"


@rule("SW605", "distributed-only-field", Severity.WARNING)
def distributed_only_field(context: LintContext) -> Iterator[Finding]:
    """An inline Map state uses a field of the distributed mode (`ItemReader`, `ResultWriter`, `ItemBatcher`, `Label`).

    ## What it does
    Reports those fields on Map states whose `ItemProcessor.ProcessorConfig.Mode` is not
    `DISTRIBUTED`.

    ## Why is this bad?
    They only apply to child workflow executions of a distributed Map; an inline Map reads its items
    from its input and keeps its results in the state output.

    ## Example
    ```yaml
    Each:
      Type: Map
      ItemReader: {Resource: "arn:aws:states:::s3:getObject", Parameters: {Bucket: b, Key: k}}
      ItemProcessor: {StartAt: Work, States: {Work: {Type: Pass, End: true}}}
      End: true
    ```

    ## Use instead
    ```yaml
      ItemProcessor:
        ProcessorConfig: {Mode: DISTRIBUTED, ExecutionType: STANDARD}
        StartAt: Work
        States: {Work: {Type: Pass, End: true}}
    ```
    """
    for state in facts(context).states:
        if state.type != "Map" or map_mode(state) == "DISTRIBUTED":
            continue
        for name in DISTRIBUTED_ONLY:
            if name in state.body:
                yield Finding(
                    f"Map state '{state.name}' runs in INLINE mode, where '{name}' has no effect; set "
                    "ItemProcessor.ProcessorConfig.Mode to DISTRIBUTED to use it.",
                    state.field_pointer(name), state=state.name, field=name, at_key=True,
                )
