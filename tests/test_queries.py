"""Named queries: every ``sparql/Q*.rq`` parses, has a full header and runs with its examples."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError, NotFoundError
from mnr_graph.core.namespaces import DATA, MNR
from mnr_graph.query import named as queries
from mnr_graph.query.header import parse_header
from mnr_graph.query.store import EmbeddedStore

DATA_DIR = Path(__file__).parent / "data" / "queries"
SUBMISSIONS = DATA_DIR / "submissions.trig"
QUERY_FILES = resources.files("sparql", "Q*.rq")
BAD_HEADERS = sorted((DATA_DIR / "bad-headers").glob("*.rq"))


def load_example_data(store: EmbeddedStore) -> None:
    """Add the illustrative submissions of ``tests/data/queries`` to a store."""
    store.ox.load(path=str(SUBMISSIONS), format=ox.RdfFormat.TRIG)
    store.sync_union()  # the store's default graph is the merge of its named graphs


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    s = EmbeddedStore.with_shipped_data()
    load_example_data(s)
    return s


def _examples(q: queries.NamedQuery) -> dict[str, str | None]:
    return {p.name: p.example for p in q.parameters}


def test_there_are_named_queries() -> None:
    assert len(QUERY_FILES) >= 9
    assert len(queries.load_queries()) == len(QUERY_FILES)


@pytest.mark.slow
@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_parses_with_rdflib_and_oxigraph(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    prepareQuery(text)
    # Keep no pyoxigraph result alive in this frame: it must be freed on the thread that made it.
    is_select = isinstance(ox.Store().query(text), ox.QuerySolutions)
    assert is_select, "a named query is a SELECT"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_header_is_complete(path: Path) -> None:
    q = queries.get_query(path.stem)
    assert q.summary
    assert q.columns
    projected = {v.value for v in ox.Store().query(q.text).variables}  # type: ignore[union-attr]
    for p in q.parameters:
        assert p.description
        assert p.example
        assert p.name in projected, f"parameter ?{p.name} must be in the SELECT projection"
    for c in q.columns:
        assert c.description
        assert c.name in projected, f"column ?{c.name} is not projected"


@pytest.mark.slow
@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_runs_with_its_examples(store: EmbeddedStore, path: Path) -> None:
    q = queries.get_query(path.stem)
    table = queries.run_query(store, q.name, _examples(q))
    assert table.columns == tuple(c.name for c in q.columns)
    assert table.rows, f"{q.name} returns no row with its example parameters"
    assert all(tuple(row) == table.columns for row in table.rows)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_runs_with_only_required_parameters(store: EmbeddedStore, path: Path) -> None:
    q = queries.get_query(path.stem)
    values = {p.name: p.example for p in q.parameters if p.required}
    assert queries.run_query(store, q.name, values).rows


@pytest.mark.parametrize("path", BAD_HEADERS, ids=lambda p: p.stem)
def test_bad_header_is_refused(path: Path) -> None:
    with pytest.raises(InputError):
        parse_header(path.read_text(encoding="utf-8"), where=path.name)


def test_bad_header_cases_exist() -> None:
    assert BAD_HEADERS


def _current_submissions() -> dict[str, str]:
    """Country IRI -> its current submission IRI, computed from the test data file itself."""
    quads = list(ox.parse(path=str(SUBMISSIONS), format=ox.RdfFormat.TRIG))
    current = {
        q.subject
        for q in quads
        if q.predicate == ox.NamedNode(str(MNR.isCurrent)) and q.object.value == "true"
    }
    best: dict[str, tuple[str, str]] = {}
    for q in quads:
        if q.graph_name in current and q.predicate == ox.NamedNode(str(MNR.reportingYear)):
            country = next(
                c.object.value
                for c in quads
                if c.subject == q.subject and c.predicate == ox.NamedNode(str(MNR.country))
            )
            if country not in best or q.object.value > best[country][0]:
                best[country] = (q.object.value, q.subject.value)
    return {c: s for c, (_, s) in best.items()}


def test_country_profile_uses_the_current_submission(store: EmbeddedStore) -> None:
    current = _current_submissions()
    for country_iri, submission in current.items():
        code = country_iri.rsplit("/", 1)[1]
        table = queries.run_query(store, "country-profile", {"country": code})
        assert {r["submission"] for r in table.rows} == {submission}
        framework = queries.run_query(store, "capabilities-by-domain")
        assert len(table.rows) == len(framework.rows), "every capability is listed once"


def test_countries_below_phase_are_below(store: EmbeddedStore) -> None:
    table = queries.run_query(store, "countries-below-phase", {"capability": "7", "phase": "P03"})
    assert table.rows
    assert all(r["countryPhaseNumber"] < 3 for r in table.rows)
    profiles = {
        r["country"]: r
        for code in ("XA", "XB")
        for r in queries.run_query(store, "country-profile", {"country": code}).rows
        if r["capabilityNotation"] == "C07"
    }
    expected = {
        c for c, r in profiles.items() if r["phaseNumber"] is not None and r["phaseNumber"] < 3
    }
    assert {r["country"] for r in table.rows} == expected


def test_comparison_difference(store: EmbeddedStore) -> None:
    table = queries.run_query(store, "countries-compared", {"country": "XA", "other": "XB"})
    for r in table.rows:
        if r["countryPhaseNumber"] is not None and r["otherPhaseNumber"] is not None:
            assert r["difference"] == r["otherPhaseNumber"] - r["countryPhaseNumber"]
        else:
            assert r["difference"] is None


def test_capabilities_without_data_complement_the_profile(store: EmbeddedStore) -> None:
    profile = queries.run_query(store, "country-profile", {"country": "XA"}).rows
    missing = queries.run_query(store, "capabilities-without-data", {"country": "XA"}).rows
    assert {r["capability"] for r in missing} == {
        r["capability"] for r in profile if not r["phase"]
    }


def test_labels_follow_the_language(store: EmbeddedStore) -> None:
    en = queries.run_query(store, "capabilities-by-domain", {"lang": "en"}).rows
    fr = queries.run_query(store, "capabilities-by-domain", {"lang": "fr"}).rows
    assert [r["capability"] for r in en] == [r["capability"] for r in fr]
    assert [r["capabilityLabel"] for r in en] != [r["capabilityLabel"] for r in fr]


def test_term_lookup_ignores_case_and_ranks_exact_first(store: EmbeddedStore) -> None:
    band = queries.run_query(store, "terms-by-band", {"band": "use", "lang": "en"}).rows
    label = next(r["label"] for r in band if r["kind"] == "preferred")
    exact = queries.run_query(store, "term-lookup", {"text": label, "lang": "en"}).rows
    upper = queries.run_query(store, "term-lookup", {"text": label.upper(), "lang": "en"}).rows
    assert exact[0]["rank"] == 0
    assert upper[0]["concept"] == exact[0]["concept"]
    assert upper[0]["rank"] > exact[0]["rank"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"capability": "seven"}, "not a valid capability"),
        ({"capability": "C07", "lang": "not a tag"}, "not a valid language"),
        ({"capability": "C07", "colour": "red"}, "no parameter colour"),
        ({}, "needs the parameter 'capability'"),
    ],
)
def test_malformed_parameters_are_input_errors(
    store: EmbeddedStore, values: dict[str, str], message: str
) -> None:
    """A value without the form of its type is an input error (400)."""
    with pytest.raises(InputError, match=message):
        queries.run_query(store, "capability", values)


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("capability", {"capability": "C99"}, "unknown capability 'C99'"),
        ("capabilities-by-domain", {"domain": "D09"}, "unknown domain 'D09'"),
        ("countries-below-phase", {"capability": "C07", "phase": "P07"}, "unknown phase"),
        ("terms-by-band", {"band": "sometimes"}, "unknown band 'sometimes'"),
        ("country-profile", {"country": "ZQ"}, "unknown country 'ZQ'"),
        ("country-profile", {"country": "XQ"}, "country 'XQ' has no current submission"),
        ("country-profile", {"country": "XAB"}, "country 'XAB' has no current submission"),
        ("average-phase-by-domain", {"country": "Frnace"}, "did you mean France (FR)?"),
        ("countries-compared", {"country": "XA", "other": "XQ"}, "'XQ' has no current"),
    ],
)
def test_an_identifier_that_names_nothing_is_not_found(
    store: EmbeddedStore, name: str, values: dict[str, str], message: str
) -> None:
    """A well-formed identifier the store (or ISO 3166) does not know is a 404.

    The 404 says which parameter; never an empty answer.
    """
    with pytest.raises(NotFoundError, match=re.escape(message)) as info:
        queries.run_query(store, name, values)
    assert (info.value.where or "").startswith("parameter ")


def test_a_country_is_one_key_whatever_code_or_name_names_it(store: EmbeddedStore) -> None:
    """FR, fr, FRA, 250 and France are one country; XAB (user-assigned alpha-3) is itself."""
    fr = ox.NamedNode(str(DATA["country/FR"]))
    assert {queries.parse_value("country", v) for v in ("FR", "fr", "FRA", "250", "France")} == {fr}
    assert queries.parse_value("country", "xab") == ox.NamedNode(str(DATA["country/XAB"]))
    assert queries.parse_value("country", str(DATA["country/XA"])) == ox.NamedNode(
        str(DATA["country/XA"])
    )
    by_code = queries.run_query(store, "country-profile", {"country": "XA"}).rows
    by_iri = queries.run_query(store, "country-profile", {"country": str(DATA["country/XA"])})
    assert by_code == by_iri.rows


def test_unknown_query() -> None:
    with pytest.raises(NotFoundError):
        queries.get_query("no-such-query")


def test_values_are_bound_not_spliced(store: EmbeddedStore) -> None:
    q = queries.get_query("term-lookup")
    hostile = '"} } DELETE WHERE { ?s ?p ?o } #'
    before = q.text
    assert queries.run_query(store, q.name, {"text": hostile}).rows == []
    assert q.text == before
    assert store.query("ASK { ?s ?p ?o }")


def test_parameter_types_give_rdf_terms() -> None:
    assert queries.parse_value("country", "xa") == ox.NamedNode(str(DATA["country/XA"]))
    assert isinstance(queries.parse_value("integer", "12"), ox.Literal)
    with pytest.raises(InputError):
        queries.parse_value("iri", "javascript:alert(1)")


def test_csv_has_the_declared_header(store: EmbeddedStore) -> None:
    table = queries.run_query(store, "capabilities-by-domain")
    first = table.to_csv().splitlines()[0]
    assert first.split(",") == list(table.columns)


# --- the same answers from a remote SPARQL endpoint ------------------------------------------

OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
    "oxigraph"
)


@pytest.fixture(scope="module")
def remote_store(store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """``oxigraph serve`` holding the same quads as ``store``, reached through RemoteStore."""
    from mnr_graph.query.store import RemoteStore

    if OXIGRAPH is None:
        pytest.skip("the oxigraph server is not installed")
    folder = tmp_path_factory.mktemp("oxigraph")
    dump = folder / "all.nq"
    store.ox.dump(output=str(dump), format=ox.RdfFormat.N_QUADS)
    subprocess.run(
        [OXIGRAPH, "load", "--location", str(folder / "db"), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            OXIGRAPH,
            "serve",
            "--location",
            str(folder / "db"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    remote = RemoteStore(f"http://127.0.0.1:{port}/query")
    try:
        for _ in range(200):
            try:
                remote.query("ASK { ?s ?p ?o }")
                break
            except Exception:
                server.poll()
                assert server.returncode is None, "oxigraph serve stopped"
                time.sleep(0.05)
        yield remote
    finally:
        remote.close()
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_remote_store_gives_the_same_rows(
    store: EmbeddedStore, remote_store: Any, path: Path
) -> None:
    q = queries.get_query(path.stem)
    for lang in ("en", "fr"):
        values = _examples(q)
        if "lang" in values:
            values["lang"] = lang
        embedded = queries.run_query(store, q.name, values).rows
        assert embedded
        assert queries.run_query(remote_store, q.name, values).rows == embedded
