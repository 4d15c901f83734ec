"""A definition's graph: states as nodes, transitions as edges, Parallel branches and Map bodies nested
(``model.py``), drawn as Mermaid or Graphviz DOT (``render.py``) or laid out as SVG (``svg.py``). Pure: no
I/O; ``statewright graph`` and the console draw from the same model."""

from statewright.graph.model import Edge, Graph, Node, Scope, build_graph
from statewright.graph.render import to_dot, to_mermaid
from statewright.graph.svg import to_svg

__all__ = ["Edge", "Graph", "Node", "Scope", "build_graph", "to_dot", "to_mermaid", "to_svg"]
