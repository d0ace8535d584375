"""``mnr-graph release``: dated dumps with checksums, and the DCAT 3 / VoID description."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from mnr_graph.cli import cli
from mnr_graph.core.errors import InputError
from mnr_graph.query.release import (
    DATASET,
    DCAT,
    SPDX,
    VOID,
    shipped_triple_counts,
    write_release,
)
from mnr_graph.query.store import shipped_graphs

DAY = datetime.date(2026, 1, 2)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("releases")
    write_release(root, endpoint="https://example.org/sparql", today=DAY)
    return root / f"mnr-graph-{_version()}-2026-01-02"


def _version() -> str:
    from mnr_graph import __version__

    return __version__


def _triples(path: Path) -> set[tuple[Any, Any, Any]]:
    parsed = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    return {(t.subject, t.predicate, t.object) for t in parsed}


def test_checksums_match_the_files(release: Path) -> None:
    lines = (release / "SHA256SUMS").read_text(encoding="ascii").splitlines()
    assert len(lines) == 3
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest


@pytest.mark.slow
def test_dumps_hold_every_shipped_graph(release: Path) -> None:
    quads = list(ox.parse(path=str(release / "mnr-graph.nq"), format=ox.RdfFormat.N_QUADS))
    graphs = {str(getattr(q.graph_name, "value", q.graph_name)) for q in quads}
    assert graphs == {iri for iri, _ in shipped_graphs()}
    turtle = _triples(release / "mnr-graph.ttl")
    assert turtle == {(q.subject, q.predicate, q.object) for q in quads}
    jsonld = set(ox.parse(path=str(release / "mnr-graph.jsonld"), format=ox.RdfFormat.JSON_LD))
    assert jsonld == set(quads)


def test_description_counts_links_and_checksums(release: Path) -> None:
    description = Graph().parse(release / "description.ttl", format="turtle")
    turtle = _triples(release / "mnr-graph.ttl")
    assert description.value(DATASET, VOID.triples) == Literal(len(turtle))
    subsets = list(description.objects(DATASET, VOID.subset))
    assert len(subsets) == len(shipped_graphs())
    total: Any = sum(int(description.value(s, VOID.triples)) for s in subsets)  # type: ignore[call-overload]
    assert total >= len(turtle)
    assert description.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://example.org/sparql")
    assert str(description.value(DATASET, DCAT.version)) == _version()
    sums: dict[str, str] = dict(
        tuple(reversed(line.split("  ", 1)))  # type: ignore[misc]
        for line in (release / "SHA256SUMS").read_text().splitlines()
    )
    for dist in description.objects(DATASET, DCAT.distribution):
        url = description.value(dist, DCAT.downloadURL)
        if url is None:
            continue  # the SPARQL endpoint's distribution
        checksum = description.value(dist, SPDX.checksum)
        name = str(url).rsplit("/", 1)[-1]  # relative to the description, next to it
        assert str(description.value(checksum, SPDX.checksumValue)) == sums[name]


def test_a_release_is_never_overwritten(release: Path) -> None:
    before = (release / "SHA256SUMS").read_bytes()
    with pytest.raises(InputError, match="exists already"):
        write_release(release.parent, today=DAY)
    assert (release / "SHA256SUMS").read_bytes() == before


def test_cli_release_lists_what_it_wrote(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["release", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = [Path(line).name for line in result.output.splitlines()]
    assert names[:3] == ["mnr-graph.ttl", "mnr-graph.nq", "mnr-graph.jsonld"]
    assert "SHA256SUMS" in names
    assert "description.ttl" in names


def test_well_known_void_names_this_servers_endpoint(client: Any) -> None:
    response = client.get("/.well-known/void")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert graph.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://testserver/sparql")
    assert int(graph.value(DATASET, VOID.triples)) > 1000  # type: ignore[call-overload]


def test_service_description_counts_the_shipped_graphs(client: Any) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    counted = {
        str(graph.value(node, URIRef(sd + "name"))): int(graph.value(content, VOID.triples))  # type: ignore[call-overload]
        for node in graph.subjects(URIRef(sd + "name"), None)
        for content in graph.objects(node, URIRef(sd + "graph"))
    }
    assert counted == shipped_triple_counts()
    see_also = URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso")
    assert URIRef("http://testserver/.well-known/void") in set(graph.objects(None, see_also))
