// The state machines page: every machine, with links to its page and its executions.

import {allPages} from "./api.js";
import {el, show, table, when} from "./dom.js";

export async function machinesPage() {
  const machines = await allPages("ListStateMachines", {}, "stateMachines");
  const rows = machines.map((machine) => el("tr", {},
    el("td", {}, el("a", {href: `#/machine/${encodeURIComponent(machine.stateMachineArn)}`}, machine.name)),
    el("td", {}, machine.type), el("td", {class: "muted"}, when(machine.creationDate)),
    el("td", {}, el("a", {href: `#/executions?machine=${encodeURIComponent(machine.stateMachineArn)}`}, "executions"))));
  show(el("h1", {}, "State machines"),
    machines.length ? table("machines", ["Name", "Type", "Created", ""], rows)
      : el("p", {class: "muted"}, "No state machines yet: create one through the API (boto3, or `aws stepfunctions create-state-machine`)."));
}
