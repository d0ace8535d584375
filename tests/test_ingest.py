"""Ingest: stored with provenance, versioned on resubmission, refused on violations, atomic."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mnr_graph import __version__, resources
from mnr_graph.errors import InputError, ValidationFailedError
from mnr_graph.ingest import (
    PAUSE_ENV,
    REGISTRY_GRAPH,
    agent_iri,
    file_iri,
    list_submissions,
    submit,
    tool_iri,
)
from mnr_graph.namespaces import MNR
from mnr_graph.store import EmbeddedStore


def _example(pattern: str) -> Path:
    return next(iter(resources.files("examples", pattern)))


def _snapshot(store: EmbeddedStore) -> set[str]:
    return {str(q) for q in store.ox.quads_for_pattern(None, None, None, None)}


def test_submit_stores_graph_with_provenance() -> None:
    store = EmbeddedStore()
    valid = _example("*-valid.csv")
    record = submit(store, valid.read_bytes(), filename=valid.name, submitter="Data team")
    assert record.graph in store.graph_names()
    assert REGISTRY_GRAPH in store.graph_names()
    ask = f"""ASK {{ GRAPH <{record.graph}> {{ ?s a <https://w3id.org/mnr-graph/def/Submission> }}
      GRAPH <{REGISTRY_GRAPH}> {{ <{record.graph}> <http://www.w3.org/ns/prov#generatedAtTime> ?t ;
        <https://w3id.org/mnr-graph/def/sha256> "{record.sha256}" }} }}"""
    assert bool(store.query(ask))
    (listed,) = list_submissions(store)
    assert listed["submitter"] == "Data team"
    assert listed["isCurrent"] is True
    assert listed["sourceFile"] == valid.name


def test_byte_identical_resubmission_is_unchanged_not_a_new_version() -> None:
    store = EmbeddedStore()
    valid = _example("*-valid.csv")
    first = submit(store, valid.read_bytes(), filename=valid.name, submitter="Data team")
    before = _snapshot(store)
    again = submit(store, valid.read_bytes(), filename="renamed.csv", submitter="Someone else")
    assert again.unchanged
    assert not first.unchanged
    assert (again.graph, again.version, again.submission) == (
        first.graph,
        first.version,
        first.submission,
    )
    assert again.to_json()["unchanged"] is True
    assert _snapshot(store) == before, "nothing was written"
    changed = submit(store, valid.read_bytes() + b"\n", filename=valid.name)
    assert (changed.version, changed.unchanged) == (2, False)
    back = submit(store, valid.read_bytes(), filename=valid.name)
    assert (back.version, back.unchanged) == (3, False), "identical to v1, but v2 is current"


def test_provenance_is_prov_o_with_a_stable_agent_and_the_file_name_only(tmp_path: Path) -> None:
    store = EmbeddedStore()
    valid = _example("*-valid.csv")
    path = str(tmp_path / "folder" / valid.name)
    first = submit(store, valid.read_bytes(), filename=path, submitter="Data team XC")
    second = submit(store, valid.read_bytes() + b"\n", filename=path, submitter="Data team XC")
    listed = list_submissions(store)
    assert [s["sourceFile"] for s in listed] == [valid.name, valid.name], "no folder stored"
    names = store.query(
        f"SELECT DISTINCT ?name WHERE {{ GRAPH ?g {{ ?s <{MNR.sourceFile}> ?name }} }}"
    )
    assert {row["name"].value for row in names} == {valid.name}
    prov = "http://www.w3.org/ns/prov#"
    agents = store.query(
        f"SELECT DISTINCT ?agent WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ "
        f"?g <{prov}wasAttributedTo> ?agent . ?agent a <{prov}Agent> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "Data team XC" }} }}'
    )
    assert [row["agent"].value for row in agents] == [str(agent_iri("Data team XC"))]
    for record in (first, second):
        ask = f"""PREFIX prov: <{prov}>
        ASK {{ GRAPH <{REGISTRY_GRAPH}> {{
            <{record.graph}> prov:wasGeneratedBy ?activity .
            ?activity a prov:Activity ; prov:used <{file_iri(record.sha256)}> ;
                prov:wasAssociatedWith <{tool_iri()}> , <{agent_iri("Data team XC")}> ;
                prov:startedAtTime ?start .
            <{file_iri(record.sha256)}> a prov:Entity .
            <{tool_iri()}> a prov:SoftwareAgent ; <{MNR.toolVersion}> "{__version__}" .
        }} }}"""
        assert bool(store.query(ask)), record.graph


def test_resubmission_makes_a_new_current_version() -> None:
    store = EmbeddedStore()
    valid = _example("*-valid.csv")
    first = submit(store, valid.read_bytes(), filename=valid.name)
    second = submit(store, valid.read_bytes() + b"\n", filename=valid.name)
    assert (first.version, second.version) == (1, 2)
    assert second.previous == first.graph
    by_graph = {s["graph"]: s for s in list_submissions(store)}
    assert by_graph[first.graph]["isCurrent"] is False
    assert by_graph[second.graph]["isCurrent"] is True
    assert by_graph[second.graph]["wasRevisionOf"] == first.graph
    old = f"ASK {{ GRAPH <{first.graph}> {{ <{first.submission}> ?p ?o }} }}"
    assert bool(store.query(old))
    assert first.submission != second.submission


def test_violations_store_nothing() -> None:
    store = EmbeddedStore()
    before = _snapshot(store)
    invalid = _example("*-invalid-S15-*.csv")
    with pytest.raises(ValidationFailedError) as info:
        submit(store, invalid.read_bytes(), filename=invalid.name)
    assert info.value.report.has_violations  # type: ignore[attr-defined]
    assert _snapshot(store) == before


def _start(store_dir: Path, file: Path, pause: str | None) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    if pause is not None:
        env[PAUSE_ENV] = pause
    return subprocess.Popen(
        [sys.executable, "-m", "mnr_graph", "submit", str(file), "--store", str(store_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_killed_ingest_leaves_the_store_as_before(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    valid = _example("*-valid.csv")
    other = tmp_path / valid.name  # another version (a byte-identical one would store nothing)
    other.write_bytes(valid.read_bytes() + b"\n")
    first = EmbeddedStore(store_dir)
    submit(first, other.read_bytes(), filename=other.name)
    before = _snapshot(first)
    del first
    # killed while paused just before the one update
    process = _start(store_dir, valid, "30")
    assert process.stderr is not None
    line = process.stderr.readline()
    assert b"paused before the update" in line
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    store = EmbeddedStore(store_dir)
    assert _snapshot(store) == before
    del store
    # killed at random times: the store is either as before, or holds the whole new version
    rng = random.Random(4)
    for attempt in range(4):
        process = _start(store_dir, (valid, other)[attempt % 2], None)
        time.sleep(rng.uniform(0.0, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.stderr is not None
        process.stderr.close()
        store = EmbeddedStore(store_dir)
        after = _snapshot(store)
        versions = [s for s in list_submissions(store) if s["isCurrent"]]
        assert len(versions) == 1
        current = versions[0]["graph"]
        assert current in store.graph_names()
        assert after == before or before - after <= {q for q in before if "isCurrent" in q}
        before = after
        del store


# --- the submissions of tests/data/validation, submitted: stored only when they conform ---------

CASES = sorted(
    p
    for p in (Path(__file__).parent / "data" / "validation").glob("*")
    if ".expected" not in p.name
)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case_is_stored_only_when_it_conforms(case: Path) -> None:
    expected = json.loads(case.with_name(case.name + ".expected.json").read_text())
    wanted = expected.get("submit_exit", expected["exit"])
    store = EmbeddedStore()
    before = _snapshot(store)
    if wanted == 0:
        record = submit(store, case.read_bytes(), filename=case.name)
        (listed,) = list_submissions(store)
        assert listed["graph"] == record.graph
        assert listed["countryCode"] == record.country, "the registry names the country's IRI"
        ask = f"ASK {{ GRAPH <{record.graph}> {{ <{record.submission}> a <{MNR.Submission}> }} }}"
        assert bool(store.query(ask)), "the submission is stored typed"
        return
    error = ValidationFailedError if wanted == 1 else InputError
    with pytest.raises(error):
        submit(store, case.read_bytes(), filename=case.name)
    assert _snapshot(store) == before, "nothing stored from a refused submission"


def test_resubmissions_of_one_country_and_year_are_versions() -> None:
    store = EmbeddedStore()
    cases = [
        p
        for p in CASES
        if p.suffix in (".csv", ".xlsx")
        and json.loads(p.with_name(p.name + ".expected.json").read_text())["exit"] == 0
    ]
    records = [submit(store, p.read_bytes(), filename=p.name) for p in cases]
    assert [r.version for r in records] == list(range(1, len(cases) + 1))
    listed = list_submissions(store)
    assert sum(1 for s in listed if s["isCurrent"]) == 1
    assert next(s for s in listed if s["isCurrent"])["graph"] == records[-1].graph
    assert [s["wasRevisionOf"] for s in listed[1:]] == [r.graph for r in records[:-1]]


def test_submit_command_says_when_a_resubmission_is_unchanged(tmp_path: Path) -> None:
    """The CLI tells a data team that an identical file stored nothing, not 'stored as'."""
    from click.testing import CliRunner

    from mnr_graph.cli import cli

    valid = _example("*-valid.csv")
    args = ["submit", str(valid), "--store", str(tmp_path / "store")]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "stored as" in first.output
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.output
    assert "stored as" not in again.output
