"""Shared, session-scoped fixtures: the shipped graph loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from mnr_graph import resources
from mnr_graph.store import EmbeddedStore

TESTS = Path(__file__).parent
TEST_DATA = TESTS / "data"


@pytest.fixture(scope="session")
def shipped_graph() -> Graph:
    """Every shipped ontology/*.ttl file merged into one rdflib graph."""
    graph = Graph()
    for file in resources.files("ontology", "*.ttl"):
        graph.parse(file, format="turtle")
    return graph


@pytest.fixture(scope="session")
def shipped_store() -> EmbeddedStore:
    """An in-memory pyoxigraph store with the shipped graphs (do not write to it)."""
    return EmbeddedStore.with_shipped_data()


@pytest.fixture(scope="session")
def shipped_dataset() -> Dataset:
    """The shipped graphs as an rdflib Dataset, one named graph per file."""
    ds = Dataset()
    from mnr_graph.store import shipped_graphs

    for iri, file in shipped_graphs():
        ds.graph(iri).parse(file, format="turtle")
    return ds
