"""``/questions``: every named query as a form; ``/questions/{name}``: its answer as a page.

>>> sorted(route.path for route in get_router().routes)
['/questions', '/questions/{name}']
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mnr_graph.core.errors import MnrGraphError
from mnr_graph.query import named as queries
from mnr_graph.web.errors import STORE_ERRORS, page_errors
from mnr_graph.web.pages.rendering import HTML, base_context, error_page, page_handler, render
from mnr_graph.web.requests import (
    next_page,
    page_language,
    page_parameters,
    single_values,
    store_reader,
)

__all__ = ["get_router"]

#: The most rows a question's page shows (then a link to the next page).
_PAGE_ROWS = 1000


def get_router() -> APIRouter:
    """The questions pages' routes."""
    router = APIRouter()

    @router.get(
        "/questions",
        summary="Every named query as a form",
        responses={200: HTML, **page_errors(400, *STORE_ERRORS)},
        response_class=HTMLResponse,
        tags=["pages"],
    )
    @page_handler
    def questions(request: Request) -> Response:
        lang = page_language(request)
        return render(
            "questions.html",
            queries=list(queries.load_queries().values()),
            types=queries.PARAMETER_TYPES,
            examples={
                q.name: f"/queries/{q.name}?"
                + urlencode({p.name: p.example for p in q.parameters if p.required})
                for q in queries.load_queries().values()
            },
            **base_context(request, lang, "Ready-made questions"),
        )

    @router.get(
        "/questions/{name}",
        summary="A named query's answer, as a page",
        responses={200: HTML, **page_errors(400, 404, *STORE_ERRORS)},
        response_class=HTMLResponse,
        tags=["pages"],
    )
    @page_handler
    def question(request: Request, name: str) -> Response:
        lang = page_language(request)
        try:
            q = queries.get_query(name)
            values = {k: v for k, v in single_values(request).items() if v != ""}
            limit, offset = page_parameters(values, most=_PAGE_ROWS)
            table = queries.run_query(
                store_reader(request), q.name, values, limit=limit, offset=offset
            )
        except MnrGraphError as exc:
            return error_page(request, exc, lang)
        paged = table.truncated or offset > 0  # the CSV of this page: a longer one is paged
        page = {"limit": str(limit), "offset": str(offset)} if paged else {}
        return render(
            "question.html",
            query=q,
            table=table,
            values=values,
            csv_link=f"/queries/{q.name}?{urlencode({**values, **page, 'format': 'csv'})}",
            next_link=next_page(request, table.next_offset, limit),
            **base_context(request, lang, q.summary),
        )

    return router
