// A definition shown as code: coloured tokens, line numbers, and lint diagnostics under the lines they are
// about. Diagnostics come from ValidateStateMachineDefinition, which locates each by JSON Pointer
// (/States/A/Next); the pointer is found in the text as shown, JSON or YAML.

import {el} from "./dom.js";

export function displayText(text) {
  // Minified JSON (boto3 users send json.dumps output) is shown indented; any other text as it was written.
  if (text.includes("\n")) return text;
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

const escapeSegment = (segment) => String(segment).replaceAll("~", "~0").replaceAll("/", "~1");

function jsonLines(text) {
  // pointer -> 1-based line, from a small JSON reader that tracks where each member and item starts.
  const lines = new Map([["", 1]]);
  let at = 0;
  let line = 1;
  const skip = () => {
    while (at < text.length && " \t\r\n".includes(text[at])) { if (text[at] === "\n") line += 1; at += 1; }
  };
  const string = () => {
    const start = at;
    at += 1;
    while (at < text.length && text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    at += 1;
    return JSON.parse(text.slice(start, at));
  };
  const value = (pointer) => {
    skip();
    const opener = text[at];
    if (opener === "{" || opener === "[") {
      at += 1;
      for (let index = 0; ; index += 1) {
        skip();
        if (text[at] === "}" || text[at] === "]") { at += 1; return; }
        let key = index;
        if (opener === "{") { key = string(); skip(); at += 1; }  // the key and its colon
        skip();
        lines.set(`${pointer}/${escapeSegment(key)}`, line);
        value(`${pointer}/${escapeSegment(key)}`);
        skip();
        if (text[at] === ",") at += 1;
      }
    } else if (opener === '"') {
      string();
    } else {
      while (at < text.length && !",}] \t\r\n".includes(text[at])) at += 1;
    }
  };
  value("");
  return lines;
}

function yamlLines(text) {
  // Block-style YAML by indentation: each key and list item under the nearest less-indented parent.
  const lines = new Map([["", 1]]);
  const stack = [{indent: -1, pointer: "", items: 0, item: false}];
  text.split("\n").forEach((source, index) => {
    const match = /^(\s*)(-\s+)?(?:(["']?)([^"'#:]+?)\3\s*:(?:\s|$))?/.exec(source);
    if (!source.trim() || source.trim().startsWith("#") || !match || (!match[2] && !match[4])) return;
    let indent = match[1].length;
    if (match[2]) {
      while (stack.length > 1 && (stack.at(-1).indent > indent || (stack.at(-1).indent === indent && stack.at(-1).item))) stack.pop();
      const parent = stack.at(-1);
      const pointer = `${parent.pointer}/${parent.items++}`;
      lines.set(pointer, index + 1);
      stack.push({indent, pointer, items: 0, item: true});
      indent += match[2].length;
    }
    if (match[4]) {
      while (stack.length > 1 && stack.at(-1).indent >= indent && !(match[2] && stack.at(-1).item)) stack.pop();
      const pointer = `${stack.at(-1).pointer}/${escapeSegment(match[4].trim())}`;
      lines.set(pointer, index + 1);
      stack.push({indent, pointer, items: 0, item: false});
    }
  });
  return lines;
}

export function pointerLines(text) {
  try { JSON.parse(text); return jsonLines(text); } catch { return yamlLines(text); }
}

export function lineOf(lines, pointer) {
  // The line of the pointer, or of its nearest parent that is written (a missing Next is A's problem).
  let current = pointer || "";
  while (current && !lines.has(current)) current = current.slice(0, current.lastIndexOf("/"));
  return lines.get(current) || 1;
}

// Quoted strings (keys when a colon follows), comments, numbers and literals standing alone as values, YAML's
// bare keys, and YAML's plain scalars after a key (`Type: Task`, `Variable: $.total`).
const TOKENS = /("(?:[^"\\]|\\.)*"|'[^']*')(\s*:)?|(#.*$)|(?<=^|[\s:\[,])(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)(?=\s*(?:[,\]}]|#|$))|^(\s*(?:-\s+)?)([A-Za-z_$][\w.$-]*)(?=\s*:(?:\s|$))|(?<=:\s+)([^\s"'\[{#][^#]*?)(?=\s*(?:#|$))/g;

function kindOf(value) {
  return value.startsWith("{%") ? "jsonata" : value.startsWith("$") ? "path" : "string";
}

function tokens(line, isJson) {
  const parts = [];
  let last = 0;
  for (const match of line.matchAll(TOKENS)) {
    const [whole, quoted, colon, comment, scalar, lead, bareKey, plain] = match;
    if (isJson && (comment !== undefined || plain !== undefined || bareKey !== undefined)) continue;
    parts.push(line.slice(last, match.index));
    if (quoted !== undefined) {
      const inner = quoted.slice(1, -1);
      const kind = colon ? (inner.endsWith(".$") ? "key path" : "key") : kindOf(inner);
      parts.push(el("span", {class: `tok ${kind}`}, quoted), colon || "");
    } else if (comment !== undefined) parts.push(el("span", {class: "tok comment"}, comment));
    else if (scalar !== undefined) parts.push(el("span", {class: `tok ${/^-?\d/.test(scalar) ? "number" : "literal"}`}, scalar));
    else if (bareKey !== undefined) {
      parts.push(lead, el("span", {class: `tok ${bareKey.endsWith(".$") ? "key path" : "key"}`}, bareKey));
    } else parts.push(el("span", {class: `tok ${kindOf(plain)}`}, plain));
    last = match.index + whole.length;
  }
  parts.push(line.slice(last));
  return parts;
}

export function codeView(text, diagnostics = []) {
  // <pre> of numbered lines; each diagnostic under its line, marked by severity.
  const shown = displayText(text);
  let isJson = true;
  try { JSON.parse(shown); } catch { isJson = false; }
  const lines = pointerLines(shown);
  const byLine = new Map();
  for (const diagnostic of diagnostics) {
    const line = lineOf(lines, diagnostic.location);
    byLine.set(line, [...(byLine.get(line) || []), diagnostic]);
  }
  const rows = shown.split("\n").map((source, index) => {
    const found = byLine.get(index + 1) || [];
    const severity = found.some((item) => item.severity === "ERROR") ? "ERROR" : found.length ? "WARNING" : "";
    return [el("span", {class: `line ${severity}`, "data-line": index + 1}, tokens(source, isJson)),
      found.map((item) => el("span", {class: `diagnostic ${item.severity}`, "data-code": item.code},
        `${item.severity === "ERROR" ? "error" : "warning"} ${item.code}: ${item.message}`))];
  });
  return el("pre", {class: "code", id: "definition"}, rows);
}
