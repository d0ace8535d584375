"""Shared, session-scoped fixtures: the shipped graph loaded once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from mnr_graph.core import resources
from mnr_graph.query.store import EmbeddedStore
from servers import VIRTUOSO, Endpoint, oxigraph_server, virtuoso_server

#: The app under test and its fixtures (``app``, ``client``), for the test_web_*.py modules.
pytest_plugins = ["appfactory"]

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
    from mnr_graph.query.store import shipped_graphs

    for iri, file in shipped_graphs():
        ds.graph(iri).parse(file, format="turtle")
    return ds


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``oxigraph serve`` on a free loopback port, empty at first (one per test module)."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


@pytest.fixture(scope="module")
def oxigraph_union_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``oxigraph serve --union-default-graph``, empty at first (one per test module)."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph"), union_default_graph=True) as url:
        yield url


@pytest.fixture(scope="module")
def virtuoso_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private Virtuoso Open Source on free loopback ports, empty at first (one per module).

    Skipped without ``virtuoso-t`` (Debian ``virtuoso-opensource``), except under CI, where
    ``.ci/run`` installs it and the test fails instead.
    """
    if VIRTUOSO is None:
        assert not os.environ.get("CI"), "CI runs the Virtuoso tests: .ci/run installs it"
        pytest.skip("virtuoso-t is not installed (Debian virtuoso-opensource)")
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as url:
        yield url


@pytest.fixture(scope="module", params=["oxigraph", "oxigraph_union", "virtuoso"])
def remote_endpoint(request: pytest.FixtureRequest) -> Endpoint:
    """Each real remote store in turn, empty at first.

    ``oxigraph serve``; ``oxigraph serve --union-default-graph`` (the remote store's mode for a
    store whose default graph is the union, tested where Virtuoso is not installed); Virtuoso.
    """
    url = request.getfixturevalue(f"{request.param}_url")
    if request.param == "virtuoso":
        return Endpoint.virtuoso(url)
    return Endpoint.oxigraph(url, union_default_graph=request.param == "oxigraph_union")
