"""Nothing a query does connects anywhere: a local listener must see no connection."""

from __future__ import annotations

import socket
import warnings
from collections.abc import Iterator

import pytest
import rdflib
import rdflib.plugins.sparql as rdflib_sparql

from mnr_graph.core.errors import InputError
from mnr_graph.core.settings import Settings
from mnr_graph.query import netguard
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.web.app import get_fastapi_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local TCP listener; a test asserts nobody connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.3)
    yield server
    server.close()


def _url(listener: socket.socket) -> str:
    return f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"


def _assert_no_connection(listener: socket.socket) -> None:
    try:
        connection, _ = listener.accept()
    except TimeoutError:
        return
    connection.close()
    pytest.fail("the listener saw a connection")


@pytest.mark.slow
def test_rdflib_refuses_service(listener: socket.socket) -> None:
    netguard.install()
    assert netguard.installed()
    query = f"SELECT * WHERE {{ SERVICE <{_url(listener)}> {{ ?s ?p ?o }} }}"
    with pytest.raises(InputError, match="SERVICE"):
        list(rdflib.Graph().query(query))
    _assert_no_connection(listener)


# rdflib's own dataset code warns about its deprecated default_context (not our code)
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
def test_rdflib_does_not_fetch_from_graphs(listener: socket.socket) -> None:
    netguard.install()
    assert rdflib_sparql.SPARQL_LOAD_GRAPHS is False
    query = f"SELECT * FROM <{_url(listener)}> WHERE {{ ?s ?p ?o }}"
    assert list(rdflib.Dataset().query(query)) == []
    _assert_no_connection(listener)


@pytest.mark.slow
def test_the_embedded_store_refuses_service(listener: socket.socket) -> None:
    store = EmbeddedStore()
    with pytest.raises(InputError, match="SERVICE"):
        store.query(f"SELECT * WHERE {{ SERVICE <{_url(listener)}> {{ ?s ?p ?o }} }}")
    with pytest.raises(InputError, match="LOAD"):
        store.update(f"LOAD <{_url(listener)}>")
    _assert_no_connection(listener)


@pytest.mark.slow
def test_the_sparql_endpoint_refuses_service(listener: socket.socket) -> None:
    app = get_fastapi_app(Settings(query_workers=1), store=EmbeddedStore())
    query = (
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{_url(listener)}> {{ ?s ?p ?o }} }} }}"
    )
    with TestClient(app) as client:
        response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400
    assert "SERVICE" in response.json()["message"]
    _assert_no_connection(listener)
