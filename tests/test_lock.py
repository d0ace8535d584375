"""The write lock on a remote store: one writer at a time, and a dead writer's claim lapses."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from mnr_graph.core.namespaces import MNR
from mnr_graph.query.store import RemoteStore
from mnr_graph.submissions import lock
from mnr_graph.submissions.lock import LOCK_GRAPH, write_lock


@pytest.mark.slow
@pytest.mark.server
def test_the_remote_write_lock_lets_one_writer_in_at_a_time(oxigraph_url: str) -> None:
    """Writers on separate connections to one endpoint: never two inside at once."""
    inside = 0
    most = 0
    guard = threading.Lock()

    def work(_: int) -> None:
        nonlocal inside, most
        store = RemoteStore(oxigraph_url + "/query", update_endpoint=oxigraph_url + "/update")
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
    oxigraph_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that died holding the lock: its claim lapses and the next writer goes in."""
    store = RemoteStore(oxigraph_url + "/query", update_endpoint=oxigraph_url + "/update")
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
