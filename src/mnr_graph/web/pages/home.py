"""``/``: the home page (the framework at a glance, the countries with data, the questions).

>>> [route.path for route in get_router().routes]
['/']
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mnr_graph.query import named as queries
from mnr_graph.web.errors import STORE_ERRORS, page_errors
from mnr_graph.web.pages.listings import countries, framework_domains
from mnr_graph.web.pages.rendering import HTML, base_context, page_handler, render
from mnr_graph.web.requests import page_language, store_reader

__all__ = ["get_router"]


def get_router() -> APIRouter:
    """The home page's route."""
    router = APIRouter()

    @router.get(
        "/",
        summary="Home page",
        responses={200: HTML, **page_errors(400, *STORE_ERRORS)},
        response_class=HTMLResponse,
        tags=["pages"],
    )
    @page_handler
    def home(request: Request) -> Response:
        lang = page_language(request)
        store = store_reader(request)
        return render(
            "home.html",
            domains=framework_domains(store, lang),
            countries=countries(store),
            queries=list(queries.load_queries().values()),
            **base_context(request, lang, "mnr-graph"),
        )

    return router
