"""Linked data (web.linked_data).

Every project IRI resolves by content negotiation, downloads, 404s and 406s.
"""

from __future__ import annotations

import warnings

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic

from appfactory import ASSETS, BROWSER, capability_iris, path_of
from mnr_graph.core import resources
from mnr_graph.core.namespaces import BASE, GRAPH
from mnr_graph.framework import ontology
from mnr_graph.framework.context import shipped_context
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.web import linked_data

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
}


def _project_iris(store: EmbeddedStore) -> list[str]:
    shipped = str(GRAPH)
    found = store.query(
        f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f'FILTER(STRSTARTS(STR(?s), "{BASE}") && STRSTARTS(STR(?g), "{shipped}")) }}'
    )
    assert isinstance(found, ox.QuerySolutions)
    return sorted(r["s"].value for r in found if isinstance(r["s"], ox.NamedNode))


def _own_triples(store: EmbeddedStore, iri: str) -> set[tuple[str, str, str]]:
    rows = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", substitutions={"s": ox.NamedNode(iri)})
    assert isinstance(rows, ox.QuerySolutions)
    return {(iri, str(r["p"]), str(r["o"])) for r in rows}


def _triples(data: bytes, fmt: ox.RdfFormat) -> set[tuple[str, str, str]]:
    return {(q.subject.value, str(q.predicate), str(q.object)) for q in ox.parse(data, format=fmt)}


@pytest.mark.slow
def test_every_project_iri_resolves_as_turtle(
    client: TestClient, shipped_store: EmbeddedStore
) -> None:
    iris = _project_iris(shipped_store)
    assert len(iris) > 100
    for iri in iris:
        response = client.get(path_of(iri), headers={"Accept": "text/turtle"})
        assert response.status_code == 200, iri
        assert response.headers["content-type"].startswith("text/turtle")
        got = _triples(response.content, ox.RdfFormat.TURTLE)
        own = _own_triples(shipped_store, iri)
        assert {t for t in own if not t[2].startswith("_:")} <= got, iri
        blank = [t for t in got if t[0] == iri and t[2].startswith("_:")]
        assert len(blank) == len([t for t in own if t[2].startswith("_:")]), iri


@pytest.mark.slow
def test_every_project_iri_resolves_as_html(
    client: TestClient, shipped_store: EmbeddedStore
) -> None:
    for iri in _project_iris(shipped_store):
        response = client.get(path_of(iri), headers={"Accept": "text/html"})
        assert response.status_code == 200, iri
        assert response.headers["content-type"].startswith("text/html")
        assert iri in response.text
        assert not ASSETS.search(response.text), iri


@pytest.mark.slow
def test_all_formats_give_the_same_triples(client: TestClient) -> None:
    iri = capability_iris(client)[0]
    graphs = {}
    for name, fmt in RDF_FORMATS.items():
        media = linked_data.FORMATS[name][0]
        by_accept = client.get(path_of(iri), headers={"Accept": media})
        by_param = client.get(path_of(iri), params={"format": name})
        assert by_accept.headers["content-type"].startswith(media)
        assert by_accept.headers["vary"] == "Accept"
        assert by_accept.content == by_param.content
        graph = Graph()
        graph.parse(
            data=ox.serialize(
                ox.parse(by_accept.content, format=fmt), format=ox.RdfFormat.N_TRIPLES
            ),
            format="nt",
        )
        graphs[name] = graph
    first = graphs.pop("nt")
    assert len(first) > 0
    assert all(isomorphic(g, first) for g in graphs.values())


def test_a_browser_accept_header_gets_html(client: TestClient) -> None:
    iri = capability_iris(client)[0]
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(path_of(iri), headers={"Accept": browser})
    assert response.headers["content-type"].startswith("text/html")
    assert 'rel="alternate"' in client.get(path_of(iri), headers={"Accept": "*/*"}).headers["link"]


@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_unknown_iri_is_404(client: TestClient, accept: str) -> None:
    response = client.get("/id/no-such-thing", headers={"Accept": accept})
    assert response.status_code == 404
    assert "no resource" in response.text


SHAPE_IRIS = sorted(
    {
        term.value
        for file in resources.files("shapes", "*.ttl")
        for triple in ox.parse(path=str(file), format=ox.RdfFormat.TURTLE)
        for term in (triple.subject, triple.predicate, triple.object)
        if isinstance(term, ox.NamedNode) and term.value.startswith(BASE + "shape/")
    }
)


@pytest.mark.slow
def test_every_shape_iri_resolves(client: TestClient) -> None:
    """Every IRI under shape/ in shapes/*.ttl resolves: its statements as RDF, and a page."""
    assert {BASE + "shape/S01", BASE + "shape/submission"} <= set(SHAPE_IRIS)
    shapes = Graph()
    for file in resources.files("shapes", "*.ttl"):
        shapes.parse(file, format="turtle")
    for iri in SHAPE_IRIS:
        response = client.get(path_of(iri), headers={"Accept": "text/turtle"})
        assert response.status_code == 200, iri
        served = Graph().parse(data=response.text, format="turtle")
        own = set(shapes.triples((URIRef(iri), None, None)))
        served_own = set(served.triples((URIRef(iri), None, None)))
        assert own, iri
        assert len(served_own) == len(own), iri
        named = {(p, o) for _, p, o in own if not isinstance(o, BNode)}
        assert {(p, o) for _, p, o in served_own if not isinstance(o, BNode)} == named, iri
        page = client.get(path_of(iri), headers={"Accept": BROWSER})
        assert page.status_code == 200, iri
        assert iri in page.text
    for unknown in ("/shape/S999", "/shape/"):
        assert client.get(unknown, headers={"Accept": "text/turtle"}).status_code == 404
        assert client.get(unknown, headers={"Accept": BROWSER}).status_code == 404


def test_unknown_format_is_406(client: TestClient) -> None:
    iri = capability_iris(client)[0]
    response = client.get(path_of(iri), params={"format": "pdf"})
    assert response.status_code == 406
    assert response.json()["where"] == "format"


def _some_iris(store: EmbeddedStore) -> list[str]:
    """One IRI of each space that resolves here (def, id, term, label, source, shape, data)."""
    by_space: dict[str, str] = {}
    for iri in _project_iris(store):
        by_space.setdefault(path_of(iri).split("/")[1], iri)
    return sorted(by_space.values())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
        ("text/html;q=0, text/turtle;q=0.1", "text/turtle"),
        ("application/rdf+xml;q=0.9, */*;q=0.9", "application/rdf+xml"),
        ("*/*", "text/turtle"),
        ("text/*", "text/turtle"),
        ("application/*", "application/ld+json"),
        ("image/png, application/n-triples;q=0.2", "application/n-triples"),
        ("TEXT/HTML", "text/html"),
        ("", "text/turtle"),
        ("text/turtle;q=0, */*", "application/ld+json"),
        ("text/turtle;q=0, text/*", "text/html"),
        ("application/*;q=0, text/turtle;q=0, */*", "text/html"),
        ("text/csv;q=x", "text/turtle"),
        ("application/ld+json;q=x, application/n-triples", "application/n-triples"),
    ],
)
def test_content_negotiation_for_every_kind_of_iri(
    client: TestClient, shipped_store: EmbeddedStore, accept: str, expected: str
) -> None:
    iris = _some_iris(shipped_store)
    assert len(iris) >= 5
    for iri in iris:
        response = client.get(path_of(iri), headers={"Accept": accept})
        assert response.status_code == 200, (iri, accept)
        assert response.headers["content-type"].split(";")[0] == expected, (iri, accept)
        assert response.headers["vary"] == "Accept"


@pytest.mark.parametrize(
    "accept", ["application/pdf", "image/png, text/plain", "text/html;q=0", "*/*;q=0"]
)
def test_an_accept_we_cannot_answer_is_406(
    client: TestClient, shipped_store: EmbeddedStore, accept: str
) -> None:
    for iri in _some_iris(shipped_store):
        response = client.get(path_of(iri), headers={"Accept": accept})
        assert response.status_code == 406, (iri, accept)
        assert "cannot answer" in response.json()["message"]


@pytest.mark.slow
def test_head_answers_like_get_without_a_body(
    client: TestClient, shipped_store: EmbeddedStore
) -> None:
    paths = ["/", "/framework", "/vocabulary", "/questions", "/queries", "/terms"]
    paths += [path_of(iri) for iri in _some_iris(shipped_store)]
    for path in paths:
        for accept in ("text/html", "text/turtle"):
            get = client.get(path, headers={"Accept": accept})
            head = client.head(path, headers={"Accept": accept})
            assert head.status_code == get.status_code == 200, path
            assert head.headers["content-type"] == get.headers["content-type"], path
            assert head.content == b"", path
    assert client.head("/id/no-such-thing").status_code == 404


@pytest.mark.parametrize("path", ["/id/no-such-thing", "/term/no-such-term", "/no/such/page"])
def test_unknown_is_a_404_page_for_browsers_and_json_for_tools(
    client: TestClient, path: str
) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get(path, headers={"Accept": browser})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in page.text
    for accept in ("application/json", "application/ld+json"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 404
        assert set(response.json()) == {"error", "message", "where", "detail"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("ext", "fmt"),
    [
        ("ttl", ox.RdfFormat.TURTLE),
        ("nt", ox.RdfFormat.N_TRIPLES),
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("owl", ox.RdfFormat.RDF_XML),
    ],
)
def test_downloads_hold_the_whole_graph(
    client: TestClient, shipped_graph: Graph, ext: str, fmt: ox.RdfFormat
) -> None:
    response = client.get(f"/download/mnr-graph.{ext}")
    assert response.status_code == 200
    assert f"mnr-graph.{ext}" in response.headers["content-disposition"]
    # .owl is the OWL 2 DL rendering (no owl:imports, rdfs:label beside skos:prefLabel ...)
    expected = ontology.owl_graph(shipped_graph) if ext == "owl" else shipped_graph
    assert len(list(ox.parse(response.content, format=fmt))) == len(expected)


def test_unknown_download_is_404(client: TestClient) -> None:
    assert client.get("/download/mnr-graph.pdf").status_code == 404


@pytest.mark.slow
def test_context_download(client: TestClient) -> None:
    assert client.get("/download/context.jsonld").json()["@context"] == shipped_context()


@pytest.mark.parametrize(
    "path",
    ["/id/%3E", "/id/a%20b", "/term/%00", "/source/{x}", "/data/", "/def/", "/label/x?format="],
)
@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_odd_paths_are_not_found_not_errors(client: TestClient, path: str, accept: str) -> None:
    assert client.get(path, headers={"Accept": accept}).status_code == 404


def test_a_country_page_is_at_its_key_whatever_code_names_it(client: TestClient) -> None:
    """/data/country/xa, .../FRA or .../250 name a country by another code: 303 to its key."""
    for path, key in (
        ("/data/country/xa", "/data/country/XA"),
        ("/data/country/FRA", "/data/country/FR"),
        ("/data/country/250?lang=fr", "/data/country/FR?lang=fr"),
    ):
        response = client.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, key), path
    go = client.get("/country", params={"code": "XA"}, follow_redirects=False)
    assert (go.status_code, go.headers["location"]) == (303, "/data/country/XA")
    page = client.get("/data/country/XA", headers={"Accept": "text/html"})
    assert "Country XA (illustrative)" in page.text
    assert "(demo" not in page.text
