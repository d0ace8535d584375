"""Content negotiation (core.negotiation).

The one reading of Accept and the one precedence of ``format`` (it wins over Accept), on every route
that answers in several formats.
"""

from __future__ import annotations

import warnings

import pytest

from mnr_graph.core.errors import NotAcceptableError
from mnr_graph.core.negotiation import negotiate, parse_accept

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

TABLE = {"json": "application/json", "csv": "text/csv"}
RDF = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "html": "text/html",
}


def test_accept_is_ordered_by_q_then_specificity() -> None:
    assert [r for r, _ in parse_accept("*/*;q=0.5, text/*;q=0.5, text/csv;q=0.5")] == [
        "text/csv",
        "text/*",
        "*/*",
    ]


@pytest.mark.parametrize(
    ("accept", "fmt", "offered", "expected"),
    [
        # an explicit format wins over Accept, whatever Accept says
        ("text/csv", "json", TABLE, "json"),
        ("application/json", "CSV", TABLE, "csv"),
        ("*/*;q=0", "csv", TABLE, "csv"),
        ("text/turtle", "text/html", RDF, "html"),  # a format by its media type
        # otherwise Accept decides: q-values, a type before a wildcard, refusals
        ("application/json;q=0.5, text/csv", None, TABLE, "csv"),
        ("text/*", None, TABLE, "csv"),
        ("*/*", None, RDF, "ttl"),
        ("text/turtle;q=0, */*", None, RDF, "jsonld"),
        ("text/turtle;q=0, text/*", None, RDF, "html"),
        ("application/*;q=0, */*", None, RDF, "ttl"),
        ("*/*;q=1, text/html;q=0.1", None, RDF, "ttl"),  # the wildcard's q is higher
        ("text/csv;q=x", None, TABLE, "json"),  # a malformed q drops its range
        # no Accept: the route's default, its first format
        (None, None, TABLE, "json"),
        ("", None, RDF, "ttl"),
    ],
)
def test_the_rule(
    accept: str | None, fmt: str | None, offered: dict[str, str], expected: str
) -> None:
    assert negotiate(accept, fmt, offered) == expected


@pytest.mark.parametrize(
    ("accept", "fmt", "where", "words"),
    [
        (None, "yaml", "format", "unknown format 'yaml'; use one of json, csv"),
        ("image/png", None, "Accept", "cannot answer in 'image/png'"),
        ("text/csv;q=0, application/json;q=0", None, "Accept", "refuses every format"),
        ("text/*;q=0", None, "Accept", "cannot answer"),
    ],
)
def test_refusals_are_406_saying_where(
    accept: str | None, fmt: str | None, where: str, words: str
) -> None:
    with pytest.raises(NotAcceptableError) as refused:
        negotiate(accept, fmt, TABLE)
    assert refused.value.where == where
    assert words in refused.value.message
    assert refused.value.http_status == 406


#: One request per route family, with an Accept that names another format than ``format``:
#: (path, parameters, Accept, the media type ``format`` gives, the one Accept gives alone).
ROUTES = [
    (
        "/sparql",
        {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "format": "tsv"},
        "text/csv",
        "text/tab-separated-values",
        "text/csv",
    ),
    (
        "/sparql",
        {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "format": "ntriples"},
        "text/turtle",
        "application/n-triples",
        "text/turtle",
    ),
    ("/sparql", {"format": "jsonld"}, "text/turtle", "application/ld+json", "text/turtle"),
    (
        "/queries/capabilities-by-domain",
        {"format": "csv"},
        "application/json",
        "text/csv",
        "application/json",
    ),
    (
        "/queries/capabilities-by-domain",
        {"format": "json"},
        "text/csv",
        "application/json",
        "text/csv",
    ),
    ("/id/C07", {"format": "nt"}, "text/turtle", "application/n-triples", "text/turtle"),
    ("/id/C07", {"format": "html"}, "text/turtle", "text/html", "text/turtle"),
    ("/def", {"format": "ttl"}, "text/html", "text/turtle", "text/html"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "params", "accept", "by_format", "by_accept"), ROUTES)
def test_format_wins_over_accept_on_every_route(
    client: TestClient,
    path: str,
    params: dict[str, str],
    accept: str,
    by_format: str,
    by_accept: str,
) -> None:
    answer = client.get(path, params=params, headers={"Accept": accept})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == by_format
    without = {k: v for k, v in params.items() if k != "format"}
    answer = client.get(path, params=without, headers={"Accept": accept})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == by_accept


@pytest.mark.parametrize(
    "path", ["/sparql?query=ASK%20%7B%7D", "/queries/capabilities-by-domain", "/id/C07"]
)
def test_an_unknown_format_is_the_same_406_on_every_route(client: TestClient, path: str) -> None:
    answer = client.get(path, params={"format": "yaml"}, headers={"Accept": "*/*"})
    assert answer.status_code == 406
    body = answer.json()
    assert body["where"] == "format"
    assert body["message"].startswith("unknown format 'yaml'")
