"""Backups of a live store, and upgrades of a store.

Backups are restored into a fresh folder with every graph compared; upgrades rename a shipped file,
refuse a downgrade, and validate the stored submissions again.
"""

from __future__ import annotations

import gc
import json
import threading
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from mnr_graph.cli import cli, main
from mnr_graph.core.namespaces import GRAPH
from mnr_graph.core.settings import Settings
from mnr_graph.query import backup
from mnr_graph.query import store as store_module
from mnr_graph.query.store import EmbeddedStore, build_store
from mnr_graph.submissions import upgrade
from mnr_graph.submissions.ingest import submit
from servers import mnr_graph_server
from variants import variant

pytestmark = pytest.mark.slow  # servers, subprocesses or whole-store runs

YEAR = "https://w3id.org/mnr-graph/def/reportingYear"
TOKEN = "token-for-the-backup-tests-0123456789abcdef"


def _graphs(store: ox.Store) -> dict[str, set[ox.Quad]]:
    """Every named graph's quads."""
    graphs: dict[str, set[ox.Quad]] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs.setdefault(quad.graph_name.value, set()).add(quad)
    return graphs


def _same_graphs(a: dict[str, set[ox.Quad]], b: dict[str, set[ox.Quad]]) -> bool:
    """The same graphs, each the same up to the names of its blank nodes."""

    def rdflib_graph(quads: set[ox.Quad]) -> Graph:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        graph = Graph()
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        return graph

    return a.keys() == b.keys() and all(
        len(a[g]) == len(b[g]) and isomorphic(rdflib_graph(a[g]), rdflib_graph(b[g])) for g in a
    )


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``mnr-graph ARGS`` as a user runs it: its exit code and what it printed."""
    with pytest.raises(SystemExit) as done:
        main(args)
    printed = capsys.readouterr()
    return int(done.value.code or 0), printed.out + printed.err


def _restored(folder: Path, target: Path) -> dict[str, set[ox.Quad]]:
    result = CliRunner().invoke(cli, ["restore", str(folder), "--store", str(target)])
    assert result.exit_code == 0, result.output
    restored = ox.Store(str(target))
    try:
        return _graphs(restored)
    finally:
        del restored


@pytest.mark.slow
@pytest.mark.server
def test_a_backup_taken_during_writes_restores_every_committed_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backup of the running server holds the submissions made before it, quad for quad.

    One taken while submissions arrive holds every one that returned before it began; one taken
    after the last holds every graph the store holds, quad for quad, once restored into a fresh
    folder (the store is flushed at each write).
    """
    monkeypatch.setenv("MNR_GRAPH_TOKEN", TOKEN)
    store_path = tmp_path / "store"
    posted: list[httpx.Response] = []
    two_done = threading.Event()
    with mnr_graph_server(["--store", str(store_path)], token=TOKEN) as url:

        def post_all() -> None:
            for n in range(6):
                posted.append(
                    httpx.post(
                        url + "/submissions",
                        files={"file": (f"XC-2024-{n}.csv", variant(n), "text/csv")},
                        headers={"Authorization": f"Bearer {TOKEN}"},
                        timeout=120,
                    )
                )
                if n == 1:
                    two_done.set()

        writer = threading.Thread(target=post_all)
        writer.start()
        assert two_done.wait(timeout=240)
        returned = [r.json()["graph"] for r in posted if r.status_code == 201]
        with pytest.raises(SystemExit) as done:
            main(["backup", str(tmp_path / "during"), "--url", url])
        assert done.value.code == 0
        writer.join(timeout=300)
        assert [r.status_code for r in posted] == [201] * 6, [r.text for r in posted]
        with pytest.raises(SystemExit) as done:
            main(["backup", str(tmp_path / "after"), "--url", url])
        assert done.value.code == 0
    during = _restored(tmp_path / "during", tmp_path / "restored-during")
    assert len(returned) >= 2
    assert set(returned) <= set(during), "a submission that returned is in the backup"
    after = _restored(tmp_path / "after", tmp_path / "restored-after")
    source = ox.Store(str(store_path))
    try:
        assert _same_graphs(after, _graphs(source))
    finally:
        del source
    manifest = json.loads((tmp_path / "after" / backup.MANIFEST).read_text())
    assert sum(manifest["graphs"].values()) == manifest["quads"]
    assert sum(1 for g in after if g.startswith(f"{GRAPH}submission/XC/2024/")) == 6


def test_a_restore_refuses_a_damaged_backup_and_a_used_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = EmbeddedStore.with_shipped_data()
    backup.backup(source, tmp_path / "b")
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    code, said = _run(["restore", str(tmp_path / "b"), "--store", str(tmp_path / "used")], capsys)
    assert code == 2
    assert "not a new or empty folder" in said
    with (tmp_path / "b" / backup.DUMP).open("ab") as dump:
        dump.write(b"<urn:a> <urn:b> <urn:c> <urn:g> .\n")
    code, said = _run(["restore", str(tmp_path / "b"), "--store", str(tmp_path / "new")], capsys)
    assert code == 2
    assert "damaged" in said


def test_a_backup_of_a_store_a_server_holds_says_to_ask_the_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    held = EmbeddedStore(tmp_path / "store")
    code, said = _run(["backup", str(tmp_path / "b"), "--store", str(tmp_path / "store")], capsys)
    del held
    assert code != 0
    assert "--url" in said


def test_an_upgrade_drops_the_graph_of_a_renamed_ontology_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """review.ttl renamed review-status.ttl between two versions.

    After the upgrade the store holds the new graph and not the old one (before, the old one
    stayed for good).
    """
    store_path = tmp_path / "store"
    first = build_store(Settings(store_path=store_path, examples=False))
    assert str(GRAPH.review) in first.graph_names()
    del first
    shipped = store_module.shipped_graphs()

    def renamed() -> list[tuple[str, Path]]:
        return [
            (str(GRAPH["review-status"]) if iri == str(GRAPH.review) else iri, file)
            for iri, file in shipped
        ]

    monkeypatch.setattr(store_module, "shipped_graphs", renamed)
    second = build_store(Settings(store_path=store_path, examples=False))
    names = second.graph_names()
    assert str(GRAPH["review-status"]) in names
    assert str(GRAPH.review) not in names
    assert upgrade.stored_version(second) is not None


def test_a_legacy_store_with_no_version_recorded_is_reconciled(tmp_path: Path) -> None:
    """A store an earlier version wrote (no version, no list).

    A stale graph directly under .../graph/ goes; the registry and the submissions stay.
    """
    store = EmbeddedStore.with_shipped_data()
    submit(store, (Path("examples") / "XA-2024-valid.ttl").read_bytes(), filename="XA.ttl")
    store.update(f"INSERT DATA {{ GRAPH <{GRAPH.oldname}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    before = set(store.graph_names())
    dropped = upgrade.reconcile(store, [iri for iri, _ in store_module.shipped_graphs()])
    assert dropped == [str(GRAPH.oldname)]
    assert set(store.graph_names()) == before - {str(GRAPH.oldname)} | {upgrade.STATE_GRAPH}


def _write_version(store_path: Path, version: str) -> None:
    store = EmbeddedStore(store_path)
    store.update(
        f"DROP SILENT GRAPH <{upgrade.STATE_GRAPH}> ; INSERT DATA {{ GRAPH <{upgrade.STATE_GRAPH}> "
        f'{{ <{upgrade.STATE_GRAPH}> <http://www.w3.org/2002/07/owl#versionInfo> "{version}" }} }}'
    )
    del store


def test_a_downgrade_is_refused_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = tmp_path / "store"
    _write_version(store_path, "99.0.0")
    with pytest.raises(SystemExit) as refused:
        main(["serve", "--store", str(store_path), "--port", "1"])
    assert refused.value.code == 2
    assert "written by mnr-graph 99.0.0" in capsys.readouterr().err
    del refused  # its traceback holds the store the server opened
    gc.collect()
    assert upgrade.stored_version(EmbeddedStore(store_path)) == "99.0.0", "nothing written"
    forced = build_store(Settings(store_path=store_path, allow_downgrade=True, examples=False))
    assert upgrade.stored_version(forced) != "99.0.0"


def test_the_upgrade_command_validates_the_stored_submissions_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = tmp_path / "store"
    store = build_store(Settings(store_path=store_path, examples=False))
    assert isinstance(store, EmbeddedStore)
    ok = submit(store, (Path("examples") / "XA-2024-valid.ttl").read_bytes(), filename="XA.ttl")
    broken = submit(store, variant(1), filename="XC-2024.csv")
    # what a change of the shapes does to a stored submission: it no longer conforms
    store.update(
        f"DELETE {{ GRAPH <{broken.graph}> {{ ?s <{YEAR}> ?y }} }} "
        f"WHERE {{ GRAPH <{broken.graph}> {{ ?s <{YEAR}> ?y }} }}"
    )
    del store
    code, said = _run(["upgrade", "--store", str(store_path), "--json"], capsys)
    assert code == 1, said
    report = json.loads(said)
    assert report["checked"] == 2
    assert [f["graph"] for f in report["failing"]] == [broken.graph]
    assert report["failing"][0]["violations"] >= 1
    assert ok.graph != broken.graph
