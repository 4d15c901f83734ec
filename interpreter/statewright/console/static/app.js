// The Statewright console: state machines, their executions, one execution's graph, history and actions.
// Everything is read through the Step Functions API that boto3 uses (POST / with X-Amz-Target); the one other
// call, POST /console/graph, lays a definition out as SVG with the same code as `statewright graph`.

const view = document.getElementById("view");
let refreshTimer = null;

async function api(action, body = {}) {
  const response = await fetch("/", {
    method: "POST",
    headers: {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": `AWSStepFunctions.${action}`},
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const kind = (data.__type || "Error").split("#").pop();
    throw new Error(`${kind}: ${data.message || data.Message || response.statusText}`);
  }
  return data;
}

async function allPages(action, body, key) {
  const items = [];
  let nextToken;
  do {
    const page = await api(action, nextToken ? {...body, nextToken} : body);
    items.push(...(page[key] || []));
    nextToken = page.nextToken;
  } while (nextToken);
  return items;
}

// --- DOM helpers: text always goes in as text, never as markup ------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "onclick" || name === "onchange") node[name] = value;
    else if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function when(value) {
  if (value === undefined || value === null) return "";
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return date.toLocaleString();
}

function statusOf(status) {
  return el("span", {class: `status ${status}`, "data-status": status}, status);
}

function pretty(text) {
  if (text === undefined || text === null) return "";
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return String(text); }
}

function show(...nodes) {
  view.replaceChildren(...nodes.flat().filter((node) => node !== null && node !== undefined));
}

function failure(error) {
  show(el("p", {class: "error", role: "alert"}, String(error.message || error)));
}

// --- pages -----------------------------------------------------------------------------------------------

async function machinesPage() {
  const machines = await allPages("ListStateMachines", {}, "stateMachines");
  const rows = machines.map((machine) => el("tr", {},
    el("td", {}, el("a", {href: `#/machine/${encodeURIComponent(machine.stateMachineArn)}`}, machine.name)),
    el("td", {}, machine.type), el("td", {class: "muted"}, when(machine.creationDate))));
  show(el("h1", {}, "State machines"),
    machines.length ? el("table", {id: "machines"}, el("tr", {}, el("th", {}, "Name"), el("th", {}, "Type"),
      el("th", {}, "Created")), rows) : el("p", {class: "muted"}, "No state machines yet."));
}

async function graphOf(definition) {
  const response = await fetch("/console/graph", {method: "POST", body: JSON.stringify({definition})});
  const holder = el("div", {class: "graph"});
  if (response.ok) holder.innerHTML = await response.text();  // SVG made by the server from the definition
  else holder.append(el("p", {class: "error"}, await response.text()));
  return holder;
}

async function machinePage(arn, status, nextToken) {
  const machine = await api("DescribeStateMachine", {stateMachineArn: arn});
  const request = {stateMachineArn: arn, maxResults: 50};
  if (status) request.statusFilter = status;
  if (nextToken) request.nextToken = nextToken;
  const page = await api("ListExecutions", request);
  const filter = el("select", {id: "status-filter", onchange: (event) => {
    location.hash = `#/machine/${encodeURIComponent(arn)}${event.target.value ? `?status=${event.target.value}` : ""}`;
  }}, ["", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"].map((value) =>
    el("option", value === (status || "") ? {value, selected: ""} : {value}, value || "any status")));
  const input = el("textarea", {id: "start-input", rows: 3}, "{}");
  const start = el("button", {class: "primary", id: "start", onclick: async () => {
    try {
      const started = await api("StartExecution", {stateMachineArn: arn, input: input.value});
      location.hash = `#/execution/${encodeURIComponent(started.executionArn)}`;
    } catch (error) { failure(error); }
  }}, "Start execution");
  const rows = (page.executions || []).map((execution) => el("tr", {},
    el("td", {}, el("a", {href: `#/execution/${encodeURIComponent(execution.executionArn)}`}, execution.name)),
    el("td", {}, statusOf(execution.status)), el("td", {class: "muted"}, when(execution.startDate)),
    el("td", {class: "muted"}, when(execution.stopDate))));
  const more = page.nextToken ? el("button", {id: "more", onclick: () => machinePage(arn, status, page.nextToken)
    .catch(failure)}, "Next page") : null;
  show(el("h1", {}, machine.name), el("p", {class: "muted"}, machine.stateMachineArn),
    el("div", {class: "columns"}, el("div", {}, await graphOf(machine.definition)),
      el("div", {}, el("h2", {}, "Start"), input, el("div", {class: "toolbar"}, start),
        el("h2", {}, "Definition"), el("pre", {id: "definition"}, pretty(machine.definition)))),
    el("h2", {}, "Executions"), el("div", {class: "toolbar"}, filter, more),
    el("table", {id: "executions"}, el("tr", {}, el("th", {}, "Name"), el("th", {}, "Status"),
      el("th", {}, "Started"), el("th", {}, "Stopped")), rows));
}

function stateStatuses(events, executionStatus) {
  // name -> running | succeeded | failed, from the history's entered and exited events.
  const statuses = new Map();
  const details = new Map();
  for (const event of events) {
    const entered = event.stateEnteredEventDetails;
    const exited = event.stateExitedEventDetails;
    if (entered) {
      statuses.set(entered.name, "running");
      details.set(entered.name, {...(details.get(entered.name) || {}), input: entered.input, entered: event.timestamp});
    } else if (exited) {
      statuses.set(exited.name, "succeeded");
      details.set(exited.name, {...(details.get(exited.name) || {}), output: exited.output, exited: event.timestamp});
    } else {
      const failed = Object.entries(event).find(([key, value]) => key.endsWith("EventDetails") && value && value.error);
      if (failed) {
        const running = [...statuses].filter(([, status]) => status === "running").map(([name]) => name);
        const name = running[running.length - 1];
        if (name) details.set(name, {...(details.get(name) || {}), error: failed[1].error, cause: failed[1].cause});
      }
    }
  }
  if (executionStatus !== "RUNNING") {
    for (const [name, status] of statuses) if (status === "running") statuses.set(name, "failed");
  }
  return {statuses, details};
}

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

async function executionPage(arn) {
  clearInterval(refreshTimer);
  const execution = await api("DescribeExecution", {executionArn: arn});
  const events = await allPages("GetExecutionHistory", {executionArn: arn, maxResults: 1000}, "events");
  const machine = await api("DescribeStateMachineForExecution", {executionArn: arn});
  const graph = await graphOf(machine.definition);
  const {statuses, details} = stateStatuses(events, execution.status);
  const panel = el("div", {id: "state-details"}, el("p", {class: "muted"}, "Click a state to see its input, output and error."));
  for (const group of graph.querySelectorAll("g.state")) {
    const name = group.getAttribute("data-state").split("/").pop();
    const status = statuses.get(name);
    if (status) group.classList.add(status);
    group.addEventListener("click", () => {
      const info = details.get(name) || {};
      panel.replaceChildren(el("h2", {}, name), el("p", {}, statusOf((status || "not run").toUpperCase())),
        info.error ? el("div", {}, el("h3", {}, "Error"), el("pre", {class: "error", id: "state-error"},
          `${info.error}${info.cause ? `\n${info.cause}` : ""}`)) : null,
        el("h3", {}, "Input"), el("pre", {}, pretty(info.input)), el("h3", {}, "Output"), el("pre", {}, pretty(info.output)));
    });
  }
  const actions = el("div", {class: "toolbar"});
  const act = (label, id, className, action) => actions.append(el("button", {id, class: className, onclick: async () => {
    try { await action(); await executionPage(arn); } catch (error) { failure(error); }
  }}, label));
  if (execution.status === "RUNNING") {
    act("Stop", "stop", "danger", () => api("StopExecution", {executionArn: arn, error: "Console.Stopped", cause: "stopped from the console"}));
  }
  const waiting = execution.status === "RUNNING" ? waitingToken(events) : null;
  if (waiting) {
    // A step waiting for a task token that its own request carried (as approval steps do): answer it here.
    act("Approve", "approve", "primary", () => api("SendTaskSuccess", {taskToken: waiting, output: JSON.stringify({approved: true})}));
    act("Reject", "reject", "danger", () => api("SendTaskFailure", {taskToken: waiting, error: "Rejected", cause: "rejected in the console"}));
  }
  if (["FAILED", "TIMED_OUT", "ABORTED"].includes(execution.status)) {
    act("Redrive", "redrive", "primary", () => api("RedriveExecution", {executionArn: arn}));
  }
  const history = el("table", {id: "history"}, el("tr", {}, el("th", {}, "#"), el("th", {}, "Type"), el("th", {}, "State"),
    el("th", {}, "Time")), events.map((event) => el("tr", {},
    el("td", {}, event.id), el("td", {}, event.type),
    el("td", {}, (event.stateEnteredEventDetails || event.stateExitedEventDetails || {}).name || ""),
    el("td", {class: "muted"}, when(event.timestamp)))));
  show(el("h1", {}, execution.name), el("p", {}, statusOf(execution.status), " ",
    el("a", {href: `#/machine/${encodeURIComponent(execution.stateMachineArn)}`}, "state machine")),
    execution.error ? el("pre", {class: "error", id: "execution-error"}, `${execution.error}\n${execution.cause || ""}`) : null,
    actions, el("div", {class: "columns"}, graph, panel),
    el("h2", {}, "Input"), el("pre", {}, pretty(execution.input)),
    execution.output != null ? [el("h2", {}, "Output"), el("pre", {id: "output"}, pretty(execution.output))] : null,
    el("h2", {}, "History"), history);
  if (execution.status === "RUNNING") {
    refreshTimer = setInterval(() => executionPage(arn).catch(failure), 2000);  // live while it runs
  }
}

// --- routing ---------------------------------------------------------------------------------------------

async function route() {
  clearInterval(refreshTimer);
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean);
  try {
    if (parts[0] === "machine" && parts[1]) await machinePage(decodeURIComponent(parts[1]), params.get("status"));
    else if (parts[0] === "execution" && parts[1]) await executionPage(decodeURIComponent(parts[1]));
    else await machinesPage();
  } catch (error) {
    failure(error);
  }
}

window.addEventListener("hashchange", route);
route();
