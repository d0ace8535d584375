"""``mnr-graph queries``, ``query`` and ``sparql`` (cli.queries).

The named queries and SPARQL from the command line, answering as the library and the API do on the
same data (the demo).
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from mnr_graph.cli import cli, main
from mnr_graph.core import resources
from mnr_graph.core.settings import Settings
from mnr_graph.query import named
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.web.app import get_fastapi_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

QUERY_FILES = resources.files("sparql", "Q*.rq")


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _examples(q: named.NamedQuery) -> dict[str, str]:
    return {p.name: p.example for p in q.parameters}


def test_queries_lists_every_named_query() -> None:
    listed = json.loads(_invoke("queries", "--format", "json"))
    assert listed == [q.to_json() for q in named.load_queries().values()]
    text = _invoke("queries")
    for q in named.load_queries().values():
        assert f"{q.id} {q.name}: {q.summary}" in text


@pytest.fixture(scope="module")
def api(demo_store: EmbeddedStore) -> Iterator[TestClient]:
    with TestClient(get_fastapi_app(Settings(), store=demo_store)) as client:
        yield client


@pytest.mark.slow
@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_answers_as_the_library_and_the_api(
    demo_store: EmbeddedStore, api: TestClient, path: Path
) -> None:
    q = named.get_query(path.stem)
    values = _examples(q)
    expected = named.run_query(demo_store, q.name, values)
    pairs = [f"{k}={v}" for k, v in values.items()]
    answered = json.loads(_invoke("query", q.id, *pairs, "--format", "json"))
    assert answered == json.loads(json.dumps(expected.to_json()))
    assert api.get(f"/queries/{q.name}", params=values).json()["rows"] == answered["rows"]


@pytest.mark.slow
def test_query_as_csv_and_text_holds_the_same_rows(demo_store: EmbeddedStore) -> None:
    expected = named.run_query(demo_store, "country-profile", {"country": "XA"})
    as_csv = _invoke("query", "country-profile", "country=XA", "--format", "csv")
    assert list(csv.DictReader(io.StringIO(as_csv))) == [
        {k: "" if v is None else str(v) for k, v in row.items()} for row in expected.rows
    ]
    as_text = _invoke("query", "country-profile", "country=XA").splitlines()
    assert as_text[0].split("\t") == list(expected.columns)
    assert len(as_text) == len(expected.rows) + 1


@pytest.mark.slow
def test_query_pages_with_limit_and_offset(demo_store: EmbeddedStore) -> None:
    whole = json.loads(_invoke("query", "capabilities-by-domain", "--format", "json"))["rows"]
    page = json.loads(
        _invoke(
            "query", "capabilities-by-domain", "--limit", "5", "--offset", "5", "--format", "json"
        )
    )
    assert page["rows"] == whole[5:10]
    assert page["truncated"] is True


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["query", "no-such-query"], 1, "unknown query"),
        (["query", "capability", "capability=C99"], 1, "unknown capability"),
        (["query", "capability", "capability=x"], 2, "not a valid capability"),
        (["query", "capability"], 2, "needs the parameter"),
        (["query", "capability", "colour=red", "capability=C01"], 2, "no parameter colour"),
        (["query", "capability", "C01"], 2, "NAME=VALUE"),
        (["sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"], 2, "SERVICE"),
        (["sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"], 2, "read-only"),
        (["sparql", "ASK {}", "--format", "yaml"], 2, "unknown format"),
    ],
)
def test_bad_requests_say_what_with_the_exit_code(
    capsys: pytest.CaptureFixture[str], args: list[str], code: int, words: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == code
    assert words in capsys.readouterr().err


@pytest.mark.slow
def test_sparql_answers_as_the_library(demo_store: EmbeddedStore) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    rows = list(csv.reader(io.StringIO(_invoke("sparql", count, "--format", "csv"))))
    result = demo_store.query(count)
    assert isinstance(result, ox.QuerySolutions)
    assert rows[1] == [next(iter(result))["n"].value]
    turtle = _invoke("sparql", "CONSTRUCT WHERE { ?s a ?c } LIMIT 3", "--format", "turtle")
    assert len(list(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))) == 3


@pytest.mark.slow
def test_sparql_reads_a_query_file_and_says_when_it_cut(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = tmp_path / "all.rq"
    query.write_text("SELECT * WHERE { ?s ?p ?o }", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["sparql", f"@{query}", "--limit", "2", "--format", "csv"])
    assert exited.value.code == 0
    captured = capsys.readouterr()
    assert len(captured.out.strip().splitlines()) == 3  # the header and two rows
    assert "cut at 2" in captured.err
