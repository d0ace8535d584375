"""``POST /validate``: a submission validated without being stored, as ``mnr-graph validate``.

>>> [route.path for route in get_router().routes]
['/validate']
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from mnr_graph.submissions import validation
from mnr_graph.web.errors import errors
from mnr_graph.web.models import ValidationReportModel
from mnr_graph.web.requests import app_settings, read_upload, upload_body

__all__ = ["get_router"]


def get_router() -> APIRouter:
    """The validation route."""
    router = APIRouter()

    @router.post(
        "/validate",
        response_model=ValidationReportModel,
        tags=["submissions"],
        responses=errors(400, 413, 415),
        openapi_extra=upload_body(sheet=True),
    )
    async def validate(request: Request) -> dict[str, Any]:
        """Validate a submission without storing it; the report of ``mnr-graph validate``.

        A workbook with several sheets that look like a submission needs the field
        ``sheet``.
        """
        upload = await read_upload(request, app_settings(request), fields={"sheet": 200})
        report = await asyncio.to_thread(
            validation.validate_bytes,
            upload.data,
            filename=upload.filename,
            media_type=upload.media_type,
            sheet=upload.fields.get("sheet"),
        )
        result: dict[str, Any] = report.to_json()
        return result

    return router
