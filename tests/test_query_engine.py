"""Running a query request (query.engine): capped answers that say so, in the format asked."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from mnr_graph.core.errors import InputError
from mnr_graph.query.engine import execute
from mnr_graph.query.formats import negotiate
from mnr_graph.query.protocol import QueryRequest

QUERY = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    p = ox.NamedNode("http://ex/p")
    for i in range(5):
        s.add(ox.Quad(ox.NamedNode(f"http://ex/s{i}"), p, ox.Literal(str(i))))
    return s


def test_execute_caps_rows_and_says_so(store: ox.Store) -> None:
    json_format = negotiate("results", None, "json")
    answer = execute(store, QueryRequest(QUERY, "results", format=json_format, limit=2))
    assert (answer.count, answer.capped) == (2, True)
    answer = execute(store, QueryRequest(QUERY, "results", format=json_format, limit=100))
    assert (answer.count, answer.capped) == (5, False)


def test_execute_caps_triples_and_answers_in_the_format_asked(store: ox.Store) -> None:
    ntriples = negotiate("graph", None, "ntriples")
    request = QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", "graph", format=ntriples, limit=3)
    answer = execute(store, request)
    assert (answer.media_type, answer.count, answer.capped) == ("application/n-triples", 3, True)
    assert len(list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))) == 3


def test_an_ask_asked_for_as_csv_is_answered_in_json(store: ox.Store) -> None:
    csv = negotiate("results", None, "csv")
    answer = execute(store, QueryRequest("ASK { ?s ?p ?o }", "results", format=csv))
    assert answer.media_type == "application/sparql-results+json"
    assert answer.body == b'{"head":{},"boolean":true}'


def test_execute_refuses_service_before_running(store: ox.Store) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    with pytest.raises(InputError, match="SERVICE"):
        execute(store, QueryRequest(query, "results"))
