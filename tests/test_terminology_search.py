"""Term search and term descriptions (terminology.search).

From Python, the CLI and the API alike (``search_terms`` = ``mnr-graph terms --search`` = ``GET
/terms?q=``; ``describe_term`` = ``mnr-graph concept`` = ``GET /terms/{id}``).
"""

from __future__ import annotations

import json
import warnings

import pytest
from click.testing import CliRunner

from mnr_graph.cli import cli
from mnr_graph.core.errors import NotFoundError
from mnr_graph.terminology.search import (
    describe_term,
    description_to_text,
    search_terms,
    term_entries,
)
from mnr_graph.terminology.vocabulary import Vocabulary, load_vocabulary

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

SEARCHES = [
    ("child pornography", "en"),
    ("CSAM", None),
    ("enfant", "fr"),
    ("explotación", "es"),
    ("grooming", None),
]


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


@pytest.mark.slow
@pytest.mark.parametrize(("q", "lang"), SEARCHES)
def test_search_from_python_the_cli_and_the_api_agree(
    client: TestClient, q: str, lang: str | None
) -> None:
    found = search_terms(q, lang=lang)
    assert found, q
    args = ["terms", "--search", q, "--format", "json"] + (["--lang", lang] if lang else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == found
    params = {"q": q, "limit": "500"} | ({"lang": lang} if lang else {})
    page = client.get("/terms", params=params).json()
    assert page["total"] == len(found)
    assert page["items"] == found[:500]


def test_search_finds_a_label_by_part_ignoring_case_and_accents() -> None:
    labels = [e["label"] for e in search_terms("EXPLOTACION", lang="es")]
    assert any("explotación" in label for label in labels)
    assert all(e["lang"] == "es" for e in search_terms("explotación", lang="es")[:1])


def test_search_filters_by_band_and_group(vocabulary: Vocabulary) -> None:
    assert {e["band"] for e in search_terms("child", band="avoid")} == {"avoid"}
    group = next(iter(vocabulary.groups.values()))
    members = {str(m) for m in group.members}
    assert all(e["concept"] in members for e in search_terms("a", group=group.slug))


def test_term_entries_are_every_label_with_its_kind_and_id(vocabulary: Vocabulary) -> None:
    entries = term_entries(vocabulary)
    assert len(entries) == len(vocabulary.labels)
    assert {e["kind"] for e in entries} <= {"preferred", "alternative", "hidden"}
    assert all(e["concept"].endswith("/" + e["id"]) for e in entries)


@pytest.mark.slow
def test_a_description_from_python_the_cli_and_the_api_agree(
    client: TestClient, vocabulary: Vocabulary
) -> None:
    for iri in list(vocabulary.concepts)[:5]:
        slug = iri.rsplit("/", 1)[1]
        description = describe_term(slug, lang="fr")
        result = CliRunner().invoke(cli, ["concept", slug, "--lang", "fr", "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == description
        assert client.get(f"/terms/{slug}", params={"lang": "fr"}).json() == description


def test_a_description_as_text_names_every_label(vocabulary: Vocabulary) -> None:
    description = describe_term("child-sexual-abuse-material")
    text = description_to_text(description)
    assert text.startswith(f"{description['preferred']} <{description['concept']}>")
    for label in description["labels"]:
        assert label["label"] in text
    result = CliRunner().invoke(cli, ["concept", "child-sexual-abuse-material"])
    assert result.output.rstrip("\n") == text


def test_an_unknown_concept_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="unknown term 'no-such-term'"):
        describe_term("no-such-term")
    result = CliRunner().invoke(cli, ["concept", "no-such-term"])
    assert isinstance(result.exception, NotFoundError)
