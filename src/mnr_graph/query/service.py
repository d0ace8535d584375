"""The SPARQL 1.1 Service Description of the endpoint (what ``/sparql`` answers without a query).

The prefixes a query may use without declaring them
(:data:`~mnr_graph.query.diagnostics.PREDECLARED`) are listed as SHACL prefix declarations:
``sd:Service sh:declare [ sh:prefix "mnr" ; sh:namespace "https://w3id.org/mnr-graph/def/" ]``.
Each shipped named graph carries its triple count (``sd:graph [ void:triples N ]``), and the
service points to the dataset's DCAT / VoID description (``/.well-known/void``,
:mod:`mnr_graph.query.release`) with ``rdfs:seeAlso``.

>>> from mnr_graph.query.formats import negotiate
>>> text = service_description("http://localhost/sparql", [], negotiate("graph", None, "nt"))
>>> b"http://www.w3.org/ns/sparql-service-description#Service" in text
True
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from mnr_graph.query.diagnostics import PREDECLARED
from mnr_graph.query.formats import FORMATS, ResultFormat, serialize_graph

__all__ = ["service_description"]

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ANY_URI = ox.NamedNode("http://www.w3.org/2001/XMLSchema#anyURI")
VOID_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")


def service_description(endpoint: str, graph_names: Iterable[str], fmt: ResultFormat) -> bytes:
    """A SPARQL 1.1 Service Description of the endpoint, in a graph format."""
    sd = ox.NamedNode
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, RDF_TYPE, sd(SD + "Service")),
        ox.Triple(service, sd(SD + "endpoint"), sd(endpoint)),
        ox.Triple(service, sd(SD + "supportedLanguage"), sd(SD + "SPARQL11Query")),
        ox.Triple(service, sd(SD + "feature"), sd(SD + "UnionDefaultGraph")),
        ox.Triple(
            service,
            sd(SD + "defaultEntailmentRegime"),
            sd("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(service, sd(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd(SD + "Dataset")),
        ox.Triple(dataset, sd(SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, sd(SD + "Graph")),
    ]
    triples += [
        ox.Triple(service, sd(SD + "resultFormat"), sd(FORMATS_NS + f.w3c)) for f in FORMATS
    ]
    for prefix, namespace in PREDECLARED.items():
        node = ox.BlankNode(f"prefix-{prefix}")
        triples += [
            ox.Triple(service, sd(SH + "declare"), node),
            ox.Triple(node, RDF_TYPE, sd(SH + "PrefixDeclaration")),
            ox.Triple(node, sd(SH + "prefix"), ox.Literal(prefix)),
            ox.Triple(node, sd(SH + "namespace"), ox.Literal(namespace, datatype=ANY_URI)),
        ]
    from mnr_graph.query.release import shipped_triple_counts

    counts = shipped_triple_counts()
    base = endpoint.rsplit("/", 1)[0]
    triples.append(ox.Triple(service, SEE_ALSO, sd(f"{base}/.well-known/void")))
    for i, name in enumerate(graph_names):
        node = ox.BlankNode(f"graph{i}")
        triples += [
            ox.Triple(dataset, sd(SD + "namedGraph"), node),
            ox.Triple(node, RDF_TYPE, sd(SD + "NamedGraph")),
            ox.Triple(node, sd(SD + "name"), sd(name)),
        ]
        if name in counts:
            graph = ox.BlankNode(f"graph{i}content")
            triples += [
                ox.Triple(node, sd(SD + "graph"), graph),
                ox.Triple(graph, RDF_TYPE, sd(SD + "Graph")),
                ox.Triple(graph, VOID_TRIPLES, ox.Literal(str(counts[name]), datatype=XSD_INTEGER)),
            ]
    return serialize_graph(triples, fmt.name)
