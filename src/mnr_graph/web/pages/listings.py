"""The store reads several pages share.

The framework's domains with their capabilities and outcomes, the countries with a current
submission, and labels in the page's language.

Their SPARQL is in ``sparql/pages/*.rq`` and the named queries (``sparql/Q*.rq``).

>>> from mnr_graph.query.store import EmbeddedStore
>>> domains = framework_domains(EmbeddedStore.with_shipped_data(), "en")
>>> len(domains), sum(len(d["capabilities"]) for d in domains)
(6, 21)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox

from mnr_graph.core.errors import MnrGraphError
from mnr_graph.core.language import pick
from mnr_graph.framework.countries import lookup_country
from mnr_graph.query import named as queries
from mnr_graph.submissions.demo import is_demo
from mnr_graph.web.page_queries import page_query, with_iris
from mnr_graph.web.pages.rendering import curie

__all__ = ["countries", "country_facts", "framework_domains", "has_submission", "label_map"]


def framework_domains(store: queries.QueryStore, lang: str) -> list[dict[str, Any]]:
    """The domains in order, each with its capabilities and outcomes, labelled in ``lang``."""
    rows = queries.run_query(store, "capabilities-by-domain", {"lang": lang}).rows
    domains: dict[str, dict[str, Any]] = {}
    for row in rows:
        domain = domains.setdefault(
            row["domain"],
            {
                "iri": row["domain"],
                "notation": row["domainNotation"],
                "label": row["domainLabel"],
                "capabilities": [],
                "outcomes": [],
            },
        )
        domain["capabilities"].append(
            {
                "iri": row["capability"],
                "notation": row["capabilityNotation"],
                "label": row["capabilityLabel"],
            }
        )
    found: dict[tuple[str, str], dict[str, str]] = {}
    for row in store.query(page_query("domain-outcomes")):
        found.setdefault((row["domain"].value, row["outcome"].value), {})[
            row["label"].language or ""
        ] = row["label"].value
    for (domain_iri, outcome), labels in sorted(found.items()):
        if domain_iri in domains:
            domains[domain_iri]["outcomes"].append(
                {"iri": outcome, "label": pick(labels, lang) or curie(outcome)}
            )
    return list(domains.values())


def country_facts(iri: str) -> dict[str, Any]:
    """A country as a page shows it.

    Its code, name, and whether it is illustrative (a user-assigned code, or the demo's) or the
    demo's.
    """
    code = unquote(iri.rsplit("/", 1)[1])
    try:
        country = lookup_country(code)
        label, user_assigned = country.label, country.user_assigned
    except MnrGraphError:
        label, user_assigned = code, False
    demo = is_demo(iri)
    return {
        "iri": iri,
        "code": code,
        "label": label,
        "demo": demo,
        "illustrative": demo or user_assigned,
    }


def has_submission(store: queries.QueryStore, iri: str) -> bool:
    """True when the country has a current submission (one the registry has not replaced)."""
    query = page_query("country-submission")
    return bool(list(store.query(query, substitutions={"country": ox.NamedNode(iri)})))


def countries(store: queries.QueryStore) -> list[dict[str, Any]]:
    """The countries with a current submission, the user's data first, then the demo's."""
    rows = store.query(page_query("countries"))
    found = [country_facts(row["country"].value) for row in rows]
    return sorted(found, key=lambda c: (c["demo"], c["code"]))


def label_map(store: queries.QueryStore, iris: set[str], lang: str) -> dict[str, str]:
    """Labels (skos:prefLabel, else rdfs:label) of the given IRIs in the page language."""
    if not iris:
        return {}
    rows = store.query(with_iris(page_query("labels"), "resource", sorted(iris)))
    found: dict[str, dict[str, str]] = {}
    for row in sorted(rows, key=lambda r: int(r["rank"].value)):
        label = row["label"]
        if isinstance(label, ox.Literal):
            found.setdefault(row["resource"].value, {}).setdefault(
                label.language or "", label.value
            )
    return {iri: text for iri, values in found.items() if (text := pick(values, lang))}
