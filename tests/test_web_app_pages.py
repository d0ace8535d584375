"""The pages of issue 11, without a browser.

Validation, SPARQL editor, charts, API explorers, static files, the one URL helper under a root
path, and the chrome's catalogue.
"""

from __future__ import annotations

import base64
import html
import io
import re
import warnings
from importlib import resources as importlib_resources

import openpyxl
import pytest
from fastapi import FastAPI

from appfactory import ASSETS, BROWSER, make_app
from mnr_graph.core import resources
from mnr_graph.query import named
from mnr_graph.web import urls
from mnr_graph.web.i18n import UI_LANGUAGES, catalogue

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

BROKEN_CSV = resources.path("examples", "XC-2024-invalid-S15-row5.csv")
HTML = {"Accept": BROWSER}


def test_every_catalogue_entry_has_each_language_and_every_key_used_exists() -> None:
    entries = catalogue()
    assert all(set(UI_LANGUAGES) <= set(texts) for texts in entries.values())
    folder = importlib_resources.files("mnr_graph.web").joinpath("templates")
    used = set()
    for item in folder.iterdir():
        used |= set(re.findall(r"""_\(["']([a-z_.]+)["']\)""", item.read_text(encoding="utf-8")))
    assert used
    assert used <= set(entries), used - set(entries)


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_the_chrome_is_in_the_pages_language(client: TestClient, lang: str) -> None:
    page = client.get("/validate", params={"lang": lang}, headers=HTML)
    assert page.status_code == 200
    assert catalogue()["validate.title"][lang] in page.text
    assert f'<html lang="{lang}">' in page.text


def test_upload_a_broken_csv_and_see_its_row(client: TestClient) -> None:
    page = client.post(
        "/validate/report",
        files={"file": (BROKEN_CSV.name, BROKEN_CSV.read_bytes(), "text/csv")},
        headers=HTML,
    )
    assert page.status_code == 200
    row = re.search(r"<h3[^>]*>Row 5</h3>(.*?)</section>", page.text, re.S)
    assert row is not None
    assert "cell C5" in row.group(1)
    assert "S15" in row.group(1)
    assert not ASSETS.search(page.text)
    carried = re.search(r'name="content" value="([^"]+)"', page.text)
    assert carried is not None
    assert base64.b64decode(carried.group(1)) == BROKEN_CSV.read_bytes()


def test_the_annotated_workbook_from_an_upload_and_from_the_report_page(
    client: TestClient,
) -> None:
    upload = client.post(
        "/validate/annotated",
        files={"file": (BROKEN_CSV.name, BROKEN_CSV.read_bytes(), "text/csv")},
    )
    carried = client.post(
        "/validate/annotated",
        data={
            "content": base64.b64encode(BROKEN_CSV.read_bytes()).decode(),
            "filename": BROKEN_CSV.name,
        },
    )
    for answer in (upload, carried):
        assert answer.status_code == 200
        assert "attachment" in answer.headers["content-disposition"]
        cell = openpyxl.load_workbook(io.BytesIO(answer.content))["submission"]["C5"]
        assert cell.comment is not None
        assert "S15" in cell.comment.text


@pytest.mark.parametrize(
    ("data", "status"),
    [({"content": "%%%", "filename": "a.csv"}, 400), ({"content": "", "filename": "a.csv"}, 400)],
)
def test_a_bad_carried_file_is_a_400(client: TestClient, data: dict[str, str], status: int) -> None:
    answer = client.post("/validate/annotated", data=data)
    assert answer.status_code == status
    assert answer.json()["where"] == "field 'content'"


def test_rdf_cannot_be_annotated_and_says_why(client: TestClient) -> None:
    ttl = resources.path("examples", "XA-2024-valid.ttl")
    answer = client.post("/validate/annotated", files={"file": (ttl.name, ttl.read_bytes())})
    assert answer.status_code == 400
    assert "CSV or XLSX" in answer.json()["message"]


def test_the_validate_api_is_unchanged(client: TestClient) -> None:
    answer = client.post("/validate", files={"file": (BROKEN_CSV.name, BROKEN_CSV.read_bytes())})
    assert answer.status_code == 200
    assert answer.json()["conforms"] is False


def test_sparql_for_a_browser_is_the_editor_and_for_a_program_the_protocol(
    client: TestClient,
) -> None:
    page = client.get("/sparql", headers=HTML)
    assert page.status_code == 200
    assert "PREFIX mnr: &lt;https://w3id.org/mnr-graph/def/&gt;" in page.text
    assert client.get("/sparql").headers["content-type"].startswith("text/turtle")
    query = "SELECT ?d WHERE { ?d a <https://w3id.org/mnr-graph/def/Domain> }"
    results = client.get("/sparql", params={"query": query}, headers=HTML)
    assert results.status_code == 200
    assert results.text.count("<tr>") == 7, "a header and the six domains"
    assert "format=csv" in results.text
    as_json = client.get("/sparql", params={"query": query, "format": "json"}, headers=HTML)
    assert len(as_json.json()["results"]["bindings"]) == 6


@pytest.mark.parametrize(
    "query", ["SELEC nothing", "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"]
)
def test_a_bad_query_on_the_page_is_a_400_with_the_editor(client: TestClient, query: str) -> None:
    page = client.get("/sparql", params={"query": query}, headers=HTML)
    assert page.status_code == 400
    assert 'role="alert"' in page.text
    assert "<textarea" in page.text


@pytest.mark.slow
def test_every_named_query_is_a_runnable_example(client: TestClient) -> None:
    for name in named.load_queries():
        page = client.get("/sparql", params={"example": name}, headers=HTML)
        text = re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S)
        assert text is not None
        ran = client.get("/sparql", params={"query": html.unescape(text.group(1))}, headers=HTML)
        assert ran.status_code == 200, (name, ran.text[-500:])


def test_the_charts_have_tables_beside_them(client: TestClient) -> None:
    page = client.get("/charts", params={"country": "XA", "other": "XB"}, headers=HTML)
    assert page.status_code == 200
    for chart in ("compared", "distribution", "heatmap"):
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page.text
        assert f'id="{chart}"' in page.text
    assert page.text.count("<table") >= 3
    country = client.get("/data/country/XA", headers=HTML)
    assert 'id="country-phases"' in country.text
    assert not ASSETS.search(country.text)


def test_the_api_explorers_load_nothing_from_elsewhere(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        assert not re.search(r'(src|href)="(https?:)?//', page.text), path
        for asset in re.findall(r'(?:src|href)="([^"]+)"', page.text):
            assert client.get(asset.replace("&amp;", "&")).status_code == 200, asset
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.content[:4] == b"\x00\x00\x01\x00"


def test_static_links_carry_the_content_hash(client: TestClient) -> None:
    page = client.get("/", headers=HTML)
    link = re.search(r'href="(/static/style\.css\?v=([0-9a-f]{12}))"', page.text)
    assert link is not None
    assert link.group(2) == urls.static_url("", "style.css").rsplit("=", 1)[1]
    assert "text/css" in client.get(link.group(1)).headers["content-type"]


@pytest.mark.slow
def test_every_link_carries_the_root_path() -> None:
    """Behind a proxy serving the app under /mnr, no page links outside /mnr."""
    app: FastAPI = make_app()
    with TestClient(app, root_path="/mnr") as client:
        for path in ("/", "/vocabulary", "/validate", "/sparql", "/charts", "/data/country/XA"):
            page = client.get("/mnr" + path, headers=HTML)
            assert page.status_code == 200, path
            links = re.findall(r'(?:href|src|action)="(/[^"]*)"', page.text)
            assert links, path
            outside = [link for link in links if not link.startswith("/mnr/")]
            assert not outside, (path, outside[:5])
