"""Term search and term descriptions over HTTP (web.routes.terms)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from mnr_graph.terminology import vocabulary as terminology

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def vocabulary() -> terminology.Vocabulary:
    return terminology.load_vocabulary()


@pytest.mark.slow
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


@pytest.mark.slow
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
