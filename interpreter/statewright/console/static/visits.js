// An execution's history read as state visits: when each state was entered and left, its input and output,
// its task attempts (a retried task has several) and the error it ended with. Pure: events in, visits out.

const ATTEMPT = /^(Task|Activity|LambdaFunction)(Scheduled|Started|Succeeded|Failed|TimedOut|StartFailed|ScheduleFailed|SubmitFailed)$/;

function detailsOf(event) {
  for (const [key, value] of Object.entries(event)) if (key.endsWith("EventDetails") && value) return value;
  return {};
}

export function visitsOf(events, executionStatus) {
  const visits = [];
  const open = [];  // visits entered and not yet left, innermost last
  for (const event of events) {
    const entered = event.stateEnteredEventDetails;
    const exited = event.stateExitedEventDetails;
    if (entered) {
      const visit = {name: entered.name, type: event.type.replace(/StateEntered$/, ""), entered: event.timestamp,
        exited: null, input: entered.input, output: null, attempts: [], error: null, cause: null, depth: open.length,
        status: "running"};
      visits.push(visit);
      open.push(visit);
      continue;
    }
    if (exited) {
      const at = open.findLastIndex((visit) => visit.name === exited.name);
      if (at >= 0) {
        const [visit] = open.splice(at, 1);
        Object.assign(visit, {exited: event.timestamp, output: exited.output, status: "succeeded"});
      }
      continue;
    }
    const visit = open.at(-1);
    const details = detailsOf(event);
    const attempt = ATTEMPT.exec(event.type);
    if (visit && attempt) {
      if (attempt[2] === "Scheduled" || !visit.attempts.length) visit.attempts.push({scheduled: event.timestamp, ended: null, error: null, cause: null});
      const current = visit.attempts.at(-1);
      if (attempt[2] === "Started") current.started = event.timestamp;
      else if (attempt[2] !== "Scheduled") current.ended = event.timestamp;
      if (details.error !== undefined) Object.assign(current, {error: details.error, cause: details.cause});
    }
    if (visit && details.error !== undefined) Object.assign(visit, {error: details.error, cause: details.cause ?? null});
  }
  if (executionStatus !== "RUNNING") {
    for (const visit of open) visit.status = "failed";
  }
  return visits;
}

export function statesOf(visits) {
  // name -> the status of the state's last visit (what the graph colours).
  const statuses = new Map();
  for (const visit of visits) statuses.set(visit.name, visit.status);
  return statuses;
}
