"""``statewright history ARN``: an execution's history (GetExecutionHistory) as a timeline for people.

One line per state entered, at its time since the execution started, with how long the state took and how
many times its task was retried; one line per failure inside it (the error, the cause and the attempt); a
last line with how the execution ended. The times and the colours are those of ``statewright run``'s trace.

Which state an event belongs to comes from the event it links to (``previousEventId``): the links run from
state to state and, inside a state, from event to event. A Map's or Parallel's exit links to an event of
its last branch or iteration, so the exit climbs back through the states entered before it until it meets
its own name (names are unique in a definition). A state inside a Map iteration says which one, as the
trace does: ``-> Check (Task, Map 'Items' item 3)``; the iteration comes from the MapIterationStarted event
its first state links to.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

from statewright.cli.people.common import BOLD, DIM, GREEN, RED, YELLOW, Output, add_command, one_line
from statewright.cli.trace import elapsed
from statewright.client import StepFunctionsClient

_ENDINGS = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED", "ExecutionTimedOut": "TIMED_OUT",
            "ExecutionAborted": "ABORTED"}
_FAILURES = ("Failed", "TimedOut", "Aborted")
_CAUSE_LIMIT = 300


def register(commands: argparse._SubParsersAction) -> None:
    parser = add_command(
        commands, "history", history, help="show an execution's history as a timeline",
        description="Show an execution's history (GetExecutionHistory) as a timeline: each state with its "
                    "time, duration and retries, each failure with its error and cause, and how it ended.",
        json_help='print GetExecutionHistory\'s JSON ({"events": [...]}, every page)')
    parser.add_argument("execution", metavar="ARN", help="the execution ARN")


def history(args: argparse.Namespace, client: StepFunctionsClient, output: Output) -> int:
    events = list(client.paginate("GetExecutionHistory", {"executionArn": args.execution}, "events"))
    if output.json:
        output.document({"events": events})
        return 0
    output.line(output.paint(BOLD, args.execution))
    for line in Timeline(events).lines(output):
        output.line(line)
    return 0


@dataclass(slots=True)
class Visit:
    """One entry into a state: when, until when, how many times its task was scheduled."""

    name: str
    kind: str
    entered: float
    came_from: int | None  # the visit the entering event links to (for climbing out of a Map or Parallel)
    last: float = 0.0  # the time of its latest event
    exited: float | None = None
    attempts: int = 0
    waits_for_token: bool = False
    failures: list[tuple[float, str]] = field(default_factory=list)
    where: str = ""  # inside which Map iterations: "Map 'Items' item 3, Map 'Inner' item 0" (as run's trace says)


class Timeline:
    """The visits and failures of a history (AWS-shaped events, oldest first), ready to print."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events
        self.start = float(events[0]["timestamp"]) if events else 0.0
        self.visits: dict[int, Visit] = {}
        self.ending: dict[str, Any] | None = None
        self._visit_of: dict[int, int | None] = {}
        self._iteration_at: dict[int, str] = {}  # MapIterationStarted event id -> "Map 'M' item i"
        for event in events:
            self._add(event)

    def _add(self, event: dict[str, Any]) -> None:
        kind, details = str(event["type"]), _details(event)
        at, visit = float(event["timestamp"]), self._visit_of.get(event.get("previousEventId") or 0)
        if kind.endswith("StateEntered"):
            entered = Visit(details.get("name", "?"), kind[: -len("StateEntered")], at, visit, at)
            entered.where = self._where(event.get("previousEventId") or 0, visit)
            self.visits[event["id"]] = entered
            visit = event["id"]
        elif kind.startswith("MapIteration"):  # linked to the previous iteration's last event: climb to the Map
            visit = self._climb(visit, details.get("name"))
            if kind == "MapIterationStarted" and visit is not None:
                self._iteration_at[event["id"]] = f"Map '{details.get('name')}' item {details.get('index')}"
        elif kind.endswith("StateExited"):
            visit = self._climb(visit, details.get("name"))
            if visit is not None:
                self.visits[visit].exited = at
        elif kind in _ENDINGS:
            self.ending = event
        elif kind == "ExecutionRedriven":  # running again: the earlier ending is not the end
            self.ending = None
        elif visit is not None and kind.endswith("Scheduled"):
            self.visits[visit].attempts += 1
            self.visits[visit].waits_for_token = str(details.get("resource", "")).endswith(".waitForTaskToken")
        elif visit is not None and kind.endswith(_FAILURES) and ("error" in details or "cause" in details):
            current = self.visits[visit]
            attempt = f" (attempt {current.attempts})" if current.attempts else ""
            current.failures.append((at, f"{kind}{attempt}: {_error_text(details)}"))
        if visit is not None:
            self.visits[visit].last = max(self.visits[visit].last, at)
        self._visit_of[event["id"]] = visit

    def _where(self, previous: int, came_from: int | None) -> str:
        """The Map iterations a state entered after event ``previous`` runs in."""
        outer = self.visits[came_from].where if came_from is not None else ""
        iteration = self._iteration_at.get(previous)
        return ", ".join(part for part in (outer, iteration) if part) if iteration else outer

    def _climb(self, visit: int | None, name: str | None) -> int | None:
        while visit is not None and self.visits[visit].name != name:
            visit = self.visits[visit].came_from
        return visit

    def lines(self, output: Output) -> list[str]:
        width = max([len(_label(visit)) for visit in self.visits.values()] + [0])
        lines = []
        for visit in self.visits.values():
            label = f"-> {visit.name} {output.paint(DIM, '(' + _kind(visit) + ')')}"
            label += " " * (width - len(_label(visit)))
            lines.append(self._timed(output, visit.entered, f"{label}  {self._took(output, visit)}".rstrip()))
            for at, text in visit.failures:
                lines.append(self._timed(output, at, output.paint(RED, f"   !! {text}")))
        lines.append(self._end(output))
        return lines

    def _took(self, output: Output, visit: Visit) -> str:
        took = elapsed((visit.exited if visit.exited is not None else visit.last) - visit.entered).rjust(9)
        retries = visit.attempts - 1
        if retries > 0:
            took += output.paint(YELLOW, f"  {retries} {'retry' if retries == 1 else 'retries'}")
        if visit.exited is None and self.ending is None:
            took += output.paint(YELLOW, "  waiting for a task token" if visit.waits_for_token else "  running")
        elif visit.exited is None and self.ending is not None:  # the execution ended inside it
            took += output.paint(RED, "  " + _ENDINGS[self.ending["type"]].lower().replace("_", " "))
        return took

    def _end(self, output: Output) -> str:
        if self.ending is None:
            at = float(self.events[-1]["timestamp"]) if self.events else self.start
            return self._timed(output, at, output.paint(BOLD + YELLOW, "RUNNING"))
        status = _ENDINGS[self.ending["type"]]
        colour = GREEN if status == "SUCCEEDED" else RED
        at = float(self.ending["timestamp"])
        line = output.paint(BOLD + colour, status) + output.paint(DIM, f" after {elapsed(at - self.start)}")
        ending = _error_text(_details(self.ending))
        if ending:
            line += output.paint(colour, f"  {ending}")
        return self._timed(output, at, line)

    def _timed(self, output: Output, at: float, text: str) -> str:
        return f"{output.paint(DIM, elapsed(at - self.start).rjust(10))}  {text}"


def _label(visit: Visit) -> str:
    return f"-> {visit.name} ({_kind(visit)})"


def _kind(visit: Visit) -> str:
    return f"{visit.kind}, {visit.where}" if visit.where else visit.kind


def _details(event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def _error_text(details: dict[str, Any]) -> str:
    """``Error: cause`` on one line, the cause cut short; what is missing is left out."""
    cause = one_line(str(details.get("cause") or ""))
    if len(cause) > _CAUSE_LIMIT:
        cause = cause[:_CAUSE_LIMIT] + "..."
    return ": ".join(part for part in (details.get("error"), cause) if part)
