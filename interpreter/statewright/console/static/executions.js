// The executions page: every machine's executions or one machine's, filtered by status, searched by name
// prefix, newest first, a page at a time. A page is one ListExecutions call, however many executions the
// store holds; the prefix search and the every-machine list are the server's two ListExecutions extensions.

import {allPages, api} from "./api.js";
import {el, failure, show, statusOf, table, when} from "./dom.js";

const STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];
const PAGE_SIZE = 50;

export async function executionsPage(params) {
  const filters = {machine: params.get("machine") || "", status: params.get("status") || "",
    prefix: params.get("prefix") || ""};
  const machines = await allPages("ListStateMachines", {}, "stateMachines");
  const names = new Map(machines.map((machine) => [machine.stateMachineArn, machine.name]));
  const tokens = [undefined];  // the token of each page seen, for Previous
  const body = el("tbody");
  const position = el("span", {class: "muted", id: "page-position"});
  const previous = el("button", {id: "previous", onclick: () => { tokens.pop(); load(tokens.pop() ?? null); }}, "Previous");
  const next = el("button", {id: "next"}, "Next");

  async function load(token) {
    if (token === null) { tokens.length = 0; tokens.push(undefined); token = undefined; } else if (token) tokens.push(token);
    const request = {maxResults: PAGE_SIZE};
    if (filters.machine) request.stateMachineArn = filters.machine;
    if (filters.status) request.statusFilter = filters.status;
    if (filters.prefix) request.namePrefix = filters.prefix;
    if (token) request.nextToken = token;
    const query = new URLSearchParams(Object.entries(filters).filter(([, value]) => value));
    history.replaceState(null, "", `#/executions${query.size ? `?${query}` : ""}`);
    let page;
    try { page = await api("ListExecutions", request); } catch (error) { failure(error); return; }
    body.replaceChildren(...(page.executions || []).map((execution) => el("tr", {},
      el("td", {}, el("a", {href: `#/execution/${encodeURIComponent(execution.executionArn)}`}, execution.name)),
      el("td", {}, names.get(execution.stateMachineArn) || execution.stateMachineArn.split(":").pop()),
      el("td", {}, statusOf(execution.status)), el("td", {class: "muted"}, when(execution.startDate)),
      el("td", {class: "muted"}, when(execution.stopDate)))));
    if (!body.children.length) body.append(el("tr", {}, el("td", {colspan: 5, class: "muted"}, "No executions match.")));
    next.disabled = !page.nextToken;
    next.onclick = () => load(page.nextToken);
    previous.disabled = tokens.length <= 1;
    const first = (tokens.length - 1) * PAGE_SIZE;
    position.textContent = page.executions.length ? `${first + 1}–${first + page.executions.length}` : "";
    body.parentElement.setAttribute("data-loaded", String(Date.now()));
  }

  const machine = el("select", {id: "machine-filter", onchange: (event) => { filters.machine = event.target.value; load(null); }},
    el("option", {value: ""}, "every machine"),
    machines.map((item) => el("option", {value: item.stateMachineArn, selected: item.stateMachineArn === filters.machine}, item.name)));
  const status = el("select", {id: "status-filter", onchange: (event) => { filters.status = event.target.value; load(null); }},
    el("option", {value: ""}, "any status"),
    STATUSES.map((value) => el("option", {value, selected: value === filters.status}, value)));
  let typing;
  const search = el("input", {id: "name-prefix", type: "search", placeholder: "name starts with…", value: filters.prefix,
    oninput: (event) => {
      clearTimeout(typing);
      typing = setTimeout(() => { filters.prefix = event.target.value; load(null); }, 200);
    }});
  show(el("h1", {}, "Executions"), el("div", {class: "toolbar"}, machine, status, search),
    table("executions", ["Name", "State machine", "Status", "Started", "Stopped"], []),
    el("div", {class: "toolbar"}, previous, next, position));
  document.querySelector("#executions tbody").replaceWith(body);
  await load(null);
}
