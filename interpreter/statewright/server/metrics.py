"""``/metrics``: the server's numbers in Prometheus's text exposition format (version 0.0.4), written here.

What is counted where: HTTP requests here (:meth:`Metrics.request`, called by the app per request); steps,
events and commit latency by the group-commit writer; task latency by the task runner; executions by status
from the store (one GROUP BY, cached for :data:`STORE_TTL` so a scraper cannot make the store do it often);
queue depths from the engine's tables in memory; the event loop's lag by :meth:`Metrics.watch_loop`, a
periodic task the app owns. docs/operations.md lists every metric with its meaning.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from typing import Any

from statewright.runtime.histogram import Histogram
from statewright.server.protocol import OPERATIONS

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
STORE_TTL = 1.0  # seconds a store count is reused
LAG_INTERVAL = 0.25  # seconds between two looks at the loop's lag
_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")


class Metrics:
    """The server's own counters, and the rendering of everything ``/metrics`` shows."""

    def __init__(self, *, stall_after: float = 5.0, lag_window: float = 10.0) -> None:
        self.requests: dict[tuple[str, int], int] = {}
        self.durations: dict[str, Histogram] = {}
        self.stall_after = stall_after
        self.lag_window = lag_window
        self.lag = 0.0  # how late the last tick of watch_loop woke, in seconds
        self.ticked = time.monotonic()
        # (when, lag) of the ticks within lag_window: a stall is still reported for a while after it ends,
        # since a probe cannot be answered during one.
        self._ticks: deque[tuple[float, float]] = deque()
        self._counted: tuple[float, dict[str, int]] | None = None

    # --- counting ----------------------------------------------------------------------------------

    def request(self, action: str, status: int, seconds: float) -> None:
        if action not in OPERATIONS:
            action = "unknown"  # a label per made-up X-Amz-Target would let any client grow this without end
        key = (action, status)
        self.requests[key] = self.requests.get(key, 0) + 1
        histogram = self.durations.get(action)
        if histogram is None:
            histogram = self.durations[action] = Histogram()
        histogram.observe(seconds)

    async def watch_loop(self) -> None:
        """Tick every :data:`LAG_INTERVAL`; how late each tick wakes is the loop's lag."""
        while True:
            expected = time.monotonic() + LAG_INTERVAL
            await asyncio.sleep(LAG_INTERVAL)
            now = time.monotonic()
            self.lag = max(0.0, now - expected)
            self.ticked = now
            self._ticks.append((now, self.lag))
            while self._ticks[0][0] < now - self.lag_window:
                self._ticks.popleft()

    def stalled(self) -> str | None:
        """Why the loop counts as stalled, or None: a tick within ``lag_window`` woke more than ``stall_after``
        late, or no tick has come for that long (the ticker died)."""
        worst = max((lag for _, lag in self._ticks), default=0.0)
        late = time.monotonic() - self.ticked - LAG_INTERVAL
        worst = max(worst, late)
        if worst > self.stall_after:
            return f"the event loop lagged {worst:.3f}s within {self.lag_window}s (limit {self.stall_after}s)"
        return None

    async def executions(self, store: Any) -> dict[str, int]:
        """Executions per status, counted by the store at most once per :data:`STORE_TTL`."""
        now = time.monotonic()
        if self._counted is None or now - self._counted[0] > STORE_TTL:
            self._counted = (now, dict((await store.info()).executions))
        return self._counted[1]

    # --- rendering ----------------------------------------------------------------------------------

    async def render(self, engine: Any) -> str:
        out = _Exposition()
        statuses = await self.executions(engine.store)
        out.family("statewright_executions", "gauge", "Executions in the store, by status.")
        # Every status AWS has, at 0 when none is stored, so a dashboard's series exist from the start.
        for status in dict.fromkeys((*_STATUSES, *sorted(statuses))):
            out.sample("statewright_executions", statuses.get(status, 0), status=status)
        stats = engine.stats
        # The writer and the task runner keep their histograms; the engine's stats carry only numbers.
        writer, tasks = engine._writer, engine._tasks
        counters = (
            ("statewright_steps_recorded_total", stats["steps"], "Steps (transitions) committed to the store."),
            ("statewright_events_recorded_total", writer.events, "History events committed to the store."),
            ("statewright_store_commits_total", stats["commits"], "Store transactions (group commits)."),
            ("statewright_tasks_sent_total", stats["tasks_sent"], "Task invocations started."),
            ("statewright_tasks_resent_total", stats["tasks_resent"], "Task invocations sent again after a restart."),
            ("statewright_timers_fired_total", stats["timers_fired"], "Timers (Waits, retry back-offs) fired."),
            ("statewright_replays_total", stats["replays"], "Executions rebuilt from their record by replay."),
            ("statewright_executions_taken_over_total", stats["taken_over"],
             "Executions this node claimed from nodes whose lease lapsed (PostgreSQL)."),
            ("statewright_step_conflicts_total", stats["step_conflicts"],
             "Steps another node recorded first (the store's version check); the copy here was reloaded."),
        )
        for name, value, text in counters:
            out.family(name, "counter", text)
            out.sample(name, value)
        gauges = (
            ("statewright_executions_in_memory", stats["in_memory"], "Executions held in memory."),
            ("statewright_timers_in_memory", stats["timers_in_memory"], "Timers held in memory (due soon)."),
            ("statewright_tasks_in_flight", tasks.in_flight, "Task invocations running now."),
            ("statewright_store_backlog", writer.backlog, "Steps decided but not yet committed."),
            ("statewright_event_loop_lag_seconds", self.lag, "How late the last periodic tick of the loop woke."),
        )
        for name, value, text in gauges:
            out.family(name, "gauge", text)
            out.sample(name, value)
        out.histogram("statewright_store_commit_seconds", "Wall time of each store transaction.",
                      {(): writer.commit_latency})
        out.histogram("statewright_task_seconds", "Seconds from a task's start to its result.", {(): tasks.latency})
        out.family("statewright_http_requests_total", "counter", "API requests answered, by action and status.")
        for (action, status), count in sorted(self.requests.items()):
            out.sample("statewright_http_requests_total", count, action=action, status=str(status))
        out.histogram("statewright_http_request_seconds", "API request duration, by action.",
                      {(("action", action),): histogram for action, histogram in sorted(self.durations.items())})
        return out.text()


class _Exposition:
    """Lines of the text format: ``# HELP``, ``# TYPE``, then ``name{label="value"} number`` samples."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, text: str) -> None:
        self.lines.append(f"# HELP {name} {text}")
        self.lines.append(f"# TYPE {name} {kind}")

    def sample(self, name: str, value: float, **labels: str) -> None:
        if labels:
            inside = ",".join(f'{key}="{_escape(label)}"' for key, label in labels.items())
            name = f"{name}{{{inside}}}"
        self.lines.append(f"{name} {_number(value)}")

    def histogram(self, name: str, text: str, series: dict[tuple[tuple[str, str], ...], Histogram]) -> None:
        self.family(name, "histogram", text)
        for labels, histogram in series.items():
            fixed = dict(labels)
            for bound, count in histogram.cumulative():
                self.sample(f"{name}_bucket", count, **fixed, le="+Inf" if math.isinf(bound) else _number(bound))
            self.sample(f"{name}_sum", histogram.sum, **fixed)
            self.sample(f"{name}_count", histogram.count, **fixed)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    return repr(float(value))
