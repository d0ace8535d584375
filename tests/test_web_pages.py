"""The web pages (web.pages).

Every page and link, languages, the checker and questions, no external assets.
"""

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
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from appfactory import ASSETS, BROWSER, capability_iris, path_of
from mnr_graph.core import resources
from mnr_graph.query import named as queries
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.terminology import vocabulary as terminology

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


TESTS = Path(__file__).parent


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
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


@pytest.mark.slow
def test_every_link_of_every_page_resolves(app: FastAPI) -> None:
    """Crawl every page from / and follow every link to this server: none is a 4xx or 5xx.

    Each page once, in one language. The store is swapped for one that fails on any query, so
    every page must also read the store only through the query workers.
    """
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


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_framework_page_lists_every_capability_in_the_language(
    client: TestClient, lang: str
) -> None:
    html = client.get("/framework", params={"lang": lang}).text
    assert f'<html lang="{lang}">' in html
    rows = client.get("/queries/capabilities-by-domain", params={"lang": lang}).json()["rows"]
    for row in rows:
        assert f'href="{path_of(row["capability"])}?lang={lang}"' in html
        assert _escape(row["capabilityLabel"]) in html
        assert _escape(row["domainLabel"]) in html


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&#39;")


@pytest.mark.slow
def test_capability_pages_show_domain_outcome_and_relations(client: TestClient) -> None:
    for iri in capability_iris(client):
        notation = iri.rsplit("/", 1)[1]
        html = client.get(path_of(iri), params={"lang": "fr"}, headers={"Accept": "text/html"}).text
        rows = client.get(
            "/queries/capability", params={"capability": notation, "lang": "fr"}
        ).json()["rows"]
        first = rows[0]
        for key in ("capabilityLabel", "domainLabel", "outcomeLabel"):
            assert _escape(first[key]) in html, (notation, key)
        for row in rows:
            if row["related"]:
                assert f'href="{path_of(row["related"])}?lang=fr"' in html


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
        assert f'href="{path_of(row["capability"])}?lang=en"' in html
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
    page = client.get(path_of(label.concept), headers={"Accept": "text/html"}).text
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


@pytest.mark.slow
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
    "path",
    [
        "/",
        "/framework",
        "/vocabulary?q=child",
        "/questions",
        "/data/country/XA",
        "/charts?country=XA&other=XB",
        "/validate",
        "/sparql",
        "/docs",
        "/redoc",
    ],
)
def test_pages_fetch_nothing_from_the_network(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert not ASSETS.search(response.text)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.slow
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
        capability = capability_iris(client)[0]
        label = client.get(
            "/queries/capability", params={"capability": capability.rsplit("/", 1)[1]}
        ).json()["rows"][0]["capabilityLabel"]
        for path, expected in (("/", "Model National Response"), (path_of(capability), label)):
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


@pytest.mark.slow
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


@pytest.mark.slow
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
