"""Every IRI constant the code uses is defined in the shipped data.

The code names IRIs through :mod:`mnr_graph.core.namespaces` (``MNR.Capability``,
``MNRID["review-unchecked"]``). This test reads every module of ``src/mnr_graph`` and checks that
each such IRI is the subject of an ``rdf:type`` triple in the shipped graph (shape IRIs: of a triple
in ``shapes/``), so a typo or a renamed class cannot go unnoticed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

import mnr_graph
from mnr_graph.core import namespaces
from mnr_graph.core.namespaces import RDF

SOURCE = Path(mnr_graph.__file__).parent
#: Our own namespaces: every IRI taken from them must be defined in ontology/*.ttl.
CHECKED = {name: getattr(namespaces, name) for name in ("MNR", "MNRID", "TERM", "SOURCE", "SHAPE")}


def _used_iris() -> list[tuple[str, str]]:
    """(where, IRI) for every ``NS.name`` / ``NS["name"]`` of a checked namespace in src/."""
    used: list[tuple[str, str]] = []
    for file in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        for node in ast.walk(tree):
            base: ast.expr | None = None
            local: str | None = None
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                base, local = node.value, node.attr
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Name)
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ):
                base, local = node.value, node.slice.value
            if isinstance(base, ast.Name) and base.id in CHECKED and local is not None:
                if local.startswith("_") or local in dir(str):
                    continue  # a str method of the Namespace, not an IRI
                iri = str(CHECKED[base.id][local])
                used.append((f"{file.name}:{getattr(node, 'lineno', 0)}", iri))
    return used


USED = _used_iris()


def test_the_code_uses_iri_constants() -> None:
    assert len(USED) > 5, "the scan finds the IRI constants used by the code"


@pytest.mark.parametrize(("where", "iri"), USED, ids=[f"{w} {i}" for w, i in USED])
def test_iri_constant_is_defined_in_the_shipped_data(
    shipped_graph: Graph, where: str, iri: str
) -> None:
    shapes = Graph()
    if iri.startswith(str(namespaces.SHAPE)):
        for file in mnr_graph.core.resources.files("shapes", "*.ttl"):
            shapes.parse(file, format="turtle")
    defined = (URIRef(iri), RDF.type, None) in shipped_graph or (URIRef(iri), None, None) in shapes
    assert defined, f"{where}: {iri} is not defined in ontology/*.ttl"


def test_ontology_iri_is_the_ontology(shipped_graph: Graph) -> None:
    assert (URIRef(namespaces.ONTOLOGY_IRI), RDF.type, namespaces.OWL.Ontology) in shipped_graph


def test_prefixes_are_namespaces() -> None:
    assert all(ns.endswith(("/", "#")) for ns in namespaces.PREFIXES.values())
    assert len(set(namespaces.PREFIXES.values())) == len(namespaces.PREFIXES)
    assert namespaces.PREFIXES["mnr"] == namespaces.ONTOLOGY_IRI + "/"
