"""``/country?code=XA``: go to a country's profile, the page at its IRI (``/data/country/XA``).

>>> [route.path for route in get_router().routes]
['/country']
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from mnr_graph.core.errors import NotFoundError, located
from mnr_graph.query import named as queries
from mnr_graph.web.errors import STORE_ERRORS, page_errors
from mnr_graph.web.linked_data import local_path
from mnr_graph.web.pages.listings import has_submission
from mnr_graph.web.requests import store_reader

__all__ = ["get_router"]


def get_router() -> APIRouter:
    """The country form's route."""
    router = APIRouter()

    @router.get(
        "/country",
        summary="Go to a country's profile (303 to its IRI)",
        tags=["pages"],
        responses={
            303: {"description": "the country's IRI, /data/country/XA"},
            **page_errors(400, 404, *STORE_ERRORS),
        },
        response_class=RedirectResponse,
        status_code=303,
    )
    def country(
        request: Request,
        code: str = Query(
            ...,
            max_length=200,
            description="the country: an ISO 3166-1 code (FR, FRA, 250), a user-assigned code "
            "(XA, XAB), an English name, or the country's IRI",
            examples=["XA"],
        ),
    ) -> Response:
        with located("parameter 'code'"):
            node = queries.parse_value("country", code)
        store = store_reader(request)
        # a code stands for the user's country, else the demo's (as in the named queries)
        for candidate in queries.PARAMETER_TYPES["country"].candidates(node):
            if has_submission(store, candidate.value):
                return RedirectResponse(local_path(candidate.value), status_code=303)
        raise NotFoundError(
            f"country {code!r} has no current submission here", where="parameter 'code'"
        )

    return router
