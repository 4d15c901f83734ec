// DOM helpers: text always goes in as text, never as markup.

export const view = document.getElementById("view");

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) node[name] = value;
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== undefined && child !== null && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

export function seconds(value) {
  // API dates arrive as epoch seconds (numbers) from this server and as ISO texts from some clients.
  if (value === undefined || value === null) return null;
  return typeof value === "number" ? value : Date.parse(value) / 1000;
}

export function when(value) {
  const at = seconds(value);
  return at === null ? "" : new Date(at * 1000).toLocaleString();
}

export function duration(from, to) {
  if (from === null || from === undefined || to === null || to === undefined) return "";
  const span = Math.max(0, to - from);
  if (span < 1) return `${Math.round(span * 1000)} ms`;
  if (span < 120) return `${span.toFixed(span < 10 ? 2 : 1)} s`;
  if (span < 7200) return `${Math.floor(span / 60)} min ${Math.round(span % 60)} s`;
  return `${Math.floor(span / 3600)} h ${Math.round((span % 3600) / 60)} min`;
}

export function statusOf(status) {
  return el("span", {class: `status ${status}`, "data-status": status}, status);
}

export function pretty(text) {
  if (text === undefined || text === null) return "";
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return String(text); }
}

export function show(...nodes) {
  view.replaceChildren(...nodes.flat().filter((node) => node !== null && node !== undefined && node !== false));
}

export function failure(error) {
  show(el("p", {class: "error", role: "alert"}, String(error.message || error)));
}

export function table(id, headings, rows) {
  return el("table", {id}, el("thead", {}, el("tr", {}, headings.map((heading) => el("th", {}, heading)))),
    el("tbody", {}, rows));
}

export function fill(node, ...children) {
  // replaceChildren, leaving out the null/false of conditional parts (which it would write as text).
  node.replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}
