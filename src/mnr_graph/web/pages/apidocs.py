"""``/docs`` (Swagger UI), ``/redoc`` (ReDoc) and ``/favicon.ico``, from this server only.

The two API explorers are vendored in ``static/vendor`` (from the npm packages
``swagger-ui-dist`` and ``redoc``, with their licences): no page loads anything from a CDN, so
they work offline and tell no third party who reads the API. Swagger UI starts from a static
script (``static/swagger-init.js``), not an inline one, so a strict Content-Security-Policy holds.

>>> sorted(route.path for route in get_router().routes)
['/docs', '/favicon.ico', '/redoc']
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mnr_graph.web import urls
from mnr_graph.web.pages.rendering import render
from mnr_graph.web.requests import page_language

__all__ = ["get_router"]


def get_router() -> APIRouter:
    """The API explorers' routes and the favicon."""
    router = APIRouter()

    def explorer(request: Request, template: str, title: str) -> HTMLResponse:
        root = urls.request_root(request.scope)
        openapi_url = str(getattr(request.app, "openapi_url", None) or "/openapi.json")
        return render(
            template,
            root=root,
            lang=page_language(request),
            title=title,
            openapi_url=urls.url(root, openapi_url),
        )

    @router.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        return explorer(request, "swagger.html", "API (Swagger UI)")

    @router.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        return explorer(request, "redoc.html", "API (ReDoc)")

    @router.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(
            urls.static_file("favicon.ico"),
            media_type="image/vnd.microsoft.icon",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    return router
