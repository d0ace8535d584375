"""The answers every part of the web layer gives alike.

An error as JSON, and the headers of a busy server (``Retry-After``), of a truncated answer and of a
paged one (``Link: rel=next``).

>>> from mnr_graph.core.errors import InputError
>>> error_response(InputError("not a year", where="parameter 'year'")).status_code
400
>>> truncation_headers(50)["X-Results-Truncated"]
'true'
"""

from __future__ import annotations

import math

from fastapi import Request
from fastapi.responses import JSONResponse

from mnr_graph.core.errors import MnrGraphError, error_body
from mnr_graph.web.requests import app_settings

__all__ = [
    "error_response",
    "link_headers",
    "retry_headers",
    "truncation_headers",
]


def error_response(exc: MnrGraphError) -> JSONResponse:
    """The JSON answer for an error of the tree, with its HTTP status.

    The body is that of :func:`~mnr_graph.core.errors.error_body`.
    """
    return JSONResponse(error_body(exc), status_code=exc.http_status)


def retry_headers(request: Request, exc: MnrGraphError) -> dict[str, str]:
    """``Retry-After`` for a 503 (time limit, every worker busy).

    The query time limit, in whole seconds, by when a busy worker is free again; nothing for
    other errors.
    """
    if exc.http_status != 503:
        return {}
    return {"Retry-After": str(max(1, math.ceil(app_settings(request).query_timeout)))}


def truncation_headers(limit: int) -> dict[str, str]:
    """The headers of an answer cut at the result limit (as ``/sparql`` sends them)."""
    return {
        "X-Result-Limit": str(limit),
        "X-Results-Truncated": "true",
        "Warning": f'199 mnr-graph "results truncated to {limit} (the server\'s result limit)"',
    }


def link_headers(link: str | None) -> dict[str, str]:
    """``Link: <...>; rel="next"`` for a page that has a next one."""
    return {"Link": f'<{link}>; rel="next"'} if link else {}
