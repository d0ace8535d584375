"""``/export``: the tidy table of the assessments, whole, as CSV or JSON.

``GET /export/assessments.csv`` (and ``.json``) gives one row per assessment, the columns of the
named query ``assessments`` (:mod:`mnr_graph.query.export`), filtered by ``country``, ``year``,
``domain``, ``current`` and labelled in ``lang``. It runs through the app's query runner (a
worker under the time limit); an export longer than the server's result limit is a 400 that says
to filter it (or to page ``/queries/assessments``) rather than a silently short file.

>>> sorted(route.path for route in get_router().routes)
['/export/assessments.csv', '/export/assessments.json']
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mnr_graph.core.errors import InputError
from mnr_graph.query import named as queries
from mnr_graph.query.export import EXPORT_FORMATS, EXPORT_QUERY, render_export
from mnr_graph.query.runner import QueryRunner, run_named_query
from mnr_graph.web.errors import STORE_ERRORS, errors
from mnr_graph.web.models import named_query_parameters
from mnr_graph.web.requests import app_settings, single_values

__all__ = ["get_router"]

#: The export's filters: the parameters its named query declares.
_FILTERS = tuple(p.name for p in queries.get_query(EXPORT_QUERY).parameters)


def _export_operation(fmt: str) -> Any:
    async def export(request: Request) -> Response:
        values = single_values(request)
        unknown = sorted(set(values) - set(_FILTERS))
        if unknown:
            raise InputError(
                f"the export has no parameter {', '.join(unknown)}; its filters: "
                f"{', '.join(_FILTERS)}",
                where=f"parameter {unknown[0]!r}",
            )
        settings = app_settings(request)
        query = queries.get_query(EXPORT_QUERY)
        runner: QueryRunner | None = getattr(request.app.state, "query_runner", None)
        if runner is None:  # a bare router without the app factory's query runner
            table = await asyncio.to_thread(
                queries.run_query,
                request.app.state.store,
                query.name,
                values,
                limit=settings.result_limit,
            )
        else:
            table = await run_named_query(
                runner,
                query,
                values,
                limit=settings.result_limit,
                check_limit=settings.result_limit,
            )
        if table.truncated:
            raise InputError(
                f"the export has more than {settings.result_limit} rows (the server's result "
                "limit): filter it by country, year or domain, page it through "
                "/queries/assessments (limit, offset), or run mnr-graph export-assessments",
                where="parameters",
            )
        return Response(render_export(table, fmt), media_type=EXPORT_FORMATS[fmt])

    export.__name__ = f"export_assessments_{fmt}"
    return export


def get_router() -> APIRouter:
    """The export routes, one per format."""
    router = APIRouter()
    for fmt, media_type in EXPORT_FORMATS.items():
        router.add_api_route(
            f"/export/assessments.{fmt}",
            _export_operation(fmt),
            methods=["GET"],
            summary=f"Every assessment as one row each, as {fmt.upper()}",
            description="One row per assessment of every stored submission version: country, "
            "reporting year, version, whether it is in force, capability, domain, phase, "
            "status, assessor type, evidence language, source count. The columns are those of "
            "the named query `assessments` (GET /queries lists them with descriptions).",
            response_class=Response,
            responses={
                200: {"content": {media_type.split(";")[0]: {}}},
                **errors(400, 404, *STORE_ERRORS),
            },
            tags=["export"],
            operation_id=f"export_assessments_{fmt}",
            openapi_extra={"parameters": named_query_parameters(queries.get_query(EXPORT_QUERY))},
        )
    return router
