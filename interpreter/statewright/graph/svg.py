"""A definition's graph as a standalone SVG picture, laid out here (no Graphviz needed).

Layout, scope by scope (a Parallel's branches and a Map's body are laid out first and drawn inside their
state's box): each state gets a rank, the length of the longest path to it from the start over the forward
transitions (a transition back to an earlier state, a loop, does not count); the states of a rank sit side
by side in the order a depth-first walk from the start meets them, ranks one under another. Transitions are
straight arrows, from the bottom of a state to the top of the next; a transition back up runs along the
right-hand side. Catch arrows are dashed and labelled with their errors, Choice arrows with their condition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from statewright.graph.model import END, Edge, Node, Scope

_CHAR = 7.0  # average width of a 12px sans-serif character
_LEAF_HEIGHT = 44.0
_RANK_GAP = 46.0
_SIDE_GAP = 28.0
_PAD = 16.0
_TITLE = 26.0
_DOT = 8.0
_LANE = 10.0

# By type only; the console colours states by what they did (a Succeed state is not green until it ran).
_FILL = {"Choice": "#fff7e0", "Fail": "#fdf1f0", "Parallel": "#f7f9fb", "Map": "#f7f9fb"}


@dataclass
class _Box:
    """A laid-out node (or the start or end dot) relative to its scope's top left."""

    x: float
    y: float
    width: float
    height: float
    node: Node | None = None
    inner: list[_Layout] = field(default_factory=list)


@dataclass
class _Layout:
    width: float
    height: float
    boxes: dict[str, _Box]
    ranks: dict[str, int]
    scope: Scope
    x: float = 0.0
    y: float = 0.0
    lanes: dict[int, float] = field(default_factory=dict)  # id(edge) -> x of its lane, for edges that skip ranks


def to_svg(graph: Scope) -> str:
    """The picture of ``graph`` as an SVG document."""
    layout = _layout(graph)
    margin = 12.0
    width, height = layout.width + 2 * margin, layout.height + 2 * margin
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
             f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#556"/></marker></defs>']
    _draw(layout, margin, margin, parts)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# --- layout ----------------------------------------------------------------------------------------------


def _layout(scope: Scope) -> _Layout:
    ranks = _ranks(scope)
    boxes: dict[str, _Box] = {}
    for node in scope.nodes:
        boxes[node.id] = _node_box(node)
    start_key, end_key = f"{scope.id}#start", f"{scope.id}#{END}"
    boxes[start_key] = _Box(0, 0, 2 * _DOT, 2 * _DOT)
    has_end = any(edge.kind == "end" for edge in scope.edges)
    last = max(ranks.values(), default=0)
    rows: dict[int, list[str]] = {-1: [start_key]}
    for node_id in _order(scope):
        rows.setdefault(ranks[node_id], []).append(node_id)
    if has_end:
        boxes[end_key] = _Box(0, 0, 2 * _DOT, 2 * _DOT)
        rows[last + 1] = [end_key]
    widths = {rank: sum(boxes[key].width for key in keys) + _SIDE_GAP * (len(keys) - 1) for rank, keys in rows.items()}
    rank_of = {key: rank for rank, keys in rows.items() for key in keys}
    long_edges = [edge for edge in scope.edges if _spans(edge, scope, rank_of) > 1]
    lanes = _LANE * len(long_edges)  # room on the left for the arrows that skip ranks
    width = max(widths.values(), default=0.0) + 2 * _PAD + _SIDE_GAP + lanes  # and on the right for loops
    y = _PAD
    for rank in sorted(rows):
        keys = rows[rank]
        row_height = max(boxes[key].height for key in keys)
        x = _PAD + lanes + (width - lanes - _SIDE_GAP - 2 * _PAD - widths[rank]) / 2
        for key in keys:
            box = boxes[key]
            box.x, box.y = x, y + (row_height - box.height) / 2
            x += box.width + _SIDE_GAP
        y += row_height + _RANK_GAP
    layout = _Layout(width, y - _RANK_GAP + _PAD, boxes, ranks, scope)
    layout.lanes = {id(edge): _PAD / 2 + _LANE * (index + 0.5) for index, edge in enumerate(long_edges)}
    return layout


def _spans(edge: Edge, scope: Scope, rank_of: dict[str, int]) -> int:
    """How many ranks a forward edge goes down (0 or less: a loop back up)."""
    target = f"{scope.id}#{END}" if edge.kind == "end" else edge.target
    if edge.source not in rank_of or target not in rank_of:
        return 0
    return rank_of[target] - rank_of[edge.source]


def _node_box(node: Node) -> _Box:
    label = max(len(node.name), len(node.type) + 2)
    if not node.scopes:
        return _Box(0, 0, max(110.0, label * _CHAR + 28), _LEAF_HEIGHT, node)
    inner = [_layout(scope) for scope in node.scopes]
    x = _PAD
    for layout in inner:
        layout.x, layout.y = x, _TITLE + _PAD / 2
        x += layout.width + _PAD
    width = max(x, label * _CHAR + 2 * _PAD)
    height = _TITLE + _PAD / 2 + max((layout.height for layout in inner), default=0.0) + _PAD / 2
    return _Box(0, 0, width, height, node, inner)


def _forward(scope: Scope) -> dict[str, list[str]]:
    known = {node.id for node in scope.nodes}
    out: dict[str, list[str]] = {node.id: [] for node in scope.nodes}
    for edge in sorted(scope.edges, key=lambda edge: edge.kind == "catch"):  # a state's own path first
        if edge.kind != "end" and edge.target in known and edge.source in out:
            out[edge.source].append(edge.target)
    return out


def _order(scope: Scope) -> list[str]:
    """States in the order a depth-first walk from the start meets them; states it never meets last."""
    out = _forward(scope)
    seen: dict[str, None] = {}  # insertion-ordered set: the walk's order, O(1) membership
    stack = [scope.start] if scope.start in out else []
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen[node_id] = None
        stack.extend(reversed([target for target in out[node_id] if target not in seen]))
    return [*seen, *(node.id for node in scope.nodes if node.id not in seen)]


def _ranks(scope: Scope) -> dict[str, int]:
    """Longest path from the start over forward transitions (back edges of a depth-first walk dropped)."""
    out = _forward(scope)
    order = _order(scope)
    back = _back_edges(scope.start, out)
    ranks = {node_id: 0 for node_id in order}
    for node_id in _topological(order, out, back):
        for target in out[node_id]:
            if (node_id, target) not in back:
                ranks[target] = max(ranks[target], ranks[node_id] + 1)
    return ranks


def _back_edges(start: str, out: dict[str, list[str]]) -> set[tuple[str, str]]:
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1: on the walk's path, 2: done
    roots = [start] + [node_id for node_id in out if node_id != start]
    for root in roots:
        if root not in out or root in state:
            continue
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            node_id, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                state[node_id] = 2
                stack.pop()
            elif state.get(target) == 1:
                back.add((node_id, target))
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(out[target])))
    return back


def _topological(order: list[str], out: dict[str, list[str]], back: set[tuple[str, str]]) -> list[str]:
    incoming = {node_id: 0 for node_id in order}
    for node_id in order:
        for target in out[node_id]:
            if (node_id, target) not in back:
                incoming[target] += 1
    ready = [node_id for node_id in order if incoming[node_id] == 0]
    result = []
    while ready:
        node_id = ready.pop(0)
        result.append(node_id)
        for target in out[node_id]:
            if (node_id, target) not in back:
                incoming[target] -= 1
                if incoming[target] == 0:
                    ready.append(target)
    return result


# --- drawing ---------------------------------------------------------------------------------------------


def _draw(layout: _Layout, left: float, top: float, parts: list[str]) -> None:
    scope = layout.scope
    parts.append(f'<g class="scope" data-scope="{escape(scope.id)}">')
    for key, box in layout.boxes.items():
        x, y = left + box.x, top + box.y
        if box.node is None:
            end = key.endswith(f"#{END}")
            radius, stroke = (_DOT - 2, 3) if end else (_DOT, 1)
            parts.append(f'<circle class="{"end" if end else "start"}" cx="{x + _DOT:.1f}" cy="{y + _DOT:.1f}" '
                         f'r="{radius:.1f}" fill="#334" stroke="#334" stroke-width="{stroke}"/>')
            continue
        _draw_node(box, x, y, parts)
    for edge in (Edge(f"{scope.id}#start", scope.start, "start"), *scope.edges):
        _draw_edge(edge, layout, left, top, parts)
    parts.append("</g>")


def _draw_node(box: _Box, x: float, y: float, parts: list[str]) -> None:
    node = box.node
    assert node is not None
    fill = _FILL.get(node.type, "#f4f6f8")
    name, kind = escape(node.name), escape(node.type)
    attributes = f'class="state" data-state="{escape(node.id)}" data-type="{kind}"'
    parts.append(f"<g {attributes}>")
    if node.type == "Choice":
        cx, cy = x + box.width / 2, y + box.height / 2
        parts.append(f'<polygon points="{x:.1f},{cy:.1f} {cx:.1f},{y - 4:.1f} {x + box.width:.1f},{cy:.1f} '
                     f'{cx:.1f},{y + box.height + 4:.1f}" fill="{fill}" stroke="#99a"/>')
    else:
        radius = 18 if node.type in ("Succeed", "Fail") else 6
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" '
                     f'rx="{radius}" fill="{fill}" stroke="#99a"/>')
    if box.inner:
        parts.append(f'<text x="{x + 10:.1f}" y="{y + 17:.1f}" font-weight="bold">{name}</text>'
                     f'<text x="{x + box.width - 10:.1f}" y="{y + 17:.1f}" text-anchor="end" fill="#667">'
                     f"{kind}</text>")
        for index, inner in enumerate(box.inner):
            if node.type == "Parallel":
                parts.append(f'<rect x="{x + inner.x:.1f}" y="{y + inner.y:.1f}" width="{inner.width:.1f}" '
                             f'height="{inner.height:.1f}" rx="4" fill="none" stroke="#bbc" stroke-dasharray="4 3"/>'
                             f'<text x="{x + inner.x + 6:.1f}" y="{y + inner.y + 12:.1f}" fill="#889" '
                             f'font-size="10">branch {index + 1}</text>')
            _draw(inner, x + inner.x, y + inner.y, parts)
    else:
        cx = x + box.width / 2
        parts.append(f'<text x="{cx:.1f}" y="{y + 19:.1f}" text-anchor="middle" font-weight="bold">{name}</text>'
                     f'<text x="{cx:.1f}" y="{y + 34:.1f}" text-anchor="middle" fill="#667" font-size="10">'
                     f"{kind}</text>")
    parts.append("</g>")


def _draw_edge(edge: Edge, layout: _Layout, left: float, top: float, parts: list[str]) -> None:
    boxes = layout.boxes
    target_key = f"{layout.scope.id}#{END}" if edge.kind == "end" else edge.target
    source, target = boxes.get(edge.source), boxes.get(target_key)
    if source is None or target is None:
        return
    x1, y1 = left + source.x + source.width / 2, top + source.y + source.height
    x2, y2 = left + target.x + target.width / 2, top + target.y
    dash = ' stroke-dasharray="5 4"' if edge.kind == "catch" else ""
    attributes = (f'class="edge {edge.kind}" data-from="{escape(edge.source)}" data-to="{escape(target_key)}" '
                  f'fill="none" stroke="#556" stroke-width="1.2" marker-end="url(#arrow)"{dash}')
    lane = layout.lanes.get(id(edge))
    if lane is not None:  # it skips ranks: down the lane on the left, not through the states between
        lane_x = left + lane
        parts.append(f'<path {attributes} d="M{x1:.1f},{y1:.1f} L{x1:.1f},{y1 + 10:.1f} L{lane_x:.1f},{y1 + 10:.1f} '
                     f'L{lane_x:.1f},{y2 - 10:.1f} L{x2:.1f},{y2 - 10:.1f} L{x2:.1f},{y2:.1f}"/>')
        label_x, label_y = lane_x, y1 + 24 + 12 * round((lane - _PAD / 2) / _LANE - 0.5)  # one line per lane
    elif y2 > y1:
        parts.append(f'<path {attributes} d="M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}"/>')
        label_x, label_y = x1 + (x2 - x1) * 0.3, y1 + (y2 - y1) * 0.3 + 4
    else:  # a loop back up: along the right-hand side of the scope
        side = left + layout.width - _SIDE_GAP / 2
        sy, ty = top + source.y + source.height / 2, top + target.y + target.height / 2
        sx, tx = left + source.x + source.width, left + target.x + target.width
        parts.append(f'<path {attributes} d="M{sx:.1f},{sy:.1f} L{side:.1f},{sy:.1f} L{side:.1f},{ty:.1f} '
                     f'L{tx:.1f},{ty:.1f}"/>')
        label_x, label_y = side, (sy + ty) / 2
    if edge.label:
        text = escape(edge.label)
        # A white halo under the text keeps it readable where it crosses a line.
        parts.append(f'<text class="edge-label" x="{label_x + 4:.1f}" y="{label_y:.1f}" fill="#445" font-size="10" '
                     f'stroke="#fff" stroke-width="3" paint-order="stroke">{text}</text>')
