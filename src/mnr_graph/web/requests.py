"""Reading a request.

The settings and store it is served with, single-valued parameters, pages (``limit``, ``offset``)
and uploads. Shared by the routes, the pages and the linked-data paths.

>>> page_parameters({"limit": "5", "q": "x"}, most=100)
(5, 0)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from starlette.datastructures import UploadFile as StarletteUploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from mnr_graph.core.errors import InputError, UnsupportedMediaTypeError
from mnr_graph.core.negotiation import parse_accept
from mnr_graph.core.settings import Settings
from mnr_graph.query.named import QueryStore
from mnr_graph.query.runner import StoreReader
from mnr_graph.submissions.batch import check_size
from mnr_graph.terminology.vocabulary import load_vocabulary

__all__ = [
    "MAX_BATCH_FILES",
    "PAGE_PARAMETERS",
    "Upload",
    "app_settings",
    "next_page",
    "page_language",
    "page_parameters",
    "read_upload",
    "read_uploads",
    "single_values",
    "store_reader",
    "upload_body",
]

#: The paging parameters of the named queries and of GET /submissions, for the OpenAPI document.
PAGE_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "the most rows a page gives (1 to the server's result limit, its "
        "default); a longer answer says so (JSON: truncated and next; the Link header "
        "rel=next), and as CSV must be asked for in pages",
        "schema": {"type": "integer", "minimum": 1},
    },
    {
        "name": "offset",
        "in": "query",
        "required": False,
        "description": "how many rows to skip (0 by default)",
        "schema": {"type": "integer", "minimum": 0},
    },
]


def app_settings(request: Request) -> Settings:
    """The settings the app was built with (the defaults for a bare router)."""
    found = getattr(request.app.state, "settings", None)
    return found if isinstance(found, Settings) else Settings()


def store_reader(request: Request, *, capped: bool = True) -> QueryStore:
    """The store for a handler running in a worker thread.

    A :class:`~mnr_graph.query.runner.StoreReader` over the app's query runner (the bare store
    only for a router without the app factory's runner).

    ``capped``: each answer stops at the result limit (the reader's ``truncated`` says whether
    one did); ``False`` for reads the framework bounds (its capabilities, domains, outcomes),
    which must be complete whatever the limit.
    """
    runner = getattr(request.app.state, "query_runner", None)
    if runner is None:
        store: QueryStore = request.app.state.store
        return store
    return StoreReader(runner, limit=app_settings(request).result_limit if capped else None)


_LANG_TAG = re.compile(r"^[a-z]{2,3}$")


def page_language(request: Request) -> str:
    """The language of a page.

    ``?lang=``, else the best of ``Accept-Language`` (q-values honoured) that the vocabulary has
    labels in, else English. A language we have no labels in is English (so the page's ``lang``
    says what it holds); a malformed ``?lang=`` is a 400.
    """
    available = _label_languages()
    if len(request.query_params.getlist("lang")) > 1:
        raise InputError("give 'lang' once, not several times", where="parameter 'lang'")
    asked = request.query_params.get("lang", "")
    if asked:
        tag = asked.split("-")[0].lower()
        if not _LANG_TAG.match(tag):
            raise InputError(
                f"{asked!r} is not a language tag (en, fr, es ...)", where="parameter 'lang'"
            )
        return tag if tag in available else "en"
    for tag, q in parse_accept(request.headers.get("accept-language")):
        if q > 0 and tag.split("-")[0] in available:
            return tag.split("-")[0]
    return "en"


@cache
def _label_languages() -> frozenset[str]:
    """The languages the vocabulary has labels in."""
    return frozenset(label.lang.split("-")[0] for label in load_vocabulary().labels)


def single_values(request: Request) -> dict[str, str]:
    """The URL's parameters, each given once (a repeated one is a 400: which value was meant?)."""
    values: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name in values:
            raise InputError(f"give {name!r} once, not several times", where=f"parameter {name!r}")
        values[name] = value
    return values


def page_parameters(
    values: dict[str, str], *, most: int, default: int | None = None
) -> tuple[int, int]:
    """``limit`` and ``offset`` taken out of ``values`` (the URL's parameters).

    A page of at most ``most`` rows (``default``: ``most``); a 400 naming the parameter when
    either is not a whole number in range.
    """
    limit = default if default is not None else most
    offset = 0
    for name in ("limit", "offset"):
        raw = values.pop(name, None)
        if raw is None:
            continue
        low, high = (1, most) if name == "limit" else (0, 1_000_000_000)
        if not raw.strip().isdigit() or not low <= int(raw) <= high:
            raise InputError(
                f"{raw!r} is not a {name}: a whole number from {low} to {high}",
                where=f"parameter {name!r}",
            )
        if name == "limit":
            limit = int(raw)
        else:
            offset = int(raw)
    return limit, offset


def next_page(request: Request, offset: int | None, limit: int) -> str | None:
    """The URL (path and query) of the page that starts at ``offset``, or None."""
    if offset is None:
        return None
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]
    query = urlencode([*params, ("limit", str(limit)), ("offset", str(offset))])
    return f"{request.url.path}?{query}"


@dataclass(frozen=True)
class Upload:
    """A file sent as the field ``file`` of a ``multipart/form-data`` body, read whole."""

    data: bytes
    filename: str
    media_type: str | None
    fields: dict[str, str]


async def read_upload(
    request: Request, settings: Settings, *, fields: Mapping[str, int] | None = None
) -> Upload:
    """The ``file`` field of a multipart body (and the text ``fields``, each at most that long).

    A body that is not ``multipart/form-data`` is a 415 that says what to send; no ``file``
    field, an empty file, or a field too long is a 400 naming the field (``field 'file'``).
    Called by a handler only once the request may proceed (a write checks its token first):
    FastAPI would read and parse a declared ``File()`` before the handler runs.
    """
    content_type = request.headers.get("content-type") or ""
    media = content_type.split(";")[0].strip().lower()
    if media != "multipart/form-data":
        raise UnsupportedMediaTypeError(
            "send the submission as multipart/form-data with the file in the field 'file' "
            f"(curl -F file=@submission.ttl), not {media or 'a body without a media type'}",
            where="Content-Type",
        )
    allowed = dict(fields or {})
    try:
        form = await request.form(max_files=1, max_fields=len(allowed) + 1)
    except StarletteHTTPException as exc:  # a malformed multipart body
        raise InputError(f"cannot read the multipart body: {exc.detail}") from None
    try:
        file = form.get("file")
        if not isinstance(file, StarletteUploadFile):
            raise InputError("no file: send it in the multipart field 'file'", where="field 'file'")
        data = await file.read(settings.max_upload_bytes + 1)
        filename = file.filename or "upload"
        check_size(len(data), settings.max_upload_bytes, where=filename)
        if not data:
            raise InputError("the upload is empty", where=filename)
        values: dict[str, str] = {}
        for name, longest in allowed.items():
            value = form.get(name)
            if value is None:
                continue
            if not isinstance(value, str):
                raise InputError("a text, not a file", where=f"field {name!r}")
            if len(value) > longest:
                raise InputError(f"at most {longest} characters", where=f"field {name!r}")
            values[name] = value
        return Upload(data, filename, _media_type(file.content_type), values)
    finally:
        await form.close()


#: How many files one batch validation request may hold.
MAX_BATCH_FILES = 50


async def read_uploads(request: Request, settings: Settings) -> list[Upload]:
    """Every ``file`` field of a multipart body (at most :data:`MAX_BATCH_FILES`).

    Each is read whole and refused as :func:`read_upload` refuses one (the body as a whole is
    limited by the middleware to the same size).
    """
    content_type = request.headers.get("content-type") or ""
    media = content_type.split(";")[0].strip().lower()
    if media != "multipart/form-data":
        raise UnsupportedMediaTypeError(
            "send the submissions as multipart/form-data, each file in a field 'file' (curl "
            f"-F file=@XA.csv -F file=@XB.xlsx), not {media or 'a body without a media type'}",
            where="Content-Type",
        )
    try:
        form = await request.form(max_files=MAX_BATCH_FILES, max_fields=MAX_BATCH_FILES)
    except StarletteHTTPException as exc:  # a malformed body, or too many files
        raise InputError(f"cannot read the multipart body: {exc.detail}") from None
    try:
        uploads: list[Upload] = []
        for file in form.getlist("file"):
            if not isinstance(file, StarletteUploadFile):
                raise InputError("a file, not a text", where="field 'file'")
            data = await file.read(settings.max_upload_bytes + 1)
            filename = file.filename or f"upload-{len(uploads) + 1}"
            check_size(len(data), settings.max_upload_bytes, where=filename)
            uploads.append(Upload(data, filename, _media_type(file.content_type), {}))
        if not uploads:
            raise InputError("no file: send each in a multipart field 'file'", where="field 'file'")
        return uploads
    finally:
        await form.close()


def _media_type(content_type: str | None) -> str | None:
    media = (content_type or "").split(";")[0].strip()
    return None if media in ("", "application/octet-stream") else media


def upload_body(
    *, submitter: bool = False, sheet: bool = False, replace: bool = False
) -> dict[str, Any]:
    """The OpenAPI request body of an upload: ``multipart/form-data`` with the field ``file``."""
    properties: dict[str, Any] = {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "Turtle, JSON-LD, CSV or XLSX submission",
        }
    }
    if submitter:
        properties["submitter"] = {
            "type": "string",
            "maxLength": 200,
            "description": "who submits (recorded with the submission)",
        }
    if sheet:
        properties["sheet"] = {
            "type": "string",
            "maxLength": 200,
            "description": "the workbook sheet to read (needed when several sheets look like a "
            "submission)",
        }
    if replace:
        properties["replace"] = {
            "type": "boolean",
            "description": "store it even when it repeats an older version or has less data "
            "than the current one (otherwise a 409 says so)",
        }
    schema = {"type": "object", "properties": properties, "required": ["file"]}
    return {
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
    }
