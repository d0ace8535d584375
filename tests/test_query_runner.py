"""Query runners (query.runner).

A named query or a read run through the worker pool gives what the store gives, and the runner a
store needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from mnr_graph.core import resources
from mnr_graph.core.errors import NotFoundError
from mnr_graph.core.settings import Settings
from mnr_graph.query import named
from mnr_graph.query.runner import (
    RemoteRunner,
    make_runner,
    parse_answer,
    run_named_query,
    run_read,
)
from mnr_graph.query.store import EmbeddedStore, RemoteStore
from mnr_graph.query.workers import QueryPool

QUERY_FILES = resources.files("sparql", "Q*.rq")


@pytest.fixture(scope="module")
def pool(demo_store: EmbeddedStore) -> Iterator[QueryPool]:
    runner = make_runner(demo_store, Settings(query_workers=2))
    assert isinstance(runner, QueryPool)
    yield runner
    runner.close()


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_a_named_query_through_the_workers_is_the_library_answer(
    demo_store: EmbeddedStore, pool: QueryPool, path: Path
) -> None:
    q = named.get_query(path.stem)
    values = {p.name: p.example for p in q.parameters}
    expected = named.run_query(demo_store, q.name, values, limit=3)
    table = asyncio.run(run_named_query(pool, q, values, limit=3))
    assert table.to_json() == expected.to_json()


def test_a_named_query_through_the_workers_checks_what_it_names(pool: QueryPool) -> None:
    q = named.get_query("capability")
    with pytest.raises(NotFoundError, match="C99"):
        asyncio.run(run_named_query(pool, q, {"capability": "C99"}, limit=10))


@pytest.mark.slow
def test_reads_come_back_as_the_store_gives_them(
    demo_store: EmbeddedStore, pool: QueryPool
) -> None:
    asked = asyncio.run(run_read(pool, "ASK { ?s a <https://w3id.org/mnr-graph/def/Domain> }"))
    assert bool(parse_answer(asked)) is True
    triples = parse_answer(asyncio.run(run_read(pool, "CONSTRUCT WHERE { ?s a ?c } LIMIT 4")))
    assert isinstance(triples, list)
    assert len(triples) == 4
    assert all(isinstance(t, ox.Triple) for t in triples)
    rows = parse_answer(asyncio.run(run_read(pool, "SELECT ?s WHERE { ?s ?p ?o }", limit=2)))
    assert isinstance(rows, list)
    assert len(rows) == 2


def test_a_remote_store_gets_a_remote_runner() -> None:
    store = RemoteStore("http://127.0.0.1:9/sparql", timeout=1)
    try:
        runner = make_runner(store, Settings(query_timeout=3))
        assert isinstance(runner, RemoteRunner)
        assert runner.timeout == 3
    finally:
        store.close()


@pytest.mark.parametrize("on_disk", [False, True])
def test_a_served_app_starts_its_workers_before_the_first_query(
    tmp_path: Path, on_disk: bool
) -> None:
    """``warm``: the workers (and an on-disk store's checkpoint) are ready with the app."""
    import time
    import warnings

    from mnr_graph.web.app import get_fastapi_app

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx2.*")
        from fastapi.testclient import TestClient

    settings = Settings(store_path=tmp_path / "store" if on_disk else None).validate()
    app = get_fastapi_app(settings, warm=True)
    pool = app.state.query_runner
    assert isinstance(pool, QueryPool)
    with TestClient(app) as client:
        deadline = time.monotonic() + 60
        while len(pool.pids) < pool.size and time.monotonic() < deadline:
            client.get("/health")  # no query: only the event loop turning
            time.sleep(0.05)
        assert len(pool.pids) == pool.size
        assert pool.started == pool.size
    cold = get_fastapi_app(Settings().validate())  # not warm: workers at the first query
    with TestClient(cold) as client:
        client.get("/health")
        assert cold.state.query_runner.pids == []
