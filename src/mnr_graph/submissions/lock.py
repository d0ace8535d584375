"""The write lock: one writer at a time for the versions of one country and year.

:func:`write_lock` is held while a version is chosen and written (or withdrawn). On the embedded
store, which one process holds (RocksDB locks its folder), it is a lock of that process. On a
remote SPARQL store, which several API replicas may share, it is claimed in the store itself: a
conditional update adds a claim only when none is there, then the claim is read back, and the
writer goes ahead only when its claim is the only one; otherwise it takes its claim back and
tries again a moment later. Any two writers thus see each other's claim, and at most one goes
ahead. A claim lapses after :data:`LOCK_LEASE` seconds, so a writer that died cannot block the
others for good.

>>> from mnr_graph.query.store import EmbeddedStore
>>> with write_lock(EmbeddedStore(), "XA", "2024"):
...     pass
"""

from __future__ import annotations

import contextlib
import random
import secrets
import time
from collections.abc import Iterator, Sequence
from urllib.parse import quote

from rdflib import Literal, URIRef

from mnr_graph.core.errors import BusyError
from mnr_graph.core.namespaces import GRAPH, MNR
from mnr_graph.submissions.registry import RegistryStore

__all__ = ["LOCK_GRAPH", "LOCK_LEASE", "LOCK_WAIT", "write_lock"]

#: The graph of write-lock claims on a remote store (empty but for the moments of a write).
LOCK_GRAPH = str(GRAPH.locks)
#: Seconds after which a claim on the write lock lapses (a writer that died holds it no longer).
LOCK_LEASE = 120.0
#: Seconds a writer waits for the write lock before the write is refused as busy (503).
LOCK_WAIT = 60.0


@contextlib.contextmanager
def write_lock(store: RegistryStore, code: str, year: str) -> Iterator[None]:
    """Hold the right to write the versions of one country and year (see the module).

    Raises :class:`~mnr_graph.core.errors.BusyError` (503) when another writer holds it longer than
    :data:`LOCK_WAIT` seconds.
    """
    local = getattr(store, "write_lock", None)
    if local is not None:  # the embedded store: one process holds it
        if not local.acquire(timeout=LOCK_WAIT):
            raise BusyError(f"another write to {code} {year} is under way: try again")
        try:
            yield
        finally:
            local.release()
        return
    lock = URIRef(f"{LOCK_GRAPH}/{quote(code, safe='')}/{quote(year, safe='')}")
    claim = _claim(store, lock, code, year)
    try:
        yield
    finally:
        _drop_claims(store, lock, [claim])


def _claim(store: RegistryStore, lock: URIRef, code: str, year: str) -> str:
    deadline = time.monotonic() + LOCK_WAIT
    delay = 0.02
    while True:
        claim = f"{secrets.token_hex(8)} {time.time() + LOCK_LEASE:.3f}"
        # claims counted, not a lone FILTER NOT EXISTS (Virtuoso 7.2 ignores that, and it drops
        # an OPTIONAL with an IRI it has not stored yet from an update's WHERE)
        store.update(
            f"INSERT {{ GRAPH <{LOCK_GRAPH}> {{ {lock.n3()} <{MNR.writeLock}> "
            f"{Literal(claim).n3()} }} }} WHERE {{ {{ SELECT (COUNT(?held) AS ?claims) WHERE {{ "
            f"GRAPH <{LOCK_GRAPH}> {{ {lock.n3()} <{MNR.writeLock}> ?held }} }} }} "
            f"FILTER(?claims = 0) }}",
            graphs=[LOCK_GRAPH],
        )
        rows = store.query(
            f"SELECT ?c WHERE {{ GRAPH <{LOCK_GRAPH}> {{ {lock.n3()} <{MNR.writeLock}> ?c }} }}"
        )
        held = [str(row["c"].value) for row in rows]
        if held == [claim]:
            return claim
        lapsed = [c for c in held if c != claim and _lapsed(c)]
        _drop_claims(store, lock, [c for c in held if c == claim] + lapsed)
        if time.monotonic() > deadline:
            raise BusyError(f"another write to {code} {year} is under way: try again")
        time.sleep(random.uniform(delay / 2, delay))  # noqa: S311 - back-off, not security
        delay = min(delay * 2, 0.5)


def _lapsed(claim: str) -> bool:
    try:
        return float(claim.rsplit(" ", 1)[-1]) < time.time()
    except ValueError:
        return True


def _drop_claims(store: RegistryStore, lock: URIRef, claims: Sequence[str]) -> None:
    if not claims:
        return
    body = "\n".join(f"{lock.n3()} <{MNR.writeLock}> {Literal(c).n3()} ." for c in claims)
    store.update(f"DELETE DATA {{ GRAPH <{LOCK_GRAPH}> {{ {body} }} }}", graphs=[LOCK_GRAPH])
