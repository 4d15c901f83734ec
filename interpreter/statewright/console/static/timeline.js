// An execution's history drawn as a timeline: one bar per state visit, from entered to left, on a shared
// time axis; a retried task's failed attempts are marked on its bar.

import {duration, el} from "./dom.js";

const MAX_ROWS = 300;  // a long Map's history stays readable; the table below has every event

export function timelineOf(visits, start, end) {
  const span = Math.max(end - start, 0.001);
  const at = (time) => `${(((time ?? end) - start) / span) * 100}%`;
  const rows = visits.slice(0, MAX_ROWS).map((visit) => {
    const width = Math.max((((visit.exited ?? end) - visit.entered) / span) * 100, 0.6);  // a 0 ms state shows
    const left = Math.min(((visit.entered - start) / span) * 100, 100 - width);
    const retries = visit.attempts.filter((attempt) => attempt.error).map((attempt) =>
      el("span", {class: "retry", style: `left: ${at(attempt.ended)}`, title: `${attempt.error}: ${attempt.cause || ""}`}));
    return el("div", {class: `span ${visit.status}`, "data-state": visit.name, "data-status": visit.status},
      el("span", {class: "label", style: `padding-left: ${visit.depth * 12}px`}, visit.name),
      el("span", {class: "track"}, el("span", {class: "bar", style: `left: ${left}%; width: ${width}%`}),
        retries),
      el("span", {class: "took muted"}, visit.exited === null ? visit.status : duration(visit.entered, visit.exited),
        visit.attempts.length > 1 ? ` · ${visit.attempts.length} attempts` : ""));
  });
  const more = visits.length > MAX_ROWS ? el("p", {class: "muted"}, `The first ${MAX_ROWS} of ${visits.length} state visits.`) : null;
  return el("div", {id: "timeline"}, el("div", {class: "axis muted"}, el("span", {}, "0"), el("span", {}, duration(start, end))), rows, more);
}
