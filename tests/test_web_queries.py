"""The named queries over HTTP (web.routes.queries).

Listed, run under the time limit, as JSON or CSV, paged.
"""

from __future__ import annotations

import csv
import io
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from appfactory import make_app
from mnr_graph.core import resources
from mnr_graph.core.settings import Settings
from mnr_graph.query import engine, workers
from mnr_graph.query import named as queries

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


QUERY_FILES = resources.files("sparql", "Q*.rq")


def _examples(q: queries.NamedQuery) -> dict[str, str]:
    return {p.name: p.example for p in q.parameters}


@pytest.mark.slow
def test_queries_are_listed_with_their_parameters(client: TestClient) -> None:
    listed = client.get("/queries").json()
    assert [q["name"] for q in listed] == list(queries.load_queries())
    for entry in listed:
        q = queries.get_query(entry["name"])
        assert [p["name"] for p in entry["parameters"]] == [p.name for p in q.parameters]
        assert entry["path"] == f"/queries/{q.name}"


@pytest.mark.slow
@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_each_query_is_an_openapi_operation(client: TestClient, path: Path) -> None:
    q = queries.get_query(path.stem)
    operation = client.get("/openapi.json").json()["paths"][f"/queries/{q.name}"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    for p in q.parameters:
        assert params[p.name]["required"] == p.required
        assert params[p.name]["schema"]["x-mnr-type"] == p.type
    assert "text/csv" in operation["responses"]["200"]["content"]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_each_query_runs_over_http(client: TestClient, path: Path) -> None:
    q = queries.get_query(path.stem)
    response = client.get(f"/queries/{q.name}", params=_examples(q))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["columns"] == [c.name for c in q.columns]
    assert body["rows"]
    store = client.app.state.store  # type: ignore[attr-defined]
    assert body["rows"] == queries.run_query(store, q.name, _examples(q)).rows


@pytest.mark.slow
def test_named_queries_run_under_the_query_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Named queries go through the same time-limited workers as /sparql: past it, a 503.

    The workers are forked after the patch, so each one runs a query that takes 30 s; the limit is
    0.5 s. (A tiny limit on a fast query would be a race the query can win.)
    """
    real_execute = engine.execute

    def slow_execute(store: Any, request: Any) -> Any:
        time.sleep(30)
        return real_execute(store, request)

    monkeypatch.setattr(workers, "execute", slow_execute)
    with TestClient(make_app(Settings(query_timeout=0.5))) as slow:
        response = slow.get("/queries/capabilities-by-domain")
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "QueryTimeoutError"
    assert response.headers["Retry-After"] == "1"  # the 0.5 s limit, in whole seconds


#: Routes that read the store, one of each kind (the capability, country and term pages run named
#: queries; /def and the IRIs describe a resource; / and /framework list the framework).
STORE_ROUTES = [
    "/queries/capability?capability=C07",
    "/capabilities",
    "/domains",
    "/outcomes",
    "/submissions",
    "/",
    "/framework",
    "/def",
    "/id/C07",
    "/id/C07?format=ttl",
    "/data/country/XA",
    "/term/child-sexual-abuse-material",
    "/questions/capability?capability=C07",
]


@pytest.mark.slow
def test_every_store_read_runs_under_the_query_time_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pages, framework JSON-LD, submissions and IRI resolution read the store through workers.

    The same time-limited workers as /sparql: with workers whose every query takes 30 s
    and a 0.5 s limit, each answers 503 (an HTML page for a page), and the event loop stays free
    meanwhile.
    """
    real_execute = engine.execute

    def slow_execute(store: Any, request: Any) -> Any:
        time.sleep(30)
        return real_execute(store, request)

    monkeypatch.setattr(workers, "execute", slow_execute)
    with TestClient(make_app(Settings(query_timeout=0.5, query_workers=2))) as slow:
        for path in STORE_ROUTES:
            response = slow.get(path)
            assert response.status_code == 503, (path, response.text[:300])
            assert response.headers["Retry-After"] == "1", path
            json_only = ("/queries", "/capabilities", "/domains", "/outcomes", "/submissions")
            if path.startswith(json_only) or "format=" in path:
                continue  # no page to ask for
            page = slow.get(path, headers={"Accept": "text/html"})
            assert page.status_code == 503, path
            assert page.headers["content-type"].startswith("text/html"), path
            assert page.headers["Retry-After"] == "1", path
            if response.headers["content-type"].startswith("text/html"):
                assert "longer than" in response.text, path
            else:
                assert response.json()["error"] == "QueryTimeoutError", path
        assert slow.get("/health").status_code == 200


@pytest.mark.parametrize("how", ["accept", "format"])
def test_query_as_csv(client: TestClient, how: str) -> None:
    q = queries.get_query("Q01")
    if how == "accept":
        response = client.get(f"/queries/{q.name}", headers={"Accept": "text/csv"})
    else:
        response = client.get(f"/queries/{q.name}", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == [c.name for c in q.columns]
    assert len(rows) == len(client.get(f"/queries/{q.name}").json()["rows"])


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/*", "text/csv"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("application/json;q=0, */*", "text/csv"),
        ("text/csv;q=0, */*", "application/json"),
        ("text/csv;q=x", "application/json"),
        ("text/csv;q=x, application/json;q=0.1, text/*;q=0.5", "text/csv"),
        ("*/*;q=0", None),
        ("text/csv;q=0, text/*", None),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", None),
    ],
)
def test_named_query_content_negotiation(
    client: TestClient, accept: str, media_type: str | None
) -> None:
    """The same reading of Accept as /sparql.

    Text/* gives CSV (the only text format), a refusal is never chosen, a malformed q-value
    drops its range; nothing allowed: 406.
    """
    response = client.get("/queries/capabilities-by-domain", headers={"Accept": accept})
    if media_type is None:
        assert response.status_code == 406, response.text
        assert response.json()["where"] == "Accept"
    else:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == media_type


def test_sparql_json_keeps_the_datatypes(client: TestClient) -> None:
    """format=sparql-json.

    The declared columns as SPARQL JSON results, typed (what mnr_graph.Client reads): a year
    stays an xsd:gYear, a count an integer.
    """
    response = client.get(
        "/queries/country-profile", params={"country": "XA", "format": "sparql-json"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    q = queries.get_query("country-profile")
    assert body["head"]["vars"] == [c.name for c in q.columns]
    first = body["results"]["bindings"][0]
    assert first["reportingYear"]["datatype"].endswith("#gYear")
    assert first["capability"]["type"] == "uri"


def test_query_by_id_alias(client: TestClient) -> None:
    by_id = client.get("/queries/Q02", params={"capability": "C07"})
    by_name = client.get("/queries/capability", params={"capability": "C07"})
    assert by_id.status_code == 200
    assert by_id.json() == by_name.json()


@pytest.mark.parametrize(
    ("url", "params", "status", "words"),
    [
        ("/queries/no-such-query", {}, 404, "unknown query"),
        ("/queries/capability", {}, 400, "needs the parameter"),
        ("/queries/capability", {"capability": "C99"}, 404, "unknown capability"),
        ("/queries/country-profile", {"country": "XQ"}, 404, "has no current submission"),
        ("/queries/country-profile", {"country": "ZQ"}, 404, "unknown country 'ZQ'"),
        ("/queries/country-profile", {"country": "X1"}, 400, "not a country code"),
        ("/queries/terms-by-band", {"band": "never"}, 404, "unknown band"),
        ("/queries/capability", {"capability": "x"}, 400, "not a valid capability"),
        ("/queries/capability", {"capability": "C01", "colour": "red"}, 400, "no parameter"),
        ("/queries/capabilities-by-domain", {"format": "xml"}, 406, "unknown format"),
    ],
)
def test_bad_query_requests(
    client: TestClient, url: str, params: dict[str, str], status: int, words: str
) -> None:
    response = client.get(url, params=params)
    assert response.status_code == status
    assert words in response.json()["detail"]


@pytest.mark.slow
def test_a_truncated_named_query_says_so_in_its_json_body_and_pages() -> None:
    """Past the result limit the JSON body says truncated and gives the next page.

    It also gives the Link header; the pages, joined, are the whole answer.
    """
    with TestClient(make_app(Settings(result_limit=5, query_workers=1))) as c:
        whole = []
        url: str | None = "/queries/capabilities-by-domain"
        while url is not None:
            response = c.get(url)
            assert response.status_code == 200, response.text
            body = response.json()
            whole += body["rows"]
            assert len(body["rows"]) <= 5
            if body["next"]:
                assert body["truncated"] is True
                assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
            url = body["next"]
        assert len(whole) == 21
        assert whole == queries.run_query(c.app.state.store, "capabilities-by-domain").rows  # type: ignore[attr-defined]


@pytest.mark.slow
def test_a_csv_answer_longer_than_the_limit_must_be_paged() -> None:
    """pandas.read_csv and SPARQLWrapper never see headers.

    A CSV past the limit is a 400 naming limit and offset, never a silently short table; asked
    for in pages, it is whole.
    """
    with TestClient(make_app(Settings(result_limit=5, query_workers=1))) as c:
        refused = c.get("/queries/capabilities-by-domain", headers={"Accept": "text/csv"})
        assert refused.status_code == 400
        assert refused.json()["where"] == "parameter 'limit'"
        assert "more than 5 rows" in refused.json()["message"]
        assert "offset" in refused.json()["message"]
        rows: list[dict[str, str]] = []
        for offset in range(0, 25, 5):
            page = c.get(
                "/queries/capabilities-by-domain",
                params={"format": "csv", "limit": 5, "offset": offset},
            )
            assert page.status_code == 200, page.text
            rows += list(csv.DictReader(io.StringIO(page.text)))
            assert ("Link" in page.headers) is (offset + 5 < 21)
        assert len(rows) == 21
        small = c.get("/queries/capability", params={"capability": "C07", "format": "csv"})
        assert small.status_code == 200, "an answer within the limit needs no paging"
        too_big = c.get("/queries/capabilities-by-domain", params={"limit": 6})
        assert too_big.status_code == 400
        assert too_big.json()["where"] == "parameter 'limit'"
