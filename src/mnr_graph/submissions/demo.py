"""The demo: the shipped valid examples, served in their own graphs and IRI space.

The examples (``examples/*-valid.*``: Turtle, JSON-LD, CSV, XLSX) show what a submission looks
like. Served as a demo they are read as a submission would be, and every IRI of the user's data
space (``https://w3id.org/mnr-graph/data/``) is moved to the demo's
(``https://w3id.org/mnr-graph/demo/``): the demo's country XA is ``demo/country/XA``, never the
``data/country/XA`` that ``mnr-graph generate`` writes or a user submits, so the two never mix.
Each example goes into ``graph/demo/<stem>``. The invalid examples are never served.

The demo is on when the server is given no data (no ``--data``, ``--store`` or remote store), or
when asked for (``--examples``); otherwise its graphs are dropped from the store, and the graphs
that earlier versions loaded the examples into (``graph/example/<stem>``) with them.

>>> [iri.rsplit("/", 1)[1] for iri, _ in demo_files()][:2]
['XA-2024-valid', 'XB-2024-valid']
>>> quads = demo_quads(demo_files()[0][1], demo_files()[0][0])
>>> any(q.subject.value.startswith(str(DEMO)) for q in quads)
True
>>> any(str(DATA) in str(q) for q in quads)
False
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from mnr_graph.core import resources
from mnr_graph.core.namespaces import DATA, DEMO, GRAPH

__all__ = [
    "DEMO_GRAPHS",
    "LEGACY_GRAPHS",
    "demo_files",
    "demo_graph_names",
    "demo_graphs",
    "demo_quads",
    "drop_update",
    "is_demo",
]

#: The graphs the demo is served in: ``graph/demo/<stem>``.
DEMO_GRAPHS = str(GRAPH["demo/"])
#: The graphs earlier versions loaded the examples into, with the user's IRIs (dropped).
LEGACY_GRAPHS = str(GRAPH["example/"])


class _Store(Protocol):
    def graph_names(self) -> list[str]: ...


def is_demo(iri: str) -> bool:
    """True for an IRI of the demo's space.

    >>> is_demo("https://w3id.org/mnr-graph/demo/country/XA")
    True
    """
    return iri.startswith(str(DEMO))


def demo_files() -> list[tuple[str, Path]]:
    """The valid examples, each with the graph it is served in."""
    return [
        (f"{DEMO_GRAPHS}{p.name.split('.')[0]}", p)
        for p in resources.files("examples", "*-valid*.*")
    ]


def _moved(iri: str) -> ox.NamedNode:
    if iri.startswith(str(DATA)):
        return ox.NamedNode(str(DEMO) + iri[len(str(DATA)) :])
    return ox.NamedNode(iri)


def demo_quads(path: Path, graph: str) -> list[ox.Quad]:
    """One example as the demo serves it.

    Read as a submission, its IRIs in the demo's space, in ``graph``.
    """
    from rdflib import BNode, URIRef

    from mnr_graph.submissions.shapes import with_inferred_types
    from mnr_graph.submissions.validation import read_input

    parsed, _cells = read_input(path.read_bytes(), filename=path.name)
    parsed = with_inferred_types(parsed)
    blanks: dict[str, ox.BlankNode] = {}

    def term(node: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(node, URIRef):
            return _moved(str(node))
        if isinstance(node, BNode):
            return blanks.setdefault(str(node), ox.BlankNode())
        text = str(node)
        language = getattr(node, "language", None)
        datatype = getattr(node, "datatype", None)
        if language:
            return ox.Literal(text, language=language)
        if datatype is not None:
            return ox.Literal(text, datatype=ox.NamedNode(str(datatype)))
        return ox.Literal(text)

    target = ox.NamedNode(graph)
    quads = []
    for s, p, o in parsed:
        subject, obj = term(s), term(o)
        assert not isinstance(subject, ox.Literal)
        quads.append(ox.Quad(subject, ox.NamedNode(str(p)), obj, target))
    return quads


def demo_graphs() -> dict[str, list[ox.Quad]]:
    """Every demo graph with its quads."""
    return {graph: demo_quads(path, graph) for graph, path in demo_files()}


def demo_graph_names(store: _Store) -> list[str]:
    """The demo's graphs in a store, and the examples' graphs of earlier versions."""
    return [g for g in store.graph_names() if g.startswith((DEMO_GRAPHS, LEGACY_GRAPHS))]


def drop_update(graphs: Iterable[str]) -> str:
    """One update that drops the given graphs (the default graph is kept in step by the store)."""
    return " ;\n".join(f"DROP SILENT GRAPH <{ox.NamedNode(g).value}>" for g in graphs)
