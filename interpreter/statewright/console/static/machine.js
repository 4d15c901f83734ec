// One state machine: its graph, its definition with lint findings on their lines, its versions and aliases,
// a form to start an execution, and its latest executions.

import {allPages, api, graphOf} from "./api.js";
import {el, failure, show, statusOf, table, when} from "./dom.js";
import {codeView} from "./highlight.js";

async function diagnosticsOf(machine) {
  // Warnings too: a machine that was accepted has no errors, but may have findings worth reading.
  const found = await api("ValidateStateMachineDefinition",
    {definition: machine.definition, type: machine.type, severity: "WARNING"});
  return found.diagnostics || [];
}

async function versionsAndAliases(arn) {
  const [versions, aliases] = await Promise.all([
    allPages("ListStateMachineVersions", {stateMachineArn: arn}, "stateMachineVersions"),
    allPages("ListStateMachineAliases", {stateMachineArn: arn}, "stateMachineAliases"),
  ]);
  const described = await Promise.all(aliases.map((alias) =>
    api("DescribeStateMachineAlias", {stateMachineAliasArn: alias.stateMachineAliasArn})));
  const versionRows = versions.map((version) => el("tr", {},
    el("td", {}, el("a", {href: `#/machine/${encodeURIComponent(version.stateMachineVersionArn)}`},
      version.stateMachineVersionArn.split(":").pop())),
    el("td", {class: "muted"}, when(version.creationDate))));
  const aliasRows = described.map((alias) => el("tr", {},
    el("td", {}, alias.name), el("td", {}, (alias.routingConfiguration || []).map((route) =>
      el("div", {}, `version ${route.stateMachineVersionArn.split(":").pop()}: ${route.weight}%`))),
    el("td", {class: "muted"}, alias.description || ""), el("td", {class: "muted"}, when(alias.creationDate))));
  return el("div", {class: "columns even"},
    el("div", {}, el("h2", {}, "Versions"), versions.length ? table("versions", ["Version", "Published"], versionRows)
      : el("p", {class: "muted"}, "No published versions.")),
    el("div", {}, el("h2", {}, "Aliases"), described.length
      ? table("aliases", ["Alias", "Routes to", "Description", "Created"], aliasRows)
      : el("p", {class: "muted"}, "No aliases.")));
}

export async function machinePage(arn) {
  const machine = await api("DescribeStateMachine", {stateMachineArn: arn});
  const base = machine.stateMachineArn;  // a version's page describes the version; its executions are the machine's
  const [graph, diagnostics, recent, versioning] = await Promise.all([
    graphOf(machine.definition), diagnosticsOf(machine),
    api("ListExecutions", {stateMachineArn: arn, maxResults: 10}), versionsAndAliases(base.split(":").length > 7
      ? base.split(":").slice(0, 7).join(":") : base)]);
  const input = el("textarea", {id: "start-input", rows: 3, spellcheck: "false"}, "{}");
  const name = el("input", {id: "start-name", placeholder: "name (optional)", size: 30});
  const start = el("button", {class: "primary", id: "start", onclick: async () => {
    try {
      const request = {stateMachineArn: arn, input: input.value};
      if (name.value.trim()) request.name = name.value.trim();
      const started = await api("StartExecution", request);
      location.hash = `#/execution/${encodeURIComponent(started.executionArn)}`;
    } catch (error) { failure(error); }
  }}, "Start execution");
  const errors = diagnostics.filter((item) => item.severity === "ERROR").length;
  const summary = diagnostics.length
    ? el("p", {id: "lint-summary", class: errors ? "error" : "warning"},
      `${errors} error(s), ${diagnostics.length - errors} warning(s) from the linter, shown under their lines.`)
    : el("p", {id: "lint-summary", class: "muted"}, "The linter finds nothing to say about this definition.");
  const rows = (recent.executions || []).map((execution) => el("tr", {},
    el("td", {}, el("a", {href: `#/execution/${encodeURIComponent(execution.executionArn)}`}, execution.name)),
    el("td", {}, statusOf(execution.status)), el("td", {class: "muted"}, when(execution.startDate))));
  show(el("h1", {}, machine.name, " ", el("span", {class: "tag"}, machine.type)),
    el("p", {class: "muted"}, machine.stateMachineArn, machine.description ? ` — ${machine.description}` : ""),
    el("div", {class: "columns"}, el("div", {}, graph),
      el("div", {}, el("h2", {}, "Start an execution"), name, input, el("div", {class: "toolbar"}, start),
        el("h2", {}, "Latest executions"),
        rows.length ? table("recent", ["Name", "Status", "Started"], rows) : el("p", {class: "muted"}, "None yet."),
        el("p", {}, el("a", {id: "all-executions", href: `#/executions?machine=${encodeURIComponent(arn)}`},
          "All executions, filtered and searched")))),
    el("h2", {}, "Definition"), summary, codeView(machine.definition, diagnostics), versioning);
}
