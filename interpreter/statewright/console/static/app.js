// The Statewright console: state machines, executions, one execution's graph, timeline, history and actions.
// Everything is read through the Step Functions API that boto3 uses (POST / with X-Amz-Target); the one other
// call, POST /console/graph, lays a definition out as SVG with the same code as `statewright graph`.
// Plain ES modules, no build step: each page is a module of its own.

import {failure} from "./dom.js";
import {executionPage} from "./execution.js";
import {executionsPage} from "./executions.js";
import {machinePage} from "./machine.js";
import {machinesPage} from "./machines.js";

let shown = 0;  // which route the page shows: a page that polls stops once another is shown

async function route() {
  const number = ++shown;
  const isCurrent = () => number === shown;
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean);
  for (const link of document.querySelectorAll("header nav a")) {
    link.classList.toggle("active", link.getAttribute("href").slice(2) === (parts[0] || ""));
  }
  try {
    if (parts[0] === "machine" && parts[1]) await machinePage(decodeURIComponent(parts[1]));
    else if (parts[0] === "executions") await executionsPage(params);
    else if (parts[0] === "execution" && parts[1]) await executionPage(decodeURIComponent(parts[1]), isCurrent);
    else await machinesPage();
  } catch (error) {
    if (isCurrent()) failure(error);
  }
}

window.addEventListener("hashchange", route);
route();
