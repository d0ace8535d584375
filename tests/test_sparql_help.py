"""SPARQL that helps (query.diagnostics).

Predeclared prefixes, errors that say where and how to fix them, ``format`` on /sparql, the prefixes
in the service description.
"""

from __future__ import annotations

import warnings

import pyoxigraph as ox
import pytest

from mnr_graph.core.errors import InputError
from mnr_graph.query.diagnostics import PREDECLARED, explain, predeclare
from mnr_graph.query.remote import RemoteStore
from typed import solutions

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

#: (query, where, words the message must hold)
BROKEN = [
    (
        "SELECT ?p WHERE {\n  ?p a foaf:Person }",
        "line 2, column 8",
        ["foaf:", "PREFIX foaf: <http://xmlns.com/foaf/0.1/>"],
    ),
    (
        "SELECT ?capability (COUNT(?a) AS ?n)\nWHERE { ?a mnr:assessedCapability ?capability }",
        "line 1, column 8",
        ["GROUP BY ?capability"],
    ),
    (
        "SELECT ?c ?d (AVG(?n) AS ?m) WHERE { ?c mnr:inDomain ?d ; mnr:number ?n } GROUP BY ?d",
        "line 1, column 8",
        ["?c", "GROUP BY", "SAMPLE(?c)"],
    ),
    ("SELECT ?c WHERE { ?c a mnr:Capability ", "line 1, column 39", ["'{' not closed"]),
    ("SELECT ?c WHERE { ?c ?p ?o } ORDR BY ?c", "line 1, column 36", ["did you mean ORDER"]),
    ("SELECT ?c WHERE { ?c ?p ?o . BIND(1 AS ?c) }", "line 1, column 40", ["new variable"]),
]


def _error(query: str) -> InputError:
    text, shift = predeclare(query)
    with pytest.raises(SyntaxError) as raised:
        ox.Store().query(text)
    return explain(str(raised.value), query, shift=shift)


@pytest.mark.parametrize(("query", "where", "words"), BROKEN)
def test_an_error_says_where_and_how_to_fix(query: str, where: str, words: list[str]) -> None:
    err = _error(query)
    assert err.where == where
    for word in words:
        assert word in err.message
    assert "\\u{" not in err.message
    assert "[_]" not in err.message


def test_project_prefixes_are_predeclared_but_a_query_may_redeclare_them() -> None:
    text, _ = predeclare("SELECT * WHERE { ?c a mnr:Capability ; skos:prefLabel ?l }")
    assert set(solutions(ox.Store().query(text)).variables) == {ox.Variable("c"), ox.Variable("l")}
    own = "PREFIX mnr: <http://example.org/mine/> ASK { ?c a mnr:Capability }"
    assert predeclare(own) == (own, 0)
    for name in ("mnr", "mnrid", "skos", "skosxl", "dcterms", "prov", "qb", "xsd", "rdfs", "owl"):
        assert name in PREDECLARED


def test_sparql_endpoint_answers_with_predeclared_prefixes_and_format(client: TestClient) -> None:
    query = "SELECT ?n WHERE { ?c a mnr:Capability ; skos:notation ?n } ORDER BY ?n LIMIT 2"
    for response in (
        client.get("/sparql", params={"query": query, "format": "csv"}),
        client.post("/sparql", data={"query": query, "format": "csv"}),
        client.post(
            "/sparql?format=csv",
            content=query,
            headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
        ),
    ):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert response.text.split() == ["n", "C01", "C02"]


def test_sparql_endpoint_error_body_has_the_place_and_the_hint(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "SELECT ?c (COUNT(?x) AS ?n) WHERE { ?c mnr:number ?x }"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["where"] == "line 1, column 8"
    assert "add GROUP BY ?c" in body["message"]


def test_service_description_lists_the_predeclared_prefixes(client: TestClient) -> None:
    response = client.get("/sparql", params={"format": "ntriples"})
    graph = ox.Store()
    graph.load(response.content, format=ox.RdfFormat.N_TRIPLES)
    declared = {
        r["p"].value: r["ns"].value
        for r in solutions(
            graph.query(
                "PREFIX sh: <http://www.w3.org/ns/shacl#> "
                "SELECT ?p ?ns WHERE { ?s sh:declare [ sh:prefix ?p ; sh:namespace ?ns ] }"
            )
        )
    }
    assert declared == PREDECLARED


def test_a_remote_endpoints_error_is_rewritten_too(oxigraph_url: str) -> None:
    from mnr_graph.query.engine import execute
    from mnr_graph.query.protocol import parse_request

    store = RemoteStore(f"{oxigraph_url}/query", update_endpoint=f"{oxigraph_url}/update")
    try:
        request = parse_request(
            "GET", None, [("query", "SELECT ?x WHERE {\n ?x a foaf:Person }")], b""
        )
        assert request is not None
        with pytest.raises(InputError) as raised:
            execute(store, request)
    finally:
        store.close()
    assert raised.value.where == "line 2, column 7"
    assert "PREFIX foaf:" in raised.value.message


def test_a_misspelt_term_is_named_in_a_warning(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "SELECT ?c WHERE { ?c a mnr:Capabilty }", "format": "csv"}
    )
    assert response.status_code == 200
    assert response.text.split() == ["c"], "the answer is empty"
    assert "did you mean mnr:Capability?" in response.headers["Warning"]
    fine = client.get("/sparql", params={"query": "ASK { ?c a mnr:Capability }"})
    assert "Warning" not in fine.headers


def test_the_client_warns_of_a_misspelt_term() -> None:
    from mnr_graph.client import Client, QueryWarning
    from mnr_graph.query.store import EmbeddedStore

    embedded = Client(store=EmbeddedStore.with_shipped_data())
    with pytest.warns(QueryWarning, match="did you mean mnr:inDomain"):
        embedded.sparql("SELECT ?c WHERE { ?c mnr:inDomian ?d }")
