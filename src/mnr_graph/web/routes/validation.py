"""``POST /validate``.

A submission validated without being stored, as ``mnr-graph validate``; ``POST /validate/batch``:
several files in one request, as ``mnr-graph validate FILE...``.

>>> [route.path for route in get_router().routes]
['/validate', '/validate/batch']
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from mnr_graph.core.errors import InputError
from mnr_graph.submissions import validation
from mnr_graph.submissions.batch import BatchEntry
from mnr_graph.web.errors import errors
from mnr_graph.web.models import ValidationReportModel
from mnr_graph.web.requests import (
    MAX_BATCH_FILES,
    Upload,
    app_settings,
    read_upload,
    read_uploads,
    upload_body,
)

__all__ = ["BatchFileModel", "BatchModel", "get_router"]


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

    @router.post(
        "/validate/batch",
        response_model=BatchModel,
        tags=["submissions"],
        responses=errors(400, 413, 415),
        openapi_extra=_batch_body(),
    )
    async def validate_batch(request: Request) -> dict[str, Any]:
        """Validate several files in one request, without storing them.

        Each file is in a multipart field ``file``. For each, its country, year, counts and report,
        or the error that made it unusable; an unusable file does not stop the others.
        """
        uploads = await read_uploads(request, app_settings(request))
        entries = await asyncio.to_thread(_validate_all, uploads)
        return {
            "files": [entry.to_json() for entry in entries],
            "conforms": all(entry.status == "conforms" for entry in entries),
        }

    return router


def _validate_all(uploads: list[Upload]) -> list[BatchEntry]:
    entries: list[BatchEntry] = []
    for upload in uploads:
        try:
            report = validation.validate_bytes(
                upload.data, filename=upload.filename, media_type=upload.media_type
            )
            entries.append(BatchEntry(upload.filename, report))
        except InputError as exc:
            entries.append(BatchEntry(upload.filename, None, exc))
    return entries


class BatchFileModel(BaseModel):
    """One file of a batch validation."""

    filename: str
    status: str
    country: str | None
    year: str | None
    violations: int | None
    warnings: int | None
    report: ValidationReportModel | None
    error: dict[str, Any] | None


class BatchModel(BaseModel):
    """The outcome of a batch validation: each file's, and whether they all conform."""

    files: list[BatchFileModel]
    conforms: bool


def _batch_body() -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {
                                "type": "array",
                                "maxItems": MAX_BATCH_FILES,
                                "items": {"type": "string", "format": "binary"},
                                "description": "the submissions, each Turtle, JSON-LD, CSV or XLSX",
                            }
                        },
                    }
                }
            },
        }
    }
