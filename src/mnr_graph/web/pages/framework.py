"""``/framework``: the Model National Response's domains, capabilities and outcomes.

>>> [route.path for route in get_router().routes]
['/framework']
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mnr_graph.web.errors import STORE_ERRORS, page_errors
from mnr_graph.web.pages.listings import framework_domains
from mnr_graph.web.pages.rendering import HTML, base_context, page_handler, render
from mnr_graph.web.requests import page_language, store_reader

__all__ = ["get_router"]


def get_router() -> APIRouter:
    """The framework page's route."""
    router = APIRouter()

    @router.get(
        "/framework",
        summary="The framework: domains, capabilities, outcomes",
        responses={200: HTML, **page_errors(400, *STORE_ERRORS)},
        response_class=HTMLResponse,
        tags=["pages"],
    )
    @page_handler
    def framework(request: Request) -> Response:
        lang = page_language(request)
        return render(
            "framework.html",
            domains=framework_domains(store_reader(request), lang),
            **base_context(request, lang, "The Model National Response"),
        )

    return router
