"""``/sparql``: the SPARQL 1.1 Protocol query operation (GET, POST form, POST direct), read-only.

The request is read by :func:`mnr_graph.query.protocol.parse_request`, its format chosen by
:func:`mnr_graph.query.formats.negotiate` (an explicit ``format`` wins over ``Accept``) and the
query run by the app's query runner (a worker process under the time limit, results capped).
Without a query: the service description.

>>> [route.path for route in get_router().routes]
['/sparql', '/sparql']
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mnr_graph.query.diagnostics import unknown_terms
from mnr_graph.query.formats import negotiate
from mnr_graph.query.protocol import parse_query_string, parse_request
from mnr_graph.query.runner import QueryRunner
from mnr_graph.query.service import service_description
from mnr_graph.query.store import Store
from mnr_graph.web.requests import app_settings
from mnr_graph.web.responses import truncation_headers

__all__ = ["get_router", "sparql_endpoint"]

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
        "description": "Output format, instead of Accept (it wins over Accept): json, xml, "
        "csv, tsv (SELECT, ASK) or turtle, ntriples, jsonld, rdfxml (CONSTRUCT, DESCRIBE); "
        "a format of the other kind of query counts as not given.",
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
    "`application/sparql-query`. The format follows the `format` parameter if given, else "
    "`Accept` (q-values honoured). Without a query: the SPARQL 1.1 service description. "
    "`SERVICE` is refused. The project's prefixes (mnr:, skos: ...) need no PREFIX line; a "
    "syntax error's `where` gives its line and column, its message a fix; a `Warning` header "
    "names an mnr: or mnrid: term the ontology does not have (a misspelt class)."
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


async def sparql_endpoint(request: Request) -> Response:
    """The SPARQL 1.1 Protocol query operation (GET, POST form, POST direct); read-only."""
    settings = app_settings(request)
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
    warnings = []
    if answer.capped:
        headers |= truncation_headers(query.limit)
        warnings.append(headers.pop("Warning"))
    for unknown in await asyncio.to_thread(unknown_terms, query.query):
        warnings.append('199 mnr-graph "' + unknown.replace('"', "'") + '"')
    if warnings:
        headers["Warning"] = ", ".join(warnings)
    return Response(answer.body, media_type=answer.media_type, headers=headers)


def _wants_page(request: Request) -> bool:
    """A browser's GET (HTML first in Accept, no ``format``): the query page, not the protocol."""
    if request.method != "GET" or "format" in request.query_params:
        return False
    accept = request.headers.get("accept") or ""
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return first == "text/html"


def get_router(
    page: Callable[[Request], Awaitable[Response]] | None = None,
) -> APIRouter:
    """The ``/sparql`` routes, one OpenAPI operation per method.

    ``page``, if given, answers a browser's GET (the query editor of the pages).
    """
    router = APIRouter()

    async def endpoint(request: Request) -> Response:
        if page is not None and _wants_page(request):
            return await page(request)
        return await sparql_endpoint(request)

    for method in ("GET", "POST"):
        router.add_api_route(
            "/sparql",
            endpoint,
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
    return router
