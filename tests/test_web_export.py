"""``/export/assessments.csv`` and ``.json``: the tidy table over HTTP, as the library gives it."""

from __future__ import annotations

import csv
import io
import warnings

import pytest

from appfactory import make_app
from mnr_graph.core.settings import Settings
from mnr_graph.query.export import export_assessments

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


def test_csv_export_is_the_library_table(client: TestClient) -> None:
    response = client.get("/export/assessments.csv", params={"country": "XA", "lang": "fr"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    expected = export_assessments(client.app.state.store, country="XA", lang="fr")  # type: ignore[attr-defined]
    assert [r["assessment"] for r in rows] == [r["assessment"] for r in expected.rows]
    assert {r["isCurrent"] for r in rows} == {"True", "False"}, "every version, marked"


def test_json_export_filters_and_describes_its_columns(client: TestClient) -> None:
    body = client.get("/export/assessments.json", params={"year": "2024", "current": "true"}).json()
    assert all(c["description"] for c in body["columns"])
    assert body["rows"]
    assert {(r["reportingYear"], r["isCurrent"]) for r in body["rows"]} == {("2024", True)}


def test_bad_filters_are_400_saying_where(client: TestClient) -> None:
    response = client.get("/export/assessments.csv", params={"year": "twenty"})
    assert response.status_code == 400
    assert response.json()["where"] == "parameter 'year'"
    response = client.get("/export/assessments.csv", params={"contry": "XA"})
    assert response.status_code == 400
    assert "country" in response.json()["message"]


@pytest.mark.slow
def test_an_export_past_the_result_limit_is_refused_not_cut() -> None:
    with TestClient(make_app(Settings(result_limit=3))) as small:
        response = small.get("/export/assessments.csv")
    assert response.status_code == 400
    assert "filter" in response.json()["message"]
