"""Comparison helpers shared by the execution conformance runners and ``report.py``.

Three decisions live here (and in conformance-tests/README.md, *Comparing results*):

* **JSON equality.** Two values are equal when they have the same JSON type and equal content. Numbers
  compare by value, so ``1 == 1.0`` (the ASL reference treats ``3`` and ``3.0`` as the same integer, and
  the AWS recorder keeps ``1.0`` where AWS printed it); ``true``/``false`` are never numbers, so
  ``true != 1``. Object key order is not significant; array order is.
* **Wildcards.** A string in an expected value that is listed in the case's ``wildcards`` matches any
  actual value (the recorder's rule, ../shared/conformance/README.md), at any depth.
* **History.** A history is compared as the sequence of ``(event type, state name)``, the name taken from
  ``stateEnteredEventDetails`` / ``stateExitedEventDetails`` and ``None`` for other events. Exact
  sequence equality is required, except where events of concurrent branches or iterations may interleave
  (see :func:`compare_history`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Key = tuple[str, str | None]

CONCURRENT_TYPES = ("Parallel", "Map")
ITERATION_EVENTS = ("MapIterationStarted", "MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted")


def json_equal(expected: Any, actual: Any, wildcards: Iterable[str] = ()) -> bool:
    """JSON-value equality with the wildcard rule (see the module docstring)."""
    return _equal(expected, actual, frozenset(wildcards))


def _equal(expected: Any, actual: Any, wildcards: frozenset[str]) -> bool:
    if isinstance(expected, str) and expected in wildcards:
        return True
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    if isinstance(expected, Mapping):
        return (isinstance(actual, Mapping) and expected.keys() == actual.keys()
                and all(_equal(expected[k], actual[k], wildcards) for k in expected))
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(expected) == len(actual)
                and all(_equal(e, a, wildcards) for e, a in zip(expected, actual, strict=True)))
    if expected is None or isinstance(expected, str):
        return type(actual) is type(expected) and expected == actual
    raise TypeError(f"not a JSON value: {expected!r}")


def compare_result(expected: Mapping[str, Any], result: Any, wildcards: Iterable[str] = ()) -> list[str]:
    """Differences between an ``expected`` block (status, output, error, cause) and a ``Result``.

    ``output`` is compared only when ``expected`` has it (AWS reports no output for a failed run);
    ``error`` and ``cause`` are compared when ``expected`` has them, and must be absent (``None``) on
    the result when the expected status is SUCCEEDED. ``cause_contains`` (our own cases only) asks for
    a substring instead of the whole cause.
    """
    cards = frozenset(wildcards)
    problems = []
    if result.status != expected["status"]:
        detail = f" ({result.error}: {_short(result.cause)})" if result.status == "FAILED" else ""
        problems.append(f"status {result.status}{detail}, expected {expected['status']}")
    if "output" in expected and not _equal(expected["output"], result.output, cards):
        problems.append(f"output {_short(result.output)}, expected {_short(expected['output'])}")
    for field in ("error", "cause"):
        if field in expected and not _equal(expected[field], getattr(result, field), cards):
            problems.append(f"{field} {_short(getattr(result, field))}, expected {_short(expected[field])}")
    needle = expected.get("cause_contains")
    if needle is not None and (not isinstance(result.cause, str) or needle not in result.cause):
        problems.append(f"cause {_short(result.cause)} does not contain {needle!r}")
    return problems


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------------- history


def state_name(event: Mapping[str, Any]) -> str | None:
    """The state name an event carries in its entered/exited details, else None."""
    for field in ("stateEnteredEventDetails", "stateExitedEventDetails"):
        details = event.get(field)
        if isinstance(details, Mapping):
            return details.get("name")
    return None


def event_key(event: Mapping[str, Any]) -> Key:
    return (event["type"], state_name(event))


def history_sequence(history: Sequence[Mapping[str, Any]]) -> list[Key]:
    """The ``(type, state name)`` sequence of a history, in event order."""
    return [event_key(e) for e in history]


def has_concurrency(definition: Any) -> bool:
    """True when the definition holds a Parallel or a Map state at any depth."""
    if isinstance(definition, Mapping):
        if definition.get("Type") in CONCURRENT_TYPES:
            return True
        return any(has_concurrency(v) for v in definition.values())
    if isinstance(definition, list):
        return any(has_concurrency(v) for v in definition)
    return False


def reordered_by_recorder(notes: Sequence[str] | None) -> bool:
    return any("re-ordered" in note for note in notes or ())


def compare_history(recorded: Sequence[Mapping[str, Any]], actual: Sequence[Mapping[str, Any]], *,
                    definition: Any = None, notes: Sequence[str] | None = None) -> list[str]:
    """Differences between a recorded and an actual history (empty when they agree).

    1. Equal ``(type, name)`` sequences always agree.
    2. When the recorder re-ordered Parallel events (``notes``), it sorted the events of the branches,
       replaced their ids by ``[0]`` and dropped some (``ParallelStateSucceeded``, inner exits). Then the
       actual history, put through the same re-ordering (:func:`as_recorder_leaves_parallels`), must
       equal the recording event for event: id, ``previousEventId``, type and state name.
    3. When the definition has a Parallel or Map state, branches and iterations may interleave. Then
       the two histories agree when their multisets of ``(type, name)`` are equal, the events outside
       any Map iteration keep their relative order after removing the states of Parallel branches,
       each Parallel branch's events (found by the branch's state names) keep their order, and the
       events of each Map iteration (``MapIteration*`` events by ``index``, plus the events whose
       ``previousEventId`` chain leads to that iteration's ``MapIterationStarted``) keep their order.
    4. Otherwise the sequences must be equal.
    """
    expected_seq = history_sequence(recorded)
    actual_seq = history_sequence(actual)
    if expected_seq == actual_seq:
        return []
    if reordered_by_recorder(notes):
        return _compare_masked(recorded, actual)
    if definition is not None and has_concurrency(definition):
        return _compare_concurrent(recorded, actual, definition)
    return [_first_difference(expected_seq, actual_seq)]


def _first_difference(expected: list[Key], actual: list[Key]) -> str:
    for index, (e, a) in enumerate(zip(expected, actual, strict=False)):
        if e != a:
            return f"event {index + 1}: {a}, expected {e} ({len(actual)} events, expected {len(expected)})"
    return f"{len(actual)} events, expected {len(expected)}; first extra: " + str(
        (actual if len(actual) > len(expected) else expected)[min(len(actual), len(expected))])


def _compare_masked(recorded: Sequence[Mapping[str, Any]], actual: Sequence[Mapping[str, Any]]) -> list[str]:
    """Put the actual history through what the recorder did to the recording, then require the same events:
    id, ``previousEventId``, type and state name, in order (see :func:`as_recorder_leaves_parallels`)."""
    expected = [_linked_key(e) for e in recorded]
    transformed = [_linked_key(e) for e in as_recorder_leaves_parallels(actual)]
    if expected == transformed:
        return []
    for index, (e, a) in enumerate(zip(expected, transformed, strict=False)):
        if e != a:
            return [f"event {index + 1} after the recorder's re-ordering: {a}, expected {e}"]
    return [f"{len(transformed)} events after the recorder's re-ordering, expected {len(expected)}"]


PARALLEL_ENDS = ("ParallelStateSucceeded", "ParallelStateFailed", "ParallelStateAborted", "ParallelStateExited")


def as_recorder_leaves_parallels(history: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``history`` as the recorder of the shared cases leaves it when its notes say "re-ordered".

    AWS does not fix the order of concurrent branches' events, so the recorder made each Parallel state's
    block canonical: the events after a ``ParallelStateStarted`` get the id ``[0]`` and ``previousEventId``
    0, and at each Parallel end event the block is put back sorted by its events' JSON text (keys sorted,
    timestamps left out). It rewrites the list while walking it by index, so a block is written back at
    ``ParallelStateSucceeded`` and again at ``ParallelStateExited``, which drops the Succeeded event (and, for
    a nested Parallel, the inner exit and the outer success). This does the same walk, so every kept id and
    link is compared, and the order of everything outside the branches.
    """
    events = [_canonical(event) for event in history]
    start, block, inside = 0, [], False
    for index, event in enumerate(events):  # enumerate reads the list as it is rewritten, as the recorder's walk
        kind = event.get("type")
        if kind in PARALLEL_ENDS:
            events[start:index] = sorted(block, key=lambda e: json.dumps(e))
            inside = False
        elif kind == "ParallelStateStarted":
            start, block, inside = index + 1, [], True
        elif inside:
            event["id"], event["previousEventId"] = [0], 0
            block.append(event)
    return events


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _canonical(item) for key, item in sorted(value.items()) if key != "timestamp"}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def _linked_key(event: Mapping[str, Any]) -> tuple[Any, ...]:
    return (json.dumps(event.get("id")), event.get("previousEventId"), event["type"], state_name(event))


def _compare_concurrent(recorded: Sequence[Mapping[str, Any]], actual: Sequence[Mapping[str, Any]],
                        definition: Any) -> list[str]:
    expected_seq, actual_seq = history_sequence(recorded), history_sequence(actual)
    if Counter(expected_seq) != Counter(actual_seq):
        extra = Counter(actual_seq) - Counter(expected_seq)
        missing = Counter(expected_seq) - Counter(actual_seq)
        return [f"events differ: missing {sorted(missing.elements(), key=str)}, "
                f"extra {sorted(extra.elements(), key=str)}"]
    problems = []
    branches = parallel_branch_states(definition)
    exp_threads, act_threads = _threads(recorded, branches), _threads(actual, branches)
    for thread in sorted(set(exp_threads) | set(act_threads), key=str):
        e, a = exp_threads.get(thread, []), act_threads.get(thread, [])
        if e != a:
            problems.append(f"order in {thread}: " + _first_difference(e, a))
    return problems


def parallel_branch_states(definition: Any) -> dict[str, tuple[str, int]]:
    """State name -> (Parallel state name, branch index) for states directly in a Parallel branch."""
    found: dict[str, tuple[str, int]] = {}

    def walk(states: Any) -> None:
        if not isinstance(states, Mapping):
            return
        for name, state in states.items():
            if not isinstance(state, Mapping):
                continue
            for index, branch in enumerate(state.get("Branches") or []):
                if isinstance(branch, Mapping):
                    for inner in (branch.get("States") or {}):
                        found[inner] = (name, index)
                    walk(branch.get("States"))
            for field in ("ItemProcessor", "Iterator"):
                if isinstance(state.get(field), Mapping):
                    walk(state[field].get("States"))

    if isinstance(definition, Mapping):
        walk(definition.get("States"))
    return found


def _threads(history: Sequence[Mapping[str, Any]], branches: Mapping[str, tuple[str, int]],
             ) -> dict[tuple[Any, ...], list[Key]]:
    """Split a history into ordered threads: Map iterations, Parallel branches, and the rest.

    A ``MapIteration*`` event names its thread by ``index``; a state event of a Parallel branch goes to
    that branch's thread (inside the iteration its predecessor belongs to); any other event follows its
    ``previousEventId`` into its predecessor's thread, except the ``ParallelState*``/``MapState*`` events,
    which belong with the state itself and stay in the enclosing thread.
    """
    target_of: dict[Any, tuple[Any, ...]] = {}
    threads: dict[tuple[Any, ...], list[Key]] = {}
    for event in history:
        key = event_key(event)
        before = target_of.get(event.get("previousEventId"), ("main",))
        iteration = _iteration_of(event)
        if iteration is not None:
            target = iteration
        elif key[1] in branches:
            outer = before[:3] if before[0] == "iteration" else ()
            target = (*outer, "branch", *branches[key[1]])
        elif key[0].startswith(("ParallelState", "MapState")) and key[0].endswith(
                ("Succeeded", "Failed", "Aborted", "Exited")):
            target = _enclosing(before)
        else:
            target = before
        if isinstance(event.get("id"), int):
            target_of[event["id"]] = target
        threads.setdefault(target, []).append(key)
    return threads


def _enclosing(thread: tuple[Any, ...]) -> tuple[Any, ...]:
    """The thread around a branch or iteration thread (the Parallel/Map state's own thread)."""
    if thread[0] == "iteration" and len(thread) > 3:
        return thread[:3]
    return ("main",)


def _iteration_of(event: Mapping[str, Any]) -> tuple[Any, ...] | None:
    if event["type"] not in ITERATION_EVENTS:
        return None
    for value in event.values():
        if isinstance(value, Mapping) and "index" in value:
            return ("iteration", value.get("name"), value["index"])
    return None
