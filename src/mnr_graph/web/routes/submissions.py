"""``/submissions``: stored submissions listed (with provenance), submitted and withdrawn.

``GET /submissions`` pages the registry's versions; ``POST /submissions`` (the operator's bearer
token) validates and stores one, as ``mnr-graph submit``; ``DELETE
/submissions/{country}/{year}/{version}`` (the token) withdraws one, as ``mnr-graph withdraw``.

>>> sorted({route.path for route in get_router().routes})
['/submissions', '/submissions/{country}/{year}/{version}']
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from mnr_graph.core.errors import (
    ForbiddenError,
    InputError,
    NotFoundError,
    ValidationFailedError,
    error_body,
    located,
)
from mnr_graph.framework.countries import lookup_country
from mnr_graph.submissions import ingest, registry, validation
from mnr_graph.web.access import require_token
from mnr_graph.web.errors import STORE_ERRORS, errors
from mnr_graph.web.models import SubmissionPage, SubmissionRefused, SubmissionStored, Withdrawn
from mnr_graph.web.observability import audit
from mnr_graph.web.requests import (
    PAGE_PARAMETERS,
    app_settings,
    next_page,
    page_parameters,
    read_upload,
    single_values,
    store_reader,
    upload_body,
)
from mnr_graph.web.responses import link_headers

__all__ = ["get_router"]


def get_router() -> APIRouter:
    """The submission routes."""
    router = APIRouter()

    @router.get(
        "/submissions",
        response_model=SubmissionPage,
        tags=["submissions"],
        responses=errors(400, 404, *STORE_ERRORS),
        openapi_extra={"parameters": _SUBMISSION_FILTERS + PAGE_PARAMETERS},
    )
    def list_submissions(request: Request) -> Response:
        """The stored versions with their provenance, completeness and warnings.

        By country, year and version; the current one is marked, a withdrawn one says when and
        why. ``country`` (a code or name: FR, FRA, France) and ``year`` filter; ``limit`` and
        ``offset`` page (``truncated`` and ``next`` in the body, ``Link: rel=next``). An
        unknown parameter is a 400; a country with no submission a 404.
        """
        values = single_values(request)
        unknown = sorted(set(values) - {"country", "year", "limit", "offset"})
        if unknown:
            raise InputError(
                f"no parameter {', '.join(unknown)}; the parameters: country, year, limit, offset",
                where=f"parameter {unknown[0]!r}",
            )
        limit, offset = page_parameters(values, most=app_settings(request).result_limit)
        reader: Any = store_reader(request, capped=False)  # bounded by the page
        country = year = None
        if values.get("country"):
            with located("parameter 'country'"):
                country = lookup_country(values["country"])
            if not registry.count_submissions(reader, country=country.iri):
                raise NotFoundError(
                    f"no submission from {country.label} is stored",
                    where="parameter 'country'",
                )
        if values.get("year"):
            year = values["year"].strip()
            if not (len(year) == 4 and year.isdigit()):
                raise InputError(
                    f"{year!r} is not a year: four digits such as 2024", where="parameter 'year'"
                )
        iri = country.iri if country else None
        total = registry.count_submissions(reader, country=iri, year=year)
        items = registry.list_submissions(
            reader, country=iri, year=year, limit=limit, offset=offset
        )
        more = offset + len(items) < total
        link = next_page(request, offset + len(items) if more else None, limit)
        body = {
            "total": total,
            "offset": offset,
            "limit": limit,
            "truncated": more,
            "next": link,
            "items": items,
        }
        return JSONResponse(body, headers=link_headers(link))

    @router.post(
        "/submissions",
        status_code=201,
        response_model=SubmissionStored,
        tags=["submissions"],
        responses={
            200: {
                "model": SubmissionStored,
                "description": "Unchanged: the file says what the current version of its "
                "country and year says (the same content, whatever its bytes); nothing was "
                "stored (`unchanged` is true).",
            },
            **errors(400, 403, 409, 413, 415, *STORE_ERRORS),
            422: {
                "model": SubmissionRefused,
                "description": "The submission has violations: the error and the report.",
            },
        },
        openapi_extra=upload_body(submitter=True, sheet=True, replace=True),
    )
    async def submit(
        request: Request,
        authorization: Annotated[str | None, Header(description="Bearer TOKEN")] = None,
    ) -> Any:
        """Validate and store a submission (needs the operator's bearer token).

        The token is checked before the body is read: a request without it is refused (403)
        whatever it carries. A submission that repeats an older version, or has less data
        than the current one, is a 409 saying so, unless the field ``replace`` is true.
        """
        settings = app_settings(request)
        token = await require_token(request, write=True, action="write")
        upload = await read_upload(
            request, settings, fields={"submitter": 200, "sheet": 200, "replace": 10}
        )
        replace = _flag(upload.fields.get("replace"), "replace")
        try:
            record = await asyncio.to_thread(
                ingest.submit,
                request.app.state.store,
                upload.data,
                filename=upload.filename,
                submitter=token.name,  # the token's name, not what the client says
                sheet=upload.fields.get("sheet"),
                replace=replace,
                media_type=upload.media_type,
                countries=token.countries,
            )
        except ForbiddenError as exc:
            audit("token-refused", action="write", token=token.name, reason=exc.message)
            raise
        except ValidationFailedError as exc:
            content = error_body(exc)
            report = getattr(exc, "report", None)
            if isinstance(report, validation.ValidationReport):
                content["report"] = report.to_json()
            return JSONResponse(content, status_code=exc.http_status)
        if not record.unchanged:
            request.app.state.metrics.writes.labels(kind="submit").inc()
        audit(
            "submit",
            token=token.name,
            country=record.country,
            year=record.year,
            version=record.version,
            graph=record.graph,
            unchanged=record.unchanged,
        )
        return JSONResponse(record.to_json(), status_code=200 if record.unchanged else 201)

    @router.delete(
        "/submissions/{country}/{year}/{version}",
        response_model=Withdrawn,
        tags=["submissions"],
        responses=errors(400, 403, 404, 409, *STORE_ERRORS),
    )
    async def withdraw(
        request: Request,
        country: str,
        year: str,
        version: str,
        authorization: Annotated[str | None, Header(description="Bearer TOKEN")] = None,
        reason: str | None = Query(None, max_length=500, description="why it is withdrawn"),
        by: str | None = Query(
            None,
            max_length=200,
            description="ignored: the name of the token is recorded as who withdrew it",
        ),
    ) -> dict[str, Any]:
        """Withdraw a stored version (needs the bearer token).

        It stays in the store with its history, ``prov:wasInvalidatedBy`` a withdrawal
        activity, and the previous version becomes current again. ``country`` is a code or
        name (FR, FRA), ``version`` a number (3 or v3).
        """
        with located("path segment 'country'"):
            code = lookup_country(country).code
        token = await require_token(request, write=True, country=code, action="withdraw")
        unknown = sorted(set(single_values(request)) - {"reason", "by"})
        if unknown:
            raise InputError(
                f"no parameter {', '.join(unknown)}; the parameters: reason, by",
                where=f"parameter {unknown[0]!r}",
            )
        with located("path segment 'country'"):
            lookup_country(country)
        result: dict[str, Any] = await asyncio.to_thread(
            ingest.withdraw,
            request.app.state.store,
            country,
            year,
            version,
            by=token.name,  # the token's name; the client's word is not a name
            reason=reason,
        )
        request.app.state.metrics.writes.labels(kind="withdraw").inc()
        audit("withdraw", token=token.name, country=code, year=year, version=version, reason=reason)
        return result

    return router


#: The filters of GET /submissions.
_SUBMISSION_FILTERS: list[dict[str, Any]] = [
    {
        "name": "country",
        "in": "query",
        "required": False,
        "description": "only this country: an ISO 3166-1 code (FR, FRA, 250), a user-assigned "
        "code (XA, XAB) or an English name",
        "schema": {"type": "string"},
    },
    {
        "name": "year",
        "in": "query",
        "required": False,
        "description": "only this reporting year (four digits)",
        "schema": {"type": "string", "pattern": "^[0-9]{4}$"},
    },
]


def _flag(raw: str | None, name: str) -> bool:
    """A yes/no form field: true, 1, yes, on / false, 0, no, off (any case); absent: false."""
    if raw is None or not raw.strip():
        return False
    text = raw.strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise InputError(f"{raw!r} is not true or false", where=f"field {name!r}")
