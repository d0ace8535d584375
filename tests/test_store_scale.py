"""What keeps a big store fast.

Restarts that reload nothing, workers reading a checkpoint of an on-disk store, the store's own
optimisation, and each country's current submission marked at write time (named queries read the
mark, and it always agrees with the registry's flags).
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from mnr_graph.core import resources
from mnr_graph.core.namespaces import DATA
from mnr_graph.core.settings import Settings
from mnr_graph.query.dataset import SYNC_UNION
from mnr_graph.query.named import run_query
from mnr_graph.query.protocol import QueryRequest
from mnr_graph.query.store import EmbeddedStore, build_store, data_graph
from mnr_graph.query.workers import QueryPool
from mnr_graph.submissions import current
from mnr_graph.submissions.generate import dataset_turtle
from mnr_graph.submissions.ingest import submit, withdraw

pytestmark = pytest.mark.slow  # servers, subprocesses or whole-store runs

EXAMPLE = resources.path("examples", "XA-2024-valid.ttl")

#: The current submission of every country found the way the named queries found it before the
#: marks: the latest reporting year among the submissions not flagged ``mnr:isCurrent false``.
SCAN = """PREFIX mnr: <https://w3id.org/mnr-graph/def/>
SELECT ?country ?submission WHERE {
  { SELECT ?country (MAX(STR(?anyYear)) AS ?latestYear) WHERE {
      ?anySubmission a mnr:Submission ; mnr:country ?country ; mnr:reportingYear ?anyYear .
      FILTER NOT EXISTS { ?anySubmission mnr:isCurrent false } } GROUP BY ?country }
  ?submission a mnr:Submission ; mnr:country ?country ; mnr:reportingYear ?year .
  FILTER(STR(?year) = ?latestYear)
  FILTER NOT EXISTS { ?submission mnr:isCurrent false }
}"""
MARKED = (
    "SELECT ?country ?submission WHERE "
    "{ ?country <https://w3id.org/mnr-graph/def/currentSubmission> ?submission }"
)
#: Every country's submission in force for each reporting year, found by scanning the flags.
SCAN_IN_FORCE = """PREFIX mnr: <https://w3id.org/mnr-graph/def/>
SELECT ?country ?submission WHERE {
  ?submission a mnr:Submission ; mnr:country ?country ; mnr:reportingYear ?year .
  FILTER NOT EXISTS { ?submission mnr:isCurrent false }
}"""
IN_FORCE = (
    "SELECT ?country ?submission WHERE "
    "{ ?country <https://w3id.org/mnr-graph/def/submissionInForce> ?submission }"
)


def _agree(store: EmbeddedStore) -> bool:
    """Both kinds of mark say what a scan of the registry's flags says."""
    return _pairs(store, MARKED) == _pairs(store, SCAN) and _pairs(store, IN_FORCE) == _pairs(
        store, SCAN_IN_FORCE
    )


def _pairs(store: EmbeddedStore, query: str) -> set[tuple[str, str]]:
    rows = store.query(query)
    assert isinstance(rows, ox.QuerySolutions)
    return {(str(r["country"]), str(r["submission"])) for r in rows}


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    file = tmp_path / "countries.ttl"
    file.write_text(dataset_turtle(countries=4, years=2, seed=1), encoding="utf-8")
    return file


def test_a_restart_loads_nothing_when_the_files_are_unchanged(
    tmp_path: Path, data_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(store_path=tmp_path / "store", data_files=(data_file,))
    first = build_store(settings)
    assert isinstance(first, EmbeddedStore)
    triples = len(first.ox)
    first.close()
    del first  # RocksDB's folder lock goes with the store

    loaded: list[str] = []
    original = EmbeddedStore.load_file

    def spy(self: EmbeddedStore, file: Path, graph_iri: str, *, sync: bool = True) -> bool:
        loaded.append(graph_iri)
        return original(self, file, graph_iri, sync=sync)

    monkeypatch.setattr(EmbeddedStore, "load_file", spy)
    monkeypatch.setattr(EmbeddedStore, "sync_union", lambda self: pytest.fail("rebuilt"))
    again = build_store(settings)
    assert isinstance(again, EmbeddedStore)
    assert loaded == []
    assert len(again.ox) == triples
    assert _pairs(again, MARKED) == _pairs(again, SCAN) != set()
    again.close()
    del again

    # a changed file is loaded again, and what it no longer says is gone
    monkeypatch.undo()
    data_file.write_text(dataset_turtle(countries=2, years=1, seed=1), encoding="utf-8")
    changed = build_store(settings)
    assert isinstance(changed, EmbeddedStore)
    assert len(_pairs(changed, MARKED)) == 2
    assert _pairs(changed, MARKED) == _pairs(changed, SCAN)
    assert not bool(changed.query(f"ASK {{ <{DATA}country/XC> ?p ?o }}"))
    changed.close()


def test_workers_read_a_checkpoint_of_an_on_disk_store(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.update("INSERT DATA { GRAPH <http://example.org/g> { <x:a> <x:b> 1 } }")
    first = store.snapshot_source()
    assert isinstance(first, str)
    assert store.snapshot_source() == first
    pool = QueryPool(store.snapshot_source, lambda: store.generation, size=1, timeout=10)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def ask() -> str:
        body = asyncio.run(pool.run(QueryRequest(count, "results"))).body
        return str(json.loads(body)["results"]["bindings"][0]["n"]["value"])

    try:
        assert ask() == "1"
        store.update("INSERT DATA { GRAPH <http://example.org/g> { <x:a> <x:b> 2 } }")
        assert ask() == "2"  # the worker was re-forked onto a new checkpoint
    finally:
        pool.close()
    old = ox.Store.read_only(first)
    assert len(old) == 2  # the first checkpoint still holds its generation (default + graph)
    del old
    for n in range(EmbeddedStore.SNAPSHOTS_KEPT + 2):
        store.update(f"INSERT DATA {{ GRAPH <http://example.org/g> {{ <x:a> <x:c> {n} }} }}")
        store.snapshot_source()
    kept = list((tmp_path / ".store.snapshots").iterdir())
    assert len(kept) == EmbeddedStore.SNAPSHOTS_KEPT
    assert not Path(first).exists()
    store.close()
    assert not (tmp_path / ".store.snapshots").exists()


def test_an_on_disk_store_optimises_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EmbeddedStore, "OPTIMIZE_EVERY", 3)
    monkeypatch.setattr(EmbeddedStore, "QUIET_SECONDS", 60.0)
    store = EmbeddedStore(tmp_path / "store")
    assert store._maintenance is not None
    for n in range(3):
        store.update(f"INSERT DATA {{ GRAPH <http://example.org/g> {{ <x:a> <x:b> {n} }} }}")
    timer = store._maintenance._timer
    assert timer is not None
    timer.join(timeout=30)
    assert store._maintenance.runs == 1
    assert len(store.ox) == 6  # nothing lost: three in the graph, three in the merge
    store.close()


def test_an_on_disk_store_flushes_its_log_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes do not wait for a flush; every ``FLUSH_EVERY`` writes a background thread does it."""
    monkeypatch.setattr(EmbeddedStore, "FLUSH_EVERY", 2)
    monkeypatch.setattr(EmbeddedStore, "QUIET_SECONDS", 60.0)
    store = EmbeddedStore(tmp_path / "store")
    maintenance = store._maintenance
    assert maintenance is not None
    flushed = threading.Event()
    original = maintenance.flush

    def flush() -> None:
        original()
        flushed.set()

    monkeypatch.setattr(maintenance, "flush", flush)
    store.update("INSERT DATA { GRAPH <http://example.org/g> { <x:a> <x:b> 1 } }")
    assert not flushed.is_set()
    store.update("INSERT DATA { GRAPH <http://example.org/g> { <x:a> <x:b> 2 } }")
    assert flushed.wait(timeout=30)
    assert maintenance.flushes == 1
    assert maintenance.runs == 0  # a flush, not a compaction
    store.close()


def test_a_write_that_returned_survives_a_killed_process(tmp_path: Path) -> None:
    """A write is not flushed into the store's files, but its log is replayed at the next start.

    The process is killed (SIGKILL: no close, no flush) right after ``submit`` returned.
    """
    import subprocess
    import sys

    folder = tmp_path / "store"
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from mnr_graph.query.store import EmbeddedStore\n"
        "from mnr_graph.submissions.ingest import submit\n"
        "store = EmbeddedStore.with_shipped_data(Path(sys.argv[1]))\n"
        "record = submit(store, Path(sys.argv[2]).read_bytes(), filename='XA-2024-valid.ttl')\n"
        "print(record.graph, record.submission, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(folder), str(EXAMPLE)], capture_output=True, text=True
    )
    assert run.returncode == -9, run.stderr
    graph, submission = run.stdout.split()
    reopened = EmbeddedStore(folder)
    try:
        assert graph in reopened.graph_names()
        assert (f"<{DATA['country/XA']}>", f"<{submission}>") in _pairs(reopened, MARKED)
    finally:
        reopened.close()


def test_marks_follow_submissions_and_withdrawals(data_file: Path) -> None:
    store = build_store(Settings(data_files=(data_file,)))
    assert isinstance(store, EmbeddedStore)
    assert _agree(store)
    assert len(_pairs(store, IN_FORCE)) == 8  # 4 countries x 2 years
    served = dict(_pairs(store, MARKED))[f"<{DATA}country/XA>"]
    record = submit(store, EXAMPLE.read_bytes(), filename=EXAMPLE.name, replace=True)
    pairs = _pairs(store, MARKED)
    assert _agree(store)
    # the new version is in force for its year; the version it replaced, if any, is not
    assert (f"<{DATA}country/XA>", f"<{record.submission}>") in _pairs(store, IN_FORCE)
    # XA's served submissions are of later years than the example's 2024 or not: either way the
    # mark is the registry's answer, and XA has exactly one
    assert len([p for p in pairs if p[0] == f"<{DATA}country/XA>"]) == 1
    withdraw(store, "XA", record.year, record.version)
    assert _agree(store)
    assert (f"<{DATA}country/XA>", f"<{record.submission}>") not in _pairs(store, IN_FORCE)
    assert dict(_pairs(store, MARKED))[f"<{DATA}country/XA>"] == served
    # the named queries read the marks: the profile names the marked submission
    table = run_query(store, "country-profile", {"country": "XA"})
    assert {row["submission"] for row in table.rows} == {served.strip("<>")}


def test_a_store_without_marks_gets_them_at_start(data_file: Path) -> None:
    """A store an earlier version wrote (its default graph merged, no marks)."""
    store = EmbeddedStore()
    graph = ox.NamedNode(data_graph(data_file))
    store.ox.load(path=str(data_file), format=ox.RdfFormat.TURTLE, to_graph=graph)
    store.ox.update(SYNC_UNION)
    assert not current.is_marked(store)
    current.refresh(store)
    assert current.is_marked(store)
    assert _agree(store)
    assert current.refresh_update([]) == ""


def test_a_store_marked_before_the_years_were_gets_them(data_file: Path) -> None:
    """A store with each country's current submission marked, not yet its submissions in force."""
    store = build_store(Settings(data_files=(data_file,)))
    assert isinstance(store, EmbeddedStore)
    link = "<https://w3id.org/mnr-graph/def/submissionInForce>"
    store.ox.update(  # as that store was: neither in graph/current nor in the merge
        f"DELETE WHERE {{ GRAPH <{current.CURRENT_GRAPH}> {{ ?c {link} ?s }} }} ;"
        f"DELETE WHERE {{ ?c {link} ?s }}"
    )
    assert _pairs(store, IN_FORCE) == set()
    assert not current.is_marked(store)
    current.refresh(store)
    assert current.is_marked(store)
    assert _agree(store)
