"""The API under test: the real app factory on the shipped data plus the test submissions.

Shared by the ``test_web_*.py`` modules: :func:`make_app`, the fixtures ``app`` and ``client``
(one app per test module, writes allowed with :data:`TOKEN`) and ``demo_store`` (conftest.py
registers this module as a plugin).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi import FastAPI

from mnr_graph.core import resources
from mnr_graph.core.namespaces import BASE
from mnr_graph.core.settings import Settings
from mnr_graph.query.store import EmbeddedStore, build_store
from mnr_graph.web import app as api

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

TESTS = Path(__file__).parent
SUBMISSIONS = TESTS / "data" / "queries" / "submissions.trig"
#: A valid submission (the demo's country XA).
VALID_EXAMPLE = resources.path("examples", "XA-2024-valid.ttl")
#: What a browser sends as Accept.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: What a page must not hold: an asset from elsewhere (a script, stylesheet, image not served by
#: this server at a path of its own), a frame, or anything inline a strict Content-Security-Policy
#: (no 'unsafe-inline') refuses: an inline script, a <style> block, a style="" attribute.
ASSETS = re.compile(
    r"<script(?![^>]*\bsrc=\"/(?!/))|<link\b(?![^>]*\bhref=\"/(?!/))|<img(?![^>]*\bsrc=\"/(?!/))"
    r"|<iframe|<style|\sstyle=|@import|url\(|\son[a-z]+=\"",
    re.IGNORECASE,
)
#: The bearer token of the apps of the fixtures.
TOKEN = "test-token-for-writes-0123456789abcdef"


def make_app(settings: Settings | None = None) -> FastAPI:
    """The app under test (the real factory) on the shipped data plus the test submissions."""
    store = EmbeddedStore.with_shipped_data()
    store.update(submissions_update())
    return api.get_fastapi_app(settings or Settings(), store=store)


def submissions_update() -> str:
    """One SPARQL update inserting the test submissions (TriG) into their named graphs."""
    quads = ox.parse(path=str(SUBMISSIONS), format=ox.RdfFormat.TRIG)
    body = "\n".join(
        f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads
    )
    return f"INSERT DATA {{ {body} }}"


@pytest.fixture(scope="module")
def app() -> FastAPI:
    """The app under test for one test module (writes allowed with :data:`TOKEN`)."""
    return make_app(Settings(write_token=TOKEN))


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client of :func:`app` (its lifespan runs: the query workers are closed at the end)."""
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def demo_store() -> EmbeddedStore:
    """The store ``mnr-graph serve`` (and ``query``, ``sparql``) reads without options.

    The shipped graphs and the demo. Do not write to it.
    """
    store = build_store(Settings())
    assert isinstance(store, EmbeddedStore)
    return store


def path_of(iri: str) -> str:
    """The path on the server of a project IRI."""
    return "/" + iri[len(BASE) :]


def capability_iris(client: TestClient) -> list[str]:
    """The IRIs of the framework's capabilities, as the named query lists them."""
    rows = client.get("/queries/capabilities-by-domain").json()["rows"]
    return [r["capability"] for r in rows]


def shape_example(kind: str) -> Path:
    """The first shape example of a kind (``valid``, ``invalid``) of tests/data/shapes."""
    return sorted((TESTS / "data" / "shapes").glob(f"S*-{kind}*.ttl"))[0]


def multipart_body(data: bytes, *, boundary: str = "b0undary") -> tuple[bytes, dict[str, str]]:
    """A multipart body with ``data`` as the field ``file``, and its Content-Type header."""
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.ttl"\r\n'
        "Content-Type: text/turtle\r\n\r\n"
    ).encode()
    body = head + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
