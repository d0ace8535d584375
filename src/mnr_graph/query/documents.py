"""The framework as JSON-LD documents.

Its capabilities, domains or outcomes, each with its statements, compacted with the shipped context
(the data behind ``/capabilities``, ``/domains`` and ``/outcomes``).

>>> from mnr_graph.core.namespaces import MNR
>>> from mnr_graph.query.store import EmbeddedStore
>>> doc = framework_jsonld(EmbeddedStore.with_shipped_data(), str(MNR.Domain))
>>> "@context" in doc and len(doc["@graph"]) == 6
True
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from mnr_graph.framework.context import shipped_context
from mnr_graph.query.named import QueryStore

__all__ = ["framework_jsonld"]

#: Every statement of the resources of one class (``?class`` is bound to it).
_OF_CLASS = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a ?class ; ?p ?o }"


def framework_jsonld(store: QueryStore, class_iri: str) -> dict[str, Any]:
    """Every resource of one class with its statements, as compacted JSON-LD.

    ``@context`` and ``@graph`` (a list, even of one resource).
    """
    triples = store.query(_OF_CLASS, substitutions={"class": ox.NamedNode(class_iri)})
    graph = Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    context = shipped_context()
    text = graph.serialize(format="json-ld", context=context or None, auto_compact=True)
    parsed = json.loads(text)
    doc: dict[str, Any] = {"@graph": parsed} if isinstance(parsed, list) else parsed
    if "@graph" not in doc:
        body = {k: v for k, v in doc.items() if k != "@context"}
        doc = {"@context": doc.get("@context", {}), "@graph": [body] if body else []}
    doc.setdefault("@context", context)
    return doc
