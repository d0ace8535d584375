"""``/charts``: the countries' phases across the framework, and two countries compared.

Server-rendered SVG (:mod:`mnr_graph.web.charts`), each with a table of the same figures: how many
countries are at each phase per capability, a countries x capabilities heatmap (both from each
country's current submission), and, for two countries chosen in the form, their phases per
capability side by side (the named query ``countries-compared``).

>>> [route.path for route in get_router().routes]
['/charts']
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from mnr_graph.core.errors import located
from mnr_graph.query import named as queries
from mnr_graph.web import charts
from mnr_graph.web.errors import STORE_ERRORS, page_errors
from mnr_graph.web.i18n import translate
from mnr_graph.web.page_queries import page_query
from mnr_graph.web.pages.listings import countries, country_facts, framework_domains
from mnr_graph.web.pages.rendering import HTML, base_context, page_handler, render
from mnr_graph.web.requests import page_language, store_reader

__all__ = ["get_router"]


def _across(store: queries.QueryStore, lang: str) -> dict[str, Any]:
    """The distribution per capability and the heatmap, with their tables."""
    capabilities = [c for d in framework_domains(store, lang) for c in d["capabilities"]]
    phases: dict[str, dict[str, int]] = {}
    for row in store.query(page_query("current-phases")):
        phases.setdefault(row["country"].value, {})[row["capabilityNotation"].value] = int(
            row["phaseNumber"].value
        )
    names = {iri: country_facts(iri) for iri in phases}
    distribution = [
        (c, [sum(1 for p in phases.values() if p.get(c["notation"]) == n) for n in range(1, 5)])
        for c in capabilities
    ]
    grid = [
        (names[iri], [phases[iri].get(c["notation"]) for c in capabilities])
        for iri in sorted(phases, key=lambda i: (names[i]["demo"], names[i]["code"]))
    ]
    return {
        "capabilities": capabilities,
        "distribution": distribution,
        "grid": grid,
        "distribution_svg": charts.stacked_chart(
            "distribution",
            "Countries at each maturity phase, per capability",
            [(f"{c['notation']} {c['label']}", counts) for c, counts in distribution],
            description="For each capability, a bar split by how many countries' current "
            "submissions put it at phase 1, 2, 3 and 4; the table below gives the counts.",
        ),
        "heatmap_svg": charts.heatmap(
            "heatmap",
            "Maturity phase per country and capability",
            [c["notation"] for c in capabilities],
            [(country["code"], values) for country, values in grid],
            description="A row per country, a column per capability; each cell gives the phase "
            "of the country's current submission (a dash: not assessed). The table below "
            "holds the same values.",
        ),
    }


def _compared(store: queries.QueryStore, first: str, second: str, lang: str) -> dict[str, Any]:
    with located("parameters 'country' and 'other'"):
        table = queries.run_query(
            store, "countries-compared", {"country": first, "other": second, "lang": lang}
        )
    groups = [
        (
            f"{row['capabilityNotation']} {row['capabilityLabel']}",
            [
                (first, _number(row.get("countryPhaseNumber")), _text(row, "countryPhaseNumber")),
                (second, _number(row.get("otherPhaseNumber")), _text(row, "otherPhaseNumber")),
            ],
        )
        for row in table.rows
    ]
    return {
        "rows": table.rows,
        "svg": charts.bar_chart(
            "compared",
            f"Maturity phase per capability: {first} and {second}",
            groups,
            description=f"For each capability, a bar for {first} and one for {second}: the phase "
            "(1 to 4) of each country's current submission; the table below gives the values.",
        ),
    }


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


def _text(row: dict[str, Any], column: str) -> str:
    return str(row[column]) if row.get(column) is not None else "not assessed"


def get_router() -> APIRouter:
    """The charts page's route."""
    router = APIRouter()

    @router.get(
        "/charts",
        summary="Charts: phases across countries, and two countries compared",
        responses={200: HTML, **page_errors(400, 404, *STORE_ERRORS)},
        response_class=HTMLResponse,
        tags=["pages"],
    )
    @page_handler
    def charts_page(
        request: Request,
        country: str | None = Query(None, max_length=200, description="first country"),
        other: str | None = Query(None, max_length=200, description="second country"),
    ) -> Response:
        lang = page_language(request)
        store = store_reader(request)
        known = countries(store)
        compared = _compared(store, country, other, lang) if country and other else None
        return render(
            "charts.html",
            known=known,
            country=country or "",
            other=other or "",
            compared=compared,
            **_across(store, lang),
            **base_context(request, lang, translate("charts.title", lang)),
        )

    return router
