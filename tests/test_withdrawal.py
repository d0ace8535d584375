"""Withdrawing a stored version: its history stays, and the version before is current again."""

from __future__ import annotations

import pytest

from mnr_graph.core.errors import ConflictError, NotFoundError
from mnr_graph.core.namespaces import DATA, PROV
from mnr_graph.query.named import run_query
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.submissions import registry
from mnr_graph.submissions.ingest import submit
from mnr_graph.submissions.registry import list_submissions
from mnr_graph.submissions.withdrawal import withdraw
from variants import variant


@pytest.mark.slow
def test_a_withdrawn_version_leaves_its_history_and_the_previous_one_is_current() -> None:
    store = EmbeddedStore.with_shipped_data()
    first = submit(store, variant(1), filename="XC-1.csv")
    second = submit(store, variant(2), filename="XC-2.csv", submitter="Data team XC")
    result = withdraw(store, "XC", "2024", 2, by="Coordinating body", reason="sent by mistake")
    assert result == {
        "country": "XC",
        "year": "2024",
        "graph": second.graph,
        "version": 2,
        "withdrawn": True,
        "current": first.graph,
    }
    listed = {e["version"]: e for e in list_submissions(store)}
    assert (listed[1]["isCurrent"], listed[2]["isCurrent"]) == (True, False)
    assert listed[2]["withdrawn"]["reason"] == "sent by mistake"
    assert listed[2]["withdrawn"]["by"] == "Coordinating body"
    assert listed[1]["withdrawn"] is None
    profile = run_query(store, "country-profile", {"country": "XC"}).rows
    assert {r["submission"] for r in profile} == {first.submission}
    prov = f"""PREFIX prov: <{PROV}>
    ASK {{ GRAPH <{registry.REGISTRY_GRAPH}> {{
        <{second.graph}> prov:wasInvalidatedBy ?w ; prov:invalidatedAtTime ?t .
        ?w a prov:Activity ; prov:endedAtTime ?t2 ; prov:wasAssociatedWith ?agent .
        ?agent a prov:Agent ; <http://www.w3.org/2000/01/rdf-schema#label> "Coordinating body" .
    }} GRAPH <{second.graph}> {{ <{second.submission}> ?p ?o }} }}"""
    assert bool(store.query(prov)), "the withdrawn version and its provenance are kept"
    with pytest.raises(ConflictError, match="already withdrawn"):
        withdraw(store, "XC", "2024", "v2")
    with pytest.raises(NotFoundError, match="no version 9"):
        withdraw(store, "XC", "2024", 9)
    third = submit(store, variant(3), filename="XC-3.csv")
    assert third.version == 3, "numbers are never reused"
    with pytest.raises(ConflictError, match="same content as version 2"):
        submit(store, variant(2), filename="again.csv")


@pytest.mark.slow
def test_withdrawing_every_version_leaves_no_current_submission() -> None:
    store = EmbeddedStore.with_shipped_data()
    submit(store, variant(1), filename="XC-1.csv")
    assert withdraw(store, "XC", "2024", 1)["current"] is None
    with pytest.raises(NotFoundError, match="no current submission"):
        run_query(store, "country-profile", {"country": "XC"})


@pytest.mark.slow
def test_a_stored_version_replaces_the_served_datas_and_gives_it_back_when_withdrawn() -> None:
    """A submission of a --data file is replaced by a stored version of its country and year.

    The submission is generated and unregistered; the stored version's IRIs never collide with
    it; that version withdrawn, it is current again.
    """
    from mnr_graph.submissions.generate import dataset_turtle

    store = EmbeddedStore.with_shipped_data()
    store.replace_graph(
        "https://w3id.org/mnr-graph/graph/data/generated",
        dataset_turtle(countries=3, years=1, seed=2).encode(),
        "text/turtle",
    )
    served = f"{DATA}submission/XC/2024/v1"
    record = submit(store, variant(1), filename="XC.csv")
    assert record.version == 2, "v1 is the served data's submission"
    assert record.replaced == (served,)
    profile = run_query(store, "country-profile", {"country": "XC"}).rows
    assert {r["submission"] for r in profile} == {record.submission}
    assert len(profile) == 21, "one row per capability: one submission, one phase each"
    withdraw(store, "XC", "2024", 2)
    profile = run_query(store, "country-profile", {"country": "XC"}).rows
    assert {r["submission"] for r in profile} == {served}
