"""The app factory (web.app).

Its routers, CORS by the settings, and a remote store with its --data files pushed first.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from appfactory import make_app
from mnr_graph import cli
from mnr_graph.core.errors import InputError
from mnr_graph.core.settings import Settings
from mnr_graph.query.store import build_store, data_graph
from mnr_graph.web import app as api
from servers import Endpoint

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


def _ask(url: str, query: str) -> bool:
    response = httpx.post(
        url + "/query",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    return bool(response.json()["boolean"])


@pytest.mark.slow
@pytest.mark.server
def test_serve_data_with_a_remote_endpoint_pushes_each_file_to_its_graph(
    remote_endpoint: Endpoint, tmp_path: Path
) -> None:
    data = tmp_path / "generated.ttl"
    with pytest.raises(SystemExit) as generated:
        cli.main(["generate", "--countries", "2", "-o", str(data)])
    assert generated.value.code == 0
    settings = Settings(
        sparql_endpoint=remote_endpoint.query,
        update_endpoint=remote_endpoint.update,
        union_default_graph=remote_endpoint.union_default_graph,
        data_files=(data,),
    )
    graph = data_graph(data)
    expected = len(list(ox.parse(path=str(data), format=ox.RdfFormat.TURTLE)))
    with TestClient(api.get_fastapi_app(settings)) as c:
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        response = c.get("/sparql", params={"query": count}, headers={"Accept": "text/csv"})
        assert response.status_code == 200, response.text
        assert int(response.text.split()[1]) == expected
        names = c.get("/sparql", headers={"Accept": "application/n-triples"}).text
        assert f"<{graph}>" in names


@pytest.mark.server
def test_serve_data_with_a_remote_endpoint_needs_a_way_to_write(
    oxigraph_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "refused.ttl"
    data.write_text(
        "<https://w3id.org/mnr-graph/data/x> a <https://w3id.org/mnr-graph/def/Country> ."
    )
    with pytest.raises(SystemExit) as refused:
        cli.main(["serve", "--sparql-endpoint", oxigraph_url + "/query", "--data", str(data)])
    assert refused.value.code == 2
    assert "--update-endpoint" in capsys.readouterr().err
    assert not _ask(oxigraph_url, f"ASK {{ GRAPH <{data_graph(data)}> {{ ?s ?p ?o }} }}")


@pytest.mark.server
def test_serve_data_with_a_remote_endpoint_sends_nothing_if_a_file_is_bad(
    oxigraph_url: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.ttl"
    good.write_text(
        "<https://w3id.org/mnr-graph/data/g> a <https://w3id.org/mnr-graph/def/Country> ."
    )
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://w3id.org/mnr-graph/data/b> a .\n")
    settings = Settings(
        sparql_endpoint=oxigraph_url + "/query",
        update_endpoint=oxigraph_url + "/update",
        data_files=(good, bad),
    )
    with pytest.raises(InputError) as error:
        build_store(settings)
    assert str(bad) in str(error.value)
    assert not _ask(oxigraph_url, f"ASK {{ GRAPH <{data_graph(good)}> {{ ?s ?p ?o }} }}")


@pytest.mark.slow
def test_the_app_includes_every_router(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/health", "/sparql", "/queries", "/terms", "/check", "/validate"):
        assert path in paths, path
    for path in ("/submissions", "/capabilities", "/", "/vocabulary", "/questions", "/def"):
        assert path in paths, path


@pytest.mark.slow
def test_cors_follows_the_settings() -> None:
    origin = "https://yasgui.example"
    with TestClient(make_app(Settings(cors_origins=(origin,)))) as client:
        allowed = client.get("/health", headers={"Origin": origin})
        other = client.get("/health", headers={"Origin": "https://other.example"})
    with TestClient(make_app(Settings())) as client:
        off = client.get("/health", headers={"Origin": origin})
    assert allowed.headers["access-control-allow-origin"] == origin
    assert "access-control-allow-origin" not in other.headers
    assert "access-control-allow-origin" not in off.headers
