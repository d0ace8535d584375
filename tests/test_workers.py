"""The query pool: a query past its deadline is stopped, and the others are still answered."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest

from mnr_graph.core.errors import InputError, QueryTimeoutError
from mnr_graph.query.protocol import QueryRequest
from mnr_graph.query.workers import QueryPool

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    for i in range(200):
        s.add(ox.Quad(ox.NamedNode(f"http://ex/{i}"), ox.NamedNode("http://ex/p"), ox.Literal(i)))
    return s


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_workers_end_when_the_server_process_is_killed() -> None:
    """Killed with SIGKILL (no clean-up runs), the server leaves no worker behind."""
    script = (
        "import asyncio, os, sys, pyoxigraph as ox\n"
        "from mnr_graph.query.protocol import QueryRequest\n"
        "from mnr_graph.query.workers import QueryPool\n"
        "pool = QueryPool(ox.Store, lambda: 0, size=3, timeout=30)\n"
        "asyncio.run(pool.run(QueryRequest('ASK {}', 'results')))\n"
        "print(' '.join(map(str, pool.pids)), flush=True)\n"
        "sys.stdin.read()\n"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    pids = [int(p) for p in server.stdout.readline().split()]
    assert len(pids) == 3
    assert all(_alive(pid) for pid in pids)
    server.kill()
    server.wait()
    for _ in range(200):  # the kernel signals the workers at once; allow for a slow machine
        if not any(_alive(pid) for pid in pids):
            break
        time.sleep(0.05)
    left = [pid for pid in pids if _alive(pid)]
    for pid in left:  # do not leave them behind when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left
    assert server.stdin is not None
    server.stdin.close()
    server.stdout.close()


def _alive(pid: int) -> bool:
    """True if the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow
def test_a_query_past_the_memory_cap_is_stopped_and_the_pool_goes_on() -> None:
    """Sorting a cross product of 3000 triples needs gigabytes: stopped at 128 MB, not at 30 s."""
    big = ox.Store()
    p = ox.NamedNode("http://ex/p")
    big.extend(ox.Quad(ox.NamedNode(f"http://ex/{i}"), p, ox.Literal(i)) for i in range(3000))
    pool = QueryPool(lambda: big, lambda: 0, size=2, timeout=30, memory_mb=128)
    hungry = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"

    async def both() -> bytes:
        with pytest.raises(QueryTimeoutError, match="128 MB memory limit"):
            await pool.run(QueryRequest(hungry, "results"))
        return (await pool.run(QueryRequest("ASK { ?s ?p 7 }", "results"))).body

    try:
        assert json.loads(asyncio.run(both()))["boolean"] is True
    finally:
        pool.close()


@pytest.mark.slow
def test_the_time_limit_counts_the_wait_for_a_worker(store: ox.Store) -> None:
    """With one worker, a runaway queued behind another runaway is stopped at its own deadline.

    Its deadline counts its wait: it is not stopped after a full limit of its own once it gets the
    worker.
    """
    timeout = 1.5
    pool = QueryPool(lambda: store, lambda: 0, size=1, timeout=timeout)
    took: dict[str, float] = {}
    messages: dict[str, str] = {}

    async def runaway(name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        started = time.monotonic()
        with pytest.raises(QueryTimeoutError) as stopped:
            await pool.run(QueryRequest(RUNAWAY, "results"))
        took[name] = time.monotonic() - started
        messages[name] = stopped.value.message

    async def both() -> None:
        await asyncio.gather(runaway("first", 0), runaway("queued", 0.5))

    try:
        asyncio.run(both())
    finally:
        pool.close()
    assert took["first"] < timeout + 1.0
    assert took["queued"] < timeout + 0.5  # without the wait counted: about 2.5 s
    assert "waiting for a free worker" in messages["queued"]
    assert "longer than" in messages["queued"]


@pytest.mark.parametrize(("threshold", "replaced"), [(-1, True), (1 << 20, False)])
def test_a_worker_that_holds_private_memory_is_replaced_after_answering(
    store: ox.Store, monkeypatch: pytest.MonkeyPatch, threshold: int, replaced: bool
) -> None:
    """A worker whose pages stopped being shared with the server hands over to a fresh fork.

    The threshold is set below anything (every answer retires the worker) or above anything.
    """
    from mnr_graph.query import workers

    monkeypatch.setattr(workers, "RETIRE_PRIVATE_MB", threshold)  # forked workers inherit it
    pool = QueryPool(lambda: store, lambda: 0, size=1, timeout=30)

    async def two_queries() -> tuple[list[int], list[int], list[bytes]]:
        seen: list[list[int]] = []
        bodies = []
        for value in (7, 700):
            answer = await pool.run(QueryRequest(f"ASK {{ ?s ?p {value} }}", "results"))
            bodies.append(answer.body)
            seen.append(list(pool.pids))
        return seen[0], seen[1], bodies

    try:
        first, second, bodies = asyncio.run(two_queries())
    finally:
        pool.close()
    assert bodies[0].endswith(b"true}")
    assert bodies[1].endswith(b"false}")
    assert len(first) == len(second) == 1
    assert (first != second) is replaced
