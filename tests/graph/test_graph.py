"""``statewright graph`` and the graph model (statewright/graph): nesting, edge labels, Mermaid and DOT."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from statewright.graph import build_graph, to_dot, to_mermaid
from statewright.graph.model import describe_rule

ROOT = Path(__file__).resolve().parents[2]

DEFINITION = {
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Choice", "Choices": [
            {"Variable": "$.amount", "NumericGreaterThanEquals": 100, "Next": "Both"},
            {"And": [{"Variable": "$.vip", "BooleanEquals": True}, {"Variable": "$.note", "IsPresent": True}],
             "Next": "Each"}], "Default": "Reject"},
        "Both": {"Type": "Parallel", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:b",
                                              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B2"}],
                                              "End": True},
                                        "B2": {"Type": "Pass", "End": True}}}],
            "Next": "Done"},
        "Each": {"Type": "Map", "ItemProcessor": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                 "Next": "Done"},
        "Reject": {"Type": "Fail", "Error": "Rejected"},
        "Done": {"Type": "Succeed"},
    },
}


def test_the_model_nests_branches_and_bodies_with_unique_ids() -> None:
    graph = build_graph(DEFINITION)
    nodes = {node.name: node for node in graph.nodes}
    assert [len(nodes["Both"].scopes), len(nodes["Each"].scopes)] == [2, 1]
    first, second = nodes["Both"].scopes
    assert (first.start, second.start, nodes["Each"].scopes[0].start) == ("Both/0/A", "Both/1/B", "Each/A")
    edges = {(edge.source, edge.target, edge.kind, edge.label) for edge in graph.edges}
    assert ("Check", "Both", "choice", "$.amount >= 100") in edges
    assert ("Check", "Each", "choice", "($.vip == true and $.note is present)") in edges
    assert ("Check", "Reject", "default", "Default") in edges
    assert ("Done", "(end)", "end", None) in edges
    assert ("Both/1/B", "Both/1/B2", "catch", "States.ALL") in {
        (edge.source, edge.target, edge.kind, edge.label) for edge in second.edges}


def test_rules_in_a_few_words() -> None:
    assert describe_rule({"Variable": "$.s", "StringEquals": "a\"b"}) == '$.s == "a\\"b"'
    assert describe_rule({"Not": {"Variable": "$.x", "IsNull": True}}) == "not $.x is null"
    assert describe_rule({"Variable": "$.a", "NumericLessThanPath": "$.b"}) == "$.a < $.b"
    assert describe_rule({"Condition": "{% $states.input.total > 10 %}"}) == "$states.input.total > 10"
    assert describe_rule({"Variable": "$.t", "StringMatches": "x*" * 50}).endswith("\u2026")


def test_mermaid_and_dot_texts() -> None:
    mermaid = to_mermaid(build_graph(DEFINITION))
    assert mermaid.startswith("flowchart TD\n")
    lines = [line.strip() for line in mermaid.splitlines()]
    assert sum(line.startswith("subgraph ") for line in lines) == 4  # the Parallel, its two branches, the Map
    assert lines.count("end") == 4  # each subgraph closed
    assert '-->|"$.amount #gt;= 100"|' in mermaid and "-.->|\"States.ALL\"|" in mermaid
    dot = to_dot(build_graph(DEFINITION))
    assert dot.startswith("digraph statemachine {") and dot.rstrip().endswith("}")
    assert dot.count("subgraph cluster_") == 4  # Parallel, its two branches, Map
    assert 'label="States.ALL", style=dashed' in dot
    assert dot.count("{") == dot.count("}")


def test_the_command_draws_examples_and_refuses_what_is_no_definition(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "interpreter")}
    example = ROOT / "examples" / "order-processing" / "workflow.asl.yaml"
    out = tmp_path / "graph.dot"
    done = subprocess.run([sys.executable, "-m", "statewright", "graph", str(example), "--format", "dot",
                           "-o", str(out)], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "ValidateOrder" in out.read_text()
    (tmp_path / "list.json").write_text("[1, 2]")
    refused = subprocess.run([sys.executable, "-m", "statewright", "graph", str(tmp_path / "list.json")],
                             capture_output=True, text=True, env=env, timeout=60)
    assert refused.returncode == 2 and "no States object" in refused.stderr and "Traceback" not in refused.stderr


def _rects(svg: str) -> list[tuple[str, float, float, float, float]]:
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.fromstring(svg)
    namespace = "{http://www.w3.org/2000/svg}"
    found = []
    for group in root.iter(f"{namespace}g"):
        if group.get("class") == "state":
            shape = group.find(f"{namespace}rect")
            if shape is None:  # a Choice: its diamond's bounding box
                points = [tuple(map(float, point.split(","))) for point in
                          group.find(f"{namespace}polygon").get("points").split()]  # type: ignore[union-attr]
                xs, ys = [x for x, _ in points], [y for _, y in points]
                found.append((group.get("data-state") or "", min(xs), min(ys) + 4, max(xs), max(ys) - 4))
            else:
                x, y = float(shape.get("x") or 0), float(shape.get("y") or 0)
                found.append((group.get("data-state") or "", x, y, x + float(shape.get("width") or 0),
                              y + float(shape.get("height") or 0)))
    return found


def test_the_svg_is_a_picture_of_every_state_without_overlaps() -> None:
    from statewright.graph import to_svg

    cases = ((DEFINITION, {"Check", "Both", "A", "B", "B2", "Each", "Reject", "Done"}),
             (_loop(), {"Poll", "Wait", "Ready?", "Done"}))
    for definition, expected in cases:
        svg = to_svg(build_graph(definition))
        rects = _rects(svg)  # parses: a well-formed SVG document
        assert {name.rsplit("/", 1)[-1] for name, *_ in rects} == expected
        by_id = {name: box for name, *box in rects}
        for first, (x1, y1, x2, y2) in by_id.items():
            for second, (a1, b1, a2, b2) in by_id.items():
                nested = second.startswith(first + "/") or first.startswith(second + "/")
                if first != second and not nested:
                    assert x2 <= a1 or a2 <= x1 or y2 <= b1 or b2 <= y1, (first, second)
        scopes = 1 + sum(len(node.scopes) for node in _all_nodes(build_graph(definition)))
        # every transition, and an arrow from each scope's start
        assert svg.count('class="edge ') == sum(1 for _ in _all_edges(build_graph(definition))) + scopes


def _loop() -> dict:
    return {"StartAt": "Poll", "States": {
        "Poll": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:p", "Next": "Ready?"},
        "Ready?": {"Type": "Choice", "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "Done"}],
                   "Default": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Poll"},
        "Done": {"Type": "Succeed"}}}


def _all_edges(scope):  # type: ignore[no-untyped-def]
    yield from scope.edges
    for node in scope.nodes:
        for inner in node.scopes:
            yield from _all_edges(inner)


def _all_nodes(scope):  # type: ignore[no-untyped-def]
    for node in scope.nodes:
        yield node
        for inner in node.scopes:
            yield from _all_nodes(inner)
