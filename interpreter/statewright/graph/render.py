"""Mermaid and Graphviz DOT texts of a definition's graph (graph/model.py).

Both draw the same picture: the start as a small circle, each state as a box labelled with its name and
type (Choice as a diamond, Succeed and Fail rounded), Parallel branches and Map bodies as nested boxes
(clusters), Choice rules' conditions on their edges, Catch edges dashed and labelled with their errors, and
each scope's end as a circle.
"""

from __future__ import annotations

from statewright.graph.model import END, Edge, Node, Scope


class _Ids:
    """Short, syntax-safe ids (``n0``, ``n1``...) for the model's path-like ids."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}

    def __call__(self, key: str) -> str:
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = f"n{len(self._ids)}"
        return found


def _mermaid_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def to_mermaid(graph: Scope) -> str:
    """A ``flowchart TD`` Mermaid text (renders in GitHub, GitLab and most Markdown viewers)."""
    ids = _Ids()
    lines = ["flowchart TD"]
    _mermaid_scope(graph, ids, lines, "  ")
    return "\n".join(lines) + "\n"


def _mermaid_scope(scope: Scope, ids: _Ids, lines: list[str], indent: str) -> None:
    start = ids(f"{scope.id}#start")
    lines.append(f"{indent}{start}((start))")
    lines.append(f"{indent}{start} --> {ids(scope.start)}")
    for node in scope.nodes:
        _mermaid_node(node, ids, lines, indent)
    if any(edge.kind == "end" for edge in scope.edges):
        lines.append(f"{indent}{ids(_end_key(scope))}((end))")
    for edge in scope.edges:
        lines.append(indent + _mermaid_edge(edge, scope, ids))


def _mermaid_node(node: Node, ids: _Ids, lines: list[str], indent: str) -> None:
    label = _mermaid_text(f"{node.name}") + f"<br/><small>{node.type}</small>"
    node_id = ids(node.id)
    if node.scopes:
        lines.append(f'{indent}subgraph {node_id} ["{label}"]')
        lines.append(f"{indent}  direction TB")
        for index, inner in enumerate(node.scopes):
            if node.type == "Parallel":
                lines.append(f'{indent}  subgraph {ids(inner.id)} ["branch {index + 1}"]')
                _mermaid_scope(inner, ids, lines, indent + "    ")
                lines.append(f"{indent}  end")
            else:
                _mermaid_scope(inner, ids, lines, indent + "  ")
        lines.append(f"{indent}end")
        return
    shape = {"Choice": ('{"', '"}'), "Succeed": ('(["', '"])'), "Fail": ('(["', '"])')}.get(node.type, ('["', '"]'))
    lines.append(f"{indent}{node_id}{shape[0]}{label}{shape[1]}")


def _mermaid_edge(edge: Edge, scope: Scope, ids: _Ids) -> str:
    target = ids(_end_key(scope)) if edge.kind == "end" else ids(edge.target)
    arrow = "-.->" if edge.kind == "catch" else "-->"
    if edge.label:
        return f'{ids(edge.source)} {arrow}|"{_mermaid_text(edge.label)}"| {target}'
    return f"{ids(edge.source)} {arrow} {target}"


def _end_key(scope: Scope) -> str:
    return f"{scope.id}#{END}"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(graph: Scope) -> str:
    """A Graphviz DOT text (``dot -Tsvg``), Parallel branches and Map bodies as clusters."""
    ids = _Ids()
    lines = ["digraph statemachine {", '  rankdir=TB;',
             '  node [shape=box, style="rounded,filled", fillcolor="#f4f6f8", fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    _dot_scope(graph, ids, lines, "  ")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_scope(scope: Scope, ids: _Ids, lines: list[str], indent: str) -> None:
    start = ids(f"{scope.id}#start")
    lines.append(f'{indent}{start} [label="", shape=circle, width=0.2, style=filled, fillcolor=black];')
    lines.append(f"{indent}{start} -> {ids(scope.start)};")
    for node in scope.nodes:
        _dot_node(node, ids, lines, indent)
    if any(edge.kind == "end" for edge in scope.edges):
        lines.append(f'{indent}{ids(_end_key(scope))} [label="", shape=doublecircle, width=0.15, style=filled, '
                     'fillcolor=black];')
    for edge in scope.edges:
        target = ids(_end_key(scope)) if edge.kind == "end" else ids(edge.target)
        attributes = []
        if edge.label:
            attributes.append(f'label="{_dot_text(edge.label)}"')
        if edge.kind == "catch":
            attributes.append("style=dashed")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"{indent}{ids(edge.source)} -> {target}{suffix};")


def _dot_node(node: Node, ids: _Ids, lines: list[str], indent: str) -> None:
    label = f"{_dot_text(node.name)}\\n{node.type}"
    node_id = ids(node.id)
    if node.scopes:
        lines.append(f"{indent}subgraph cluster_{node_id} {{")
        lines.append(f'{indent}  label="{label}"; style="rounded"; color="#8899aa";')
        # An anchor inside the cluster: the edges into and out of the state attach to it.
        lines.append(f'{indent}  {node_id} [label="{node.type}", shape=point, width=0.05];')
        for index, inner in enumerate(node.scopes):
            if node.type == "Parallel":
                lines.append(f"{indent}  subgraph cluster_{ids(inner.id)} {{")
                lines.append(f'{indent}    label="branch {index + 1}"; style=dashed;')
                _dot_scope(inner, ids, lines, indent + "    ")
                lines.append(f"{indent}  }}")
            else:
                _dot_scope(inner, ids, lines, indent + "  ")
        lines.append(f"{indent}}}")
        return
    shape = {"Choice": "diamond", "Fail": "octagon", "Succeed": "oval"}.get(node.type, "box")
    lines.append(f'{indent}{node_id} [label="{label}", shape={shape}];')
