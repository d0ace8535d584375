"""The SPARQL lexer finds keywords outside strings, IRIs and comments (cases in data/lexer/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mnr_graph.query.lexer import first_keyword, keywords, tokens

CASES = json.loads((Path(__file__).parent / "data" / "lexer" / "service.json").read_text())


@pytest.mark.parametrize("query", CASES["refused"])
def test_service_is_found(query: str) -> None:
    assert "SERVICE" in {t.text for t in keywords(query)}


@pytest.mark.parametrize("query", CASES["allowed"])
def test_service_in_strings_iris_names_comments_is_not_a_keyword(query: str) -> None:
    assert "SERVICE" not in {t.text for t in keywords(query)}


def test_first_keyword_skips_the_prologue() -> None:
    assert first_keyword("BASE <http://ex/> PREFIX a: <http://a/> ASK {}") == "ASK"
    assert first_keyword("# only a comment") is None


def test_tokens_keep_their_offsets() -> None:
    query = 'SELECT ?x WHERE { ?x ?p "{" }'
    braces = [t.start for t in tokens(query) if t.text == "{"]
    assert braces == [query.index("{")]
