"""The query pool: a query past its deadline is stopped, and the others are still answered."""

from __future__ import annotations

import asyncio

import pyoxigraph as ox
import pytest

from mnr_graph.errors import InputError, QueryTimeoutError
from mnr_graph.sparql import QueryRequest
from mnr_graph.workers import QueryPool

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    for i in range(200):
        s.add(ox.Quad(ox.NamedNode(f"http://ex/{i}"), ox.NamedNode("http://ex/p"), ox.Literal(i)))
    return s


def test_a_runaway_query_is_stopped_and_its_worker_replaced(store: ox.Store) -> None:
    pool = QueryPool(lambda: store, lambda: 0, size=2, timeout=1)
    order: list[str] = []

    async def runaway() -> None:
        with pytest.raises(QueryTimeoutError):
            await pool.run(QueryRequest(RUNAWAY, "results"))
        order.append("runaway")

    async def quick() -> None:
        await asyncio.sleep(0.1)
        answer = await pool.run(QueryRequest("ASK { ?s ?p 7 }", "results"))
        assert answer.body.endswith(b"true}")
        order.append("quick")

    async def both() -> None:
        await asyncio.gather(runaway(), quick())

    try:
        asyncio.run(both())
        pids_after = set(pool.pids)
        assert len(pids_after) == 2
    finally:
        pool.close()
    assert order == ["quick", "runaway"]


def test_errors_come_back_as_the_same_error(store: ox.Store) -> None:
    pool = QueryPool(lambda: store, lambda: 0, size=1, timeout=5)
    try:
        with pytest.raises(InputError, match="syntax"):
            asyncio.run(pool.run(QueryRequest("SELECT WHERE", "results")))
    finally:
        pool.close()


def test_workers_are_reforked_after_a_write() -> None:
    data = ox.Store()
    generation = [0]
    pool = QueryPool(lambda: data, lambda: generation[0], size=1, timeout=5)

    async def ask() -> bytes:
        return (await pool.run(QueryRequest("ASK { ?s ?p ?o }", "results"))).body

    try:
        before = asyncio.run(ask())
        data.add(ox.Quad(ox.NamedNode("http://ex/a"), ox.NamedNode("http://ex/p"), ox.Literal(1)))
        generation[0] += 1
        after = asyncio.run(ask())
    finally:
        pool.close()
    assert (before.endswith(b"false}"), after.endswith(b"true}")) == (True, True)
