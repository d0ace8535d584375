"""Stores: the embedded one, and the remote one against a real ``oxigraph serve`` process."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from mnr_graph.cli import main
from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import GRAPH
from mnr_graph.core.settings import Settings
from mnr_graph.query.dataset import without_default_writes
from mnr_graph.query.store import (
    EmbeddedStore,
    RemoteStore,
    Store,
    bind_values,
    build_store,
    data_graph,
    shipped_graphs,
)
from mnr_graph.submissions.upgrade import STATE_GRAPH
from servers import free_port
from typed import triples

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

TESTS = Path(__file__).parent
DATA = TESTS / "data" / "protocol" / "data1.ttl"
CAPABILITY_QUERY = (
    "SELECT ?c ?n WHERE { ?c a <https://w3id.org/mnr-graph/def/Capability> ; "
    "<http://www.w3.org/2004/02/skos/core#notation> ?n } ORDER BY ?n"
)


@pytest.fixture(scope="module")
def remote(oxigraph_url: str) -> Iterator[RemoteStore]:
    """The remote store after `mnr-graph load` pushed the shipped graphs and one data file."""
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "load",
                "--endpoint",
                oxigraph_url + "/query",
                "--update-endpoint",
                oxigraph_url + "/update",
                "--gsp",
                oxigraph_url + "/store",
                "--data",
                str(DATA),
            ]
        )
    assert exit_info.value.code == 0
    store = RemoteStore(oxigraph_url + "/query", update_endpoint=oxigraph_url + "/update")
    yield store
    store.close()


@pytest.fixture(scope="module")
def embedded() -> EmbeddedStore:
    return build_store(Settings(data_files=(DATA,)))  # type: ignore[return-value]


def _rows(result: object) -> list[tuple[str, ...]]:
    assert isinstance(result, ox.QuerySolutions)
    return [tuple(str(term) for term in row) for row in result]


@pytest.mark.slow
def test_both_stores_follow_the_protocol(remote: RemoteStore, embedded: EmbeddedStore) -> None:
    assert isinstance(remote, Store)
    assert isinstance(embedded, Store)


def test_load_pushed_every_graph(remote: RemoteStore, embedded: EmbeddedStore) -> None:
    # no demo: `load` pushes it only with --examples, `serve --data` serves it only with it
    expected = {iri for iri, _ in shipped_graphs()} | {data_graph(DATA)}
    assert set(remote.graph_names()) == expected
    # the embedded store also says which version served it last (mnr_graph.submissions.upgrade)
    assert set(embedded.graph_names()) == expected | {STATE_GRAPH}


def test_remote_answers_like_embedded(remote: RemoteStore, embedded: EmbeddedStore) -> None:
    assert _rows(remote.query(CAPABILITY_QUERY)) == _rows(embedded.query(CAPABILITY_QUERY))
    ask = "ASK { ?c a <https://w3id.org/mnr-graph/def/Capability> }"
    assert bool(remote.query(ask)) is bool(embedded.query(ask)) is True
    construct = "CONSTRUCT WHERE { ?c a <https://w3id.org/mnr-graph/def/Domain> }"
    assert {str(t) for t in triples(remote.query(construct))} == {
        str(t) for t in triples(embedded.query(construct))
    }


def test_remote_dataset_parameters(remote: RemoteStore, embedded: EmbeddedStore) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    graph = [data_graph(DATA)]
    assert _rows(remote.query(query, default_graphs=graph)) == _rows(
        embedded.query(query, default_graphs=graph)
    )


def test_substitutions_are_bound_alike(remote: RemoteStore, embedded: EmbeddedStore) -> None:
    query = "SELECT ?c ?n WHERE { ?c <http://www.w3.org/2004/02/skos/core#notation> ?n }"
    values = {"n": ox.Literal("C07")}
    remote_rows = _rows(remote.query(query, substitutions=values))
    assert remote_rows
    assert remote_rows == _rows(embedded.query(query, substitutions=values))
    hostile = {"n": ox.Literal('C07" } ?x ?y ?z { "')}
    assert _rows(remote.query(query, substitutions=hostile)) == []


@pytest.mark.slow
def test_remote_writes_replace_graphs_atomically(remote: RemoteStore) -> None:
    iri = str(GRAPH["test/remote-write"])
    quad = ox.Quad(
        ox.NamedNode("http://example.org/s"),
        ox.NamedNode("http://example.org/p"),
        ox.Literal("o"),
        ox.NamedNode(iri),
    )
    remote.replace_graphs({iri: [quad]})
    assert iri in remote.graph_names()
    with pytest.raises(InputError):
        remote.update("INSERT DATA { GRAPH <x:g> { <x:a> <x:b> } }")
    remote.update(f"DROP GRAPH <{iri}>")
    assert iri not in remote.graph_names()


def test_remote_refuses_service_before_sending(remote: RemoteStore) -> None:
    with pytest.raises(InputError, match="SERVICE"):
        remote.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


@pytest.mark.slow
def test_the_api_serves_a_remote_store(oxigraph_url: str, remote: RemoteStore) -> None:
    from mnr_graph.web.app import get_fastapi_app

    settings = Settings(sparql_endpoint=oxigraph_url + "/query", result_limit=3)
    with TestClient(get_fastapi_app(settings)) as client:
        response = client.get(
            "/sparql", params={"query": CAPABILITY_QUERY}, headers={"Accept": "text/csv"}
        )
        health = client.get("/health").json()
    assert response.status_code == 200
    assert response.headers["X-Results-Truncated"] == "true"
    assert response.text.splitlines()[1].endswith(",C01")
    assert health["store"] == "remote"


def test_an_unreachable_endpoint_is_a_store_error() -> None:
    from mnr_graph.core.errors import StoreError

    store = RemoteStore(f"http://127.0.0.1:{free_port()}/query", timeout=2)
    with pytest.raises(StoreError, match="cannot reach"):
        store.query("ASK {}")
    store.close()


def test_bind_values_goes_into_the_where_clause() -> None:
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    bound = bind_values(construct, {"s": ox.NamedNode("http://ex/a")})
    assert bound == "CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<http://ex/a>) } ?s ?p ?o }"
    with pytest.raises(InputError, match="blank node"):
        bind_values(construct, {"s": ox.BlankNode()})


def test_build_store_puts_each_data_file_in_its_graph(embedded: EmbeddedStore) -> None:
    query = "ASK { GRAPH ?g { <http://example.org/protocol/alice> ?p ?o } }"
    assert bool(embedded.query(query, named_graphs=[data_graph(DATA)]))
    with pytest.raises(InputError, match="no such data file"):
        build_store(Settings(data_files=(TESTS / "missing.ttl",)))


def test_the_default_graph_is_the_merge_of_the_named_graphs() -> None:
    """A triple in two graphs counts once (pyoxigraph's union flag would count it twice)."""
    store = EmbeddedStore()
    triple = "<http://example.org/a> <http://example.org/p> <http://example.org/b>"
    store.update(f"INSERT DATA {{ GRAPH <http://example.org/g1> {{ {triple} }} }}")
    store.update(f"INSERT DATA {{ GRAPH <http://example.org/g2> {{ {triple} }} }}")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n() -> int:
        result = store.query(count)
        assert isinstance(result, ox.QuerySolutions)
        value = next(iter(result))["n"]
        assert isinstance(value, ox.Literal)
        return int(value.value)

    assert n() == 1
    store.replace_graphs({"http://example.org/g1": []})
    assert n() == 1  # still in g2
    store.load_file(DATA, "http://example.org/g2")
    assert bool(store.query(f"ASK {{ {triple} }}")) is False
    assert n() == len(
        list(store.ox.quads_for_pattern(None, None, None, ox.NamedNode("http://example.org/g2")))
    )


def test_several_default_graphs_merge_as_a_set() -> None:
    """default-graph-uri g1 and g2 sharing a triple: it counts once (pyoxigraph counts it twice)."""
    store = EmbeddedStore()
    triple = "<http://example.org/a> <http://example.org/p> <http://example.org/b>"
    graphs = ["http://example.org/g1", "http://example.org/g2"]
    for g in graphs:
        store.update(f"INSERT DATA {{ GRAPH <{g}> {{ {triple} }} }}")
    store.update(
        "INSERT DATA { GRAPH <http://example.org/g3> "
        "{ <http://example.org/c> <http://example.org/p> 1 } }"
    )
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    named = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

    def rows(query: str, named_graphs: list[str]) -> list[str]:
        result = store.query(query, default_graphs=graphs, named_graphs=named_graphs)
        assert isinstance(result, ox.QuerySolutions)
        return [str(term.value) for row in result for term in row if term is not None]

    assert rows(count, []) == ["1"]
    assert rows(named, ["http://example.org/g3"]) == ["http://example.org/g3"]
    assert rows(named, []) == []


def test_several_from_graphs_merge_as_a_set() -> None:
    """FROM g1 FROM g2 sharing a triple: it counts once; FROM NAMED still scopes GRAPH."""
    store = EmbeddedStore()
    triple = "<http://example.org/a> <http://example.org/p> <http://example.org/b>"
    for g in ("g1", "g2"):
        store.update(f"INSERT DATA {{ GRAPH <http://example.org/{g}> {{ {triple} }} }}")
    store.update(
        "INSERT DATA { GRAPH <http://example.org/g3> "
        "{ <http://example.org/c> <http://example.org/p> 1 } }"
    )

    def values(query: str) -> list[str]:
        result = store.query(query)
        assert isinstance(result, ox.QuerySolutions)
        return [str(term.value) for row in result for term in row if term is not None]

    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
    assert values(count.format("FROM <http://example.org/g1> FROM <http://example.org/g2>")) == [
        "1"
    ]
    prefixed = "PREFIX ex: <http://example.org/> " + count.format("FROM ex:g1 FROM ex:g2")
    assert values(prefixed) == ["1"]
    assert values(
        "SELECT ?g FROM <http://example.org/g1> FROM <http://example.org/g2> "
        "FROM NAMED <http://example.org/g3> WHERE { GRAPH ?g { ?s ?p ?o } }"
    ) == ["http://example.org/g3"]
    # a string or an IRI holding the word FROM is no dataset clause
    assert values('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != "FROM FROM") }') == ["2"]


def _merge_holds(store: EmbeddedStore) -> bool:
    """The store's default graph is exactly the set of triples of its named graphs."""
    named = {
        (q.subject, q.predicate, q.object)
        for q in store.ox.quads_for_pattern(None, None, None, None)
        if not isinstance(q.graph_name, ox.DefaultGraph)
    }
    default = {
        (q.subject, q.predicate, q.object)
        for q in store.ox.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }
    return named == default


@pytest.mark.parametrize("seed", range(5))
def test_writes_naming_their_graphs_keep_the_merge(seed: int) -> None:
    """Replacing graphs keeps the default graph the merge of the named graphs.

    So do updates that name the graphs they write; triples shared between graphs and blank nodes
    included.
    """
    import random

    rng = random.Random(seed)
    store = EmbeddedStore()
    graphs = [f"http://example.org/g{i}" for i in range(4)]
    ex = "http://example.org/"
    for _step in range(25):
        chosen = rng.sample(graphs, rng.randint(1, 2))
        kind = rng.choice(["replace", "update", "plain"])
        triples = [
            ox.Triple(
                ox.NamedNode(f"{ex}s{rng.randint(0, 5)}"),
                ox.NamedNode(f"{ex}p"),
                ox.Literal(str(rng.randint(0, 3))),
            )
            for _ in range(rng.randint(0, 6))
        ]
        if kind == "replace":
            store.replace_graphs(
                {
                    g: [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for t in triples]
                    for g in chosen
                }
            )
        else:
            body = " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
            text = " ;\n".join(
                f'INSERT DATA {{ GRAPH <{g}> {{ {body} _:b{i} <{ex}p> "blank" . }} }}'
                for i, g in enumerate(chosen)
            )
            text = f"DELETE WHERE {{ GRAPH <{chosen[0]}> {{ <{ex}s1> ?p ?o }} }} ;\n{text}"
            store.update(text, graphs=chosen if kind == "update" else None)
        assert _merge_holds(store), (seed, _step, kind)


@pytest.fixture(params=["memory", "disk"])
def fresh_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedStore]:
    """An empty embedded store, in memory or on disk (loaded without a transaction log)."""
    store = EmbeddedStore(tmp_path / "store" if request.param == "disk" else None)
    yield store
    store.close()


def _count(store: EmbeddedStore, query: str) -> int:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    value = next(iter(result))["n"]
    assert isinstance(value, ox.Literal)
    return int(value.value)


def test_a_loaded_file_s_blank_nodes_are_the_same_in_its_graph_and_the_merge(
    fresh_store: EmbeddedStore, tmp_path: Path
) -> None:
    """The default graph gets the graph's own triples: blank nodes named as in the graph."""
    file = tmp_path / "with-blank-nodes.ttl"
    file.write_text(
        "@prefix ex: <http://example.org/> .\n"
        'ex:a ex:has [ ex:label "one" ; ex:next [ ex:label "two" ] ] .\n',
        encoding="utf-8",
    )
    fresh_store.load_file(file, "http://example.org/g")
    in_graph = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/g> { ?s ?p ?o } }"
    both = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . GRAPH <http://example.org/g> { ?s ?p ?o } }"
    assert _count(fresh_store, in_graph) == 4
    assert _count(fresh_store, both) == 4
    assert _count(fresh_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 4


def test_a_reloaded_file_leaves_the_merge_its_new_triples_and_the_shared_ones(
    fresh_store: EmbeddedStore, tmp_path: Path
) -> None:
    shared = "<http://example.org/a> <http://example.org/p> <http://example.org/b>"
    fresh_store.update(f"INSERT DATA {{ GRAPH <http://example.org/other> {{ {shared} }} }}")
    file = tmp_path / "data.ttl"
    file.write_text(f"{shared} .\n<http://example.org/old> <http://example.org/p> 1 .\n")
    fresh_store.load_file(file, "http://example.org/g")
    file.write_text("<http://example.org/new> <http://example.org/p> 2 .\n")
    fresh_store.load_file(file, "http://example.org/g")
    assert bool(fresh_store.query(f"ASK {{ {shared} }}"))  # still held by the other graph
    assert not bool(fresh_store.query("ASK { <http://example.org/old> ?p ?o }"))
    assert bool(fresh_store.query("ASK { <http://example.org/new> ?p 2 }"))
    assert _count(fresh_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 2


def test_a_file_that_does_not_parse_leaves_no_half_loaded_graph(
    fresh_store: EmbeddedStore, tmp_path: Path
) -> None:
    file = tmp_path / "broken.ttl"
    good = "".join(f"<http://example.org/s{i}> <http://example.org/p> {i} .\n" for i in range(500))
    file.write_text(good + "<http://example.org/s> <http://example.org/p> .\n")
    with pytest.raises(InputError, match="cannot parse") as raised:
        fresh_store.load_file(file, "http://example.org/g")
    assert raised.value.where == str(file)
    assert fresh_store.graph_names() == []
    assert _count(fresh_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 0


@pytest.mark.parametrize(
    ("update", "sent"),
    [
        (  # a named graph and its copy in the default graph: the copy is left out
            "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 1 } <urn:a> <urn:b> 1 }",
            "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 1 } }",
        ),
        (  # a brace or a keyword inside a literal is text
            'INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> "} GRAPH {" } <urn:a> <urn:b> "}" }',
            'INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> "} GRAPH {" } }',
        ),
        (  # both templates of one operation
            "DELETE { ?s <urn:p> ?o GRAPH ?g { ?s <urn:p> ?o } } "
            "INSERT { GRAPH ?g { ?s <urn:q> ?o } ?s <urn:q> ?o } "
            "WHERE { GRAPH ?g { ?s <urn:p> ?o } }",
            "DELETE { GRAPH ?g { ?s <urn:p> ?o } } "
            "INSERT { GRAPH ?g { ?s <urn:q> ?o } } WHERE { GRAPH ?g { ?s <urn:p> ?o } }",
        ),
        (  # an operation left with nothing to write goes, its prologue to the next one
            "PREFIX ex: <urn:ex:> CLEAR SILENT DEFAULT ; "
            "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; "
            "INSERT DATA { GRAPH ex:g { ex:a ex:b ex:c } }",
            "PREFIX ex: <urn:ex:> INSERT DATA { GRAPH ex:g { ex:a ex:b ex:c } }",
        ),
        (  # WITH names the graph that the template's triples go to: kept whole
            "WITH <urn:g> INSERT { <urn:a> <urn:b> ?o } WHERE { ?x <urn:b> ?o }",
            "WITH <urn:g> INSERT { <urn:a> <urn:b> ?o } WHERE { ?x <urn:b> ?o }",
        ),
        ("DROP SILENT DEFAULT", ""),
        ("DROP SILENT GRAPH <urn:g>", "DROP SILENT GRAPH <urn:g>"),
    ],
)
def test_a_union_default_graph_store_is_sent_no_default_graph_write(update: str, sent: str) -> None:
    assert without_default_writes(update) == sent
