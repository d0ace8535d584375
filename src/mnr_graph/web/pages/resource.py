"""The page of any resource, as the linked-data paths give it to a browser.

Its properties, and for a capability its details and terms, for a country its profile, for a term
its description.

>>> from mnr_graph.core.namespaces import RDF, SKOS
>>> import pyoxigraph as ox
>>> c = ox.NamedNode("https://w3id.org/mnr-graph/id/C07")
>>> triples = [(c, ox.NamedNode(str(SKOS.prefLabel)), ox.Literal("Seven", language="en"))]
>>> _title(triples, c.value, "fr")
'Seven'
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response

from mnr_graph.core.errors import NotFoundError
from mnr_graph.core.language import pick
from mnr_graph.core.namespaces import MNR, RDF, RDFS, SKOS, SKOSXL, XSD
from mnr_graph.query import named as queries
from mnr_graph.terminology.search import describe_term
from mnr_graph.terminology.vocabulary import load_vocabulary
from mnr_graph.web import charts
from mnr_graph.web.linked_data import FORMATS, Triple
from mnr_graph.web.page_queries import page_query
from mnr_graph.web.pages.listings import (
    country_facts,
    framework_domains,
    has_submission,
    label_map,
)
from mnr_graph.web.pages.rendering import base_context, curie, error_page, render

__all__ = ["resource_page"]


def resource_page(
    request: Request, store: queries.QueryStore, iri: str, triples: list[Triple], lang: str
) -> Response:
    """The HTML page of the resource ``iri`` described by ``triples`` (none: a 404 page)."""
    if not triples:
        return error_page(request, NotFoundError(f"no resource {iri}"), lang)
    types = _types(triples, iri)
    context = base_context(request, lang, _title(triples, iri, lang))
    context.update(
        iri=iri,
        properties=_property_rows(store, iri, triples, lang),
        formats=[name for name in FORMATS if name != "html"],
        special=None,
    )
    if str(MNR.Capability) in types:
        context["special"] = "capability"
        notation = iri.rsplit("/", 1)[1]
        context["details"] = queries.run_query(
            store, "capability", {"capability": notation, "lang": lang}
        ).rows
        context["terms"] = queries.run_query(
            store, "terms-for-capability", {"capability": notation, "lang": lang}
        ).rows
    elif str(MNR.Country) in types:
        country = country_facts(iri)
        if not has_submission(store, iri):  # a country of no current submission: not found
            missing = NotFoundError(f"country {country['code']} has no current submission")
            return error_page(request, missing, lang)
        context["special"] = "country"
        context["country"] = country
        context["title"] = f"Country {country['label']}" + (
            " (demo, illustrative)"
            if country["demo"]
            else " (illustrative)"
            if country["illustrative"]
            else ""
        )
        context["profile"] = queries.run_query(
            store, "country-profile", {"country": iri, "lang": lang}
        ).rows
        context["averages"] = queries.run_query(
            store, "average-phase-by-domain", {"country": iri, "lang": lang}
        ).rows
        context.update(_country_charts(store, iri, country["code"], context["profile"], lang))
    elif iri in load_vocabulary().concepts:
        context["special"] = "term"
        context["term"] = describe_term(iri.rsplit("/", 1)[1], lang=lang)
    response = render("resource.html", **context)
    response.headers["Vary"] = "Accept"
    return response


def _country_charts(
    store: queries.QueryStore, iri: str, code: str, profile: list[dict[str, Any]], lang: str
) -> dict[str, Any]:
    """A country's phase per capability grouped by domain, and its average phase per year."""
    phases: dict[str, int] = {
        row["capability"]: int(row["phaseNumber"])
        for row in profile
        if row.get("phaseNumber") is not None
    }
    groups = [
        (
            f"{d['notation']} {d['label']}",
            [
                (
                    f"{c['notation']} {c['label']}",
                    float(phases[c["iri"]]) if c["iri"] in phases else None,
                    str(phases[c["iri"]]) if c["iri"] in phases else "not assessed",
                )
                for c in d["capabilities"]
            ],
        )
        for d in framework_domains(store, lang)
    ]
    trend = [
        {
            "year": row["reportingYear"].value,
            "average": float(row["averagePhase"].value),
            "assessed": int(row["assessedCapabilities"].value),
        }
        for row in store.query(
            page_query("country-trend"), substitutions={"country": ox.NamedNode(iri)}
        )
    ]
    return {
        "phase_svg": charts.bar_chart(
            "country-phases",
            f"{code}: maturity phase per capability, by domain",
            groups,
            description="A bar per capability, grouped by domain: the phase (1 to 4) of the "
            "current submission; the table below gives the same values.",
        ),
        "trend": trend,
        "trend_svg": charts.line_chart(
            "country-trend",
            f"{code}: average maturity phase per reporting year",
            [(t["year"], t["average"]) for t in trend],
            description="The average phase of the assessed capabilities in each reporting "
            "year's submission; the table beside gives the same values.",
        )
        if trend
        else None,
    }


def _lexical(literal: ox.Literal) -> str:
    """A literal's text; a boolean's canonical form (Virtuoso answers 1 and 0 for true and false).

    >>> _lexical(ox.Literal("1", datatype=ox.NamedNode(str(XSD.boolean))))
    'true'
    """
    if literal.datatype == ox.NamedNode(str(XSD.boolean)):
        return {"1": "true", "0": "false"}.get(literal.value, literal.value)
    return literal.value


def _property_rows(
    store: queries.QueryStore, iri: str, triples: list[Triple], lang: str
) -> list[dict[str, Any]]:
    own = [(p, o) for s, p, o in triples if s.value == iri]
    names = {p.value for p, _ in own} | {o.value for _, o in own if isinstance(o, ox.NamedNode)}
    labels = label_map(store, names, lang)
    in_lang = {(p.value, o.language) for p, o in own if isinstance(o, ox.Literal)}
    rows: dict[str, dict[str, Any]] = {}
    for p, o in own:
        row = rows.setdefault(
            p.value, {"iri": p.value, "label": labels.get(p.value, curie(p.value)), "objects": []}
        )
        if isinstance(o, ox.NamedNode):
            value = {"iri": o.value, "text": labels.get(o.value, curie(o.value)), "lang": None}
        elif isinstance(o, ox.Literal):
            # Texts in other languages are left out when the page's language has one.
            if (
                o.language
                and o.language != lang
                and p.value != str(SKOS.prefLabel)
                and (p.value, lang) in in_lang
            ):
                continue
            value = {"iri": None, "text": _lexical(o), "lang": o.language}
        else:
            value = {"iri": None, "text": str(o), "lang": None}
        row["objects"].append(value)
    ordered = sorted(rows.values(), key=lambda r: (r["iri"] != str(RDF.type), r["label"].lower()))
    for row in ordered:
        row["objects"].sort(key=lambda v: (v["lang"] not in (lang, None), v["text"].lower()))
    return ordered


def _types(triples: list[Triple], iri: str) -> set[str]:
    return {o.value for s, p, o in triples if s.value == iri and p.value == str(RDF.type)}


def _title(triples: list[Triple], iri: str, lang: str) -> str:
    values = {
        o.language or "": o.value
        for s, p, o in triples
        if s.value == iri
        and p.value in (str(SKOS.prefLabel), str(RDFS.label), str(SKOSXL.literalForm))
        and isinstance(o, ox.Literal)
    }
    return pick(values, lang) or curie(iri)
