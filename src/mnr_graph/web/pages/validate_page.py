"""``/validate`` for a browser: upload a submission, see its problems by row, get it annotated.

``GET /validate`` is the upload form (CSV, XLSX, Turtle, JSON-LD; the file input takes a dropped
file too); ``POST /validate/report`` answers the report as a page: counts by severity and by rule,
then the results grouped by row, each with its sheet, cell, problem, value and fix;
``POST /validate/annotated`` answers the annotated workbook
(:func:`mnr_graph.submissions.annotate.annotate_workbook`) of an upload, or of the file the report
page carries (the report page holds it in a hidden field, so no upload is kept on the server).
``POST /validate`` (the API, JSON) is unchanged.

>>> sorted(route.path for route in get_router().routes)
['/validate', '/validate/annotated', '/validate/report']
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections import Counter
from pathlib import PurePath
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from mnr_graph.core.errors import InputError, PayloadTooLargeError
from mnr_graph.submissions import validation
from mnr_graph.submissions.report import ValidationResult
from mnr_graph.web.errors import page_errors
from mnr_graph.web.i18n import translate
from mnr_graph.web.pages.rendering import HTML, base_context, page_handler, render
from mnr_graph.web.requests import Upload, app_settings, page_language, read_upload

__all__ = ["get_router"]

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SEVERITIES = ("Violation", "Warning", "Info")


def _by_row(results: list[ValidationResult]) -> list[dict[str, Any]]:
    """The results grouped by sheet and row (in row order), those of no row last."""
    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in sorted(
        results, key=lambda r: (r.row if r.row is not None else 1 << 30, r.sheet or "")
    ):
        problem, _, fix = r.message.partition(": ")
        item = {**r.to_json(), "problem": problem if fix else r.message, "fix": fix}
        if r.node and r.row is None:
            item["where"] = r.node
        groups.setdefault((r.sheet or "", r.row if r.row is not None else -1), []).append(item)
    return [
        {"sheet": sheet, "row": row if row >= 0 else None, "results": items}
        for (sheet, row), items in groups.items()
    ]


async def _carried_file(request: Request) -> Upload:
    """The file the report page carries (base64 in the form field ``content``)."""
    settings = app_settings(request)
    try:
        form = await request.form(max_files=0, max_fields=4)
    except StarletteHTTPException as exc:
        raise InputError(f"cannot read the form: {exc.detail}") from None
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        data = base64.b64decode(fields.get("content", ""), validate=True)
    except (binascii.Error, ValueError):
        raise InputError("the file is not base64", where="field 'content'") from None
    if len(data) > settings.max_upload_bytes:
        raise PayloadTooLargeError(f"the upload is larger than {settings.max_upload_bytes} bytes")
    if not data:
        raise InputError("no file: upload one", where="field 'content'")
    filename = PurePath(fields.get("filename", "") or "upload").name[:200]
    sheet = fields.get("sheet") or ""
    return Upload(data, filename, None, {"sheet": sheet[:200]} if sheet else {})


def get_router() -> APIRouter:
    """The validation pages' routes."""
    router = APIRouter()

    @router.get(
        "/validate",
        summary="The upload form of the validation page",
        responses={200: HTML, **page_errors(400)},
        response_class=HTMLResponse,
        tags=["pages"],
    )
    @page_handler
    def form(request: Request) -> Response:
        lang = page_language(request)
        settings = app_settings(request)
        return render(
            "validate.html",
            report=None,
            max_bytes=settings.max_upload_bytes,
            **base_context(request, lang, translate("validate.title", lang), languages=[]),
        )

    @router.post(
        "/validate/report",
        summary="A submission's validation report, as a page",
        responses={200: HTML, **page_errors(400, 413, 415)},
        response_class=HTMLResponse,
        tags=["pages"],
    )
    async def report_page(request: Request) -> Response:
        lang = page_language(request)
        settings = app_settings(request)
        upload = await read_upload(request, settings, fields={"sheet": 200})
        report = await asyncio.to_thread(
            validation.validate_bytes,
            upload.data,
            filename=upload.filename,
            media_type=upload.media_type,
            sheet=upload.fields.get("sheet") or None,
        )
        rules = Counter((r.shape, r.severity) for r in report.results)
        tabular = PurePath(upload.filename).suffix.lower() in (".csv", ".xlsx")
        return render(
            "validate.html",
            report=report,
            counts={s: report.count(s) for s in _SEVERITIES},
            rules=sorted(rules.items()),
            groups=_by_row(report.results),
            filename=upload.filename,
            sheet=upload.fields.get("sheet") or "",
            content=base64.b64encode(upload.data).decode("ascii") if tabular else "",
            max_bytes=settings.max_upload_bytes,
            **base_context(request, lang, translate("validate.report", lang), languages=[]),
        )

    @router.post(
        "/validate/annotated",
        summary="The annotated workbook of a CSV or XLSX submission",
        responses={
            200: {"content": {_XLSX: {"schema": {"type": "string", "format": "binary"}}}},
            **page_errors(400, 413, 415),
        },
        response_class=Response,
        tags=["pages"],
    )
    async def annotated(request: Request) -> Response:
        settings = app_settings(request)
        media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if media == "application/x-www-form-urlencoded":
            upload = await _carried_file(request)
        else:
            upload = await read_upload(request, settings, fields={"sheet": 200})
        sheet = upload.fields.get("sheet") or None

        def work() -> bytes:
            report = validation.validate_bytes(
                upload.data, filename=upload.filename, media_type=upload.media_type, sheet=sheet
            )
            # imported here: openpyxl (with numpy) would add a third of a second to every start
            from mnr_graph.submissions.annotate import annotate_workbook

            return annotate_workbook(upload.data, report, filename=upload.filename)

        data = await asyncio.to_thread(work)
        name = PurePath(upload.filename).stem or "submission"
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
        return Response(
            data,
            media_type=_XLSX,
            headers={"Content-Disposition": f'attachment; filename="{safe}-annotated.xlsx"'},
        )

    return router
