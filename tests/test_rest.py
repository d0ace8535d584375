"""The REST routes over HTTP: named queries, terms, check, validate, submissions, JSON-LD."""

from __future__ import annotations

import csv
import io
import json
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import starlette.requests

from appfactory import make_app
from mnr_graph import cli
from mnr_graph.core import resources
from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import MNR
from mnr_graph.core.settings import Settings
from mnr_graph.framework.context import shipped_context
from mnr_graph.query import named as queries
from mnr_graph.query import engine, workers
from mnr_graph.query.store import build_store, data_graph
from mnr_graph.submissions import validation
from mnr_graph.terminology import checker as textcheck
from mnr_graph.terminology import vocabulary as terminology
from mnr_graph.web import app as api
from mnr_graph.web import linked_data

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

TESTS = Path(__file__).parent
SHAPE_EXAMPLES = TESTS / "data" / "shapes"
QUERY_FILES = resources.files("sparql", "Q*.rq")
TOKEN = "test-token-for-writes"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = make_app(Settings(write_token=TOKEN))
    with TestClient(app) as c:
        yield c


def _examples(q: queries.NamedQuery) -> dict[str, str]:
    return {p.name: p.example for p in q.parameters}


# --- named queries ---------------------------------------------------------------------------


def test_queries_are_listed_with_their_parameters(client: TestClient) -> None:
    listed = client.get("/queries").json()
    assert [q["name"] for q in listed] == list(queries.load_queries())
    for entry in listed:
        q = queries.get_query(entry["name"])
        assert [p["name"] for p in entry["parameters"]] == [p.name for p in q.parameters]
        assert entry["path"] == f"/queries/{q.name}"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_each_query_is_an_openapi_operation(client: TestClient, path: Path) -> None:
    q = queries.get_query(path.stem)
    operation = client.get("/openapi.json").json()["paths"][f"/queries/{q.name}"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    for p in q.parameters:
        assert params[p.name]["required"] == p.required
        assert params[p.name]["schema"]["x-mnr-type"] == p.type
    assert "text/csv" in operation["responses"]["200"]["content"]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_each_query_runs_over_http(client: TestClient, path: Path) -> None:
    q = queries.get_query(path.stem)
    response = client.get(f"/queries/{q.name}", params=_examples(q))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["columns"] == [c.name for c in q.columns]
    assert body["rows"]
    store = client.app.state.store  # type: ignore[attr-defined]
    assert body["rows"] == queries.run_query(store, q.name, _examples(q)).rows


def test_named_queries_run_under_the_query_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Named queries go through the same time-limited workers as /sparql: past it, a 503.

    The workers are forked after the patch, so each one runs a query that takes 30 s; the limit is
    0.5 s. (A tiny limit on a fast query would be a race the query can win.)
    """
    real_execute = engine.execute

    def slow_execute(store: Any, request: Any) -> Any:
        time.sleep(30)
        return real_execute(store, request)

    monkeypatch.setattr(workers, "execute", slow_execute)
    with TestClient(make_app(Settings(query_timeout=0.5))) as slow:
        response = slow.get("/queries/capabilities-by-domain")
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "QueryTimeoutError"
    assert response.headers["Retry-After"] == "1"  # the 0.5 s limit, in whole seconds


#: Routes that read the store, one of each kind (the capability, country and term pages run named
#: queries; /def and the IRIs describe a resource; / and /framework list the framework).
STORE_ROUTES = [
    "/queries/capability?capability=C07",
    "/capabilities",
    "/domains",
    "/outcomes",
    "/submissions",
    "/",
    "/framework",
    "/def",
    "/id/C07",
    "/id/C07?format=ttl",
    "/data/country/XA",
    "/term/child-sexual-abuse-material",
    "/questions/capability?capability=C07",
]


def test_every_store_read_runs_under_the_query_time_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pages, framework JSON-LD, submissions and IRI resolution read the store through the same
    time-limited workers as /sparql: with workers whose every query takes 30 s and a 0.5 s limit,
    each answers 503 (an HTML page for a page), and the event loop stays free meanwhile."""
    real_execute = engine.execute

    def slow_execute(store: Any, request: Any) -> Any:
        time.sleep(30)
        return real_execute(store, request)

    monkeypatch.setattr(workers, "execute", slow_execute)
    with TestClient(make_app(Settings(query_timeout=0.5, query_workers=2))) as slow:
        for path in STORE_ROUTES:
            response = slow.get(path)
            assert response.status_code == 503, (path, response.text[:300])
            assert response.headers["Retry-After"] == "1", path
            json_only = ("/queries", "/capabilities", "/domains", "/outcomes", "/submissions")
            if path.startswith(json_only) or "format=" in path:
                continue  # no page to ask for
            page = slow.get(path, headers={"Accept": "text/html"})
            assert page.status_code == 503, path
            assert page.headers["content-type"].startswith("text/html"), path
            assert page.headers["Retry-After"] == "1", path
            if response.headers["content-type"].startswith("text/html"):
                assert "longer than" in response.text, path
            else:
                assert response.json()["error"] == "QueryTimeoutError", path
        assert slow.get("/health").status_code == 200


@pytest.mark.parametrize("how", ["accept", "format"])
def test_query_as_csv(client: TestClient, how: str) -> None:
    q = queries.get_query("Q01")
    if how == "accept":
        response = client.get(f"/queries/{q.name}", headers={"Accept": "text/csv"})
    else:
        response = client.get(f"/queries/{q.name}", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == [c.name for c in q.columns]
    assert len(rows) == len(client.get(f"/queries/{q.name}").json()["rows"])


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/*", "text/csv"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("application/json;q=0, */*", "text/csv"),
        ("text/csv;q=0, */*", "application/json"),
        ("text/csv;q=x", "application/json"),
        ("text/csv;q=x, application/json;q=0.1, text/*;q=0.5", "text/csv"),
        ("*/*;q=0", None),
        ("text/csv;q=0, text/*", None),
        ("application/sparql-results+json", None),
    ],
)
def test_named_query_content_negotiation(
    client: TestClient, accept: str, media_type: str | None
) -> None:
    """The same reading of Accept as /sparql: text/* gives CSV (the only text format), a
    refusal is never chosen, a malformed q-value drops its range; nothing allowed: 406."""
    response = client.get("/queries/capabilities-by-domain", headers={"Accept": accept})
    if media_type is None:
        assert response.status_code == 406, response.text
        assert response.json()["where"] == "Accept"
    else:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == media_type


def test_query_by_id_alias(client: TestClient) -> None:
    by_id = client.get("/queries/Q02", params={"capability": "C07"})
    by_name = client.get("/queries/capability", params={"capability": "C07"})
    assert by_id.status_code == 200
    assert by_id.json() == by_name.json()


@pytest.mark.parametrize(
    ("url", "params", "status", "words"),
    [
        ("/queries/no-such-query", {}, 404, "unknown query"),
        ("/queries/capability", {}, 400, "needs the parameter"),
        ("/queries/capability", {"capability": "C99"}, 404, "unknown capability"),
        ("/queries/country-profile", {"country": "XQ"}, 404, "has no current submission"),
        ("/queries/country-profile", {"country": "ZQ"}, 404, "unknown country 'ZQ'"),
        ("/queries/country-profile", {"country": "X1"}, 400, "not a country code"),
        ("/queries/terms-by-band", {"band": "never"}, 404, "unknown band"),
        ("/queries/capability", {"capability": "x"}, 400, "not a valid capability"),
        ("/queries/capability", {"capability": "C01", "colour": "red"}, 400, "no parameter"),
        ("/queries/capabilities-by-domain", {"format": "xml"}, 406, "unknown format"),
    ],
)
def test_bad_query_requests(
    client: TestClient, url: str, params: dict[str, str], status: int, words: str
) -> None:
    response = client.get(url, params=params)
    assert response.status_code == status
    assert words in response.json()["detail"]


# --- terms -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vocabulary() -> terminology.Vocabulary:
    return terminology.load_vocabulary()


def test_term_search_puts_the_exact_preferred_label_first(
    client: TestClient, vocabulary: terminology.Vocabulary
) -> None:
    for label in [lab for lab in vocabulary.labels if lab.kind == "pref" and lab.lang == "en"][:10]:
        items = client.get("/terms", params={"q": label.text, "lang": "en"}).json()["items"]
        assert items[0]["label"] == label.text
        assert items[0]["kind"] == "preferred"


def test_term_search_ignores_case_and_prefers_the_language(
    client: TestClient, vocabulary: terminology.Vocabulary
) -> None:
    label = next(lab for lab in vocabulary.labels if lab.lang == "fr" and lab.kind == "pref")
    items = client.get("/terms", params={"q": label.text.upper(), "lang": "fr"}).json()["items"]
    assert (items[0]["label"], items[0]["lang"]) == (label.text, "fr")
    others = [i for i in items if i["lang"] != "fr"]
    assert all(items.index(o) > items.index(items[0]) for o in others)


def test_term_search_pages(client: TestClient) -> None:
    full = client.get("/terms", params={"limit": 500}).json()
    page = client.get("/terms", params={"limit": 7, "offset": 5}).json()
    assert page["total"] == full["total"] == len(full["items"])
    assert page["items"] == full["items"][5:12]


@pytest.mark.parametrize(
    ("params", "where", "words"),
    [
        ({"limit": 0}, "limit", "limit must be 1..500"),
        ({"limit": 501}, "limit", "limit must be 1..500"),
        ({"offset": -1}, "offset", "offset must be 0 or more"),
        ({"limit": "many"}, "limit", "integer"),
        ({"offset": "x"}, "offset", "integer"),
        ({"lang": "xx"}, "lang", "no terms in language"),
        ({"band": "no-such-band"}, "band", "unknown band"),
        ({"group": "no-such-group"}, "group", "unknown group"),
        ([("limit", "1"), ("limit", "2")], "limit", "once"),
        ([("q", "a"), ("q", "b")], "q", "once"),
    ],
)
def test_bad_term_parameters_are_400_naming_the_parameter(
    client: TestClient, params: Any, where: str, words: str
) -> None:
    """Each a 400 whose ``where`` names the parameter as the named queries do, said once."""
    response = client.get("/terms", params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["where"] == f"parameter {where!r}"
    assert words in body["message"]
    assert body["detail"] == f"{body['where']}: {body['message']}"
    assert not body["message"].startswith(("parameter", "query."))  # the location said once


@pytest.mark.parametrize(
    ("method", "url", "words"),
    [
        ("GET", "/terms/child-sexual-abuse-material?lang=x_y", "not a valid language"),
        ("GET", "/terms/child-sexual-abuse-material?lang=fr&lang=es", "once"),
        ("POST", "/check?lang=fr&lang=en", "once"),
        ("GET", "/id/C07?lang=fr&lang=es", "once"),
        ("GET", "/id/C07?lang=!!", "not a language tag"),
    ],
)
def test_a_bad_or_repeated_lang_is_a_400_naming_it(
    client: TestClient, method: str, url: str, words: str
) -> None:
    headers = {"Content-Type": "text/plain"}
    response = client.request(method, url, content=b"abc", headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["where"] == "parameter 'lang'"
    assert words in response.json()["message"]


def test_term_filters(client: TestClient, vocabulary: terminology.Vocabulary) -> None:
    bands = {lab.band for lab in vocabulary.labels}
    for band in bands:
        items = client.get("/terms", params={"band": band, "limit": 500}).json()["items"]
        assert items
        assert {i["band"] for i in items} == {band}
    assert client.get("/terms", params={"band": "no-such-band"}).status_code == 400


def test_every_concept_has_a_term_resource(
    client: TestClient, vocabulary: terminology.Vocabulary
) -> None:
    for iri, concept in vocabulary.concepts.items():
        slug = iri.rsplit("/", 1)[1]
        body = client.get(f"/terms/{slug}").json()
        assert body["concept"] == iri
        assert body["preferred"] == concept.preferred("en")
        assert len(body["labels"]) == len(concept.labels)


def test_terms_say_what_each_band_was_checked_against(
    client: TestClient, vocabulary: terminology.Vocabulary
) -> None:
    """Look-up, listing and the term resource show each label's review status and sources."""
    body = client.get("/terms/sexual-extortion-of-children").json()
    assert body["review"]["status"] in {"secondary-source", "contested", "unchecked"}
    (sextortion,) = [
        lab for lab in body["labels"] if (lab["label"], lab["lang"]) == ("sextortion", "en")
    ]
    assert sextortion["review"]["status"] == "contested"
    assert sextortion["review"]["status_label"] == "sources disagree"
    publishers = {s["publisher"] for s in sextortion["review"]["sources"]}
    assert {"NSPCC Learning", "Internet Matters"} <= publishers
    assert all(s["url"].startswith("http") for s in sextortion["review"]["sources"])
    items = client.get("/terms", params={"q": "sextortion", "lang": "en"}).json()["items"]
    assert items[0]["review"] == sextortion["review"]
    for label in vocabulary.labels:
        assert vocabulary.review(label)["status"] in {
            "primary-text",
            "secondary-source",
            "contested",
            "unchecked",
        }


@pytest.mark.parametrize("slug", ["no-such-term", "%3E", "a%20b"])
def test_unknown_term_is_404(client: TestClient, slug: str) -> None:
    response = client.get(f"/terms/{slug}")
    assert response.status_code == 404
    assert "unknown term" in response.json()["detail"]


# --- check -----------------------------------------------------------------------------------


def _avoided_sentence(vocabulary: terminology.Vocabulary) -> str:
    label = next(lab for lab in vocabulary.labels if lab.band == "avoid" and lab.lang == "en")
    return f"The annual report mentions {label.text} twice."


def test_check_json_and_plain_text_agree_with_the_library(
    client: TestClient, vocabulary: terminology.Vocabulary
) -> None:
    text = _avoided_sentence(vocabulary)
    expected = [f.to_json() for f in textcheck.check_text(text, lang="en")]
    assert expected
    as_json = client.post("/check", json={"text": text, "lang": "en"})
    as_text = client.post(
        "/check", params={"lang": "en"}, content=text, headers={"Content-Type": "text/plain"}
    )
    assert as_json.json()["findings"] == expected
    assert as_text.json()["findings"] == expected


def test_check_refuses_other_media_types(client: TestClient) -> None:
    response = client.post("/check", content=b"\x00", headers={"Content-Type": "image/png"})
    assert response.status_code == 415
    bad = client.post("/check", content=b"{", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400


def test_check_honours_the_declared_charset(
    client: TestClient, vocabulary: terminology.Vocabulary
) -> None:
    text = "Le rapport (été 2024) : " + _avoided_sentence(vocabulary)
    expected = [f.to_json() for f in textcheck.check_text(text, lang="en")]
    assert expected
    for charset in ("latin-1", "ISO-8859-1", "cp1252", "utf-16"):
        response = client.post(
            "/check",
            params={"lang": "en"},
            content=text.encode(charset),
            headers={"Content-Type": f"text/plain; charset={charset}"},
        )
        assert response.status_code == 200, (charset, response.text)
        assert response.json()["findings"] == expected, charset
    unknown = client.post(
        "/check", content=b"abc", headers={"Content-Type": "text/plain; charset=klingon-8"}
    )
    assert unknown.status_code == 415
    assert "klingon-8" in unknown.json()["message"]
    wrong = client.post(
        "/check", content="été".encode("latin-1"), headers={"Content-Type": "text/plain"}
    )
    assert wrong.status_code == 400
    assert "not utf-8" in wrong.json()["message"]


@pytest.mark.parametrize(
    ("body", "where", "words"),
    [
        (b"{", "the request body", "not JSON"),
        (b'{"text": "a",}', "the request body", "not JSON"),
        (b"[1, 2]", "the request body", "a JSON object"),
        (b'{"lang": "en"}', "field 'text'", "Field required"),
        (b'{"text": ["a"]}', "field 'text'", "valid string"),
    ],
)
def test_check_of_bad_json_is_a_clean_400(
    client: TestClient, body: bytes, where: str, words: str
) -> None:
    response = client.post("/check", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    answer = response.json()
    assert answer["where"] == where
    assert words in answer["message"]
    assert "pydantic" not in response.text
    assert "http" not in response.text


# --- validate and submissions ----------------------------------------------------------------

EXAMPLE = resources.path("examples", "XA-2024-valid.ttl")


def _shape_example(kind: str) -> Path:
    return sorted(SHAPE_EXAMPLES.glob(f"S*-{kind}*.ttl"))[0]


@pytest.mark.parametrize("kind", ["valid", "invalid"])
def test_validate_returns_the_library_report(client: TestClient, kind: str) -> None:
    path = EXAMPLE if kind == "valid" else _shape_example("invalid")
    data = path.read_bytes()
    response = client.post("/validate", files={"file": (path.name, data, "text/turtle")})
    assert response.status_code == 200, response.text
    expected = validation.validate_bytes(data, filename=path.name, media_type="text/turtle")
    assert response.json() == json.loads(json.dumps(expected.to_json()))
    assert response.json()["conforms"] is (kind == "valid")


@pytest.mark.parametrize("path", resources.files("examples", "*.*"), ids=lambda p: p.name)
def test_every_example_validates_over_http_as_in_the_library(
    client: TestClient, path: Path
) -> None:
    data = path.read_bytes()
    response = client.post("/validate", files={"file": (path.name, data)})
    expected = validation.validate_bytes(data, filename=path.name)
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(json.dumps(expected.to_json()))


def test_validate_unusable_input_is_400(client: TestClient) -> None:
    response = client.post("/validate", files={"file": ("bad.ttl", b"<a> <b> .", "text/turtle")})
    assert response.status_code == 400
    assert "bad.ttl" in response.json()["detail"]


def test_validate_without_a_file_is_refused(client: TestClient) -> None:
    response = client.post("/validate", files={"other": ("x.ttl", b"<a:b> <a:c> <a:d> .")})
    assert response.status_code == 400
    body = response.json()
    assert body["where"] == "field 'file'"
    assert "'file'" in body["message"]
    assert body["detail"] == f"field 'file': {body['message']}"  # the location said once


def _multipart(data: bytes, *, boundary: str = "b0undary") -> tuple[bytes, dict[str, str]]:
    """A multipart body with ``data`` as the field ``file``, and its Content-Type header."""
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.ttl"\r\n'
        "Content-Type: text/turtle\r\n\r\n"
    ).encode()
    body = head + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize(
    "media_type", ["text/turtle", "application/json", "application/x-www-form-urlencoded", None]
)
def test_validate_of_a_body_that_is_not_multipart_is_415(
    client: TestClient, media_type: str | None
) -> None:
    headers = {"Content-Type": media_type} if media_type else {}
    response = client.post("/validate", content=EXAMPLE.read_bytes(), headers=headers)
    assert response.status_code == 415, response.text
    body = response.json()
    assert "multipart/form-data" in body["message"]
    assert "'file'" in body["message"]
    assert body["where"] == "Content-Type"


@pytest.mark.parametrize(
    ("token", "header"),
    [(None, None), (None, f"Bearer {TOKEN}"), (TOKEN, None), (TOKEN, "Bearer wrong")],
)
@pytest.mark.parametrize("body", ["none", "large", "malformed multipart"])
def test_a_write_is_refused_before_its_body_is_read(
    monkeypatch: pytest.MonkeyPatch, token: str | None, header: str | None, body: str
) -> None:
    """No token (or writes off): 403 whatever the body, and the body is never parsed."""

    def no_parsing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the body of an unauthorised write was parsed")

    monkeypatch.setattr(starlette.requests.Request, "form", no_parsing)
    monkeypatch.setattr(starlette.requests.Request, "body", no_parsing)
    limit = 200_000
    headers = {"Authorization": header} if header else {}
    content: bytes | None = None
    if body == "large":
        content, multipart = _multipart(b"<a:b> <a:c> <a:d> .\n" * (limit // 25))
        headers |= multipart
        assert limit // 2 < len(content) < limit
    elif body == "malformed multipart":
        content = b"not multipart at all" * 1000
        headers["Content-Type"] = "multipart/form-data; boundary=x"
    app = make_app(Settings(write_token=token, max_upload_bytes=limit))
    with TestClient(app) as c:
        response = c.post("/submissions", content=content, headers=headers)
    assert response.status_code == 403, response.text
    words = "writes are off" if token is None else "a valid bearer token"
    assert words in response.json()["message"]


#: Routes that take a body, each with a request over the limit of 1000 bytes.
BODY_ROUTES = [
    ("/validate", "multipart"),
    ("/submissions", "multipart"),
    ("/check", "text/plain"),
    ("/sparql", "application/sparql-query"),
    ("/vocabulary/check", "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize(("path", "kind"), BODY_ROUTES)
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_oversized_body_is_413_with_or_without_a_length(
    path: str, kind: str, declared: bool
) -> None:
    """A body over the limit is a 413 in the error shape, also when it comes in chunks with no
    Content-Length (it is counted as it arrives)."""
    limit = 1000
    if kind == "multipart":
        content, headers = _multipart(b"# padding\n" * 300)
    elif kind == "application/x-www-form-urlencoded":
        content, headers = b"text=" + b"a" * 3000, {"Content-Type": kind}
    else:
        content, headers = b"ASK {} #" + b"x" * 3000, {"Content-Type": kind}
    headers["Authorization"] = f"Bearer {TOKEN}"
    assert len(content) > limit
    app = make_app(Settings(write_token=TOKEN, max_upload_bytes=limit))
    with TestClient(app) as c:
        if declared:
            response = c.post(path, content=content, headers=headers)
        else:
            chunks = [content[i : i + 256] for i in range(0, len(content), 256)]
            response = c.post(path, content=iter(chunks), headers=headers)
            assert "content-length" not in response.request.headers
        assert response.status_code == 413, response.text
        body = response.json()
        assert set(body) == {"error", "message", "where", "detail"}
        assert body["error"] == "PayloadTooLargeError"
        assert str(limit) in body["message"]
        assert c.get("/health").status_code == 200


def test_a_mistyped_parameter_is_a_400_that_names_it(client: TestClient) -> None:
    response = client.get("/terms", params={"limit": "many"})
    assert response.status_code == 400
    assert response.json()["where"] == "parameter 'limit'"
    assert "query.limit" not in response.text
    several = client.get("/terms", params={"limit": "many", "offset": "x"}).json()
    assert several["where"] == "parameter 'limit'"
    assert "parameter 'offset'" in several["message"]
    assert several["detail"].count("parameter 'limit'") == 1


def test_upload_size_is_limited() -> None:
    app = make_app(Settings(max_upload_bytes=10))
    with TestClient(app) as c:
        response = c.post("/validate", files={"file": ("x.ttl", b"x" * 11, "text/turtle")})
    assert response.status_code == 413


def test_writes_are_off_without_a_configured_token() -> None:
    app = make_app(Settings())
    with TestClient(app) as c:
        response = c.post(
            "/submissions",
            files={"file": ("x.ttl", b"<a:b> <a:c> <a:d> .", "text/turtle")},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert response.status_code == 403
    assert "writes are off" in response.json()["detail"]


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
def test_writes_need_the_token(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.post(
        "/submissions",
        files={"file": ("x.ttl", b"<a:b> <a:c> <a:d> .", "text/turtle")},
        headers=headers,
    )
    assert response.status_code == 403
    assert TOKEN not in response.text


def test_submission_is_stored_listed_and_queryable() -> None:
    path = EXAMPLE
    app = make_app(Settings(write_token=TOKEN))
    with TestClient(app) as c:
        before = c.get("/submissions").json()
        response = c.post(
            "/submissions",
            files={"file": (path.name, path.read_bytes(), "text/turtle")},
            data={"submitter": "test"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert response.status_code == 201, response.text
        stored = response.json()
        listed = c.get("/submissions").json()["items"]
        assert len(listed) == before["total"] + 1
        assert stored["graph"] in {s["graph"] for s in listed}
        profile = c.get("/queries/country-profile", params={"country": stored["country"]})
        assert {r["submission"] for r in profile.json()["rows"]} == {stored["submission"]}


def test_invalid_submission_is_refused_with_its_report() -> None:
    path = _shape_example("invalid")
    app = make_app(Settings(write_token=TOKEN))
    with TestClient(app) as c:
        response = c.post(
            "/submissions",
            files={"file": (path.name, path.read_bytes(), "text/turtle")},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert response.status_code == 422
        assert response.json()["report"]["conforms"] is False
        assert response.json()["error"] == "ValidationFailedError"
        assert c.get("/submissions").json()["items"] == []


# --- framework as JSON-LD --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "cls"),
    [("/capabilities", MNR.Capability), ("/domains", MNR.Domain), ("/outcomes", MNR.Outcome)],
)
def test_framework_as_jsonld(client: TestClient, path: str, cls: Any) -> None:
    response = client.get(path)
    assert response.headers["content-type"].startswith("application/ld+json")
    doc = response.json()
    context = shipped_context()
    assert context
    assert all(doc["@context"][k] == v for k, v in context.items())
    store = client.app.state.store  # type: ignore[attr-defined]
    expected = {r["s"].value for r in store.query(f"SELECT ?s WHERE {{ ?s a <{cls}> }}")}
    quads = ox.parse(response.content, format=ox.RdfFormat.JSON_LD)
    assert {q.subject.value for q in quads} == expected


@pytest.mark.parametrize(
    ("path", "cls"),
    [("/capabilities", MNR.Capability), ("/domains", MNR.Domain), ("/outcomes", MNR.Outcome)],
)
def test_framework_jsonld_is_complete_whatever_the_result_limit(path: str, cls: Any) -> None:
    """The framework bounds these documents: a result limit of 5 cuts none of them short."""
    with TestClient(make_app(Settings(result_limit=5, query_workers=1))) as c:
        response = c.get(path)
        store = c.app.state.store  # type: ignore[attr-defined]
        full = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s a <{cls}> ; ?p ?o }}")
        expected = {r["s"].value for r in store.query(f"SELECT ?s WHERE {{ ?s a <{cls}> }}")}
    assert response.status_code == 200
    assert "X-Results-Truncated" not in response.headers
    quads = list(ox.parse(response.content, format=ox.RdfFormat.JSON_LD))
    assert {q.subject.value for q in quads} == expected
    assert len(expected) > 5
    assert len({(q.subject, q.predicate, q.object) for q in quads}) == len(list(full))


def _version(n: int) -> dict[str, Any]:
    """The Turtle example with other content (revision ``n`` in an evidence text)."""
    text = EXAMPLE.read_text().replace(
        "meets every quarter with the sectors concerned.",
        f"meets every quarter with the sectors concerned (revision {n}).",
        1,
    )
    return {"file": (EXAMPLE.name, text.encode(), "text/turtle")}


def test_the_submissions_list_pages_and_says_so_in_its_body() -> None:
    """GET /submissions can grow: past a page it says so in the body (truncated, next, total)
    and in the Link header, and the next page gives the rest."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(make_app(Settings(write_token=TOKEN, result_limit=2))) as c:
        for n in range(3):
            assert c.post("/submissions", files=_version(n), headers=auth).status_code == 201
        first = c.get("/submissions")
        body = first.json()
        assert (body["total"], body["limit"], len(body["items"]), body["truncated"]) == (
            3,
            2,
            2,
            True,
        )
        assert body["next"] == "/submissions?limit=2&offset=2"
        assert first.headers["Link"] == '</submissions?limit=2&offset=2>; rel="next"'
        rest_ = c.get(body["next"]).json()
        assert (len(rest_["items"]), rest_["truncated"], rest_["next"]) == (1, False, None)
        versions = [e["version"] for e in body["items"] + rest_["items"]]
        # after the versions the test data holds (data/submission/XA/2024/v1, v2)
        assert versions == [3, 4, 5]
        too_many = c.get("/submissions", params={"limit": 3})
        assert too_many.status_code == 400
        assert too_many.json()["where"] == "parameter 'limit'"


def test_the_submissions_list_filters_by_country_and_year() -> None:
    """country (any code or name of it) and year filter; an unknown parameter is a 400 (it was
    ignored: the whole list came back), a country with no submission a 404."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(make_app(Settings(write_token=TOKEN))) as c:
        assert c.post("/submissions", files=_version(1), headers=auth).status_code == 201
        xc = resources.path("examples", "XC-2024-valid.csv")
        upload = {"file": (xc.name, xc.read_bytes(), "text/csv")}
        assert c.post("/submissions", files=upload, headers=auth).status_code == 201
        only = c.get("/submissions", params={"country": "xc"}).json()
        assert [e["countryCode"] for e in only["items"]] == ["XC"]
        assert only["total"] == 1
        assert c.get("/submissions", params={"country": "XA", "year": "2024"}).json()["total"] == 1
        assert c.get("/submissions", params={"country": "XA", "year": "2023"}).json()["total"] == 0
        unknown = c.get("/submissions", params={"countryy": "XA"})
        assert unknown.status_code == 400
        assert unknown.json()["where"] == "parameter 'countryy'"
        nothing = c.get("/submissions", params={"country": "XQ"})
        assert nothing.status_code == 404
        assert "XQ" in nothing.json()["message"]
        assert c.get("/submissions", params={"year": "24"}).status_code == 400
        assert c.get("/submissions", params={"country": "X1"}).status_code == 400


def test_an_identical_resubmission_is_200_unchanged() -> None:
    """The same bytes again store nothing: 200 with ``unchanged`` true, not a 201 and a version."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    upload = {"file": (EXAMPLE.name, EXAMPLE.read_bytes(), "text/turtle")}
    with TestClient(make_app(Settings(write_token=TOKEN))) as c:
        first = c.post("/submissions", files=upload, headers=auth)
        again = c.post("/submissions", files=upload, headers=auth)
        listed = c.get("/submissions").json()
    assert (first.status_code, first.json()["unchanged"]) == (201, False), first.text
    assert (again.status_code, again.json()["unchanged"]) == (200, True), again.text
    assert again.json()["graph"] == first.json()["graph"]
    assert listed["total"] == 1


def _operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    paths = client.get("/openapi.json").json()["paths"]
    return [(path, method, op) for path, ops in paths.items() for method, op in ops.items()]


def test_openapi_documents_the_errors_as_answered(client: TestClient) -> None:
    """No FastAPI 422 anywhere: a 400 in the project's error shape on every operation with
    parameters or a body, a 413 on every operation with a body, and every error response with
    a JSON schema."""
    document = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in json.dumps(document)
    assert set(document["components"]["schemas"]["ErrorModel"]["required"]) >= {
        "error",
        "message",
        "detail",
    }
    operations = _operations(client)
    assert len(operations) > 10
    for path, method, op in operations:
        responses = op["responses"]
        where = f"{method.upper()} {path}"
        if op.get("parameters") or op.get("requestBody"):
            assert "400" in responses, where
            schema = responses["400"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorModel"}, where
        if op.get("requestBody"):
            assert "413" in responses, where
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                assert "application/json" in response["content"], (where, code)
        if "422" in responses:  # only a refused submission, with its report
            schema = responses["422"]["content"]["application/json"]["schema"]
            assert schema["$ref"].endswith("/SubmissionRefused"), where


def test_a_missing_required_parameter_is_the_documented_400(client: TestClient) -> None:
    checked = 0
    for path, method, op in _operations(client):
        required = [p for p in op.get("parameters", []) if p.get("required")]
        if method != "get" or not required or "{" in path:
            continue
        response = client.get(path)
        assert response.status_code == 400, path
        assert set(response.json()) == {"error", "message", "where", "detail"}, path
        assert required[0]["name"] in response.json()["detail"], path
        checked += 1
    assert checked > 0


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/sparql", "GET, HEAD, POST"),
        ("PUT", "/sparql", "GET, HEAD, POST"),
        ("DELETE", "/submissions", "GET, HEAD, POST"),
        ("PUT", "/terms", "GET, HEAD"),
        ("DELETE", "/validate", "POST"),
    ],
)
def test_405_names_every_method_of_the_path(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    body = response.json()
    assert set(body) == {"error", "message", "where", "detail"}
    assert allowed in body["message"]


@pytest.mark.parametrize("space", [s for s in linked_data.SPACES if s != "def"])
def test_a_bare_iri_space_is_404_not_a_redirect(client: TestClient, space: str) -> None:
    for path in (f"/{space}", f"/{space}/"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 404, path
        assert response.json()["error"] == "NotFoundError", path
        page = client.get(path, headers={"Accept": "text/html"}, follow_redirects=False)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html"), path


def test_openapi_documents_the_sparql_502_and_the_503_retry_after(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for method in ("get", "post"):
        responses = paths["/sparql"][method]["responses"]
        assert "502" in responses, method
        assert "Retry-After" in responses["503"]["headers"], method
    assert "Retry-After" in paths["/capabilities"]["get"]["responses"]["503"]["headers"]


def test_openapi_documents_the_linked_data_and_the_pages(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    rdf = {"text/html", "text/turtle", "application/ld+json", "application/n-triples"}
    for space in linked_data.SPACES:
        operation = paths[f"/{space}/{{rest_of_path}}"]["get"]
        assert operation["tags"] == ["linked data"], space
        assert rdf <= set(operation["responses"]["200"]["content"]), space
        assert {"404", "406", "503"} <= set(operation["responses"]), space
        assert "text/html" in operation["responses"]["404"]["content"], space
    assert rdf <= set(paths["/def"]["get"]["responses"]["200"]["content"])
    download = paths["/download/mnr-graph.{ext}"]["get"]["responses"]["200"]["content"]
    assert {"text/turtle", "application/rdf+xml"} <= set(download)
    assert (
        "application/ld+json"
        in paths["/download/context.jsonld"]["get"]["responses"]["200"]["content"]
    )
    for page in ("/", "/framework", "/vocabulary", "/questions", "/questions/{name}"):
        operation = paths[page]["get"]
        assert operation["tags"] == ["pages"], page
        assert "text/html" in operation["responses"]["200"]["content"], page
    assert "requestBody" in paths["/vocabulary/check"]["post"]


def test_openapi_is_complete(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for route in ("/queries", "/terms", "/terms/{id}", "/check", "/validate", "/submissions"):
        assert route in paths
    assert "requestBody" in paths["/check"]["post"]
    assert "text/plain" in paths["/check"]["post"]["requestBody"]["content"]


# --- serve --data with a remote endpoint (a real `oxigraph serve`) ---------------------------


def _ask(url: str, query: str) -> bool:
    response = httpx.post(
        url + "/query",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    return bool(response.json()["boolean"])


@pytest.mark.server
def test_serve_data_with_a_remote_endpoint_pushes_each_file_to_its_graph(
    oxigraph_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "generated.ttl"
    with pytest.raises(SystemExit) as generated:
        cli.main(["generate", "--countries", "2", "-o", str(data)])
    assert generated.value.code == 0
    settings = Settings(
        sparql_endpoint=oxigraph_url + "/query",
        update_endpoint=oxigraph_url + "/update",
        data_files=(data,),
    )
    graph = data_graph(data)
    expected = len(list(ox.parse(path=str(data), format=ox.RdfFormat.TURTLE)))
    with TestClient(api.get_fastapi_app(settings)) as c:
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        response = c.get("/sparql", params={"query": count}, headers={"Accept": "text/csv"})
        assert response.status_code == 200, response.text
        assert int(response.text.split()[1]) == expected
        names = c.get("/sparql", headers={"Accept": "application/n-triples"}).text
        assert f"<{graph}>" in names


@pytest.mark.server
def test_serve_data_with_a_remote_endpoint_needs_a_way_to_write(
    oxigraph_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "refused.ttl"
    data.write_text(
        "<https://w3id.org/mnr-graph/data/x> a <https://w3id.org/mnr-graph/def/Country> ."
    )
    with pytest.raises(SystemExit) as refused:
        cli.main(["serve", "--sparql-endpoint", oxigraph_url + "/query", "--data", str(data)])
    assert refused.value.code == 2
    assert "--update-endpoint" in capsys.readouterr().err
    assert not _ask(oxigraph_url, f"ASK {{ GRAPH <{data_graph(data)}> {{ ?s ?p ?o }} }}")


@pytest.mark.server
def test_serve_data_with_a_remote_endpoint_sends_nothing_if_a_file_is_bad(
    oxigraph_url: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.ttl"
    good.write_text(
        "<https://w3id.org/mnr-graph/data/g> a <https://w3id.org/mnr-graph/def/Country> ."
    )
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://w3id.org/mnr-graph/data/b> a .\n")
    settings = Settings(
        sparql_endpoint=oxigraph_url + "/query",
        update_endpoint=oxigraph_url + "/update",
        data_files=(good, bad),
    )
    with pytest.raises(InputError) as error:
        build_store(settings)
    assert str(bad) in str(error.value)
    assert not _ask(oxigraph_url, f"ASK {{ GRAPH <{data_graph(good)}> {{ ?s ?p ?o }} }}")


# --- paging: a truncated answer says so where every client reads it -----------------------------


def test_a_truncated_named_query_says_so_in_its_json_body_and_pages() -> None:
    """Past the result limit the JSON body says truncated and gives the next page (and the Link
    header); the pages, joined, are the whole answer."""
    with TestClient(make_app(Settings(result_limit=5, query_workers=1))) as c:
        whole = []
        url: str | None = "/queries/capabilities-by-domain"
        while url is not None:
            response = c.get(url)
            assert response.status_code == 200, response.text
            body = response.json()
            whole += body["rows"]
            assert len(body["rows"]) <= 5
            if body["next"]:
                assert body["truncated"] is True
                assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
            url = body["next"]
        assert len(whole) == 21
        assert whole == queries.run_query(c.app.state.store, "capabilities-by-domain").rows  # type: ignore[attr-defined]


def test_a_csv_answer_longer_than_the_limit_must_be_paged() -> None:
    """pandas.read_csv and SPARQLWrapper never see headers: a CSV past the limit is a 400 naming
    limit and offset, never a silently short table; asked for in pages, it is whole."""
    with TestClient(make_app(Settings(result_limit=5, query_workers=1))) as c:
        refused = c.get("/queries/capabilities-by-domain", headers={"Accept": "text/csv"})
        assert refused.status_code == 400
        assert refused.json()["where"] == "parameter 'limit'"
        assert "more than 5 rows" in refused.json()["message"]
        assert "offset" in refused.json()["message"]
        rows: list[dict[str, str]] = []
        for offset in range(0, 25, 5):
            page = c.get(
                "/queries/capabilities-by-domain",
                params={"format": "csv", "limit": 5, "offset": offset},
            )
            assert page.status_code == 200, page.text
            rows += list(csv.DictReader(io.StringIO(page.text)))
            assert ("Link" in page.headers) is (offset + 5 < 21)
        assert len(rows) == 21
        small = c.get("/queries/capability", params={"capability": "C07", "format": "csv"})
        assert small.status_code == 200, "an answer within the limit needs no paging"
        too_big = c.get("/queries/capabilities-by-domain", params={"limit": 6})
        assert too_big.status_code == 400
        assert too_big.json()["where"] == "parameter 'limit'"


# --- submissions: replace, sheets, withdrawal over HTTP -------------------------------------------


def test_a_submission_with_less_data_is_a_409_until_replace_is_given() -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    xc = resources.path("examples", "XC-2024-valid.csv")
    lines = xc.read_text().splitlines()
    partial = [lines[0], *lines[1:6]] + [
        ",".join([*line.split(",")[:3], "", "no data", "", "", "", "", "", ""])
        for line in lines[6:]
    ]
    data = ("\n".join(partial) + "\n").encode()
    with TestClient(make_app(Settings(write_token=TOKEN))) as c:
        upload = {"file": (xc.name, xc.read_bytes(), "text/csv")}
        assert c.post("/submissions", files=upload, headers=auth).status_code == 201
        refused = c.post("/submissions", files={"file": ("p.csv", data)}, headers=auth)
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert body["error"] == "ConflictError"
        assert body["details"]["reason"] == "less-data"
        assert (body["details"]["current"]["assessed"], body["details"]["new"]["assessed"]) == (
            20,
            5,
        )
        assert c.get("/submissions").json()["total"] == 1, "nothing stored"
        bad = c.post(
            "/submissions", files={"file": ("p.csv", data)}, data={"replace": "maybe"}, headers=auth
        )
        assert (bad.status_code, bad.json()["where"]) == (400, "field 'replace'")
        stored = c.post(
            "/submissions", files={"file": ("p.csv", data)}, data={"replace": "true"}, headers=auth
        )
        assert stored.status_code == 201, stored.text
        assert "less data" in stored.json()["notice"]


def test_a_workbook_sheet_is_chosen_with_the_form_field() -> None:
    workbook = TESTS / "data" / "validation" / "xlsx-two-submission-sheets.xlsx"
    files = {"file": (workbook.name, workbook.read_bytes())}
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(make_app(Settings(write_token=TOKEN))) as c:
        refused = c.post("/validate", files=files)
        assert refused.status_code == 400
        assert "'2023 copy', '2024'" in refused.json()["message"]
        chosen = c.post("/validate", files=files, data={"sheet": "2024"})
        assert (chosen.status_code, chosen.json()["sheet"]) == (200, "2024"), chosen.text
        assert c.post("/submissions", files=files, headers=auth).status_code == 400
        stored = c.post("/submissions", files=files, data={"sheet": "2024"}, headers=auth)
        assert stored.status_code == 201, stored.text
        assert stored.json()["sheet"] == "2024"
        (entry,) = c.get("/submissions", params={"country": "XD"}).json()["items"]
        assert entry["sheet"] == "2024"


def test_a_version_is_withdrawn_with_the_token() -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(make_app(Settings(write_token=TOKEN))) as c:
        first = c.post("/submissions", files=_version(1), headers=auth).json()
        second = c.post("/submissions", files=_version(2), headers=auth).json()
        path = f"/submissions/XA/2024/{second['version']}"
        assert c.delete(path).status_code == 403
        assert c.delete(path, params={"colour": "red"}, headers=auth).status_code == 400
        assert c.delete("/submissions/XA/2024/99", headers=auth).status_code == 404
        assert c.delete("/submissions/ZQ/2024/1", headers=auth).status_code == 404
        done = c.delete(path, params={"reason": "wrong file", "by": "Data team"}, headers=auth)
        assert done.status_code == 200, done.text
        assert done.json()["current"] == first["graph"]
        assert c.delete(path, headers=auth).status_code == 409
        listed = {e["version"]: e for e in c.get("/submissions").json()["items"]}
        assert listed[second["version"]]["withdrawn"]["reason"] == "wrong file"
        assert listed[first["version"]]["isCurrent"] is True
        rows = c.get("/queries/country-profile", params={"country": "XA"}).json()["rows"]
        assert {r["submission"] for r in rows} == {first["submission"]}
