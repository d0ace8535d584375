"""The text checker over HTTP (web.routes.check): JSON or plain text in its charset."""

from __future__ import annotations

import warnings

import pytest

from mnr_graph.terminology import checker as textcheck
from mnr_graph.terminology import vocabulary as terminology

with warnings.catch_warnings():
    # Starlette's TestClient warns at import that it wants httpx2; nothing to do with our code.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def vocabulary() -> terminology.Vocabulary:
    return terminology.load_vocabulary()


def _avoided_sentence(vocabulary: terminology.Vocabulary) -> str:
    label = next(lab for lab in vocabulary.labels if lab.band == "avoid" and lab.lang == "en")
    return f"The annual report mentions {label.text} twice."


@pytest.mark.slow
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
