"""The write lock on a remote store: one writer at a time, and a dead writer's claim lapses."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyoxigraph as ox
import pytest

from mnr_graph.core.errors import BusyError
from mnr_graph.core.namespaces import MNR
from mnr_graph.submissions import lock
from mnr_graph.submissions.lock import LOCK_GRAPH, write_lock
from servers import Endpoint


@pytest.mark.slow
@pytest.mark.server
def test_the_remote_write_lock_lets_one_writer_in_at_a_time(remote_endpoint: Endpoint) -> None:
    """Writers on separate connections to one endpoint: never two inside at once."""
    inside = 0
    most = 0
    guard = threading.Lock()

    def work(_: int) -> None:
        nonlocal inside, most
        store = remote_endpoint.store()
        try:
            with write_lock(store, "XL", "2024"):
                with guard:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.05)
                with guard:
                    inside -= 1
        finally:
            store.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(work, range(12)))
    assert most == 1


@pytest.mark.server
def test_a_lapsed_claim_does_not_block_for_good(
    remote_endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that died holding the lock: its claim lapses and the next writer goes in."""
    store = remote_endpoint.store()
    try:
        lock_iri = f"<{LOCK_GRAPH}/XM/2024>"
        claim = f'{lock_iri} <{MNR.writeLock}> "dead 1.0"'
        store.update(
            f"INSERT DATA {{ GRAPH <{LOCK_GRAPH}> {{ {claim} }} }}",
            graphs=[LOCK_GRAPH],
        )
        monkeypatch.setattr(lock, "LOCK_WAIT", 5.0)
        started = time.monotonic()
        with write_lock(store, "XM", "2024"):
            pass
        assert time.monotonic() - started < 5
        assert not bool(store.query(f"ASK {{ GRAPH <{LOCK_GRAPH}> {{ {lock_iri} ?p ?o }} }}"))
    finally:
        store.close()


@pytest.mark.server
def test_a_held_lock_gets_no_second_claim(
    remote_endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a claim is held, a writer's conditional claim adds nothing: it reads one claim back.

    (Virtuoso ignored the lone ``FILTER NOT EXISTS`` the claim was made with: every try added a
    claim, read back two, and took it back again.)
    """
    store = remote_endpoint.store()
    read_back: list[int] = []
    query = store.query

    def spy(sparql: str, **kwargs: Any) -> Any:
        result = query(sparql, **kwargs)
        if "writeLock" in sparql and sparql.lstrip().startswith("SELECT"):
            assert isinstance(result, ox.QuerySolutions)
            rows = list(result)
            read_back.append(len(rows))
            return rows
        return result

    try:
        lock_iri = f"<{LOCK_GRAPH}/XN/2024>"
        held = f'{lock_iri} <{MNR.writeLock}> "alive {time.time() + 600:.3f}"'
        store.update(f"INSERT DATA {{ GRAPH <{LOCK_GRAPH}> {{ {held} }} }}", graphs=[LOCK_GRAPH])
        monkeypatch.setattr(store, "query", spy)
        monkeypatch.setattr(lock, "LOCK_WAIT", 0.3)
        with pytest.raises(BusyError), write_lock(store, "XN", "2024"):
            pass
        assert read_back
        assert set(read_back) == {1}, "only the claim held: no second one was added"
    finally:
        store.update(f"DROP SILENT GRAPH <{LOCK_GRAPH}>", graphs=[LOCK_GRAPH])
        store.close()
