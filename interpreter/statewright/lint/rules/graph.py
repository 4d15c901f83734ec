"""SW2xx: the state graph. Targets exist in their own scope, every state is reachable and can finish.

A scope is the machine, one Parallel branch or one Map processor (spec/states.md): transitions never
cross a scope's border, so every check here runs per scope.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from statewright.lint.context import LintContext, Scope, StateRef
from statewright.lint.diagnostic import Finding, Severity
from statewright.lint.registry import rule
from statewright.lint.rules._model import Facts, facts
from statewright.lint.rules._support import has_placeholder

NEEDS_TRANSITION = frozenset({"Task", "Pass", "Wait", "Parallel", "Map"})
# Choice, Succeed and Fail take neither Next nor End; the schema pass reports either on them.
NO_TRANSITION = frozenset({"Choice", "Succeed", "Fail"})


def _is_terminal(state: StateRef) -> bool:
    # A Choice without Default ends the execution with States.NoChoiceMatched when no rule matches:
    # counted as an exit so a definition is never blamed for a loop it can leave that way.
    kind = state.type
    if kind in ("Succeed", "Fail"):
        return True
    if kind == "Choice":
        return "Default" not in state.body
    return state.body.get("End") is True


def _outside_hint(scope: Scope, target: str, memo: dict[tuple[str, str], str] | None = None) -> str:
    """Explain a target that names a state of an enclosing scope: a branch cannot jump out.

    ``memo`` keeps the answer per scope and target: a definition that names one missing state in many
    transitions must not search its thousand state names for a close match each time."""
    if memo is not None:
        key = (scope.pointer, target)
        hint = memo.get(key)
        if hint is None:
            hint = memo[key] = _outside_hint(scope, target)
        return hint
    parent = scope.parent_state
    while parent is not None:
        if target in parent.scope.states:
            where = "Parallel branch" if scope.kind == "branch" else "Map processor"
            return (f"; '{target}' is a state outside this {where} (of state '{scope.parent_state.name}'), "
                    "and a branch cannot jump out of its scope")
        parent = parent.scope.parent_state
    close = difflib.get_close_matches(target, list(scope.states), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


@rule("SW201", "start-at-missing", Severity.ERROR)
def start_at_missing(context: LintContext) -> Iterator[Finding]:
    """`StartAt` names a state that does not exist in its scope.

    ## What it does
    Checks that the `StartAt` of the machine, of every Parallel branch and of every Map processor
    names a state in the same `States` object.

    ## Why is this bad?
    The execution (or the branch, or each Map iteration) cannot start: AWS rejects the definition.
    A branch's `StartAt` cannot name a state of the enclosing machine.

    ## Example
    ```yaml
    StartAt: Lod
    States:
      Load: {Type: Pass, End: true}
    ```

    ## Use instead
    ```yaml
    StartAt: Load
    States:
      Load: {Type: Pass, End: true}
    ```
    """
    for scope in context.scopes:
        start = scope.start_at
        # No states at all is the schema pass's finding (States missing or empty), not a bad StartAt.
        if start is None or not scope.states or start in scope.states or has_placeholder(start):
            continue
        owner = f" of state '{scope.parent_state.name}'" if scope.parent_state else ""
        yield Finding(
            f"StartAt{owner} names '{start}', which is not a state in this scope{_outside_hint(scope, start)}.",
            f"{scope.pointer}/StartAt",
            state=scope.parent_state.name if scope.parent_state else None,
            field="StartAt",
        )


@rule("SW202", "transition-target-missing", Severity.ERROR)
def transition_target_missing(context: LintContext) -> Iterator[Finding]:
    """`Next`, `Default` or a catcher's `Next` names a state that does not exist in its scope.

    ## What it does
    Checks every transition target against the states of the scope the transition is in. Inside a
    Parallel branch or a Map processor, a target must be a state of that branch or processor.

    ## Why is this bad?
    AWS rejects the definition: there is no state to move to. Jumping out of a branch is not possible;
    the branch ends with `End: true` and the Parallel or Map state moves on with its own `Next`.

    ## Example
    ```yaml
    Check:
      Type: Choice
      Choices:
        - {Variable: $.ok, BooleanEquals: true, Next: Done}
      Default: Retyr
    ```

    ## Use instead
    ```yaml
    Check:
      Type: Choice
      Choices:
        - {Variable: $.ok, BooleanEquals: true, Next: Done}
      Default: Retry
    ```
    """
    known = facts(context)
    hints: dict[tuple[str, str], str] = {}
    for state in known.states:
        for move in known.moves[state.pointer]:
            if move.target in state.scope.states or has_placeholder(move.target):
                continue
            yield Finding(
                f"State '{state.name}' field '{move.field}' names '{move.target}', which is not a state in "
                f"this scope{_outside_hint(state.scope, move.target, hints)}.",
                move.pointer, state=state.name, field=move.field,
            )


def _reachable(known: Facts, scope: Scope, refs: dict[str, StateRef]) -> set[str]:
    """The states of ``scope`` reached from its StartAt (computed once per scope: SW203 and SW204 ask)."""
    seen = known.reached.get(scope.pointer)
    if seen is not None:
        return seen
    seen = known.reached[scope.pointer] = set()
    successors = known.successors
    stack = [scope.start_at] if scope.start_at in refs else []
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(successors[refs[name].pointer])
    return seen


def _has_placeholder_target(known: Facts, scope: Scope) -> bool:
    return scope.pointer in known.placeholder_scopes


@rule("SW203", "unreachable-state", Severity.ERROR)
def unreachable_state(context: LintContext) -> Iterator[Finding]:
    """A state cannot be reached from its scope's `StartAt`.

    ## What it does
    Follows `StartAt`, `Next`, `Default`, every Choice rule's `Next` and every catcher's `Next` and
    reports the states of the scope that no path reaches. A state that is named only by states that
    are unreachable themselves says which ("reachable only from unreachable state 'Route'"): fix the
    first one and the others often follow.

    ## Why is this bad?
    AWS rejects definitions with unreachable states. An unreachable state is usually a forgotten
    `Next` or a typo in a target name.

    ## Example
    ```yaml
    StartAt: Load
    States:
      Load: {Type: Pass, End: true}
      Save: {Type: Pass, End: true}
    ```

    ## Use instead
    ```yaml
    StartAt: Load
    States:
      Load: {Type: Pass, Next: Save}
      Save: {Type: Pass, End: true}
    ```
    """
    known = facts(context)
    for scope, refs in known.scopes:
        # A missing StartAt is SW201's; a transition filled in at deploy time may reach any state.
        if scope.start_at not in refs or _has_placeholder_target(known, scope):
            continue
        reached = _reachable(known, scope, refs)
        if len(reached) == len(refs):
            continue  # the usual case: everything is reached (no need for the predecessors)
        named_by = _unreached_predecessors(known, refs, reached)
        for state in refs.values():
            if state.name not in reached:
                yield Finding(
                    f"State '{state.name}' cannot be reached from StartAt '{scope.start_at}': "
                    f"{_why_unreached(state.name, named_by[state.name])}.",
                    state.pointer, state=state.name, at_key=True,
                )


def _unreached_predecessors(known: Facts, refs: dict[str, StateRef], reached: set[str]) -> dict[str, list[str]]:
    """Unreached state -> the states that name it, in document order (all unreached too, or it would be)."""
    named_by: dict[str, list[str]] = {name: [] for name in refs if name not in reached}
    for name, ref in refs.items():
        if name in reached:
            continue
        for target in dict.fromkeys(known.successors[ref.pointer]):  # a Choice may name a target twice
            if target not in reached:  # an unreached state may well lead back into the reached ones
                named_by[target].append(name)
    return named_by


def _why_unreached(name: str, named_by: list[str]) -> str:
    """The reason, true of the definition: "no Next names it" is wrong when an unreachable state does."""
    others = [before for before in named_by if before != name]
    if not others:
        return "only its own transitions name it" if named_by else "no Next, Default or Catch names it"
    listed = ", ".join(repr(before) for before in others[:3]) + (", ..." if len(others) > 3 else "")
    return f"it is reachable only from unreachable state{'s' if len(others) > 1 else ''} {listed}"



@rule("SW204", "no-path-to-end", Severity.ERROR)
def no_path_to_end(context: LintContext) -> Iterator[Finding]:
    """A state has no path to a terminal state: the execution loops forever once it gets there.

    ## What it does
    Finds the reachable states from which no sequence of transitions (Next, Default, Choice rules,
    catchers) leads to a state with `End: true`, a Succeed or Fail state, or a Choice without Default,
    and reports the first of them on the way from `StartAt`, naming the others.

    ## Why is this bad?
    Once the execution enters such a loop it never finishes; it runs until it hits the history limit
    (25,000 events on AWS) or its timeout.

    ## Example
    ```yaml
    Poll: {Type: Task, Resource: "${CheckArn}", Next: Pause}
    Pause: {Type: Wait, Seconds: 60, Next: Poll}
    ```

    ## Use instead
    ```yaml
    Poll: {Type: Task, Resource: "${CheckArn}", Next: Done?}
    Done?:
      Type: Choice
      Choices: [{Variable: $.done, BooleanEquals: true, Next: Finish}]
      Default: Pause
    Pause: {Type: Wait, Seconds: 60, Next: Poll}
    Finish: {Type: Succeed}
    ```
    """
    known = facts(context)
    for scope, refs in known.scopes:
        if scope.start_at not in refs or _has_placeholder_target(known, scope):
            continue
        predecessors: dict[str, list[str]] = {name: [] for name in refs}
        exits: list[str] = []
        for name, ref in refs.items():
            targets = known.successors[ref.pointer]
            # A missing target (SW202) or no transition at all (SW206, or a malformed state the schema
            # reports) counts as an exit, so one mistake does not also read as an endless loop.
            if not targets or len(targets) != len(known.moves[ref.pointer]) or _is_terminal(ref):
                exits.append(name)
            for target in targets:
                predecessors[target].append(name)
        can_finish = set(exits)
        stack = list(exits)
        while stack:
            for before in predecessors[stack.pop()]:
                if before not in can_finish:
                    can_finish.add(before)
                    stack.append(before)
        reached = _reachable(known, scope, refs)
        if reached <= can_finish:
            continue  # the usual case: every reachable state can finish (no need to order them)
        trapped = [name for name in _in_reach_order(known, scope, refs) if name in reached and name not in can_finish]
        if trapped:
            # One finding per scope, on the first trapped state on the way from StartAt: every state
            # that leads into the loop is trapped too, and a finding each would bury the one mistake.
            others = f" (and {len(trapped) - 1} more: {', '.join(repr(n) for n in trapped[1:4])}" \
                     f"{', ...' if len(trapped) > 4 else ''})" if len(trapped) > 1 else ""
            yield Finding(
                f"State '{trapped[0]}'{others} has no path to a terminal state (End: true, Succeed or Fail): the "
                "execution would loop forever once it gets there.",
                refs[trapped[0]].pointer, state=trapped[0], at_key=True,
            )


def _in_reach_order(known: Facts, scope: Scope, refs: dict[str, StateRef]) -> list[str]:
    """State names breadth-first from StartAt (the order a reader follows the flow)."""
    order: list[str] = []
    seen = {scope.start_at}
    queue = [scope.start_at] if scope.start_at in refs else []
    for name in queue:  # the list grows while iterating: a breadth-first walk
        order.append(name)
        for target in known.successors[refs[name].pointer]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return order


@rule("SW205", "next-and-end", Severity.ERROR)
def next_and_end(context: LintContext) -> Iterator[Finding]:
    """A state has both `Next` and `End: true`.

    ## What it does
    Reports states that set both fields.

    ## Why is this bad?
    A state either moves on or ends its scope, never both; AWS rejects the definition.

    ## Example
    ```yaml
    Save: {Type: Pass, Next: Notify, End: true}
    ```

    ## Use instead
    ```yaml
    Save: {Type: Pass, Next: Notify}
    ```
    """
    for state in facts(context).states:
        if "Next" in state.body and state.body.get("End") is True and state.type not in NO_TRANSITION:
            yield Finding(
                f"State '{state.name}' has both 'Next' and 'End: true'; keep one.",
                state.field_pointer("End"), state=state.name, field="End", at_key=True,
            )


@rule("SW206", "missing-next-or-end", Severity.ERROR)
def missing_next_or_end(context: LintContext) -> Iterator[Finding]:
    """A Task, Pass, Wait, Parallel or Map state has neither `Next` nor `End: true`.

    ## What it does
    Reports non-terminal states that do not say where to go next.

    ## Why is this bad?
    AWS rejects the definition: after the state, the execution has nowhere to go.

    ## Example
    ```yaml
    Save: {Type: Pass}
    ```

    ## Use instead
    ```yaml
    Save: {Type: Pass, End: true}
    ```
    """
    for state in facts(context).states:
        if state.type in NEEDS_TRANSITION and "Next" not in state.body and state.body.get("End") is not True:
            yield Finding(
                f"{state.type} state '{state.name}' needs 'Next' (the state to go to) or 'End: true'.",
                state.pointer, state=state.name, field="Next", at_key=True,
            )


@rule("SW209", "duplicate-state-name", Severity.ERROR)
def duplicate_state_name(context: LintContext) -> Iterator[Finding]:
    """Two states in different scopes (machine, branches, Map processors) have the same name.

    ## What it does
    Reports a state whose name is already used by a state in another scope of the same machine.

    ## Why is this bad?
    State names are unique across the whole state machine: execution history, redrive and the
    console identify a state by its name alone. AWS rejects the definition.

    ## Example
    ```yaml
    Fan:
      Type: Parallel
      Branches:
        - {StartAt: Work, States: {Work: {Type: Pass, End: true}}}
        - {StartAt: Work, States: {Work: {Type: Pass, End: true}}}
    ```

    ## Use instead
    Give each branch's states their own names (`WorkA`, `WorkB`).
    """
    first_seen: dict[str, StateRef] = {}
    for state in facts(context).states:
        earlier = first_seen.setdefault(state.name, state)
        if earlier is not state:
            yield Finding(
                f"State name '{state.name}' is already used at {earlier.pointer}; state names must be unique "
                "across the whole state machine, branches and Map processors included.",
                state.pointer, state=state.name, at_key=True,
            )
