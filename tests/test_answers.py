"""Answers kept between two writes: the same request on unchanged data is not run again."""

from __future__ import annotations

import asyncio

import pyoxigraph as ox
import pytest

from mnr_graph.query.answers import AnswerCache
from mnr_graph.query.engine import QueryAnswer
from mnr_graph.query.protocol import QueryRequest
from mnr_graph.query.workers import QueryPool

COUNT = QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "results")


def _answer(body: bytes) -> QueryAnswer:
    return QueryAnswer(body, "application/sparql-results+json", 1, False)


def test_the_pool_answers_a_repeated_request_from_the_cache_until_a_write() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://ex/a"), ox.NamedNode("http://ex/p"), ox.Literal(1)))
    generation = [0]
    pool = QueryPool(lambda: store, lambda: generation[0], size=1, timeout=30)

    async def ask() -> bytes:
        return (await pool.run(COUNT)).body

    try:
        first = asyncio.run(ask())
        again = asyncio.run(ask())
        assert again == first
        assert (pool.answers.hits, pool.answers.misses) == (1, 1)
        store.add(ox.Quad(ox.NamedNode("http://ex/b"), ox.NamedNode("http://ex/p"), ox.Literal(2)))
        generation[0] += 1  # what every write of the store does
        after = asyncio.run(ask())
    finally:
        pool.close()
    assert b'"1"' in first
    assert b'"2"' in after


@pytest.mark.parametrize("call", ["RAND()", "NOW()", "UUID()", "STRUUID()", "bnode()"])
def test_a_query_whose_answer_changes_between_runs_is_not_kept(call: str) -> None:
    cache = AnswerCache()
    request = QueryRequest(f"SELECT ({call} AS ?x) {{}}", "results")
    cache.put(request, 0, _answer(b"x"))
    assert cache.get(request, 0) is None


def test_an_answer_computed_before_a_write_is_not_kept_after_it() -> None:
    cache = AnswerCache()
    cache.put(COUNT, 2, _answer(b"new"))
    cache.put(QueryRequest("ASK {}", "results"), 1, _answer(b"old"))  # slower, older data
    assert cache.get(QueryRequest("ASK {}", "results"), 2) is None
    assert cache.get(COUNT, 2) == _answer(b"new")


def test_the_cache_keeps_the_most_recently_used_answers_within_its_budget() -> None:
    cache = AnswerCache(max_bytes=10, max_answer_bytes=6)
    requests = [QueryRequest(f"ASK {{ ?s ?p {n} }}", "results") for n in range(3)]
    cache.put(requests[0], 0, _answer(b"aaaa"))
    cache.put(requests[1], 0, _answer(b"bbbb"))
    assert cache.get(requests[0], 0) is not None  # now the most recently used
    cache.put(requests[2], 0, _answer(b"cccc"))  # 12 bytes: the least recently used goes
    assert cache.get(requests[1], 0) is None
    assert cache.get(requests[0], 0) is not None
    cache.put(QueryRequest("ASK {}", "results"), 0, _answer(b"too large"))
    assert cache.get(QueryRequest("ASK {}", "results"), 0) is None


def test_an_answer_cache_of_zero_runs_every_query() -> None:
    """``--answer-cache 0`` (or ``MNR_GRAPH_ANSWER_CACHE_MB=0``): nothing is kept."""
    from mnr_graph.core.settings import Settings
    from mnr_graph.query.runner import make_runner
    from mnr_graph.query.store import EmbeddedStore

    settings = Settings.from_env({"MNR_GRAPH_ANSWER_CACHE_MB": "0"}).validate()
    pool = make_runner(EmbeddedStore(), settings)
    assert isinstance(pool, QueryPool)

    async def twice() -> None:
        await pool.run(COUNT)
        await pool.run(COUNT)

    try:
        asyncio.run(twice())
    finally:
        pool.close()
    assert (pool.answers.hits, pool.answers.misses) == (0, 2)
