"""The framework as JSON-LD documents (query.documents).

Every resource of a class, compacted with the shipped context, and nothing else.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from mnr_graph.core.namespaces import MNR
from mnr_graph.framework.context import shipped_context
from mnr_graph.query.documents import framework_jsonld
from mnr_graph.query.store import EmbeddedStore


@pytest.mark.parametrize("cls", [MNR.Capability, MNR.Domain, MNR.Outcome])
def test_a_document_holds_every_resource_of_its_class(
    shipped_store: EmbeddedStore, cls: object
) -> None:
    doc = framework_jsonld(shipped_store, str(cls))
    assert doc["@context"] == shipped_context()
    quads = list(ox.parse(json.dumps(doc).encode(), format=ox.RdfFormat.JSON_LD))
    subjects = {q.subject.value for q in quads}
    rows = shipped_store.query(f"SELECT ?s WHERE {{ ?s a <{cls}> }}")
    assert isinstance(rows, ox.QuerySolutions)
    assert subjects == {row["s"].value for row in rows}
    statements = shipped_store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{cls}> ; ?p ?o }}")
    assert isinstance(statements, ox.QuerySolutions)
    assert len(set(quads)) == int(next(iter(statements))["n"].value)
