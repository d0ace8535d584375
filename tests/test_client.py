"""mnr_graph.Client: the same typed rows over HTTP (a real ``mnr-graph serve``) and embedded."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import httpx
import pytest

from mnr_graph import Client
from mnr_graph.client import IRI, Rows
from mnr_graph.core.errors import InputError, NotFoundError
from mnr_graph.submissions.generate import dataset_turtle
from servers import mnr_graph_server

pytestmark = pytest.mark.slow  # servers, subprocesses or whole-store runs

#: (named query, parameters) a researcher runs; the HTTP and embedded answers must agree.
ASKED = [
    ("capabilities-ranked", {}),
    ("capabilities-ranked", {"year": 2023}),
    ("domains-ranked", {"lang": "fr"}),
    ("phase-distribution", {}),
    ("country-over-years", {"country": "XB"}),
    ("mean-phase-by-year", {}),
    ("countries-below-phase-count", {"phase": 3}),
    ("country-profile", {"country": "XA", "year": 2022}),
    ("countries-compared", {"country": "XA", "other": "XC"}),
    ("assessments", {"country": "XA", "current": True}),
]


@pytest.fixture(scope="module")
def data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    file = tmp_path_factory.mktemp("client") / "countries.ttl"
    file.write_text(dataset_turtle(countries=4, years=3, seed=11), encoding="utf-8")
    return file


@pytest.fixture(scope="module")
def embedded(data_file: Path) -> Client:
    return Client(data=[data_file])


@pytest.fixture(scope="module")
def remote(data_file: Path) -> Iterator[Client]:
    # a small result limit: the client must follow the pages of a long answer
    with (
        mock.patch.dict(os.environ, {"MNR_GRAPH_RESULT_LIMIT": "40"}),
        mnr_graph_server(["--data", str(data_file)]) as url,
        Client(url) as client,
    ):
        yield client


@pytest.mark.server
@pytest.mark.parametrize(("name", "params"), ASKED, ids=lambda v: str(v))
def test_http_and_embedded_give_the_same_typed_rows(
    embedded: Client, remote: Client, name: str, params: dict[str, object]
) -> None:
    here = embedded.named(name, **params)
    there = remote.named(name, **params)
    assert here, "the question has an answer"
    assert there.columns == here.columns
    assert list(there) == list(here)


def test_values_are_typed(embedded: Client) -> None:
    ranked = embedded.named("capabilities-ranked")
    row = ranked[0]
    assert isinstance(row.meanPhase, float)
    assert isinstance(row.countries, int)
    assert isinstance(row.capability, IRI)
    table = embedded.export_assessments(country="XA")
    first = table[0]
    assert isinstance(first.reportingYear, int)
    assert first.reportingYear in {2022, 2023, 2024}
    assert first.isCurrent is True
    dates = embedded.sparql(
        "SELECT ?created WHERE { ?s a mnr:Submission ; dcterms:created ?created } LIMIT 1"
    )
    assert isinstance(dates, Rows)
    assert isinstance(dates[0].created, datetime.date)
    assert embedded.sparql("ASK { ?c a mnr:Capability }") is True


def test_export_is_one_row_per_assessment(embedded: Client) -> None:
    rows = embedded.export_assessments(year=2024)
    assert len(rows) == 4 * 21
    assert {r.reportingYear for r in rows} == {2024}


@pytest.mark.server
def test_long_answers_are_read_in_pages(remote: Client) -> None:
    assert httpx.get(f"{remote.url}health").json()["resultLimit"] == 40
    rows = remote.export_assessments()
    assert len(rows) == 4 * 3 * 21, "every page, though the server's limit is 40 rows"


@pytest.mark.server
def test_errors_are_the_librarys(remote: Client) -> None:
    with pytest.raises(InputError) as raised:
        remote.sparql("SELECT ?c (COUNT(?x) AS ?n) WHERE { ?c mnr:number ?x }")
    assert raised.value.where == "line 1, column 8"
    assert "GROUP BY ?c" in raised.value.message
    with pytest.raises(NotFoundError):
        remote.named("country-profile", country="XZ")
    with pytest.raises(InputError) as bad:
        remote.named("capabilities-ranked", year="last")
    assert bad.value.where == "parameter 'year'"


def test_to_pandas(embedded: Client) -> None:
    pytest.importorskip("pandas")
    frame = embedded.named("mean-phase-by-year").to_pandas()
    assert list(frame.columns) == list(embedded.named("mean-phase-by-year").columns)
    assert str(frame["reportingYear"].dtype) == "int64"
    assert str(frame["meanPhase"].dtype) == "float64"
    overall = frame[frame["domainNotation"].isna()]
    assert sorted(overall["reportingYear"]) == [2022, 2023, 2024]
    phases = embedded.export_assessments().to_pandas()
    assert str(phases["phaseNumber"].dtype) == "Int64", "phase numbers with gaps stay whole"


@pytest.mark.server
def test_a_misspelt_term_warns_over_http(remote: Client) -> None:
    from mnr_graph.client import QueryWarning

    with pytest.warns(QueryWarning, match="did you mean mnr:Capability"):
        rows = remote.sparql("SELECT ?c WHERE { ?c a mnr:Capabilty }")
    assert isinstance(rows, Rows)
    assert len(rows) == 0
