"""``/.well-known/void``: the DCAT 3 and VoID description of the published graphs.

The well-known address of RFC 5785 that VoID names for a dataset's description; it names this
server's SPARQL endpoint (``/sparql`` under the request's base URL, root path included).

>>> [route.path for route in get_router().routes]
['/.well-known/void']
"""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mnr_graph.query.release import dataset_description

__all__ = ["get_router"]


@cache
def _description(endpoint: str) -> str:
    return dataset_description(endpoint=endpoint)


def get_router() -> APIRouter:
    """The dataset description route."""
    router = APIRouter(tags=["service"])

    @router.get(
        "/.well-known/void",
        response_class=Response,
        responses={200: {"content": {"text/turtle": {}}, "description": "DCAT 3 and VoID"}},
    )
    def void_description(request: Request) -> Response:
        """The DCAT 3 and VoID description of the published graphs, in Turtle.

        Title, licence, version, triple counts per graph, example resources, this server's SPARQL
        endpoint.
        """
        text = _description(f"{request.base_url}sparql")
        return Response(text, media_type="text/turtle; charset=utf-8")

    return router
