"""The SPARQL protocol's request checks (query.protocol): updates refused, nesting bounded."""

from __future__ import annotations

import pytest

from mnr_graph.core.errors import InputError
from mnr_graph.query.protocol import check_query, kind_of


def test_updates_are_not_queries() -> None:
    with pytest.raises(InputError, match="read-only"):
        kind_of("PREFIX ex: <http://ex/> INSERT DATA { ex:a ex:b ex:c }")


def test_check_query_finds_deep_nesting_outside_strings_only() -> None:
    deep = "ASK { FILTER(" + "(" * 600 + "1" + ")" * 600 + ") }"
    with pytest.raises(InputError, match="nests"):
        check_query(deep)
    check_query('ASK { ?s ?p "' + "(" * 600 + '" }')
    check_query("SELECT * WHERE { VALUES (?x ?y) { " + "(1 2) " * 5000 + "} }")
