"""Linked data and web pages: IRI resolution, content negotiation, downloads, HTML pages."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import uvicorn
from fastapi import FastAPI
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic

from appfactory import make_app
from mnr_graph.core import resources
from mnr_graph.core.namespaces import BASE, GRAPH
from mnr_graph.framework import ontology
from mnr_graph.framework.context import shipped_context
from mnr_graph.query import named as queries
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.terminology import vocabulary as terminology
from mnr_graph.web import linked_data

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

TESTS = Path(__file__).parent
RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
}
ASSETS = re.compile(r"<script|<link\b|<img|<iframe|@import|url\(", re.IGNORECASE)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return make_app()


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def _project_iris(store: EmbeddedStore) -> list[str]:
    shipped = str(GRAPH)
    found = store.query(
        f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f'FILTER(STRSTARTS(STR(?s), "{BASE}") && STRSTARTS(STR(?g), "{shipped}")) }}'
    )
    assert isinstance(found, ox.QuerySolutions)
    return sorted(r["s"].value for r in found if isinstance(r["s"], ox.NamedNode))


def _path(iri: str) -> str:
    return "/" + iri[len(BASE) :]


def _own_triples(store: EmbeddedStore, iri: str) -> set[tuple[str, str, str]]:
    rows = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", substitutions={"s": ox.NamedNode(iri)})
    assert isinstance(rows, ox.QuerySolutions)
    return {(iri, str(r["p"]), str(r["o"])) for r in rows}


def _triples(data: bytes, fmt: ox.RdfFormat) -> set[tuple[str, str, str]]:
    return {(q.subject.value, str(q.predicate), str(q.object)) for q in ox.parse(data, format=fmt)}


# --- IRI resolution --------------------------------------------------------------------------


def test_every_project_iri_resolves_as_turtle(
    client: TestClient, shipped_store: EmbeddedStore
) -> None:
    iris = _project_iris(shipped_store)
    assert len(iris) > 100
    for iri in iris:
        response = client.get(_path(iri), headers={"Accept": "text/turtle"})
        assert response.status_code == 200, iri
        assert response.headers["content-type"].startswith("text/turtle")
        got = _triples(response.content, ox.RdfFormat.TURTLE)
        own = _own_triples(shipped_store, iri)
        assert {t for t in own if not t[2].startswith("_:")} <= got, iri
        blank = [t for t in got if t[0] == iri and t[2].startswith("_:")]
        assert len(blank) == len([t for t in own if t[2].startswith("_:")]), iri


def test_every_project_iri_resolves_as_html(
    client: TestClient, shipped_store: EmbeddedStore
) -> None:
    for iri in _project_iris(shipped_store):
        response = client.get(_path(iri), headers={"Accept": "text/html"})
        assert response.status_code == 200, iri
        assert response.headers["content-type"].startswith("text/html")
        assert iri in response.text
        assert not ASSETS.search(response.text), iri


def _capability_iris(client: TestClient) -> list[str]:
    rows = client.get("/queries/capabilities-by-domain").json()["rows"]
    return [r["capability"] for r in rows]


def test_all_formats_give_the_same_triples(client: TestClient) -> None:
    iri = _capability_iris(client)[0]
    graphs = {}
    for name, fmt in RDF_FORMATS.items():
        media = linked_data.FORMATS[name][0]
        by_accept = client.get(_path(iri), headers={"Accept": media})
        by_param = client.get(_path(iri), params={"format": name})
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
    iri = _capability_iris(client)[0]
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(_path(iri), headers={"Accept": browser})
    assert response.headers["content-type"].startswith("text/html")
    assert 'rel="alternate"' in client.get(_path(iri), headers={"Accept": "*/*"}).headers["link"]


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


def test_every_shape_iri_resolves(client: TestClient) -> None:
    """Every IRI under shape/ in shapes/*.ttl resolves: its statements as RDF, and a page."""
    assert {BASE + "shape/S01", BASE + "shape/submission"} <= set(SHAPE_IRIS)
    shapes = Graph()
    for file in resources.files("shapes", "*.ttl"):
        shapes.parse(file, format="turtle")
    for iri in SHAPE_IRIS:
        response = client.get(_path(iri), headers={"Accept": "text/turtle"})
        assert response.status_code == 200, iri
        served = Graph().parse(data=response.text, format="turtle")
        own = set(shapes.triples((URIRef(iri), None, None)))
        served_own = set(served.triples((URIRef(iri), None, None)))
        assert own, iri
        assert len(served_own) == len(own), iri
        named = {(p, o) for _, p, o in own if not isinstance(o, BNode)}
        assert {(p, o) for _, p, o in served_own if not isinstance(o, BNode)} == named, iri
        page = client.get(_path(iri), headers={"Accept": BROWSER})
        assert page.status_code == 200, iri
        assert iri in page.text
    for unknown in ("/shape/S999", "/shape/"):
        assert client.get(unknown, headers={"Accept": "text/turtle"}).status_code == 404
        assert client.get(unknown, headers={"Accept": BROWSER}).status_code == 404


def test_unknown_format_is_406(client: TestClient) -> None:
    iri = _capability_iris(client)[0]
    response = client.get(_path(iri), params={"format": "pdf"})
    assert response.status_code == 406
    assert response.json()["where"] == "format"


def _some_iris(store: EmbeddedStore) -> list[str]:
    """One IRI of each space that resolves here (def, id, term, label, source, shape, data)."""
    by_space: dict[str, str] = {}
    for iri in _project_iris(store):
        by_space.setdefault(_path(iri).split("/")[1], iri)
    return sorted(by_space.values())


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
        response = client.get(_path(iri), headers={"Accept": accept})
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
        response = client.get(_path(iri), headers={"Accept": accept})
        assert response.status_code == 406, (iri, accept)
        assert "cannot answer" in response.json()["message"]


def test_head_answers_like_get_without_a_body(
    client: TestClient, shipped_store: EmbeddedStore
) -> None:
    paths = ["/", "/framework", "/vocabulary", "/questions", "/queries", "/terms"]
    paths += [_path(iri) for iri in _some_iris(shipped_store)]
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


@pytest.mark.parametrize(
    "url",
    [
        "/?lang=!!",
        "/framework?lang=toolonglanguage",
        "/vocabulary?band=no-such-band",
        "/vocabulary?q=" + "x" * 201,
        "/country",
        "/country?code=1",
        "/country?code=X1",
        "/questions/capability?colour=red&capability=C01",
        "/id/C07?lang=%00",
        "/terms?limit=many",
        "/terms?offset=-1",
        "/queries/capability?capability=x",
        "/queries/country-profile?country=XA&country=XB",
        "/questions/country-profile?country=XA&country=XB",
        "/terms/child-sexual-abuse-material?lang=!!",
    ],
)
def test_bad_parameters_are_400(client: TestClient, url: str) -> None:
    for accept in ("text/html,*/*;q=0.8", "application/json"):
        response = client.get(url, headers={"Accept": accept})
        assert response.status_code == 400, (url, accept, response.text[:200])
        if not response.headers["content-type"].startswith("text/html"):
            assert response.json()["message"], url


_HREF = re.compile(r'href="([^"#]*)')


def test_every_link_of_every_page_resolves(app: FastAPI) -> None:
    """Crawl every page from / and follow every link to this server (each page once, in one
    language): none is a 4xx or 5xx. The store is swapped for one that fails on any query, so
    every page must also read the store only through the query workers."""
    import html as html_module

    class NoDirectReads:
        def __init__(self, store: EmbeddedStore) -> None:
            self.store = store

        def query(self, *args: object, **kwargs: object) -> object:
            raise AssertionError("a request read the store in the server process")

        def __getattr__(self, name: str) -> object:
            return getattr(self.store, name)

    real = app.state.store
    app.state.store = NoDirectReads(real)
    try:
        with TestClient(app) as c:
            todo, seen, pages_seen = ["/"], set(), 0
            while todo:
                url = todo.pop()
                key = re.sub(r"([?&])lang=[a-z]+&?", r"\1", url).rstrip("?&")
                if key in seen:
                    continue
                seen.add(key)
                response = c.get(url, headers={"Accept": BROWSER})
                assert response.status_code < 400, (url, response.status_code)
                if not response.headers.get("content-type", "").startswith("text/html"):
                    continue
                pages_seen += 1
                for link in _HREF.findall(response.text):
                    link = html_module.unescape(link)
                    if link.startswith("/") and not link.startswith("//"):
                        todo.append(link)
    finally:
        app.state.store = real
    assert pages_seen > 100


# --- downloads -------------------------------------------------------------------------------


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


def test_context_download(client: TestClient) -> None:
    assert client.get("/download/context.jsonld").json()["@context"] == shipped_context()


# --- pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_framework_page_lists_every_capability_in_the_language(
    client: TestClient, lang: str
) -> None:
    html = client.get("/framework", params={"lang": lang}).text
    assert f'<html lang="{lang}">' in html
    rows = client.get("/queries/capabilities-by-domain", params={"lang": lang}).json()["rows"]
    for row in rows:
        assert f'href="{_path(row["capability"])}?lang={lang}"' in html
        assert _escape(row["capabilityLabel"]) in html
        assert _escape(row["domainLabel"]) in html


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&#39;")


def test_capability_pages_show_domain_outcome_and_relations(client: TestClient) -> None:
    for iri in _capability_iris(client):
        notation = iri.rsplit("/", 1)[1]
        html = client.get(_path(iri), params={"lang": "fr"}, headers={"Accept": "text/html"}).text
        rows = client.get(
            "/queries/capability", params={"capability": notation, "lang": "fr"}
        ).json()["rows"]
        first = rows[0]
        for key in ("capabilityLabel", "domainLabel", "outcomeLabel"):
            assert _escape(first[key]) in html, (notation, key)
        for row in rows:
            if row["related"]:
                assert f'href="{_path(row["related"])}?lang=fr"' in html


def test_page_language_from_accept_language(client: TestClient) -> None:
    html = client.get("/", headers={"Accept-Language": "es-ES,es;q=0.9"}).text
    assert '<html lang="es">' in html
    assert client.get("/", params={"lang": "!!"}).status_code == 400


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("fr;q=0.2, es;q=0.8", "es"),
        ("de-DE, fr;q=0.5", "fr"),
        ("de, it", "en"),
        ("*", "en"),
    ],
)
def test_page_language_honours_q_values_and_the_languages_we_have(
    client: TestClient, accept_language: str, expected: str
) -> None:
    html = client.get("/framework", headers={"Accept-Language": accept_language}).text
    assert f'<html lang="{expected}">' in html
    assert '<html lang="en">' in client.get("/framework", params={"lang": "de"}).text


def test_country_profile_page(client: TestClient) -> None:
    rows = client.get("/queries/country-profile", params={"country": "XA"}).json()["rows"]
    response = client.get("/country", params={"code": "xa"}, follow_redirects=False)
    assert response.status_code == 303
    html = client.get(response.headers["location"], headers={"Accept": "text/html"}).text
    assert rows
    for row in rows:
        assert f'href="{_path(row["capability"])}?lang=en"' in html
    assert str(rows[0]["reportingYear"]) in html


def test_home_page(client: TestClient) -> None:
    html = client.get("/").text
    for link in ("/framework", "/vocabulary", "/questions", "/docs", "/download/mnr-graph.ttl"):
        assert f'href="{link}' in html
    assert 'value="https://w3id.org/mnr-graph/data/country/XA"' in html
    assert ">XA (illustrative)</option>" in html


def test_vocabulary_look_up_and_checker(client: TestClient) -> None:
    vocabulary = terminology.load_vocabulary()
    label = next(lab for lab in vocabulary.labels if lab.band == "avoid" and lab.lang == "en")
    html = client.get("/vocabulary", params={"q": label.text}).text
    assert _escape(label.text) in html
    assert "band-avoid" in html
    checked = client.post("/vocabulary/check", data={"text": f"A report on {label.text}."}).text
    assert "band-avoid" in checked
    assert "term(s) to reconsider" in checked
    clean = client.post("/vocabulary/check", data={"text": "A quiet day."}).text
    assert "No term to avoid" in clean
    near = client.get("/vocabulary", params={"q": label.text[:-1] + "x"}).text
    assert "Did you mean" in near or _escape(label.text) in near


def test_term_pages_show_what_each_band_was_checked_against(client: TestClient) -> None:
    """The look-up table and the term page name the review status and link its sources."""
    vocabulary = terminology.load_vocabulary()
    (label,) = [lab for lab in vocabulary.labels if (lab.text, lab.lang) == ("sextortion", "en")]
    url = vocabulary.review(label)["sources"][0]["url"]
    html = client.get("/vocabulary", params={"q": "sextortion"}).text
    assert "Checked against" in html
    assert 'class="review-contested"' in html
    assert f'href="{_escape(url)}"' in html
    page = client.get(_path(label.concept), headers={"Accept": "text/html"}).text
    assert "Checked against" in page
    assert "sources disagree" in page
    assert f'href="{_escape(url)}"' in page
    assert "Definition and editions:" in page


def test_questions_page_has_a_form_per_query(client: TestClient) -> None:
    html = client.get("/questions").text
    for q in queries.load_queries().values():
        assert f'action="/questions/{q.name}"' in html
        for p in q.parameters:
            assert f'name="{p.name}"' in html


def test_question_page_shows_the_rows(client: TestClient) -> None:
    for q in queries.load_queries().values():
        params = {p.name: p.example for p in q.parameters}
        html = client.get(f"/questions/{q.name}", params=params).text
        rows = client.get(f"/queries/{q.name}", params=params).json()["rows"]
        assert f"{len(rows)} row(s)" in html
    bad = client.get("/questions/capability", params={"capability": "C99"})
    assert bad.status_code == 404
    assert "unknown capability" in bad.text


@pytest.mark.parametrize(
    "path", ["/", "/framework", "/vocabulary?q=child", "/questions", "/data/country/XA"]
)
def test_pages_fetch_nothing_from_the_network(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert not ASSETS.search(response.text)


# --- a real browser --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.server
@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (under CI, where .ci/run installs it, this fails instead)",
)
def test_pages_render_in_headless_chromium(app: FastAPI, client: TestClient) -> None:
    assert CHROMIUM is not None, "CI runs the page test: .ci/run should have installed chromium"
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        capability = _capability_iris(client)[0]
        label = client.get(
            "/queries/capability", params={"capability": capability.rsplit("/", 1)[1]}
        ).json()["rows"][0]["capabilityLabel"]
        for path, expected in (("/", "Model National Response"), (_path(capability), label)):
            with tempfile.TemporaryDirectory() as profile:
                result = subprocess.run(
                    [
                        str(CHROMIUM),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--no-first-run",
                        f"--user-data-dir={profile}",
                        "--dump-dom",
                        f"http://127.0.0.1:{port}{path}",
                    ],
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=False,
                )
            assert result.returncode == 0, result.stderr[-2000:]
            dom = result.stdout
            assert "<main" in dom, path
            assert "<h1>" in dom, path
            assert _escape(expected) in dom, path
    finally:
        server.should_exit = True
        thread.join(timeout=10)


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


def test_a_country_without_a_current_submission_is_not_found() -> None:
    """Its page and /country are a 404 with a message (the page showed only "Error")."""
    store = EmbeddedStore.with_shipped_data()
    store.update(
        "INSERT DATA { GRAPH <https://w3id.org/mnr-graph/graph/data/x> { "
        "<https://w3id.org/mnr-graph/data/country/XQ> a <https://w3id.org/mnr-graph/def/Country> ; "
        '<https://w3id.org/mnr-graph/def/countryCode> "XQ" } }'
    )
    from mnr_graph.core.settings import Settings
    from mnr_graph.web import app as api

    with TestClient(api.get_fastapi_app(Settings(data_files=(TESTS,)), store=store)) as c:
        page = c.get("/data/country/XQ", headers={"Accept": "text/html"})
        assert page.status_code == 404
        assert "XQ has no current submission" in page.text
        go = c.get("/country", params={"code": "XQ"}, headers={"Accept": "text/html"})
        assert go.status_code == 404
        assert "no current submission" in go.text
        unknown = c.get("/country", params={"code": "ZQ"})
        assert (unknown.status_code, unknown.json()["where"]) == (404, "parameter 'code'")


def test_a_question_page_pages_and_its_csv_link_works(client: TestClient) -> None:
    page = client.get("/questions/capabilities-by-domain", params={"limit": 5})
    assert "5 row(s): rows 1 to 5, more follow" in page.text
    following = re.search(r'<a href="([^"]+)" rel="next">', page.text)
    assert following is not None
    second = client.get(following.group(1).replace("&amp;", "&"))
    assert "5 row(s): rows 6 to 10, more follow" in second.text
    csv_link = re.search(r'<a href="(/queries/[^"]+)">Download as CSV', second.text)
    assert csv_link is not None
    answer = client.get(csv_link.group(1).replace("&amp;", "&"))
    assert answer.status_code == 200
    assert len(answer.text.strip().splitlines()) == 6  # the header and the page's rows


def test_a_real_countrys_page_is_not_called_illustrative() -> None:
    """Only a user-assigned code (or the demo) is illustrative: FR's page says France (FR)."""
    from mnr_graph.core.settings import Settings
    from mnr_graph.submissions.ingest import submit
    from mnr_graph.web import app as api

    store = EmbeddedStore.with_shipped_data()
    text = resources.path("examples", "XC-2024-valid.csv").read_text().replace("XC,", "FR,")
    submit(store, text.encode(), filename="fr.csv")
    with TestClient(api.get_fastapi_app(Settings(store_path=TESTS), store=store)) as c:
        page = c.get("/data/country/FR", headers={"Accept": "text/html"}).text
        assert "<title>Country France (FR) · mnr-graph" in page
        assert "llustrative" not in page.split("<footer>")[0]
        assert ">France (FR)</option>" in c.get("/").text
