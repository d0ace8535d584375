"""``/terms``: the vocabulary's labels searched or listed, and one concept by its id.

The search and the description are those of :mod:`mnr_graph.terminology.search` (as
``mnr-graph terms --search`` and ``mnr-graph concept`` give them); this module names the
parameter a bad value came from.

>>> sorted(route.path for route in get_router().routes)
['/terms', '/terms/{id}']
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from mnr_graph.core.errors import InputError, located
from mnr_graph.query import named as queries
from mnr_graph.terminology.search import describe_term, search_terms, term_entries
from mnr_graph.terminology.vocabulary import Vocabulary, load_vocabulary
from mnr_graph.web.errors import errors
from mnr_graph.web.models import TermDescription, TermPage
from mnr_graph.web.requests import single_values

__all__ = ["get_router"]

_MAX_PAGE = 500


def _check_term_filters(
    vocabulary: Vocabulary,
    *,
    lang: str | None,
    band: str | None,
    group: str | None,
) -> None:
    """Refuse an unknown language, band or group with a 400 that names the parameter."""
    with located("parameter 'lang'"):
        vocabulary.check_lang(lang)
    bands = {label.band for label in vocabulary.labels}
    if band is not None and band.strip().lower() not in bands:
        raise InputError(
            f"unknown band {band!r}; known bands: {', '.join(sorted(bands))}",
            where="parameter 'band'",
        )
    if group:
        with located("parameter 'group'"):
            vocabulary.find_group(group)


def get_router() -> APIRouter:
    """The term routes."""
    router = APIRouter()

    @router.get("/terms", response_model=TermPage, tags=["terminology"], responses=errors(400))
    def list_terms(
        request: Request,
        q: str | None = Query(None, description="text to look for in any label", max_length=200),
        lang: str | None = Query(None, description="language tag (en, fr, es ...)"),
        band: str | None = Query(None, description="usage band: use, caution or avoid"),
        group: str | None = Query(None, description="subject group (its slug)"),
        limit: int = Query(20, description="how many labels per page, 1..500"),
        offset: int = Query(0, description="how many labels to skip"),
    ) -> dict[str, Any]:
        """Search or list the vocabulary's labels.

        With ``q``: labels containing the text (ignoring case and accents) or found by the
        look-up (plurals, hyphens), best first: an exact preferred label, an exact match
        ignoring case, other labels, then other languages. Without ``q``: every label,
        filtered by ``lang``, ``band`` and ``group``. Each parameter once (a repeated one is
        a 400, as for the named queries).
        """
        single_values(request)
        if not 1 <= limit <= _MAX_PAGE:
            raise InputError(f"limit must be 1..{_MAX_PAGE}", where="parameter 'limit'")
        if offset < 0:
            raise InputError("offset must be 0 or more", where="parameter 'offset'")
        vocabulary = load_vocabulary()
        _check_term_filters(vocabulary, lang=lang, band=band, group=group)
        if q and q.strip():
            entries = search_terms(q, lang=lang, band=band, group=group, vocabulary=vocabulary)
        else:
            entries = term_entries(vocabulary, band=band, lang=lang, group=group)
        return {
            "total": len(entries),
            "offset": offset,
            "limit": limit,
            "items": entries[offset : offset + limit],
        }

    @router.get(
        "/terms/{id}",
        response_model=TermDescription,
        tags=["terminology"],
        responses=errors(400, 404),
    )
    def get_term(
        request: Request,
        id: str,
        lang: str | None = Query(None, description="language of the answer"),
    ) -> dict[str, Any]:
        """One concept of the vocabulary by its id (``child-sexual-abuse-material``).

        Its preferred label, definition, sources, groups and every label with its band.
        """
        single_values(request)
        if lang is not None:
            with located("parameter 'lang'"):
                queries.parse_value("language", lang)  # a language tag, or a 400
        return describe_term(id, lang=lang)

    return router
