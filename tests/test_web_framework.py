"""The framework as JSON-LD over HTTP (web.routes.framework, query.documents)."""

from __future__ import annotations

import warnings
from typing import Any

import pyoxigraph as ox
import pytest

from appfactory import make_app
from mnr_graph.core.namespaces import MNR
from mnr_graph.core.settings import Settings
from mnr_graph.framework.context import shipped_context

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "cls"),
    [("/capabilities", MNR.Capability), ("/domains", MNR.Domain), ("/outcomes", MNR.Outcome)],
)
def test_framework_as_jsonld(client: TestClient, path: str, cls: Any) -> None:
    response = client.get(path)
    assert response.headers["content-type"].startswith("application/ld+json")
    doc = response.json()
    context = shipped_context()
    assert context
    assert all(doc["@context"][k] == v for k, v in context.items())
    store = client.app.state.store  # type: ignore[attr-defined]
    expected = {r["s"].value for r in store.query(f"SELECT ?s WHERE {{ ?s a <{cls}> }}")}
    quads = ox.parse(response.content, format=ox.RdfFormat.JSON_LD)
    assert {q.subject.value for q in quads} == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "cls"),
    [("/capabilities", MNR.Capability), ("/domains", MNR.Domain), ("/outcomes", MNR.Outcome)],
)
def test_framework_jsonld_is_complete_whatever_the_result_limit(path: str, cls: Any) -> None:
    """The framework bounds these documents: a result limit of 5 cuts none of them short."""
    with TestClient(make_app(Settings(result_limit=5, query_workers=1))) as c:
        response = c.get(path)
        store = c.app.state.store  # type: ignore[attr-defined]
        full = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s a <{cls}> ; ?p ?o }}")
        expected = {r["s"].value for r in store.query(f"SELECT ?s WHERE {{ ?s a <{cls}> }}")}
    assert response.status_code == 200
    assert "X-Results-Truncated" not in response.headers
    quads = list(ox.parse(response.content, format=ox.RdfFormat.JSON_LD))
    assert {q.subject.value for q in quads} == expected
    assert len(expected) > 5
    assert len({(q.subject, q.predicate, q.object) for q in quads}) == len(list(full))
