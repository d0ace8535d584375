"""/sparql (web.routes.sparql).

The SPARQL 1.1 Protocol (data-driven cases after the W3C protocol tests), limits, errors, and real
clients (SPARQLWrapper, rdflib's SPARQLStore) against a real running server.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from mnr_graph.core.settings import Settings
from mnr_graph.query.store import EmbeddedStore, build_store
from mnr_graph.web.app import get_fastapi_app
from typed import triples

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

TESTS = Path(__file__).parent
PROTOCOL = TESTS / "data" / "protocol"
#: Every case: ours at the top, the W3C protocol query tests in w3c/, hostile ones in hostile/
CASES = sorted(PROTOCOL.rglob("*.json"))
CASE_IDS = [str(c.relative_to(PROTOCOL).with_suffix("")) for c in CASES]
W3C_DATASET = PROTOCOL / "w3c" / "dataset.trig"
GRAPH_IRI = "http://example.org/protocol/graph/{}"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
HOSTILE_SETTINGS = Settings(query_workers=2, query_timeout=1, result_limit=50)

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: The W3C tests' expected formats: the media types each allows.
EXPECTED_FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {*RESULT_FORMATS, "text/csv"},
    "RDF": {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"},
}


def protocol_store() -> EmbeddedStore:
    """A store holding only the protocol test graphs (data1..data3), each in its named graph."""
    store = EmbeddedStore()
    for file in sorted(PROTOCOL.glob("data*.ttl")):
        store.load_file(file, GRAPH_IRI.format(file.stem))
    return store


def w3c_store() -> EmbeddedStore:
    """The W3C protocol tests' dataset, its graphs under their own names (as ``--data`` does)."""
    store = EmbeddedStore()
    store.load_file(W3C_DATASET, "http://example.org/protocol/graph/w3c-default")
    return store


@pytest.fixture(scope="module")
def protocol_client() -> Iterator[TestClient]:
    app = get_fastapi_app(Settings(query_workers=2), store=protocol_store())
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def case_clients() -> Iterator[dict[str, TestClient]]:
    """A client per case folder: ours, the W3C dataset, and tight limits for the hostile cases."""
    apps = {
        "": get_fastapi_app(Settings(query_workers=2), store=protocol_store()),
        "w3c": get_fastapi_app(Settings(query_workers=2), store=w3c_store()),
        "hostile": get_fastapi_app(HOSTILE_SETTINGS, store=protocol_store()),
    }
    with TestClient(apps[""]) as a, TestClient(apps["w3c"]) as b, TestClient(apps["hostile"]) as c:
        yield {"": a, "w3c": b, "hostile": c}


def _check_status(expected: int | str, actual: int) -> None:
    if isinstance(expected, str):
        assert str(actual)[0] == expected[0], f"expected {expected}, got {actual}"
    else:
        assert actual == expected


def _count_rows(media_type: str, body: bytes) -> int:
    if media_type == "text/csv":  # pyoxigraph reads no CSV results (the format is lossy)
        return len(list(csv.reader(io.StringIO(body.decode("utf-8"))))) - 1
    result = ox.parse_query_results(body, format=RESULT_FORMATS[media_type])
    assert isinstance(result, ox.QuerySolutions)
    return len(list(result))


def _expand(text: str, case: dict[str, Any]) -> str:
    """``{R}`` in a case's query or body stands for ``repeat`` (text, times): for huge inputs."""
    if "repeat" in case:
        piece, times = case["repeat"]
        text = text.replace("{R}", piece * times)
    return text


def _request(case: dict[str, Any]) -> dict[str, Any]:
    """The case's request as keyword arguments of httpx (TestClient or a real server)."""
    headers = dict(case.get("headers", {}))
    content: bytes | None = None
    if "form" in case:
        form: list[tuple[str, str | int | float | bool | None]] = [
            (k, _expand(v, case)) for k, v in case["form"]
        ]
        content = str(httpx.QueryParams(form)).encode()
    elif "body" in case:
        content = _expand(case["body"], case).encode(case.get("encoding", "utf-8"))
    query_string = case.get("query_string")
    if query_string is None:
        query_string = str(
            httpx.QueryParams([(k, _expand(v, case)) for k, v in case.get("params", [])])
        )
    url = "/sparql" + ("?" + query_string if query_string else "")
    return {"method": case["method"], "url": url, "headers": headers, "content": content}


def check_case(response: httpx.Response, case: dict[str, Any]) -> None:
    """Assert what the case expects of the response."""
    expect = case["expect"]
    _check_status(expect["status"], response.status_code)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert body["message"]
        assert "Traceback" not in response.text
        if "message" in expect:
            assert expect["message"] in body["message"]
        for name, value in expect.get("headers", {}).items():
            assert response.headers.get(name) == value
        return
    media_type = response.headers["content-type"].split(";")[0]
    if "content_type" in expect:
        assert media_type == expect["content_type"]
    if "format" in expect:
        assert media_type in EXPECTED_FORMATS[expect["format"]]
    for name, value in expect.get("headers", {}).items():
        assert response.headers.get(name) == value
    if expect.get("format") == "boolean" or "boolean" in expect:
        result = ox.parse_query_results(response.content, format=RESULT_FORMATS[media_type])
        assert isinstance(result, ox.QueryBoolean)
        if "boolean" in expect:
            assert bool(result) is expect["boolean"]
    if expect.get("format") == "tabular" or "rows" in expect:
        rows = _count_rows(media_type, response.content)
        if "rows" in expect:
            assert rows == expect["rows"]
    if expect.get("format") == "RDF" or "triples" in expect or "ask" in expect:
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        assert rdf_format is not None
        graph = ox.Store()
        graph.load(response.content, format=rdf_format)
        if "triples" in expect:
            assert len(graph) == expect["triples"]
        if "ask" in expect:
            assert bool(graph.query(expect["ask"]))


@pytest.mark.slow
@pytest.mark.parametrize("case_file", CASES, ids=CASE_IDS)
def test_protocol_case(case_clients: dict[str, TestClient], case_file: Path) -> None:
    case: dict[str, Any] = json.loads(case_file.read_text(encoding="utf-8"))
    folder = "" if case_file.parent == PROTOCOL else case_file.parent.name
    client = case_clients[folder]
    check_case(client.request(**_request(case)), case)
    # whatever the case did, the server still answers
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_every_protocol_case_names_itself() -> None:
    assert CASES
    for case_file in CASES:
        assert json.loads(case_file.read_text(encoding="utf-8"))["name"] == case_file.stem


def test_every_w3c_query_test_has_a_case() -> None:
    listed = (PROTOCOL / "w3c" / "query-tests.txt").read_text(encoding="utf-8").split("\n")
    names = [n for n in listed if n and not n.startswith("#")]
    assert len(names) == 20
    for name in names:
        case = json.loads((PROTOCOL / "w3c" / f"{name}.json").read_text(encoding="utf-8"))
        assert case["w3c"].endswith(f"#{name}")


# --- limits, errors, headers -----------------------------------------------------------------


@pytest.mark.slow
def test_the_result_cap_is_signalled() -> None:
    app = get_fastapi_app(Settings(result_limit=2, query_workers=1), store=protocol_store())
    with TestClient(app) as client:
        response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        capped = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
        small = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})
    assert response.headers["X-Results-Truncated"] == "true"
    assert response.headers["X-Result-Limit"] == "2"
    assert "Warning" in response.headers
    assert len(response.json()["results"]["bindings"]) == 2
    assert capped.headers["X-Results-Truncated"] == "true"
    assert "X-Results-Truncated" not in small.headers


@pytest.mark.slow
def test_an_oversized_body_is_refused_with_413() -> None:
    app = get_fastapi_app(Settings(max_upload_bytes=100, query_workers=1), store=protocol_store())
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 200
    with TestClient(app) as client:
        direct = client.post(
            "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
        )
        streamed = client.post(
            "/sparql",
            content=iter([query.encode()[:90], query.encode()[90:]]),
            headers={"Content-Type": "application/sparql-query"},
        )
        fine = client.post(
            "/sparql", content="ASK {}", headers={"Content-Type": "application/sparql-query"}
        )
    assert direct.status_code == 413
    assert "limit" in direct.json()["message"]
    assert streamed.status_code == 413
    assert fine.status_code == 200


def test_errors_are_json_with_message_and_where(protocol_client: TestClient) -> None:
    response = protocol_client.get(
        "/sparql",
        params={"query": "SELECT * WHERE {\n SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
    )
    assert response.status_code == 400
    body = response.json()
    assert "SERVICE" in body["message"]
    assert body["where"] == "line 2, column 2"


@pytest.mark.slow
def test_health_and_openapi(protocol_client: TestClient) -> None:
    assert protocol_client.get("/health").json()["status"] == "ok"
    spec = protocol_client.get("/openapi.json").json()
    parameters = {p["name"] for p in spec["paths"]["/sparql"]["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri", "format"} <= parameters
    assert "application/sparql-query" in spec["paths"]["/sparql"]["post"]["requestBody"]["content"]
    assert protocol_client.get("/docs").status_code == 200


@pytest.mark.slow
def test_workers_see_data_written_after_they_started() -> None:
    store = protocol_store()
    ask = {"query": "ASK { <http://example.org/protocol/dave> ?p ?o }"}
    with TestClient(get_fastapi_app(Settings(query_workers=1), store=store)) as client:
        before = client.get("/sparql", params=ask).json()["boolean"]
        store.update(
            "INSERT DATA { GRAPH <http://example.org/g> { "
            "<http://example.org/protocol/dave> <http://example.org/protocol/name> 'Dave' } }"
        )
        after = client.get("/sparql", params=ask).json()["boolean"]
    assert (before, after) == (False, True)


# --- a real server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``mnr-graph serve`` on a free loopback port; yields the endpoint's URL.

    With the W3C protocol tests' dataset as ``--data`` and a 2 s query limit.
    """
    port = free_port()
    env = os.environ | {"MNR_GRAPH_QUERY_WORKERS": "3"}
    env.pop("MNR_GRAPH_WRITE_TOKEN", None)
    command = [sys.executable, "-m", "mnr_graph", "serve", "--port", str(port)]
    command += ["--query-timeout", "2", "--data", str(W3C_DATASET)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/health", process)
        yield base + "/sparql"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def library_store() -> EmbeddedStore:
    """What the server serves, as the library holds it."""
    store = build_store(Settings(data_files=(W3C_DATASET,)))
    assert isinstance(store, EmbeddedStore)
    return store


LABELS = (
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label "
    'FILTER(LANG(?label) = "en") } ORDER BY ?s ?label'
)
CONSTRUCT = (
    "CONSTRUCT { ?c <http://www.w3.org/2004/02/skos/core#notation> ?n } WHERE { "
    "?c a <https://w3id.org/mnr-graph/def/Capability> ; "
    "<http://www.w3.org/2004/02/skos/core#notation> ?n }"
)


def _library_rows(store: EmbeddedStore) -> list[tuple[str, str]]:
    result = store.query(LABELS)
    assert isinstance(result, ox.QuerySolutions)
    rows = []
    for row in result:
        s, label = row["s"], row["label"]
        assert isinstance(s, ox.NamedNode)
        assert isinstance(label, ox.Literal)
        rows.append((s.value, label.value))
    return rows


@pytest.mark.slow
@pytest.mark.server
# SPARQLWrapper parses CONSTRUCT answers into rdflib's deprecated ConjunctiveGraph (not our code)
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_gets_the_library_answers(server: str, library_store: EmbeddedStore) -> None:
    from SPARQLWrapper import JSON, XML, SPARQLWrapper

    expected = _library_rows(library_store)
    assert expected
    for method, fmt in (("GET", JSON), ("POST", JSON), ("GET", XML)):
        client = SPARQLWrapper(server)
        client.setMethod(method)
        client.setQuery(LABELS)
        client.setReturnFormat(fmt)
        result: Any = client.query().convert()
        if fmt == JSON:
            got = [(b["s"]["value"], b["label"]["value"]) for b in result["results"]["bindings"]]
        else:
            got = [
                tuple(
                    n.firstChild.firstChild.data
                    for n in r.getElementsByTagName("binding")
                    if n.firstChild is not None
                )
                for r in result.getElementsByTagName("result")
            ]
        assert got == expected
    client = SPARQLWrapper(server)
    client.setQuery(CONSTRUCT)
    graph = client.queryAndConvert()
    assert isinstance(graph, Graph)
    library = triples(library_store.query(CONSTRUCT))
    assert {(str(s), str(o)) for s, _, o in graph} == {
        (_value(t.subject), _value(t.object)) for t in library
    }


@pytest.mark.server
def test_rdflib_sparqlstore_gets_the_library_answers(
    server: str, library_store: EmbeddedStore
) -> None:
    graph = Graph(store=SPARQLStore(server, returnFormat="json"))
    got = [(str(row[0]), str(row[1])) for row in graph.query(LABELS)]  # type: ignore[index]
    assert got == _library_rows(library_store)
    capability = URIRef("https://w3id.org/mnr-graph/def/Capability")
    ask = graph.query(f"ASK {{ ?c a <{capability}> }}")
    assert ask.askAnswer is bool(library_store.query(f"ASK {{ ?c a <{capability}> }}"))
    notation = Literal("C01")
    assert (None, URIRef("http://www.w3.org/2004/02/skos/core#notation"), notation) in graph


W3C_CASES = sorted((PROTOCOL / "w3c").glob("*.json"))
C01 = "https://w3id.org/mnr-graph/id/C01"
SKOS = "http://www.w3.org/2004/02/skos/core#"


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.parametrize("case_file", W3C_CASES, ids=[c.stem for c in W3C_CASES])
def test_w3c_protocol_tests_pass_on_the_running_server(server: str, case_file: Path) -> None:
    """The W3C query tests, sent as written to ``mnr-graph serve --data w3c/dataset.trig``."""
    case: dict[str, Any] = json.loads(case_file.read_text(encoding="utf-8"))
    request = _request(case)
    request["url"] = server.removesuffix("/sparql") + request["url"]
    with httpx.Client(timeout=30) as client:
        check_case(client.request(**request), case)


def _value(term: object) -> str:
    """The lexical value of a pyoxigraph IRI, blank node or literal."""
    assert isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal), term
    return term.value


def _library_triples(store: EmbeddedStore, query: str) -> set[tuple[str, str, str]]:
    return {
        (_value(t.subject), t.predicate.value, _value(t.object))
        for t in triples(store.query(query))
    }


def _rdflib_triples(graph: Graph) -> set[tuple[str, str, str]]:
    return {(str(s), str(p), str(o)) for s, p, o in graph}


@pytest.mark.slow
@pytest.mark.server
# SPARQLWrapper parses graphs into rdflib's deprecated ConjunctiveGraph (not our code)
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("how", ["GET", "POST urlencoded", "POST postdirectly"])
def test_sparqlwrapper_every_format_every_method(
    server: str, library_store: EmbeddedStore, how: str
) -> None:
    """Each result format of each query form is as the library answers.

    SELECT in JSON, XML, CSV, TSV; ASK in JSON, XML; CONSTRUCT and DESCRIBE in Turtle, N-Triples
    (N3), RDF/XML and JSON-LD.
    """
    from SPARQLWrapper import (
        CSV,
        JSON,
        JSONLD,
        N3,
        RDFXML,
        TSV,
        TURTLE,
        XML,
        SPARQLWrapper,
    )

    def ask(query: str, fmt: str) -> Any:
        client = SPARQLWrapper(server)
        method, _, request_method = how.partition(" ")
        client.setMethod(method)
        if request_method:
            client.setRequestMethod(request_method)
        client.setQuery(query)
        client.setReturnFormat(fmt)
        return client.query().convert()

    expected = _library_rows(library_store)
    assert [
        (b["s"]["value"], b["label"]["value"]) for b in ask(LABELS, JSON)["results"]["bindings"]
    ] == expected
    xml = ask(LABELS, XML)
    assert [
        tuple(
            n.getElementsByTagName("uri")[0].firstChild.data
            if n.getAttribute("name") == "s"
            else n.getElementsByTagName("literal")[0].firstChild.data
            for n in r.getElementsByTagName("binding")
        )
        for r in xml.getElementsByTagName("result")
    ] == expected
    csv_rows = list(csv.reader(io.StringIO(ask(LABELS, CSV).decode("utf-8"))))
    assert csv_rows[0] == ["s", "label"]
    assert [tuple(r) for r in csv_rows[1:]] == expected
    tsv = ox.parse_query_results(ask(LABELS, TSV), format=ox.QueryResultsFormat.TSV)
    assert [(r["s"].value, r["label"].value) for r in tsv] == expected  # type: ignore[union-attr]

    capability = "https://w3id.org/mnr-graph/def/Capability"
    for fmt in (JSON, XML):
        answer = ask(f"ASK {{ ?c a <{capability}> }}", fmt)
        boolean = (
            answer["boolean"]
            if fmt == JSON
            else (answer.getElementsByTagName("boolean")[0].firstChild.data == "true")
        )
        assert boolean is True

    for query in (CONSTRUCT, f"DESCRIBE <{C01}>"):
        library = _library_triples(library_store, query)
        assert library
        for fmt in (TURTLE, N3, RDFXML, JSONLD):
            answer = ask(query, fmt)
            if isinstance(answer, bytes):  # Turtle and N3 come back as text
                answer = Graph().parse(data=answer, format="turtle")
            assert _rdflib_triples(answer) == library, (query, fmt)


@pytest.mark.server
@pytest.mark.parametrize("return_format", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_bindings_ask_construct(
    server: str, library_store: EmbeddedStore, return_format: str, method: str
) -> None:
    """Rdflib's SPARQLStore: SELECT with initBindings, ASK and CONSTRUCT, as the library."""
    graph = Graph(store=SPARQLStore(server, returnFormat=return_format, method=method))
    select = f"SELECT ?label WHERE {{ ?c <{SKOS}prefLabel> ?label }} ORDER BY ?label"
    got = [
        str(row[0])  # type: ignore[index]
        for row in graph.query(select, initBindings={"c": URIRef(C01)})
    ]
    library = library_store.query(select.replace("?c ", f"<{C01}> "))
    assert isinstance(library, ox.QuerySolutions)
    assert got == [_value(row["label"]) for row in library]
    assert got
    for query in (f"ASK {{ <{C01}> ?p ?o }}", "ASK { <http://example.org/nothing> ?p ?o }"):
        assert graph.query(query).askAnswer is bool(library_store.query(query))
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None
    assert _rdflib_triples(constructed) == _library_triples(library_store, CONSTRUCT)


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("application/json", "application/sparql-results+json"),
        # a browser's Accept (text/html first) gets the query page instead (test_web_app_pages)
        (
            "application/xhtml+xml;q=0.5,application/xml;q=0.9,*/*;q=0.8",
            "application/sparql-results+xml",
        ),
    ],
)
def test_curl_style_accept_headers(
    server: str, library_store: EmbeddedStore, accept: str, media_type: str
) -> None:
    response = httpx.get(server, params={"query": LABELS}, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert _count_rows(media_type, response.content) == len(_library_rows(library_store))


@pytest.mark.server
def test_a_yasgui_style_form_post(server: str, library_store: EmbeddedStore) -> None:
    response = httpx.post(
        server,
        content=str(httpx.QueryParams({"query": LABELS})).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
            "Accept": "application/sparql-results+json,*/*;q=0.9",
            "Origin": "https://yasgui.example",
        },
        timeout=30,
    )
    assert response.status_code == 200
    rows = response.json()["results"]["bindings"]
    assert [(b["s"]["value"], b["label"]["value"]) for b in rows] == _library_rows(library_store)


@pytest.mark.slow
@pytest.mark.server
def test_the_running_server_connects_nowhere(server: str) -> None:
    """SERVICE, FROM and dataset parameters naming a local listener: it sees no connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    try:
        refused = httpx.get(
            server,
            params={"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"},
            timeout=30,
        )
        assert refused.status_code == 400
        assert "SERVICE" in refused.json()["message"]
        for params in (
            {"query": f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}"},
            {"query": f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
            {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": url},
        ):
            answer = httpx.get(server, params=params, timeout=30)
            assert answer.status_code == 200
            assert answer.json()["results"]["bindings"] == []
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            return
        connection.close()
        pytest.fail("the listener saw a connection")
    finally:
        listener.close()


@pytest.mark.slow
@pytest.mark.server
def test_writes_need_the_token_on_a_running_server(tmp_path: Path) -> None:
    """``mnr-graph serve`` with a token.

    No token, a wrong one, or an update to /sparql are refused; with the token the submission is
    stored and /sparql sees it at once.
    """
    token = "t-" + os.urandom(16).hex()
    port = free_port()
    env = os.environ | {"MNR_GRAPH_WRITE_TOKEN": token, "MNR_GRAPH_QUERY_WORKERS": "2"}
    command = [sys.executable, "-m", "mnr_graph", "serve", "--port", str(port)]
    command += ["--store", str(tmp_path / "store")]
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    example = TESTS.parent / "examples" / "XA-2024-valid.ttl"

    def submit(headers: dict[str, str]) -> httpx.Response:
        files = {"file": (example.name, example.read_bytes(), "text/turtle")}
        return httpx.post(base + "/submissions", files=files, headers=headers, timeout=60)

    try:
        wait_until_up(base + "/health", process)
        assert submit({}).status_code == 403
        wrong = submit({"Authorization": "Bearer wrong"})
        assert wrong.status_code == 403
        assert token not in wrong.text
        update = httpx.post(
            base + "/sparql",
            content=b"DROP ALL",
            headers={"Content-Type": "application/sparql-update"},
            timeout=30,
        )
        assert update.status_code == 400
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        before = httpx.get(base + "/sparql", params={"query": count}, timeout=30).json()
        stored = submit({"Authorization": f"Bearer {token}"})
        assert stored.status_code == 201, stored.text
        graph = stored.json()["graph"]
        ask = f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        assert httpx.get(base + "/sparql", params={"query": ask}, timeout=30).json()["boolean"]
        after = httpx.get(base + "/sparql", params={"query": count}, timeout=30).json()
        assert after != before
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.server
def test_a_runaway_query_is_stopped_while_others_are_served(server: str) -> None:
    """The runaway query ends with 503; a request sent while it runs returns before it does."""
    finished: dict[str, float] = {}
    answers: dict[str, httpx.Response] = {}

    def runaway() -> None:
        answers["runaway"] = httpx.get(server, params={"query": RUNAWAY}, timeout=60)
        finished["runaway"] = time.monotonic()

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)  # let the runaway query reach its worker
    answers["quick"] = httpx.get(server, params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    finished["quick"] = time.monotonic()
    thread.join(timeout=60)
    assert answers["quick"].status_code == 200
    assert answers["runaway"].status_code == 503
    assert "stopped" in answers["runaway"].json()["message"]
    assert finished["quick"] < finished["runaway"]
    # and the server still answers after the worker was replaced
    assert httpx.get(server, params={"query": "ASK {}"}, timeout=60).status_code == 200


# --- benchmark -------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.server
def test_benchmark_runs_quick(capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    path = TESTS.parent / "benchmarks" / "bench_api.py"
    spec = importlib.util.spec_from_file_location("bench_api", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_api"] = module
    try:
        spec.loader.exec_module(module)
        assert module.main(["--quick"]) == 0
    finally:
        del sys.modules["bench_api"]
    out = capsys.readouterr().out
    for server_name in ("mnr-graph", "rdflib-endpoint", "oxigraph serve"):
        assert server_name in out
    assert "ratio vs rdflib-endpoint" in out
    assert "req/s" in out
    assert "start-up" in out
    # the answers were compared with rdflib-endpoint's and oxigraph's (exit status 1 if any differ)
    assert "answers (" in out
    assert "DIFFERS" not in out
