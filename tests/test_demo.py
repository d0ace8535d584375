"""The demo: the shipped valid examples, in their own graphs and IRI space, only in demo mode."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from mnr_graph.cli import main
from mnr_graph.core import resources
from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import DATA, DEMO, GRAPH
from mnr_graph.core.settings import Settings
from mnr_graph.query.named import run_query
from mnr_graph.query.store import EmbeddedStore, RemoteStore, build_store
from mnr_graph.submissions import demo
from mnr_graph.submissions.generate import dataset_turtle
from mnr_graph.submissions.ingest import submit
from mnr_graph.web import app as api
from servers import Endpoint
from typed import solutions

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

TOKEN = "token-for-the-demo-tests-0123456789abcdef"
TWO_PHASES = (
    "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a <https://w3id.org/mnr-graph/def/maturityPhase> "
    "?p1 , ?p2 FILTER (?p1 != ?p2) }"
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `mnr-graph generate --countries 30 --years 2` writes.

    It used to collide with the examples' IRIs: XA 2024 v1 in both.
    """
    path = tmp_path_factory.mktemp("generated") / "countries.ttl"
    path.write_text(dataset_turtle(countries=30, years=2), encoding="utf-8")
    return path


def _count(store: EmbeddedStore | RemoteStore, query: str) -> int:
    return int(next(iter(solutions(store.query(query))))["n"].value)


def _countries(store: EmbeddedStore | RemoteStore) -> set[str]:
    rows = store.query(
        "SELECT DISTINCT ?c WHERE { ?s a <https://w3id.org/mnr-graph/def/Submission> ; "
        "<https://w3id.org/mnr-graph/def/country> ?c }"
    )
    return {row["c"].value for row in solutions(rows)}


@pytest.mark.slow
def test_without_data_the_demo_is_served_in_its_own_iri_space() -> None:
    store = build_store(Settings())
    assert isinstance(store, EmbeddedStore)
    graphs = [g for g in store.graph_names() if g.startswith(demo.DEMO_GRAPHS)]
    valid = [p for p in resources.files("examples") if "-valid" in p.name]
    assert len(graphs) == len(valid) == 5
    assert _countries(store) == {f"{DEMO}country/{c}" for c in ("XA", "XB", "XC", "XD", "XE")}
    assert not any(g.startswith(demo.LEGACY_GRAPHS) for g in store.graph_names())
    in_data_space = store.query(f'ASK {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), "{DATA}")) }}')
    assert not bool(in_data_space), "nothing of the demo is in the user's data space"


@pytest.mark.slow
def test_the_invalid_examples_are_never_served() -> None:
    store = build_store(Settings(examples=True))
    codes = {c.rsplit("/", 1)[1] for c in _countries(store)}
    invalid = {p.name[:2] for p in resources.files("examples") if "-invalid" in p.name}
    assert {"XF", "XG"} <= invalid
    assert not codes & {"XF", "XG"}


@pytest.mark.slow
def test_data_turns_the_demo_off_and_nothing_collides(generated: Path) -> None:
    """With --data the examples are not served.

    Generated data alone has one phase per assessment (28 assessments had two) and 30 countries
    (a 31st, the invalid XF, was added).
    """
    store = build_store(Settings(data_files=(generated,)))
    assert isinstance(store, EmbeddedStore)
    assert demo.demo_graph_names(store) == []
    assert _count(store, TWO_PHASES) == 0
    assert len(_countries(store)) == 30
    alone = run_query(store, "average-phase-by-domain", {"country": "XA"}).rows
    both = build_store(Settings(data_files=(generated,), examples=True))
    assert isinstance(both, EmbeddedStore)
    assert _count(both, TWO_PHASES) == 0, "asked for, the demo never collides with the data"
    assert len(_countries(both)) == 35
    assert run_query(both, "average-phase-by-domain", {"country": "XA"}).rows == alone


@pytest.mark.slow
def test_a_store_folder_loses_the_demo_once_served_without_it(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    store = build_store(Settings(store_path=folder, examples=True))
    assert isinstance(store, EmbeddedStore)
    # an older version loaded the examples into the store with the user's IRIs
    store.update(
        f"INSERT DATA {{ GRAPH <{GRAPH}example/XA-2024-valid> {{ "
        f"<{DATA}country/XA> a <https://w3id.org/mnr-graph/def/Country> }} }}"
    )
    assert demo.demo_graph_names(store)
    del store
    reopened = build_store(Settings(store_path=folder))
    assert isinstance(reopened, EmbeddedStore)
    assert demo.demo_graph_names(reopened) == []
    assert _countries(reopened) == set()


def test_a_submission_cannot_use_the_demos_iris() -> None:
    text = resources.path("examples", "XA-2024-valid.ttl").read_text()
    with pytest.raises(InputError, match="the demo's"):
        submit(EmbeddedStore(), text.replace(str(DATA), str(DEMO)).encode(), filename="x.ttl")


@pytest.fixture(scope="module")
def demo_client() -> Iterator[TestClient]:
    with TestClient(api.get_fastapi_app(Settings(write_token=TOKEN))) as client:
        yield client


@pytest.mark.slow
def test_the_demo_is_labelled_on_the_pages(demo_client: TestClient) -> None:
    assert demo_client.get("/health").json()["demo"] is True
    home = demo_client.get("/").text
    assert "<strong>Demo.</strong>" in home
    assert "This server was given no data" in home
    assert ">XA (demo)</option>" in home
    page = demo_client.get("/demo/country/XA", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Country XA (demo, illustrative)" in page.text
    go = demo_client.get("/country", params={"code": "xa"}, follow_redirects=False)
    assert (go.status_code, go.headers["location"]) == (303, "/demo/country/XA")


def test_named_queries_reach_the_demo_by_code(demo_client: TestClient) -> None:
    """In demo mode a code names the demo's country (the user's data has none)."""
    rows = demo_client.get("/queries/country-profile", params={"country": "XA"}).json()["rows"]
    assert {r["country"] for r in rows} == {f"{DEMO}country/XA"}
    assert len(rows) == 21


@pytest.mark.slow
def test_a_submission_in_demo_mode_is_the_users_country_not_the_demos(
    demo_client: TestClient,
) -> None:
    """Posted in demo mode, XA is the user's XA (data/country/XA): the code then names it."""
    example = resources.path("examples", "XA-2024-valid.ttl")
    posted = demo_client.post(
        "/submissions",
        files={"file": (example.name, example.read_bytes(), "text/turtle")},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["graph"].endswith("/XA/2024/v1")
    rows = demo_client.get("/queries/country-profile", params={"country": "XA"}).json()["rows"]
    assert {r["country"] for r in rows} == {f"{DATA}country/XA"}


@pytest.mark.slow
def test_with_data_the_pages_say_illustrative_only_for_user_assigned_codes(
    generated: Path,
) -> None:
    with TestClient(api.get_fastapi_app(Settings(data_files=(generated,)))) as client:
        assert client.get("/health").json()["demo"] is False
        home = client.get("/").text
        assert "<strong>Demo.</strong>" not in home
        assert "(demo)" not in home
        assert ">XAB (illustrative)</option>" in home
        page = client.get("/data/country/XAB", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "Country XAB (illustrative)" in page.text


@pytest.mark.slow
@pytest.mark.server
def test_load_pushes_the_demo_only_with_examples(remote_endpoint: Endpoint) -> None:
    endpoints = remote_endpoint.load_args(gsp=False)
    store = remote_endpoint.store()
    try:
        with pytest.raises(SystemExit) as pushed:
            main(["load", *endpoints, "--examples"])
        assert pushed.value.code == 0
        assert len(demo.demo_graph_names(store)) == 5
        with pytest.raises(SystemExit) as plain:
            main(["load", *endpoints])
        assert plain.value.code == 0
        assert demo.demo_graph_names(store) == []
    finally:
        store.close()
