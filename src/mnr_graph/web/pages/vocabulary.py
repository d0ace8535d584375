"""``/vocabulary``: the term look-up (a ranked search) and the text checker, as a page.

The search is :func:`mnr_graph.terminology.search.search_terms` (as ``GET /terms?q=``), the
check :func:`mnr_graph.terminology.checker.check_text` (as ``POST /check``).

>>> sorted(route.path for route in get_router().routes)
['/vocabulary', '/vocabulary/check']
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from mnr_graph.terminology import checker
from mnr_graph.terminology.search import search_terms, term_entries
from mnr_graph.terminology.vocabulary import load_vocabulary
from mnr_graph.web.errors import page_errors
from mnr_graph.web.pages.rendering import HTML, base_context, page_handler, render
from mnr_graph.web.requests import page_language

__all__ = ["get_router"]

#: The most results the look-up shows.
_MOST_RESULTS = 50


def get_router() -> APIRouter:
    """The terminology page's routes: the look-up and the checker's findings."""
    router = APIRouter()

    @router.get(
        "/vocabulary",
        summary="Term look-up and the text checker",
        responses={200: HTML, **page_errors(400)},
        response_class=HTMLResponse,
        tags=["pages"],
    )
    @page_handler
    def vocabulary(
        request: Request,
        q: str | None = Query(None, max_length=200),
        band: str | None = Query(None, max_length=20),
    ) -> Response:
        lang = page_language(request)
        vocab = load_vocabulary()
        results: list[dict[str, Any]] = []
        suggestions: list[dict[str, Any]] = []
        if q and q.strip():
            results = search_terms(q, lang=lang, band=band or None, vocabulary=vocab)
            results = results[:_MOST_RESULTS]
            suggestions = list(vocab.lookup(q, lang=lang).to_json()["suggestions"])
        elif band:
            results = term_entries(vocab, band=band, lang=lang)
        return render(
            "vocabulary.html",
            q=q or "",
            band=band or "",
            bands=sorted({label.band for label in vocab.labels}),
            results=results,
            suggestions=suggestions,
            text="",
            findings=None,
            **base_context(request, lang, "Terminology"),
        )

    @router.post(
        "/vocabulary/check",
        summary="The text checker's findings, as a page",
        responses={200: HTML, **page_errors(400, 413, 415)},
        response_class=HTMLResponse,
        tags=["pages"],
    )
    @page_handler
    def check_page(request: Request, text: str = Form(..., max_length=200_000)) -> Response:
        lang = page_language(request)
        vocab = load_vocabulary()
        findings = [f.to_json() for f in checker.check_text(text, lang=lang)]
        return render(
            "vocabulary.html",
            q="",
            band="",
            bands=sorted({label.band for label in vocab.labels}),
            results=[],
            suggestions=[],
            text=text,
            findings=findings,
            **base_context(request, lang, "Terminology"),
        )

    return router
