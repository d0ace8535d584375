"""SPARQL result formats (query.formats).

Negotiation per query kind and the capped result serialisers.
"""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest

from mnr_graph.core.errors import NotAcceptableError
from mnr_graph.query.formats import FORMATS, negotiate, serialize_solutions

QUERY = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o"


PARSEABLE = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "tsv": ox.QueryResultsFormat.TSV,
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """Terms of every kind: IRIs, blank nodes, plain, typed and tagged literals, odd characters."""
    s = ox.Store()
    p = ox.NamedNode("http://ex/p")
    objects: list[ox.NamedNode | ox.BlankNode | ox.Literal] = [
        ox.NamedNode("http://ex/o?a=1&b=%3C2%3E"),
        ox.BlankNode("b1"),
        ox.Literal('quote " and, comma\nnew line\ttab'),
        ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.Literal("prévention", language="fr"),
        ox.Literal("<tag> & amp"),
    ]
    for i, o in enumerate(objects):
        s.add(ox.Quad(ox.NamedNode(f"http://ex/s{i}"), p, o))
    return s


def _library_rows(store: ox.Store) -> list[tuple[str, ...]]:
    result = store.query(QUERY)
    assert isinstance(result, ox.QuerySolutions)
    return [tuple(str(t) for t in row) for row in result]


@pytest.mark.parametrize("name", sorted(PARSEABLE))
def test_serialised_results_parse_back_to_the_same_terms(store: ox.Store, name: str) -> None:
    result = store.query(QUERY)
    assert isinstance(result, ox.QuerySolutions)
    body = serialize_solutions(["s", "o"], list(result), name)
    parsed = ox.parse_query_results(body, format=PARSEABLE[name])
    assert isinstance(parsed, ox.QuerySolutions)
    assert [tuple(str(t) for t in row) for row in parsed] == _library_rows(store)


def test_csv_holds_the_plain_values(store: ox.Store) -> None:
    result = store.query(QUERY)
    assert isinstance(result, ox.QuerySolutions)
    rows = list(
        csv.reader(io.StringIO(serialize_solutions(["s", "o"], list(result), "csv").decode()))
    )
    assert rows[0] == ["s", "o"]
    assert 'quote " and, comma\nnew line\ttab' in {r[1] for r in rows[1:]}


def test_negotiation_covers_every_format_by_media_type_and_name() -> None:
    for fmt in FORMATS:
        assert negotiate(fmt.kind, fmt.media_type, None) == fmt
        assert negotiate(fmt.kind, None, fmt.name) == fmt


def test_negotiation_refuses_what_it_cannot_give() -> None:
    with pytest.raises(NotAcceptableError):
        negotiate("graph", "image/png, text/html", None)
    with pytest.raises(NotAcceptableError, match="format"):
        negotiate("results", None, "yaml")
    assert negotiate("results", "text/csv;q=0, */*;q=0.1", None).name == "json"


def test_a_client_asking_for_the_other_kind_gets_this_kinds_default() -> None:
    """Rdflib's SPARQLStore sends its results Accept header with a CONSTRUCT too."""
    assert negotiate("graph", "application/sparql-results+json", None).name == "turtle"
    assert negotiate("results", "text/turtle", None).name == "json"
    assert negotiate("graph", "*/*", "csv").name == "turtle"


def test_ask_answers_come_in_json_or_xml_only() -> None:
    assert negotiate("results", "text/tab-separated-values", None, boolean=True).name == "json"
    assert negotiate("results", "text/*, application/*", None, boolean=True).name == "json"
    assert negotiate("results", None, "xml", boolean=True).name == "xml"
