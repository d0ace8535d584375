"""``/capabilities``, ``/domains``, ``/outcomes``.

The framework as JSON-LD documents (:func:`mnr_graph.query.documents.framework_jsonld`, with the
shipped context).

>>> sorted(route.path for route in get_router().routes)
['/capabilities', '/domains', '/outcomes']
"""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mnr_graph.core.namespaces import MNR
from mnr_graph.query.documents import framework_jsonld
from mnr_graph.web.errors import STORE_ERRORS, errors
from mnr_graph.web.requests import store_reader

__all__ = ["JSONLD", "get_router"]

JSONLD = "application/ld+json"


def _framework_operation(class_iri: str, what: str) -> Callable[[Request], Response]:
    def operation(request: Request) -> Response:
        # Bounded by the framework: complete whatever the result limit.
        doc = framework_jsonld(store_reader(request, capped=False), class_iri)
        return Response(json.dumps(doc, ensure_ascii=False), media_type=JSONLD)

    operation.__name__ = f"framework_{what}"
    return operation


def get_router() -> APIRouter:
    """The framework routes, one per class."""
    router = APIRouter()
    jsonld = {200: {"content": {JSONLD: {"schema": {"type": "object"}}}}, **errors(*STORE_ERRORS)}
    for path, cls, what in (
        ("/capabilities", MNR.Capability, "capabilities"),
        ("/domains", MNR.Domain, "domains"),
        ("/outcomes", MNR.Outcome, "outcomes"),
    ):
        router.add_api_route(
            path,
            _framework_operation(str(cls), what),
            methods=["GET"],
            summary=f"The framework's {what} as JSON-LD (with the shipped context)",
            response_class=Response,
            responses=jsonld,
            tags=["framework"],
        )
    return router
