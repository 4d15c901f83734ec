// One execution: its graph coloured by what each state did, a state's details on click, the history as a
// timeline and as a table, and the actions (stop, redrive, approve or reject a waiting callback). While it
// runs, the page polls the API every second and updates in place: the graph, timeline and history move on,
// and the state being read stays open.

import {allPages, api, graphOf} from "./api.js";
import {duration, el, failure, fill, pretty, seconds, show, statusOf, table, when} from "./dom.js";
import {timelineOf} from "./timeline.js";
import {statesOf, visitsOf} from "./visits.js";

const POLL_MS = 1000;
const MAX_HISTORY_ROWS = 1000;

function findToken(value) {
  // The first string under a key named like "token" (TaskToken, taskToken, token...) in a task's request.
  if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (/token/i.test(key) && typeof inner === "string" && inner) return inner;
      const found = findToken(inner);
      if (found) return found;
    }
  }
  return null;
}

function waitingToken(events) {
  // The token of the last scheduled task that has not ended, when its request carries one.
  const ended = new Set(events.filter((event) => /^(Task|Activity)(Succeeded|Failed|TimedOut)$/.test(event.type))
    .map((event) => event.previousEventId));
  for (const event of [...events].reverse()) {
    const scheduled = event.taskScheduledEventDetails;
    if (!scheduled) continue;
    const started = events.find((other) => other.previousEventId === event.id && other.type === "TaskStarted");
    if (ended.has(event.id) || (started && ended.has(started.id))) return null;
    try { return findToken(JSON.parse(scheduled.parameters)); } catch { return null; }
  }
  return null;
}

function stateDetails(name, visits) {
  const mine = visits.filter((visit) => visit.name === name);
  const visit = mine.at(-1);
  if (!visit) return [el("h2", {}, name), el("p", {class: "muted"}, "This state has not run.")];
  const attempts = visit.attempts.length > 1 || visit.attempts.some((attempt) => attempt.error)
    ? [el("h3", {}, "Attempts"), table("attempts", ["#", "Outcome", "Took"], visit.attempts.map((attempt, index) => el("tr", {},
      el("td", {}, index + 1), el("td", {class: attempt.error ? "error" : ""}, attempt.error
        ? `${attempt.error}${attempt.cause ? `: ${attempt.cause}` : ""}` : attempt.ended ? "succeeded" : "running"),
      el("td", {class: "muted"}, duration(seconds(attempt.scheduled), seconds(attempt.ended))))))] : null;
  return [el("h2", {}, name), el("p", {}, statusOf(visit.status.toUpperCase()), " ",
    el("span", {class: "muted", id: "state-timing"}, `entered ${when(visit.entered)}`,
      visit.exited !== null ? `, took ${duration(seconds(visit.entered), seconds(visit.exited))}` : "",
      mine.length > 1 ? ` · visit ${mine.length} of ${mine.length}` : "")),
  visit.error ? [el("h3", {}, "Error"), el("pre", {class: "error", id: "state-error"},
    `${visit.error}${visit.cause ? `\n${visit.cause}` : ""}`)] : null,
  attempts, el("h3", {}, "Input"), el("pre", {}, pretty(visit.input)),
  el("h3", {}, "Output"), el("pre", {}, pretty(visit.output))];
}

export async function executionPage(arn, isCurrent) {
  const machine = await api("DescribeStateMachineForExecution", {executionArn: arn});
  const graph = await graphOf(machine.definition);
  const header = el("div");
  const actions = el("div", {class: "toolbar"});
  const panel = el("div", {id: "state-details"}, el("p", {class: "muted"}, "Click a state for its input, output, error, attempts and timing."));
  const timeline = el("div");
  const history = el("div");
  const data = el("div");
  let selected = null;
  let visits = [];
  let events = [];

  async function withNewEvents() {
    // The history so far plus what happened since the last look: the newest events first (reverseOrder)
    // until one already held, so following a long execution costs a small call a second, not its history.
    if (!events.length) return allPages("GetExecutionHistory", {executionArn: arn, maxResults: 1000}, "events");
    const last = events.at(-1).id;
    const fresh = [];
    let nextToken;
    do {
      const page = await api("GetExecutionHistory", nextToken
        ? {executionArn: arn, reverseOrder: true, maxResults: 100, nextToken}
        : {executionArn: arn, reverseOrder: true, maxResults: 100});
      for (const event of page.events || []) {
        if (event.id <= last) return events.concat(fresh.reverse());
        fresh.push(event);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return events.concat(fresh.reverse());
  }

  const act = (label, id, className, action) => actions.append(el("button", {id, class: className, onclick: async () => {
    try { await action(); watch(await refresh()); } catch (error) { failure(error); }
  }}, label));

  async function refresh() {
    const execution = await api("DescribeExecution", {executionArn: arn});
    events = await withNewEvents();
    visits = visitsOf(events.map((event) => ({...event, timestamp: seconds(event.timestamp)})), execution.status);
    const statuses = statesOf(visits);
    for (const group of graph.querySelectorAll("g.state")) {
      const name = group.getAttribute("data-state").split("/").pop();
      group.classList.remove("running", "succeeded", "failed");
      if (statuses.get(name)) group.classList.add(statuses.get(name));
    }
    fill(header, el("h1", {}, execution.name), el("p", {id: "execution-status"}, statusOf(execution.status), " ",
      el("a", {href: `#/machine/${encodeURIComponent(execution.stateMachineArn)}`}, machine.name), " ",
      el("span", {class: "muted"}, `started ${when(execution.startDate)}`,
        execution.stopDate ? `, took ${duration(seconds(execution.startDate), seconds(execution.stopDate))}`
          : " · live: this page follows it every second")),
    execution.error ? el("pre", {class: "error", id: "execution-error"}, `${execution.error}\n${execution.cause || ""}`) : "");
    actions.replaceChildren();
    if (execution.status === "RUNNING") {
      act("Stop", "stop", "danger", () => api("StopExecution", {executionArn: arn, error: "Console.Stopped", cause: "stopped from the console"}));
      const waiting = waitingToken(events);
      if (waiting) {
        // A step waiting for a task token that its own request carried (as approval steps do): answer it here.
        act("Approve", "approve", "primary", () => api("SendTaskSuccess", {taskToken: waiting, output: JSON.stringify({approved: true})}));
        act("Reject", "reject", "danger", () => api("SendTaskFailure", {taskToken: waiting, error: "Rejected", cause: "rejected in the console"}));
      }
    }
    if (["FAILED", "TIMED_OUT", "ABORTED"].includes(execution.status)) {
      act("Redrive", "redrive", "primary", () => api("RedriveExecution", {executionArn: arn}));
    }
    const start = seconds(execution.startDate);
    const end = seconds(execution.stopDate) ?? Math.max(Date.now() / 1000, ...visits.map((visit) => visit.exited ?? visit.entered));
    fill(timeline, timelineOf(visits, start, end));
    for (const row of timeline.querySelectorAll(".span")) row.onclick = () => select(row.getAttribute("data-state"));
    const shown = events.slice(-MAX_HISTORY_ROWS);
    fill(history, events.length > shown.length ? el("p", {class: "muted"}, `The last ${shown.length} of ${events.length} events.`) : "",
      table("history", ["#", "Type", "State", "Time", "Since start"], shown.map((event) => el("tr", {},
        el("td", {}, event.id), el("td", {}, event.type),
        el("td", {}, (event.stateEnteredEventDetails || event.stateExitedEventDetails || {}).name || ""),
        el("td", {class: "muted"}, when(event.timestamp)), el("td", {class: "muted"}, duration(start, seconds(event.timestamp)))))));
    fill(data, el("h2", {}, "Input"), el("pre", {}, pretty(execution.input)),
      execution.output != null ? [el("h2", {}, "Output"), el("pre", {id: "output"}, pretty(execution.output))] : null);
    if (selected) fill(panel, stateDetails(selected, visits));
    return execution.status;
  }

  function select(name) {
    selected = name;
    fill(panel, stateDetails(name, visits));
  }

  for (const group of graph.querySelectorAll("g.state")) {
    group.addEventListener("click", () => select(group.getAttribute("data-state").split("/").pop()));
  }
  let watching = false;
  async function watch(status) {
    // One polling loop at a time, while the execution runs and this page is still the one shown.
    if (watching) return;
    watching = true;
    try {
      while (status === "RUNNING" && isCurrent()) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        if (!isCurrent()) return;
        status = await refresh();
      }
    } catch (error) { failure(error); } finally { watching = false; }
  }

  const status = await refresh();
  show(header, actions, el("div", {class: "columns"}, graph, panel), el("h2", {}, "Timeline"), timeline, data,
    el("h2", {}, "History"), history);
  watch(status);
}
