"""Errors over HTTP, in one place: the exception handlers and the OpenAPI documentation of errors.

Every error of :mod:`mnr_graph.core.errors` becomes its HTTP status with the one JSON body
(:func:`mnr_graph.core.errors.error_body`), or an HTML error page for a browser on a page;
FastAPI's own errors (no such path, a method not allowed, a missing or mistyped parameter) are
answered in the same shape (a 400, not FastAPI's 422). :func:`errors` and :func:`page_errors`
give the ``responses`` of a route; :func:`document_errors` makes the OpenAPI document say the
errors as they are answered.

>>> sorted(errors(400, 503))
[400, 503]
>>> errors(503)[503]["headers"] == RETRY_AFTER
True
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from mnr_graph.core.errors import (
    InputError,
    MnrGraphError,
    NotFoundError,
    QueryTimeoutError,
    StoreError,
    error_body,
)
from mnr_graph.web.models import ErrorModel
from mnr_graph.web.observability import request_id
from mnr_graph.web.responses import error_response, retry_headers

__all__ = [
    "ERRORS",
    "RETRY_AFTER",
    "STORE_ERRORS",
    "HtmlError",
    "document_errors",
    "errors",
    "install_handlers",
    "page_errors",
]

log = logging.getLogger("mnr_graph.web")

#: An error as an HTML page when the request is for a page and the client prefers HTML, else None.
HtmlError = Callable[[Request, MnrGraphError], Response | None]

#: What each error status means, for the OpenAPI document.
ERRORS: dict[int, str] = {
    400: "A missing, malformed or unknown parameter, field or input, saying where.",
    403: "No or a wrong bearer token, or writes are off.",
    404: "No such resource: an identifier (a country, capability, domain, phase, band, term, "
    "query, version) that names nothing here, or a country with no current submission.",
    409: "The submission repeats an older version or has less data than the current one: "
    "`details` says which; send it again with replace=true to store it.",
    406: "No format we have matches Accept (or the format parameter).",
    413: "The request body is larger than the configured limit.",
    415: "A request body in a media type this operation does not take.",
    502: "The remote SPARQL endpoint failed or cannot be reached.",
    503: "The query ran past the time limit (the wait for a free worker included) and was "
    "stopped; Retry-After says when to try again.",
}
#: The header of every 503 answer.
RETRY_AFTER = {"Retry-After": {"description": "seconds", "schema": {"type": "integer"}}}
#: The errors of every operation that reads the store.
STORE_ERRORS = (502, 503)


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route for these error statuses, each with the error model."""
    out: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorModel, "description": ERRORS[code]} for code in codes
    }
    if 503 in out:
        out[503]["headers"] = RETRY_AFTER
    return out


def page_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a page or linked-data route.

    Each error as JSON, or as an HTML page for a client that prefers one (a browser).
    """
    ref = {"$ref": "#/components/schemas/ErrorModel"}
    out: dict[int | str, dict[str, Any]] = {
        code: {
            "description": ERRORS[code],
            "content": {"application/json": {"schema": ref}, "text/html": {}},
        }
        for code in codes
    }
    if 503 in out:
        out[503]["headers"] = RETRY_AFTER
    return out


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Make an OpenAPI document say the errors the API really gives (in place, and returned).

    FastAPI documents a 422 with its own validation-error model on every operation with
    parameters; the app answers those as a 400 in the project's error shape (``ErrorModel``).
    So: no FastAPI 422; a 400 on every operation with parameters or a body, a 413 on every
    operation with a body; the error model on every 4xx and 5xx without a body of its own.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    components.setdefault("ErrorModel", ErrorModel.model_json_schema())
    ref = {"$ref": "#/components/schemas/ErrorModel"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            fastapi_422 = responses.get("422", {})
            if "HTTPValidationError" in json.dumps(fastapi_422):
                del responses["422"]
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("400", {"description": ERRORS[400]})
            if operation.get("requestBody"):
                responses.setdefault("413", {"description": ERRORS[413]})
            for code, response in responses.items():
                if code[0] in "45" and not response.get("content"):
                    response["content"] = {"application/json": {"schema": ref}}
    return schema


def install_handlers(app: FastAPI, *, html_error: HtmlError) -> None:
    """Answer every error of ``app`` in the one shape.

    JSON (:func:`error_response`), or the page ``html_error`` gives for a browser on a page;
    ``Retry-After`` on a 503.
    """

    @app.exception_handler(MnrGraphError)
    async def mapped(request: Request, exc: MnrGraphError) -> Response:
        if isinstance(exc, QueryTimeoutError):
            metrics = getattr(request.app.state, "metrics", None)
            if metrics is not None:
                metrics.timeouts.inc()
        if isinstance(exc, StoreError):
            # The store's address and its own words are for the operator's log, not the client.
            log.error("store error on %s %s: %s", request.method, request.url.path, exc)
            exc = StoreError(
                "the store did not answer as expected; the server's log says why, under the "
                f"request id {request_id.get()}"
            )
        else:
            exc = _without_addresses(request, exc)
        response = html_error(request, exc) or error_response(exc)
        response.headers.update(retry_headers(request, exc))
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:  # no such path: a page for a browser
            page = html_error(request, NotFoundError(f"no page {request.url.path}"))
            if page is not None:
                return page
        headers = dict(exc.headers or {})
        error = MnrGraphError(str(exc.detail))
        if exc.status_code == 405:  # every method of every route at this path (not the first's)
            allowed = _allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            error = MnrGraphError(
                f"{request.method} is not allowed here; use {', '.join(allowed)}", where="method"
            )
        body = error_body(error, kind="HTTPError")
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        # A missing or mistyped parameter or form field: a 400 in our error shape, saying where
        # as the named queries do (``parameter 'limit'``), once: the first problem's place is
        # ``where``, any others are named in the message.
        problems = [(_location(e.get("loc", ())), str(e.get("msg", ""))) for e in exc.errors()]
        if not problems:
            problems = [(None, "invalid request")]
        (where, message), others = problems[0], problems[1:]
        message += "".join(f"; also {w or 'the request'}: {m}" for w, m in others)
        error = InputError(message, where=where)
        return html_error(request, error) or error_response(error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s: %r", request.method, request.url.path, exc)
        body = error_body(MnrGraphError("internal error"), kind="InternalError")
        return JSONResponse(body, status_code=500)


def _without_addresses(request: Request, exc: MnrGraphError) -> MnrGraphError:
    """The error with the remote store's addresses replaced by "the store", as the client sees it.

    The addresses are the settings' endpoints: a remote store's timeout or refusal names its
    endpoint.
    """
    settings = getattr(request.app.state, "settings", None)
    internal = [
        url
        for url in (
            getattr(settings, "sparql_endpoint", None),
            getattr(settings, "update_endpoint", None),
            getattr(settings, "gsp_endpoint", None),
        )
        if url
    ]
    if not any(url in str(exc) for url in internal):
        return exc

    def scrub(text: str | None) -> str | None:
        for url in internal:
            text = text.replace(url, "the store") if text is not None else None
        return text

    log.warning("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc)
    clean = copy.copy(exc)
    clean.message = scrub(exc.message) or ""
    clean.where = scrub(exc.where)
    return clean


def _allowed_methods(request: Request) -> list[str]:
    """The methods the app answers at the request's path, over all its routes.

    Two routes share ``/sparql`` and ``/submissions``, one per method.
    """
    methods = set()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            methods.add(method)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


_PLACES = {"query": "parameter", "header": "header", "path": "path segment", "body": "field"}


def _location(loc: Sequence[Any]) -> str | None:
    """Where a request validation error is, named as our errors name it.

    >>> _location(("query", "limit")), _location(("body", "text")), _location(())
    ("parameter 'limit'", "field 'text'", None)
    """
    if not loc:
        return None
    place = _PLACES.get(str(loc[0]))
    names = [str(p) for p in loc[1:]] if place else [str(p) for p in loc]
    if not names:
        return "the request body" if loc[0] == "body" else None
    return f"{place or 'field'} {'.'.join(names)!r}"
