"""The generated ISO 3166 shape is up to date with pycountry and the generator."""

from __future__ import annotations

import pytest

from mnr_graph.core import resources
from mnr_graph.framework.countries import country_codes, country_shape_text, user_assigned_codes


def test_iso3166_shape_is_regenerated_identically() -> None:
    assert resources.read_text("shapes", "iso3166.ttl") == country_shape_text()


def test_user_assigned_codes_are_valid_and_not_official() -> None:
    codes = set(country_codes())
    assert set(user_assigned_codes()) <= codes
    assert "XA" in codes
    assert "XZZ" in codes
    assert "X1" not in codes


@pytest.mark.slow
def test_every_generated_and_official_code_passes_the_shape() -> None:
    from rdflib import Graph, Literal, URIRef

    from mnr_graph.core.namespaces import MNR, RDF
    from mnr_graph.submissions.generate import country_codes as generated_codes
    from mnr_graph.submissions.validation import validate_graph

    graph = Graph()
    for code in [*generated_codes(702), *country_codes()]:
        node = URIRef(f"urn:country:{code}")
        graph.add((node, RDF.type, MNR.Country))
        graph.add((node, MNR.countryCode, Literal(code)))
    assert [r for r in validate_graph(graph).results if r.shape in ("S12", "S13")] == []
