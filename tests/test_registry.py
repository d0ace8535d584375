"""The registry: versions that cannot race, withdrawals, the list, and what a write costs."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from mnr_graph.core.namespaces import MNR, PROV
from mnr_graph.query.named import run_query
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.submissions import registry
from mnr_graph.submissions.ingest import submit
from mnr_graph.submissions.lock import LOCK_GRAPH
from mnr_graph.submissions.registry import list_submissions
from servers import Endpoint, mnr_graph_server
from typed import solutions
from variants import EXAMPLE, variant

TOKEN = "token-for-the-registry-tests-0123456789abcdef"


def _post_at_once(urls: Sequence[str], count: int) -> list[httpx.Response]:
    """``count`` different submissions for XC 2024 posted at the same moment.

    Round-robin over ``urls`` (several API processes), each on its own connection.
    """
    start = threading.Barrier(count)

    def post(n: int) -> httpx.Response:
        files = {"file": (f"XC-2024-{n}.csv", variant(n), "text/csv")}
        start.wait()
        return httpx.post(
            urls[n % len(urls)] + "/submissions",
            files=files,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(post, range(count)))


def _check_versions(url: str, responses: list[httpx.Response], count: int) -> None:
    """Every post became its own version, 1..count, each listed once, one current (the last).

    Each is a revision of the one before; the named queries read the last.
    """
    assert [r.status_code for r in responses] == [201] * count, [r.text for r in responses]
    versions = sorted(r.json()["version"] for r in responses)
    assert versions == list(range(1, count + 1))
    listed = httpx.get(url + "/submissions", params={"country": "XC"}, timeout=30).json()
    assert listed["total"] == count
    items = listed["items"]
    assert [e["version"] for e in items] == list(range(1, count + 1)), "each listed once"
    assert [e["isCurrent"] for e in items] == [False] * (count - 1) + [True]
    assert [e["wasRevisionOf"] for e in items[1:]] == [e["graph"] for e in items[:-1]]
    stored = {r.json()["version"]: r.json()["sha256"] for r in responses}
    assert {e["version"]: e["sha256"] for e in items} == stored, "each its own file"
    profile = httpx.get(url + "/queries/country-profile", params={"country": "XC"}, timeout=30)
    assert {row["submission"] for row in profile.json()["rows"]} == {items[-1]["submission"]}


@pytest.mark.slow
@pytest.mark.server
def test_concurrent_posts_to_one_server_become_versions_in_order(tmp_path: Path) -> None:
    """Ten different files for one country and year posted at once: ten versions, none lost.

    As from a double click or two people uploading; each version is listed once. (They all got
    "version 2" before, one survived, and the list showed it 36 times.)
    """
    with mnr_graph_server(["--store", str(tmp_path / "store")], token=TOKEN) as url:
        responses = _post_at_once([url], 10)
        _check_versions(url, responses, 10)


@pytest.mark.slow
@pytest.mark.server
def test_api_replicas_sharing_a_remote_store_never_share_a_version(
    remote_endpoint: Endpoint,
) -> None:
    """Two API processes on one SPARQL endpoint (each real remote store).

    The version is claimed in the store (a conditional update, read back), so posts through both
    become distinct versions.
    """
    from mnr_graph.cli import main

    endpoints = [*remote_endpoint.serve_args(), "--workers", "1"]
    with pytest.raises(SystemExit) as loaded:
        main(["load", *remote_endpoint.load_args(gsp=False)])
    assert loaded.value.code == 0
    with (
        mnr_graph_server(endpoints, token=TOKEN) as one,
        mnr_graph_server(endpoints, token=TOKEN) as two,
    ):
        responses = _post_at_once([one, two], 8)
        _check_versions(one, responses, 8)
        _check_versions(two, responses, 8)
    store = remote_endpoint.store()
    try:
        assert not bool(store.query(f"ASK {{ GRAPH <{LOCK_GRAPH}> {{ ?s ?p ?o }} }}"))
    finally:
        store.close()


@pytest.mark.slow
def test_concurrent_submissions_in_one_process_become_versions() -> None:
    """The embedded store (one process holds it): threads submitting at once."""
    store = EmbeddedStore()
    with ThreadPoolExecutor(max_workers=6) as pool:
        records = list(
            pool.map(lambda n: submit(store, variant(n), filename=f"XC-{n}.csv"), range(6))
        )
    assert sorted(r.version for r in records) == [1, 2, 3, 4, 5, 6]
    listed = list_submissions(store)
    assert [e["version"] for e in listed] == [1, 2, 3, 4, 5, 6]
    assert sum(e["isCurrent"] for e in listed) == 1


class _Recording:
    """A store that records the updates sent to it."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.write_lock = store.write_lock
        self.updates: list[tuple[str, list[str] | None]] = []

    def query(self, sparql: str) -> Any:
        return self.store.query(sparql)

    def update(self, sparql_update: str, *, graphs: Sequence[str] | None = None) -> None:
        self.updates.append((sparql_update, None if graphs is None else list(graphs)))
        self.store.update(sparql_update, graphs=graphs)


@pytest.mark.slow
def test_a_write_costs_what_it_changes_not_the_size_of_the_registry() -> None:
    """The update of the 30th version is no larger than the 2nd's.

    The registry's statements and the new graph's are written as data, in their graph and the
    default graph: nothing is read back or merged again.
    """
    recording = _Recording(EmbeddedStore.with_shipped_data())
    sizes = {}
    for n in range(1, 31):
        record = submit(recording, variant(n), filename="XC.csv")
        text, graphs = recording.updates[-1]
        assert graphs == [], "no graph is merged again into the default graph"
        node = f"<{record.submission}>"
        stale = f"ASK {{ {node} ?p ?o FILTER NOT EXISTS {{ GRAPH ?g {{ {node} ?p ?o }} }} }}"
        assert not bool(recording.store.query(stale))
        assert bool(recording.store.query(f"ASK {{ <{record.submission}> a ?type }}"))
        assert registry.REGISTRY_GRAPH not in (graphs or [])
        sizes[n] = len(text)
    # one more digit in each IRI of the version (v30), nothing that grows with the registry
    assert sizes[30] < sizes[2] * 1.02, sizes
    merged = recording.store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{registry.REGISTRY_GRAPH}> {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ ?s ?p ?o }} }}"
    )
    assert int(next(iter(solutions(merged)))["n"].value) == 0, (
        "the default graph holds the registry"
    )


# --- withdrawal --------------------------------------------------------------------------------


@pytest.mark.slow
def test_each_version_keeps_its_warnings_and_completeness() -> None:
    store = EmbeddedStore.with_shipped_data()
    rows = list(csv.reader(io.StringIO(EXAMPLE.read_text())))
    rows[3][5] = "The report counts cases of child pornography in schools."
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    record = submit(store, out.getvalue().encode(), filename="warned.csv")
    assert [r.shape for r in record.report.results] == ["S26"]
    (entry,) = list_submissions(store)
    assert entry["completeness"] == {
        "capabilities": 21,
        "assessed": 20,
        "noData": 1,
        "noDataFor": ["C21"],
    }
    (warning,) = entry["warnings"]
    assert (warning["shape"], warning["severity"], warning["row"], warning["cell"]) == (
        "S26",
        "Warning",
        4,
        "F4",
    )
    assert "child pornography" in warning["message"]
    assert warning["focus"].startswith(record.submission), "on the node as stored"


@pytest.mark.slow
def test_a_registry_of_an_earlier_version_is_upgraded_when_served(tmp_path: Path) -> None:
    """Earlier versions flagged only the graphs.

    Served again, the superseded submission is not current for the named queries.
    """
    from mnr_graph.core.settings import Settings
    from mnr_graph.query.store import build_store

    folder = tmp_path / "store"
    store = EmbeddedStore(folder)
    submit(store, variant(1), filename="XC-1.csv")
    second = submit(store, variant(2), filename="XC-2.csv")
    store.update(
        f"DELETE {{ GRAPH <{registry.REGISTRY_GRAPH}> {{ ?s <{MNR.isCurrent}> ?f }} "
        f"?s <{MNR.isCurrent}> ?f }} WHERE {{ GRAPH <{registry.REGISTRY_GRAPH}> {{ "
        f"?g <{PROV.generatedAtTime}> ?t ; <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?s . "
        f"?s <{MNR.isCurrent}> ?f }} }}"
    )
    del store
    served = build_store(Settings(store_path=folder))
    rows = run_query(served, "country-profile", {"country": "XC"}).rows
    assert {r["submission"] for r in rows} == {second.submission}
