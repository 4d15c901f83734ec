// The Step Functions API as boto3 speaks it (POST / with X-Amz-Target): everything the console shows comes
// from here, so an API client can read all of it too.

export async function api(action, body = {}) {
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

export async function allPages(action, body, key) {
  const items = [];
  let nextToken;
  do {
    const page = await api(action, nextToken ? {...body, nextToken} : body);
    items.push(...(page[key] || []));
    nextToken = page.nextToken;
  } while (nextToken);
  return items;
}

export async function graphOf(definition) {
  // The one call outside the API: the server lays a definition out as SVG (the code of `statewright graph`).
  const response = await fetch("/console/graph", {method: "POST", body: JSON.stringify({definition})});
  const holder = document.createElement("div");
  holder.className = "graph";
  if (response.ok) holder.innerHTML = await response.text();  // SVG the server built; labels are escaped there
  else holder.textContent = await response.text();
  return holder;
}
