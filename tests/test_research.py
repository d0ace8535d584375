"""The researchers' questions on generated illustrative data.

Each named query and the export give what a hand computation over the same triples gives.

The data: :func:`mnr_graph.submissions.generate.dataset_turtle` (user-assigned country codes
only), with one country's latest year sent again as a second version (the first superseded,
``mnr:isCurrent false``), so "current" is put to the test. The expected answers are computed
here in Python from the triples, never written down.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from statistics import mean
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from mnr_graph.cli import cli, main
from mnr_graph.core.namespaces import DATA, MNR, MNRID
from mnr_graph.query import named as queries
from mnr_graph.query.export import export_assessments, render_export
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.query.tables import table_from_solutions
from mnr_graph.submissions.generate import dataset_turtle
from typed import solutions, triples

COUNTRIES, YEARS, SEED = 5, 3, 7
#: The country whose latest submission has a second version.
REVISED = "XB"
NEW_QUERIES = (
    "assessments",
    "capabilities-ranked",
    "domains-ranked",
    "phase-distribution",
    "country-over-years",
    "mean-phase-by-year",
    "countries-below-phase-count",
)


def _revision(text: str) -> tuple[str, str]:
    """A second version of REVISED's latest submission and the update marking the first superseded.

    In the second version every phase is one lower, at least 1.
    """
    graph = ox.Store()
    graph.load(text.encode(), format=ox.RdfFormat.TURTLE)
    latest = max(
        s["y"].value
        for s in solutions(
            graph.query(
                f"SELECT ?y WHERE {{ ?s <{MNR.country}> <{DATA}country/{REVISED}> ; "
                f"<{MNR.reportingYear}> ?y }}"
            )
        )
    )
    old = f"{DATA}submission/{REVISED}/{latest}/v1"
    new = f"{DATA}submission/{REVISED}/{latest}/v2"
    lines = []
    for s in triples(
        graph.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{old}')) }}"
        )
    ):
        subject = ox.NamedNode(s.subject.value.replace(old, new))
        obj = s.object
        if isinstance(obj, ox.NamedNode) and obj.value.startswith(old):
            obj = ox.NamedNode(obj.value.replace(old, new))
        if s.predicate.value == str(MNR.maturityPhase):
            number = max(1, int(obj.value[-2:]) - 1)
            obj = ox.NamedNode(f"{MNRID}P{number:02d}")
        lines.append(f"{subject} {s.predicate} {obj} .")
    marker = f"<{old}> <{MNR.isCurrent}> false ."
    return "\n".join(lines), marker


@dataclass(frozen=True)
class Assessment:
    country: str
    year: str
    submission: str
    capability: str
    phase: int | None
    current: bool


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[EmbeddedStore, list[Assessment], Path]:
    text = dataset_turtle(countries=COUNTRIES, years=YEARS, seed=SEED)
    revision, marker = _revision(text)
    file = tmp_path_factory.mktemp("research") / "countries.ttl"
    file.write_text(text + "\n" + revision + "\n" + marker + "\n", encoding="utf-8")
    store = EmbeddedStore.with_shipped_data()
    store.load_file(file, "https://w3id.org/mnr-graph/graph/test-research")
    raw = ox.Store()
    raw.load(path=str(file), format=ox.RdfFormat.TURTLE)
    triples = list(raw)
    by_subject: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for q in triples:
        by_subject[q.subject.value][q.predicate.value].append(q.object)
    superseded = {
        q.subject.value
        for q in triples
        if q.predicate.value == str(MNR.isCurrent) and q.object.value == "false"
    }
    assessments = []
    for subject, props in by_subject.items():
        if str(MNR.reportingYear) not in props:
            continue
        country = props[str(MNR.country)][0].value.rsplit("/", 1)[1]
        year = props[str(MNR.reportingYear)][0].value
        for node in props[str(MNR.hasAssessment)]:
            a = by_subject[node.value]
            phases = a.get(str(MNR.maturityPhase), [])
            assessments.append(
                Assessment(
                    country,
                    year,
                    subject,
                    a[str(MNR.assessedCapability)][0].value.rsplit("/", 1)[1],
                    int(phases[0].value[-2:]) if phases else None,
                    subject not in superseded,
                )
            )
    return store, assessments, file


def _latest(assessments: list[Assessment], year: str | None = None) -> list[Assessment]:
    """The assessments of each country's submission in force: of ``year``, else its latest."""
    current = [a for a in assessments if a.current]
    if year is not None:
        return [a for a in current if a.year == year]
    latest: dict[str, str] = {}
    for a in current:
        latest[a.country] = max(latest.get(a.country, a.year), a.year)
    return [a for a in current if a.year == latest[a.country]]


@cache
def _domain_of() -> dict[str, str]:
    rows = queries.run_query(EmbeddedStore.with_shipped_data(), "capabilities-by-domain").rows
    return {r["capabilityNotation"]: r["domainNotation"] for r in rows}


def _years(assessments: list[Assessment]) -> list[str]:
    return sorted({a.year for a in assessments})


def test_the_revision_is_there(data: tuple[EmbeddedStore, list[Assessment], Path]) -> None:
    _, assessments, _ = data
    assert any(not a.current for a in assessments), "one version is superseded"


@pytest.mark.slow
def test_export_has_one_row_per_assessment(
    data: tuple[EmbeddedStore, list[Assessment], Path],
) -> None:
    store, assessments, _ = data
    table = export_assessments(store)
    assert len(table.rows) == len(assessments)
    got = {(r["submission"], r["capabilityNotation"]): r for r in table.rows}
    for a in assessments:
        row = got[(a.submission, a.capability)]
        assert (row["countryCode"], row["reportingYear"]) == (a.country, a.year)
        assert row["phaseNumber"] == a.phase
        assert row["isCurrent"] is a.current
        assert row["domainNotation"] == _domain_of()[a.capability]
        assert row["sourceCount"] == (1 if a.phase is not None else 0)


def test_export_filters(data: tuple[EmbeddedStore, list[Assessment], Path]) -> None:
    store, assessments, _ = data
    year = _years(assessments)[-1]
    table = export_assessments(store, country=REVISED, year=year, current=True, domain="D02")
    expected = [
        a
        for a in assessments
        if a.country == REVISED
        and a.year == year
        and a.current
        and _domain_of()[a.capability] == "D02"
    ]
    assert sorted(r["assessment"].rsplit("/", 1)[1] for r in table.rows) == sorted(
        a.capability for a in expected
    )
    assert all(r["isCurrent"] for r in table.rows)
    assert len(export_assessments(store, current=False).rows) == sum(
        not a.current for a in assessments
    )


def test_export_csv_and_json_have_the_documented_columns(
    data: tuple[EmbeddedStore, list[Assessment], Path],
) -> None:
    store, _, _ = data
    table = export_assessments(store, country="XA", lang="fr")
    documented = [c.name for c in queries.get_query("assessments").columns]
    rows = list(csv.DictReader(io.StringIO(render_export(table, "csv"))))
    assert list(rows[0]) == documented
    assert len(rows) == len(table.rows)
    body = json.loads(render_export(table, "json"))
    assert [c["name"] for c in body["columns"]] == documented
    assert all(c["description"] for c in body["columns"])
    assert body["rows"] == table.rows


@pytest.mark.slow
def test_export_command_writes_the_table(
    data: tuple[EmbeddedStore, list[Assessment], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _store, assessments, file = data
    out = tmp_path / "assessments.csv"
    result = CliRunner().invoke(
        cli, ["export-assessments", "--data", str(file), "--current", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == sum(a.current for a in assessments)
    with pytest.raises(SystemExit) as exited:
        main(["export-assessments", "--data", str(file), "--year", "20x4"])
    assert exited.value.code == 2
    assert "parameter 'year'" in capsys.readouterr().err


@pytest.mark.parametrize("year", [None, "first"])
def test_capabilities_ranked_by_mean_phase(
    data: tuple[EmbeddedStore, list[Assessment], Path], year: str | None
) -> None:
    store, assessments, _ = data
    year = _years(assessments)[0] if year else None
    phases: dict[str, list[int]] = defaultdict(list)
    for a in _latest(assessments, year):
        if a.phase is not None:
            phases[a.capability].append(a.phase)
    table = queries.run_query(store, "capabilities-ranked", {"year": year})
    means = [r["meanPhase"] for r in table.rows]
    assert means == sorted(means), "weakest first"
    assert {r["capabilityNotation"]: r["meanPhase"] for r in table.rows} == pytest.approx(
        {c: mean(p) for c, p in phases.items()}
    )
    assert {r["capabilityNotation"]: r["countries"] for r in table.rows} == {
        c: len(p) for c, p in phases.items()
    }


def test_domains_ranked_by_mean_phase(data: tuple[EmbeddedStore, list[Assessment], Path]) -> None:
    store, assessments, _ = data
    domain_of = _domain_of()
    phases: dict[str, list[int]] = defaultdict(list)
    for a in _latest(assessments):
        if a.phase is not None:
            phases[domain_of[a.capability]].append(a.phase)
    table = queries.run_query(store, "domains-ranked", {})
    assert {r["domainNotation"]: r["meanPhase"] for r in table.rows} == pytest.approx(
        {d: mean(p) for d, p in phases.items()}
    )
    assert [r["meanPhase"] for r in table.rows] == sorted(r["meanPhase"] for r in table.rows)


def test_phase_distribution_counts_countries(
    data: tuple[EmbeddedStore, list[Assessment], Path],
) -> None:
    store, assessments, _ = data
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for a in _latest(assessments):
        if a.phase is not None:
            counts[(a.capability, a.phase)] += 1
    table = queries.run_query(store, "phase-distribution", {})
    got = {(r["capabilityNotation"], r["phaseNumber"]): r["countries"] for r in table.rows}
    assert len(got) == 21 * 4, "every capability has a row for every phase"
    assert {k: v for k, v in got.items() if v} == dict(counts)


def test_a_country_over_the_years(data: tuple[EmbeddedStore, list[Assessment], Path]) -> None:
    store, assessments, _ = data
    mine = {
        (a.year, a.capability): a.phase for a in assessments if a.country == REVISED and a.current
    }
    table = queries.run_query(store, "country-over-years", {"country": REVISED})
    got = {(r["reportingYear"], r["capabilityNotation"]): r for r in table.rows}
    assert {k: r["phaseNumber"] for k, r in got.items()} == mine
    years = _years(assessments)
    for (year, capability), row in got.items():
        before = years.index(year) - 1
        previous = mine.get((years[before], capability)) if before >= 0 else None
        expected = row["phaseNumber"] - previous if row["phaseNumber"] and previous else None
        assert row["change"] == expected


def test_mean_per_year_overall_and_per_domain(
    data: tuple[EmbeddedStore, list[Assessment], Path],
) -> None:
    store, assessments, _ = data
    domain_of = _domain_of()
    phases: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for a in assessments:
        if a.current and a.phase is not None:
            phases[(a.year, None)].append(a.phase)
            phases[(a.year, domain_of[a.capability])].append(a.phase)
    table = queries.run_query(store, "mean-phase-by-year", {"lang": "es"})
    got = {(r["reportingYear"], r["domainNotation"]): r["meanPhase"] for r in table.rows}
    assert got == pytest.approx({k: mean(p) for k, p in phases.items()})
    assert all(r["domainLabel"] for r in table.rows if r["domainNotation"])


def test_countries_below_a_phase_with_the_count(
    data: tuple[EmbeddedStore, list[Assessment], Path],
) -> None:
    store, assessments, _ = data
    below: dict[str, set[str]] = defaultdict(set)
    for a in _latest(assessments):
        if a.phase is not None and a.phase < 3:
            below[a.country].add(a.capability)
    table = queries.run_query(store, "countries-below-phase-count", {"phase": "P03"})
    assert {r["countryCode"]: r["capabilitiesBelow"] for r in table.rows} == {
        c: len(s) for c, s in below.items()
    }
    assert {r["countryCode"]: set(r["capabilities"].split()) for r in table.rows} == below
    counts = [r["capabilitiesBelow"] for r in table.rows]
    assert counts == sorted(counts, reverse=True)


def test_profile_and_comparison_take_a_year(
    data: tuple[EmbeddedStore, list[Assessment], Path],
) -> None:
    store, assessments, _ = data
    first = _years(assessments)[0]
    profile = queries.run_query(store, "country-profile", {"country": "XA", "year": first})
    expected = {a.capability: a.phase for a in _latest(assessments, first) if a.country == "XA"}
    got = {r["capabilityNotation"]: r["phaseNumber"] for r in profile.rows}
    assert got == {c: expected.get(c) for c in _domain_of()}
    assert {r["reportingYear"] for r in profile.rows} == {first}
    compared = queries.run_query(
        store, "countries-compared", {"country": "XA", "other": REVISED, "year": first}
    )
    theirs = {a.capability: a.phase for a in _latest(assessments, first) if a.country == REVISED}
    assert {r["capabilityNotation"]: r["otherPhaseNumber"] for r in compared.rows} == {
        c: theirs.get(c) for c in _domain_of()
    }
    assert {(r["countryCode"], r["otherCode"]) for r in compared.rows} == {("XA", REVISED)}


def _through_substitutions(store: EmbeddedStore, name: str, values: dict[str, str]) -> list[Any]:
    """The rows with the values bound by pyoxigraph's substitutions instead of a VALUES block."""
    query = queries.get_query(name)
    bound = query.bind(values, store=store)
    return table_from_solutions(query, solutions(store.query(query.text, substitutions=bound))).rows


def _parameter_sets(data: Any) -> Iterator[tuple[str, dict[str, str]]]:
    for name in (*NEW_QUERIES, "country-profile", "countries-compared"):
        q = queries.get_query(name)
        values = {p.name: p.example for p in q.parameters if p.required}
        if "other" in values:
            values["other"] = REVISED
        yield name, values
        for p in q.parameters:
            if p.name in ("year", "lang", "domain", "current", "country") and not p.required:
                yield name, values | {p.name: p.example}


@pytest.mark.slow
def test_values_binding_gives_the_same_rows(
    data: tuple[EmbeddedStore, list[Assessment], Path],
) -> None:
    """A parameter bound by a VALUES block gives the rows that substitution gives.

    Parameters are bound by a VALUES block (the library, the workers, a remote endpoint); a query
    sent with pyoxigraph's substitutions must give the same rows: a pattern the VALUES block
    cannot reach, or a test of a parameter that substitution breaks, would differ.
    """
    store, _, _ = data
    for name, values in _parameter_sets(data):
        rows = queries.run_query(store, name, values).rows
        assert _through_substitutions(store, name, values) == rows, (name, values)


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_export_labels_follow_the_language(
    data: tuple[EmbeddedStore, list[Assessment], Path], lang: str
) -> None:
    """Phase, status and assessor type labels in the asked language, as the framework has them."""
    store, _, _ = data
    labels = {
        r["x"].value: r["l"].value
        for r in solutions(
            store.query(
                "SELECT ?x ?l WHERE { ?x <http://www.w3.org/2004/02/skos/core#prefLabel> ?l "
                f'FILTER(LANG(?l) = "{lang}") }}'
            )
        )
    }
    table = export_assessments(store, lang=lang)
    phase_labels = {r["phaseLabel"] for r in table.rows if r["phaseLabel"]}
    assessor_labels = {r["assessorTypeLabel"] for r in table.rows if r["assessorTypeLabel"]}
    status_labels = {r["statusLabel"] for r in table.rows if r["statusLabel"]}
    assert phase_labels == {labels[f"{MNRID}P{n:02d}"] for n in range(1, 5)}
    assert assessor_labels <= {labels[f"{MNRID}self-assessment"], labels[f"{MNRID}external-review"]}
    assert assessor_labels
    assert status_labels <= {v for k, v in labels.items() if k.startswith(f"{MNRID}status-")}
