"""``/queries``: the named queries (``sparql/Qnn-<name>.rq``), listed and run.

``GET /queries`` lists them; ``GET /queries/{name}`` runs one (one OpenAPI operation per file,
made when the router is built; its id, ``Q01``, works too) through the app's query runner, under
the time limit: one page of rows (``limit``, ``offset``) as JSON, or CSV by ``format=csv`` or
``Accept: text/csv``, or SPARQL JSON results (typed values: what :class:`mnr_graph.Client` reads)
by ``format=sparql-json`` or ``Accept: application/sparql-results+json`` (the format parameter
wins over Accept).

>>> "/queries/capabilities-by-domain" in {route.path for route in get_router().routes}
True
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from mnr_graph.core.errors import InputError
from mnr_graph.core.negotiation import negotiate
from mnr_graph.query import named as queries
from mnr_graph.query.runner import QueryRunner, run_named_query
from mnr_graph.web.errors import STORE_ERRORS, errors
from mnr_graph.web.models import QueryInfo, QueryResult, named_query_parameters
from mnr_graph.web.requests import (
    PAGE_PARAMETERS,
    app_settings,
    next_page,
    page_parameters,
    single_values,
)
from mnr_graph.web.responses import link_headers

__all__ = ["TABLE_FORMATS", "get_router"]

#: The formats of a named query's table, the first the default.
TABLE_FORMATS = {
    "json": "application/json",
    "csv": "text/csv",
    "sparql-json": "application/sparql-results+json",
}


def _table_response(
    request: Request, table: queries.QueryTable, *, fmt: str, paged: bool
) -> Response:
    """The page as JSON (``truncated`` and ``next`` in the body, ``Link: rel=next``) or CSV.

    A CSV table is never silently short: an answer longer than one page must be asked for in
    pages (``limit``, ``offset``); without them it is a 400 that says how.
    """
    limit = table.limit if table.limit is not None else len(table.rows)
    link = next_page(request, table.next_offset, limit)
    if fmt == "sparql-json":
        return Response(
            table.to_sparql_json(),
            media_type=TABLE_FORMATS[fmt],
            headers=link_headers(link),
        )
    if fmt == "csv":
        if table.truncated and not paged:
            raise InputError(
                f"the answer has more than {limit} rows (the server's result limit): ask for it "
                f"in pages of at most {limit} rows with the parameters limit and offset, from "
                f"{next_page(request, 0, limit)} on (each page's Link header names the next)",
                where="parameter 'limit'",
            )
        return Response(
            table.to_csv(), media_type="text/csv; charset=utf-8", headers=link_headers(link)
        )
    return JSONResponse({**table.to_json(), "next": link}, headers=link_headers(link))


def _query_operation(q: queries.NamedQuery) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        values = single_values(request)
        fmt = negotiate(request.headers.get("accept"), values.pop("format", None), TABLE_FORMATS)
        settings = app_settings(request)
        paged = "limit" in values or "offset" in values
        limit, offset = page_parameters(values, most=settings.result_limit)
        runner: QueryRunner | None = getattr(request.app.state, "query_runner", None)
        if runner is None:  # a bare router without the app factory's query runner
            table = await asyncio.to_thread(
                queries.run_query,
                request.app.state.store,
                q.name,
                values,
                limit=limit,
                offset=offset,
            )
        else:
            table = await run_named_query(
                runner, q, values, limit=limit, offset=offset, check_limit=settings.result_limit
            )
        return _table_response(request, table, fmt=fmt, paged=paged)

    run.__name__ = "query_" + q.name.replace("-", "_")
    return run


def _query_parameters(q: queries.NamedQuery) -> list[dict[str, Any]]:
    params = named_query_parameters(q)
    params.append(
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "json, csv or sparql-json (SPARQL JSON results, typed values) "
            "(instead of the Accept header; it wins over Accept)",
            "schema": {"type": "string", "enum": list(TABLE_FORMATS)},
        }
    )
    params += PAGE_PARAMETERS
    return params


def get_router() -> APIRouter:
    """The named-query routes: the list, one operation per query, and the alias by id."""
    router = APIRouter()
    all_queries = queries.load_queries()

    @router.get("/queries", response_model=list[QueryInfo], tags=["named queries"])
    def list_queries() -> list[dict[str, Any]]:
        """Every named query with its parameters and result columns."""
        return [q.to_json() for q in all_queries.values()]

    csv_response = {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/sparql-results+json": {"schema": {"type": "object"}},
        }
    }
    for q in all_queries.values():
        router.add_api_route(
            f"/queries/{q.name}",
            _query_operation(q),
            methods=["GET"],
            summary=f"{q.id}: {q.summary}",
            description=q.description or q.summary,
            response_model=QueryResult,
            responses={200: csv_response, **errors(400, 406, *STORE_ERRORS)},
            tags=["named queries"],
            openapi_extra={"parameters": _query_parameters(q)},
            operation_id=f"query_{q.id}",
        )

    @router.get("/queries/{name}", include_in_schema=False)
    async def query_by_alias(name: str, request: Request) -> Response:
        """A query by its id (``Q01``) or file stem; an unknown name is a 404."""
        return await _query_operation(queries.get_query(name))(request)

    return router
