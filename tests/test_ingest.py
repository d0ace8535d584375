"""Ingest: stored with provenance, versioned on resubmission, refused on violations, atomic."""

from __future__ import annotations

import csv
import gc
import io
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mnr_graph import __version__
from mnr_graph.core import resources
from mnr_graph.core.errors import ConflictError, InputError, ValidationFailedError
from mnr_graph.core.namespaces import DATA, MNR
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.submissions.ingest import submit
from mnr_graph.submissions.provenance import agent_iri, file_iri, tool_iri
from mnr_graph.submissions.registry import REGISTRY_GRAPH, list_submissions
from typed import solutions


def _example(pattern: str) -> Path:
    return next(iter(resources.files("examples", pattern)))


def _snapshot(store: EmbeddedStore) -> set[str]:
    return {str(q) for q in store.ox.quads_for_pattern(None, None, None, None)}


VALID_CSV = Path(__file__).parents[1] / "examples" / "XC-2024-valid.csv"


def _rows(data: bytes | None = None) -> list[list[str]]:
    text = (data or VALID_CSV.read_bytes()).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def _csv(rows: list[list[str]], *, delimiter: str = ",", newline: str = "\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue().encode("utf-8")


def _variant(n: int, *, country: str | None = None) -> bytes:
    """The valid CSV example with other content: the first evidence text says revision ``n``."""
    rows = _rows()
    rows[1][5] = f"{rows[1][5]} (revision {n})"
    if country is not None:
        for row in rows[1:]:
            row[0] = country
    return _csv(rows)


def _less_data(count: int) -> bytes:
    """The valid CSV example with its last ``count`` capabilities marked 'no data'."""
    rows = _rows()
    for row in rows[-count:]:
        row[3:] = ["", "no data", "", "", "", "", "", ""]
    return _csv(rows)


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


@pytest.mark.slow
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
    changed = submit(store, _variant(2), filename=valid.name)
    assert (changed.version, changed.unchanged) == (2, False)


@pytest.mark.slow
def test_the_same_content_resaved_is_unchanged_whatever_the_bytes() -> None:
    """Content, not bytes: the current version saved again with ';' and CRLF stores nothing."""
    store = EmbeddedStore()
    first = submit(store, VALID_CSV.read_bytes(), filename=VALID_CSV.name)
    before = _snapshot(store)
    resaved = _csv(_rows(), delimiter=";", newline="\r\n")
    assert resaved != VALID_CSV.read_bytes()
    again = submit(store, resaved, filename="XC-2024 (copy).csv")
    assert (again.unchanged, again.version, again.graph) == (True, 1, first.graph)
    assert "same content as the current version 1" in (again.notice or "")
    assert _snapshot(store) == before


@pytest.mark.slow
def test_the_same_content_as_an_older_version_is_reported_not_silently_stored() -> None:
    """v1, then v2, then v1's content re-saved as CSV.

    A 409 naming v1, never a silent revert; with replace it becomes v3 and the record says whose
    content it repeats.
    """
    store = EmbeddedStore()
    submit(store, VALID_CSV.read_bytes(), filename=VALID_CSV.name)
    second = submit(store, _variant(2), filename=VALID_CSV.name)
    before = _snapshot(store)
    resaved = _csv(_rows(), delimiter=";")
    with pytest.raises(ConflictError) as refused:
        submit(store, resaved, filename="old copy.csv")
    assert "same content as version 1" in refused.value.message
    assert refused.value.details is not None
    assert refused.value.details["sameAs"]["version"] == 1
    assert refused.value.details["current"]["version"] == 2
    assert _snapshot(store) == before
    third = submit(store, resaved, filename="old copy.csv", replace=True)
    assert (third.version, third.previous) == (3, second.graph)
    assert "same content as version 1" in (third.notice or "")


@pytest.mark.slow
def test_less_data_than_the_current_version_needs_replace() -> None:
    """A submission with fewer capabilities assessed (more 'no data') says so before storing."""
    store = EmbeddedStore()
    first = submit(store, VALID_CSV.read_bytes(), filename=VALID_CSV.name)
    assert first.completeness is not None
    assert first.completeness.to_json() == {
        "capabilities": 21,
        "assessed": 20,
        "noData": 1,
        "noDataFor": ["C21"],
    }
    before = _snapshot(store)
    with pytest.raises(ConflictError) as refused:
        submit(store, _less_data(16), filename="partial.csv")
    message = refused.value.message
    assert "less data than the current version 1" in message
    assert "5 capabilities assessed instead of 20" in message
    assert "C06" in message
    assert "replace" in message
    details = refused.value.details
    assert details is not None
    assert (details["current"]["assessed"], details["new"]["assessed"]) == (20, 5)
    assert _snapshot(store) == before, "nothing stored before the submitter confirms"
    stored = submit(store, _less_data(16), filename="partial.csv", replace=True)
    assert (stored.version, stored.is_current) == (2, True)
    assert "less data" in (stored.notice or "")
    more = submit(store, VALID_CSV.read_bytes(), filename=VALID_CSV.name, replace=True)
    assert more.version == 3  # more data needs no confirmation (v1's content: replace)


def test_an_incomplete_submission_is_refused_naming_the_missing_capabilities() -> None:
    store = EmbeddedStore()
    rows = _rows()
    partial = _csv([rows[0], *rows[1:6]])  # 5 of 21 capabilities
    with pytest.raises(ValidationFailedError) as refused:
        submit(store, partial, filename="five.csv")
    report = refused.value.report  # type: ignore[attr-defined]
    missing = [r for r in report.results if r.shape == "S09"]
    assert [r.severity for r in missing] == ["Violation"] * 16
    assert "Capability C06 (" in missing[0].message
    assert list_submissions(store) == []


def test_provenance_is_prov_o_with_a_stable_agent_and_the_file_name_only(tmp_path: Path) -> None:
    store = EmbeddedStore()
    valid = _example("*-valid.csv")
    path = str(tmp_path / "folder" / valid.name)
    first = submit(store, valid.read_bytes(), filename=path, submitter="Data team XC")
    second = submit(store, _variant(2), filename=path, submitter="Data team XC")
    listed = list_submissions(store)
    assert [s["sourceFile"] for s in listed] == [valid.name, valid.name], "no folder stored"
    names = store.query(
        f"SELECT DISTINCT ?name WHERE {{ GRAPH ?g {{ ?s <{MNR.sourceFile}> ?name }} }}"
    )
    assert {row["name"].value for row in solutions(names)} == {valid.name}
    prov = "http://www.w3.org/ns/prov#"
    agents = store.query(
        f"SELECT DISTINCT ?agent WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ "
        f"?g <{prov}wasAttributedTo> ?agent . ?agent a <{prov}Agent> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "Data team XC" }} }}'
    )
    assert [row["agent"].value for row in solutions(agents)] == [str(agent_iri("Data team XC"))]
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


@pytest.mark.slow
def test_resubmission_makes_a_new_current_version() -> None:
    store = EmbeddedStore()
    valid = _example("*-valid.csv")
    first = submit(store, valid.read_bytes(), filename=valid.name)
    second = submit(store, _variant(2), filename=valid.name)
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


#: Submits a file (argv: store folder, file) as `mnr-graph submit` does, but pausing just before
#: the one update that stores it, under the write lock: a test kills the process there.
_PAUSED_SUBMIT = """
import sys, time
from pathlib import Path
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.submissions.ingest import submit

def pause():
    sys.stderr.write("ingest: paused before the update\\n")
    sys.stderr.flush()
    time.sleep(30)

store, file = EmbeddedStore(Path(sys.argv[1])), Path(sys.argv[2])
submit(store, file.read_bytes(), filename=file.name, before_write=pause)
"""


def _start(
    store_dir: Path, file: Path, *, paused: bool = False, replace: bool = False
) -> subprocess.Popen[bytes]:
    if paused:
        command = [sys.executable, "-c", _PAUSED_SUBMIT, str(store_dir), str(file)]
    else:
        more = ["--replace"] if replace else []
        command = [
            sys.executable,
            "-m",
            "mnr_graph",
            "submit",
            str(file),
            "--store",
            str(store_dir),
        ]
        command += more
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_killed_ingest_leaves_the_store_as_before(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    valid = _example("*-valid.csv")
    other = tmp_path / valid.name  # another version (the same content would store nothing)
    other.write_bytes(_variant(2))
    first = EmbeddedStore(store_dir)
    submit(first, other.read_bytes(), filename=other.name)
    before = _snapshot(first)
    del first
    # killed while paused just before the one update
    process = _start(store_dir, valid, paused=True)
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
        process = _start(store_dir, (valid, other)[attempt % 2], replace=True)
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_resubmissions_of_one_country_and_year_are_versions() -> None:
    """Every good CSV and XLSX case of XC 2024, one after the other.

    A file saying what the current version says stores nothing; any other (with replace, for the
    content of an older one) is the next version, revision of the one before.
    """
    store = EmbeddedStore()
    cases = [
        p
        for p in CASES
        if p.suffix in (".csv", ".xlsx")
        and json.loads(p.with_name(p.name + ".expected.json").read_text())["exit"] == 0
    ]
    records = [submit(store, p.read_bytes(), filename=p.name, replace=True) for p in cases]
    stored = [r for r in records if not r.unchanged]
    assert len(stored) > 3
    assert [r.version for r in stored] == list(range(1, len(stored) + 1))
    listed = list_submissions(store)
    assert [s["graph"] for s in listed] == [r.graph for r in stored], "each listed once"
    assert sum(1 for s in listed if s["isCurrent"]) == 1
    assert next(s for s in listed if s["isCurrent"])["graph"] == stored[-1].graph
    assert [s["wasRevisionOf"] for s in listed[1:]] == [r.graph for r in stored[:-1]]


@pytest.mark.slow
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


@pytest.mark.slow
def test_submit_and_withdraw_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI.

    A file with less data is refused (exit 1, saying so) until --replace; a version is withdrawn
    with `mnr-graph withdraw`; a workbook's sheet is chosen with --sheet.
    """
    from mnr_graph.cli import main

    store = str(tmp_path / "store")
    partial = tmp_path / "partial.csv"
    partial.write_bytes(_less_data(10))

    def run(*args: str) -> tuple[int, str]:
        with pytest.raises(SystemExit) as done:
            main(list(args))
        captured = capsys.readouterr()
        code = int(done.value.code or 0)
        del done
        gc.collect()  # an error's traceback holds the store open: one process per run
        return code, captured.out + captured.err

    assert run("submit", str(VALID_CSV), "--store", store)[0] == 0
    code, output = run("submit", str(partial), "--store", store)
    assert code == 1
    assert "less data than the current version 1" in output
    code, output = run("submit", str(partial), "--store", store, "--replace")
    assert code == 0, output
    assert "stored as" in output
    assert "note: less data" in output
    code, output = run("withdraw", "XC", "2024", "2", "--store", store, "--reason", "by mistake")
    assert code == 0, output
    assert "graph/submission/XC/2024/v1> is current" in output
    code, output = run("withdraw", "xc", "2024", "v2", "--store", store)
    assert code == 1
    assert "already withdrawn" in output
    assert run("withdraw", "XC", "2024", "7", "--store", store)[0] == 1
    workbook = Path(__file__).parent / "data" / "validation" / "xlsx-two-submission-sheets.xlsx"
    code, output = run("submit", str(workbook), "--store", store)
    assert code == 2
    assert "--sheet" in output
    code, output = run("submit", str(workbook), "--store", store, "--sheet", "2024")
    assert code == 0, output
    code, output = run("validate", str(workbook), "--sheet", "2023 copy")
    assert code == 0
    assert "(sheet '2023 copy')" in output
    assert run("withdraw", "XC", "2024", "1", "--store", str(tmp_path / "nowhere"))[0] == 2


@pytest.mark.slow
def test_a_country_is_stored_under_its_key_whatever_code_names_it() -> None:
    """FR and FRA (and the English name) are one country.

    The second file is version 2 of FR, not a country apart; a user-assigned alpha-3 code (XAB)
    is kept as it is.
    """
    store = EmbeddedStore()
    first = submit(store, _variant(1, country="FR"), filename="fr.csv")
    second = submit(store, _variant(2, country="FRA"), filename="fra.csv")
    third = submit(store, _variant(3, country="France"), filename="france.csv")
    assert [(r.country, r.version) for r in (first, second, third)] == [
        ("FR", 1),
        ("FR", 2),
        ("FR", 3),
    ]
    codes = store.query(f"SELECT DISTINCT ?code WHERE {{ ?c <{MNR.countryCode}> ?code }}")
    assert {row["code"].value for row in solutions(codes)} == {"FR"}
    turtle = resources.path("examples", "XA-2024-valid.ttl").read_text().replace("/XA", "/XAB")
    stored = submit(store, turtle.replace('"XA"', '"XAB"').encode(), filename="xab.ttl")
    assert (stored.country, stored.graph.rsplit("/", 3)[1]) == ("XAB", "XAB")
    assert {e["countryCode"] for e in list_submissions(store)} == {"FR", "XAB"}
    # in RDF too: a submission that says "FRA" is stored as FR, its country node renamed
    said = (
        resources.path("examples", "XA-2024-valid.ttl")
        .read_text()
        .replace("country/XA>", "country/FRA>")
        .replace('"XA"', '"FRA"')
    )
    fourth = submit(store, said.encode(), filename="fra.ttl")
    assert (fourth.country, fourth.version) == ("FR", 4)
    assert not bool(store.query(f"ASK {{ ?s ?p <{DATA}country/FRA> }}"))
