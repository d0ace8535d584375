"""The HTTP API: a FastAPI app made by a factory, over the same library the CLI uses.

:func:`get_fastapi_app` builds the app for some :class:`~mnr_graph.core.settings.Settings` (never a
global app made at import); :func:`app_from_env` is the factory for ``uvicorn --factory``. The app
serves ``/health``, the read-only SPARQL 1.1 Protocol at ``/sparql`` (each query in a worker
process under the time limit, results capped), the REST routes (:mod:`mnr_graph.web.rest`) and the
linked-data pages (:mod:`mnr_graph.web.pages`). Errors of :mod:`mnr_graph.core.errors` become HTTP
status
codes here, in one place, as a JSON body with ``message`` and ``where``.

>>> app = get_fastapi_app(Settings())
>>> "/sparql" in app.openapi()["paths"]
True
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from mnr_graph import __version__
from mnr_graph.core import netguard
from mnr_graph.core.errors import InputError, MnrGraphError, NotFoundError, PayloadTooLargeError
from mnr_graph.core.settings import Settings
from mnr_graph.query.sparql import (
    QueryAnswer,
    QueryRequest,
    execute,
    negotiate,
    parse_query_string,
    parse_request,
    service_description,
)
from mnr_graph.query.store import EmbeddedStore, RemoteStore, Store, build_store
from mnr_graph.query.workers import QueryPool
from mnr_graph.submissions.demo import demo_graph_names
from mnr_graph.web import pages, rest

__all__ = [
    "BodyLimitMiddleware",
    "HeadMiddleware",
    "QueryRunner",
    "RemoteRunner",
    "app_from_env",
    "error_response",
    "get_fastapi_app",
    "sparql_endpoint",
]

log = logging.getLogger("mnr_graph.web.app")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_SPARQL_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE). Without one, the "
        "service description is returned.",
        "schema": {"type": "string"},
        "example": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "required": False,
        "description": "A graph of the query's default graph (repeatable). Without any dataset "
        "parameter the default graph is the union of all graphs.",
        "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
        "style": "form",
        "explode": True,
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "required": False,
        "description": "A named graph of the query's dataset (repeatable).",
        "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
        "style": "form",
        "explode": True,
    },
    {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "Output format when Accept names none we have: json, xml, csv, tsv "
        "(SELECT, ASK) or turtle, ntriples, jsonld, rdfxml (CONSTRUCT, DESCRIBE).",
        "schema": {"type": "string"},
    },
]
_SPARQL_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Query results (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE); the "
        "header X-Results-Truncated says the result limit was reached.",
        "content": {
            media: {}
            for media in (
                "application/sparql-results+json",
                "application/sparql-results+xml",
                "text/csv",
                "text/tab-separated-values",
                "text/turtle",
                "application/n-triples",
                "application/ld+json",
                "application/rdf+xml",
            )
        },
    },
    400: {"description": "A malformed query, a repeated query, an update, or SERVICE."},
    406: {"description": "No format we have matches Accept."},
    413: {"description": "The request body is larger than the configured limit."},
    415: {"description": "A POST body that is neither a form nor application/sparql-query."},
    502: {"description": "The remote SPARQL endpoint failed or cannot be reached."},
    503: {
        "description": "The query ran past its time limit (the wait for a free worker "
        "included) and was stopped; Retry-After says when to try again.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}


_SPARQL_DESCRIPTION = (
    "GET with `query`, POST as `application/x-www-form-urlencoded` or "
    "`application/sparql-query`. The format follows `Accept` (q-values honoured), then "
    "`format`. Without a query: the SPARQL 1.1 service description. `SERVICE` is refused."
)
_SPARQL_BODY: dict[str, Any] = {
    "required": False,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
        "application/sparql-query": {"schema": {"type": "string"}},
    },
}


class QueryRunner(Protocol):
    """Runs a checked query request somewhere (a worker pool, a remote endpoint)."""

    async def run(self, request: QueryRequest) -> QueryAnswer:
        """The serialised, capped answer."""

    def close(self) -> None:
        """Release processes and connections."""


class RemoteRunner:
    """Runs queries on a remote endpoint, in a thread, within the time limit."""

    def __init__(self, store: RemoteStore, *, timeout: float) -> None:
        self.store = store
        self.timeout = timeout

    async def run(self, request: QueryRequest) -> QueryAnswer:
        """Send the query to the endpoint and re-serialise its capped answer."""
        from mnr_graph.core.errors import QueryTimeoutError

        try:
            return await asyncio.wait_for(
                asyncio.to_thread(execute, self.store, request), self.timeout + 1
            )
        except TimeoutError as exc:
            raise QueryTimeoutError(
                f"the SPARQL endpoint did not answer within {self.timeout:g} s"
            ) from exc

    def close(self) -> None:
        """Close the HTTP connections."""
        self.store.close()


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``max_bytes`` with 413, for the whole app.

    A declared ``Content-Length`` over the limit is refused before anything is read. A body that
    declares none (``Transfer-Encoding: chunked``) is counted as it arrives: past the limit the
    read fails, and whatever the route would have answered then (FastAPI turns a failed read into
    "There was an error parsing the body", 400) is replaced by the 413.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_large = PayloadTooLargeError(
            f"the request body is larger than the limit of {self.max_bytes} bytes"
        )
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await error_response(too_large)(scope, receive, send)
            return
        received = 0
        exceeded = False
        started = False

        async def limited() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise too_large
            return message

        async def unless_exceeded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the route's answer to a failed read: the 413 is sent instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, unless_exceeded)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await error_response(too_large)(scope, receive, send)


class HeadMiddleware:
    """Answer HEAD as the GET of the same URL would be answered, without its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def error_response(exc: MnrGraphError) -> JSONResponse:
    """The JSON answer for an error of the tree, with its HTTP status."""
    body: dict[str, Any] = {
        "error": type(exc).__name__,
        "message": exc.message,
        "where": exc.where,
        "detail": str(exc),
    }
    if exc.details is not None:
        body["details"] = exc.details
    return JSONResponse(body, status_code=exc.http_status)


def _allowed_methods(request: Request) -> list[str]:
    """The methods the app answers at the request's path, over all its routes (two routes share
    ``/sparql`` and ``/submissions``, one per method)."""
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


def _holds_demo(store: Store) -> bool:
    """True when the store holds the demo's graphs (pages then mark the demo's countries)."""
    try:
        return bool(demo_graph_names(store))
    except MnrGraphError:  # a remote store that does not answer now: the pages say nothing
        return False


def _runner(store: Store, settings: Settings) -> QueryRunner:
    if isinstance(store, RemoteStore):
        return RemoteRunner(store, timeout=settings.query_timeout)
    assert isinstance(store, EmbeddedStore)
    embedded = store
    return QueryPool(
        embedded.snapshot_source,
        lambda: embedded.generation,
        size=settings.query_workers or None,
        memory_mb=settings.query_memory_mb,
        timeout=settings.query_timeout,
    )


async def sparql_endpoint(request: Request) -> Response:
    """The SPARQL 1.1 Protocol query operation (GET, POST form, POST direct); read-only."""
    settings: Settings = request.app.state.settings
    body = await request.body() if request.method == "POST" else b""
    endpoint = str(request.url.replace(query=None, fragment=None))
    params = parse_query_string(request.scope.get("query_string", b""))
    query = parse_request(
        request.method,
        request.headers.get("content-type"),
        params,
        body,
        limit=settings.result_limit,
        base_iri=endpoint,
    )
    accept = request.headers.get("accept")
    if query is None:
        fmt = negotiate("graph", accept, next((v for k, v in params if k == "format"), None))
        store: Store = request.app.state.store
        data = await asyncio.to_thread(store.graph_names)
        return Response(
            service_description(endpoint, data, fmt),
            media_type=fmt.media_type,
            headers={"Vary": "Accept"},
        )
    query = query.with_format(
        negotiate(query.kind, accept, query.format_param, boolean=query.boolean)
    )
    runner: QueryRunner = request.app.state.query_runner
    answer = await runner.run(query)
    headers = {"Vary": "Accept"}
    if answer.capped:
        headers |= rest.truncation_headers(query.limit)
    return Response(answer.body, media_type=answer.media_type, headers=headers)


def get_fastapi_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    """The API for these settings, on ``store`` or on the store the settings describe."""
    if not settings.allow_network:
        netguard.install()
    the_store = store if store is not None else build_store(settings)
    runner = _runner(the_store, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        runner.close()

    app = FastAPI(
        title="mnr-graph",
        version=__version__,
        summary="The Model National Response and its terminology as linked data: "
        "a SPARQL 1.1 endpoint, named queries, terms, validation.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = the_store
    app.state.query_runner = runner
    app.state.demo = _holds_demo(the_store)

    @app.exception_handler(MnrGraphError)
    async def mapped(request: Request, exc: MnrGraphError) -> Response:
        response = pages.html_error(request, exc) or error_response(exc)
        response.headers.update(rest.retry_headers(request, exc))
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:  # no such path: a page for a browser
            page = pages.html_error(request, NotFoundError(f"no page {request.url.path}"))
            if page is not None:
                return page
        headers = dict(exc.headers or {})
        message, where = str(exc.detail), None
        if exc.status_code == 405:  # every method of every route at this path (not the first's)
            allowed = _allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            message = f"{request.method} is not allowed here; use {', '.join(allowed)}"
            where = "method"
        body = {
            "error": "HTTPError",
            "message": message,
            "where": where,
            "detail": f"{where}: {message}" if where else message,
        }
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
        return pages.html_error(request, error) or error_response(error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s: %r", request.method, request.url.path, exc)
        body = {"error": "InternalError", "message": "internal error", "where": None}
        return JSONResponse(body | {"detail": body["message"]}, status_code=500)

    @app.get("/health", tags=["service"], summary="Liveness and what the server serves.")
    async def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "store": "remote" if settings.remote else "embedded",
            "demo": app.state.demo,
            "writes": settings.writes_enabled,
            "queryTimeout": settings.query_timeout,
            "resultLimit": settings.result_limit,
        }

    for method in ("GET", "POST"):
        app.add_api_route(
            "/sparql",
            sparql_endpoint,
            methods=[method],
            operation_id=f"sparql_{method.lower()}",
            tags=["sparql"],
            summary=f"SPARQL 1.1 Protocol query endpoint, {method} (read-only)",
            description=_SPARQL_DESCRIPTION,
            response_class=Response,
            responses=_SPARQL_RESPONSES,
            openapi_extra={"parameters": _SPARQL_PARAMETERS}
            | ({"requestBody": _SPARQL_BODY} if method == "POST" else {}),
        )
    app.include_router(rest.get_router())
    app.include_router(pages.get_router())
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        # The errors as answered: 400 in the project's shape (not FastAPI's 422), 404, 413 ...
        return rest.document_errors(default_openapi())

    app.openapi = openapi  # type: ignore[method-assign]
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=["Accept", "Content-Type", "Authorization"],
            expose_headers=["X-Result-Limit", "X-Results-Truncated", "Warning", "Link"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_upload_bytes)
    app.add_middleware(HeadMiddleware)
    return app


def app_from_env() -> FastAPI:
    """The app for ``MNR_GRAPH_*`` environment variables: ``uvicorn --factory`` uses this."""
    return get_fastapi_app(Settings.from_env())
