"""The REST routes of the API: named queries, terms, text check, validation, submissions, framework.

A thin layer over the library: each handler parses the request, calls the same function the CLI
calls and returns its JSON. Errors are :mod:`mnr_graph.core.errors` exceptions; the app built by
:func:`mnr_graph.web.app.get_fastapi_app` maps them to HTTP status codes in one place.

- ``GET /queries`` lists the named queries; ``GET /queries/{name}`` runs one (one OpenAPI
  operation per ``sparql/Q*.rq`` file, made when the router is built). JSON, or CSV when the
  ``Accept`` header asks for ``text/csv`` (or ``format=csv``).
- ``GET /terms`` searches the vocabulary; ``GET /terms/{id}`` is one concept.
- ``POST /check`` checks a text for avoided terms; ``POST /validate`` validates an upload.
- ``POST /submissions`` (bearer token) ingests a submission; ``GET /submissions`` lists them.
- ``GET /capabilities``, ``/domains``, ``/outcomes``: the framework as JSON-LD.

>>> router = get_router()
>>> "/queries" in {route.path for route in router.routes}
True
"""

from __future__ import annotations

import asyncio
import codecs
import hmac
import json
import math
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Protocol
from urllib.parse import urlencode

import anyio.from_thread
import pyoxigraph as ox
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from rdflib import Graph
from starlette.datastructures import UploadFile as StarletteUploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from mnr_graph.core.errors import (
    ForbiddenError,
    InputError,
    MnrGraphError,
    NotAcceptableError,
    NotFoundError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    ValidationFailedError,
    located,
)
from mnr_graph.core.language import pick
from mnr_graph.core.namespaces import MNR, TERM
from mnr_graph.core.settings import Settings
from mnr_graph.core.text import fold
from mnr_graph.framework.context import shipped_context
from mnr_graph.framework.countries import lookup_country
from mnr_graph.query import named as queries
from mnr_graph.query.sparql import (
    QueryAnswer,
    QueryRequest,
    choose_media,
    kind_of,
    negotiate,
    parse_accept,
)
from mnr_graph.query.store import bind_values
from mnr_graph.submissions import ingest, registry, validation
from mnr_graph.terminology import checker as textcheck
from mnr_graph.terminology import vocabulary as terminology

_SPARQL_JSON = "application/sparql-results+json"

__all__ = [
    "RETRY_AFTER",
    "CheckRequest",
    "CheckResponse",
    "ColumnInfo",
    "CompletenessModel",
    "ErrorModel",
    "ParameterInfo",
    "QueryInfo",
    "QueryResult",
    "ReviewModel",
    "Runner",
    "StoreReader",
    "StoredWarning",
    "SubmissionEntry",
    "SubmissionPage",
    "SubmissionRefused",
    "SubmissionStored",
    "TermDescription",
    "TermLabelModel",
    "TermPage",
    "Upload",
    "ValidationReportModel",
    "ValidationResultModel",
    "Withdrawal",
    "Withdrawn",
    "describe_term",
    "document_errors",
    "errors",
    "framework_jsonld",
    "get_router",
    "next_page",
    "page_errors",
    "page_parameters",
    "parse_answer",
    "read_upload",
    "retry_headers",
    "run_read",
    "search_terms",
    "single_values",
    "store_reader",
    "term_entries",
    "truncation_headers",
    "wants_csv",
]

JSONLD = "application/ld+json"
_MAX_PAGE = 500


# --- response models (so the OpenAPI document at /docs is complete) ---------------------------


class ParameterInfo(BaseModel):
    """One parameter of a named query."""

    name: str
    type: str
    required: bool
    default: str | None = None
    example: str
    description: str
    expected: str = Field(description="what a valid value looks like")


class ColumnInfo(BaseModel):
    """One result column of a named query."""

    name: str
    description: str


class QueryInfo(BaseModel):
    """A named query as listed at ``GET /queries``."""

    id: str = Field(examples=["Q01"])
    name: str = Field(examples=["capabilities-by-domain"])
    summary: str
    description: str
    path: str = Field(examples=["/queries/capabilities-by-domain"])
    parameters: list[ParameterInfo]
    columns: list[ColumnInfo]


class QueryResult(BaseModel):
    """One page of the rows of a named query: IRIs and texts as strings, numbers as numbers,
    null if unbound."""

    query: str
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = Field(
        description="true when more rows follow this page (at most `limit` rows are given): "
        "`next` asks for them"
    )
    offset: int = Field(description="how many rows were skipped")
    limit: int = Field(description="the most rows a page gives (the result limit by default)")
    next: str | None = Field(description="the URL of the next page, or null on the last page")


class TermPage(BaseModel):
    """One page of a term search."""

    total: int
    offset: int
    limit: int
    items: list[dict[str, Any]] = Field(
        description="one entry per matching label, best match first (see GET /terms)"
    )


class ReviewModel(BaseModel):
    """What a band or a definition was checked against, and the sources it rests on."""

    status: str = Field(
        description="primary-text, secondary-source, contested or unchecked",
        examples=["secondary-source"],
    )
    status_label: str = Field(examples=["checked against a secondary source"])
    sources: list[dict[str, Any]] = Field(
        description="[{iri, title, publisher, date, url}] of the sources the status rests on"
    )


class TermLabelModel(BaseModel):
    """One label of a concept with its usage data."""

    label: str
    lang: str
    kind: str = Field(description="preferred, alternative or hidden")
    band: str = Field(description="use, caution or avoid")
    legal_context_only: bool
    use_instead: list[dict[str, str]] = Field(description="[{label, concept}]")
    review_status: str | None = Field(None, description="the IRI of the label's review status")
    review: ReviewModel | None = Field(
        None, description="what the label's band was checked against, with its sources"
    )


class TermDescription(BaseModel):
    """One concept of the vocabulary (``GET /terms/{id}``)."""

    id: str = Field(examples=["child-sexual-abuse-material"])
    concept: str
    preferred: str
    definition: str | None = None
    scope_note: str | None = None
    sources: list[str]
    review_status: str | None = None
    review: ReviewModel | None = Field(
        None, description="what the definition and editions were checked against"
    )
    groups: list[str]
    labels: list[TermLabelModel]


class CheckRequest(BaseModel):
    """A text to check."""

    text: str = Field(examples=["The report counts cases of child pornography online."])
    lang: str | None = Field(default=None, examples=["en"])


class CheckResponse(BaseModel):
    """The findings of the text checker, as the CLI's JSON (``mnr-graph check --format json``)."""

    findings: list[dict[str, Any]]


class ValidationResultModel(BaseModel):
    """One SHACL result mapped back to the input."""

    severity: str
    shape: str | None = None
    message: str
    focus: str | None = None
    path: str | None = None
    value: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = Field(default=None, description="the XLSX cell (A1 style), if any")
    sheet: str | None = Field(default=None, description="the workbook sheet of the row, if any")


class ValidationReportModel(BaseModel):
    """The validation report, as the CLI's JSON (``mnr-graph validate --format json``)."""

    conforms: bool
    sheet: str | None = Field(default=None, description="the workbook sheet that was read")
    results: list[ValidationResultModel]


class CompletenessModel(BaseModel):
    """How much a version says: capabilities assessed, and those marked 'no data'."""

    capabilities: int = Field(description="the capabilities of the framework (21)")
    assessed: int | None = Field(description="with a phase or a status other than 'no data'")
    noData: int | None = Field(description="marked 'no data'")
    noDataFor: list[str] = Field(description="the capabilities marked 'no data' (C05 ...)")


class StoredWarning(BaseModel):
    """A warning a version was stored with (a SHACL result of severity Warning)."""

    severity: str
    shape: str
    message: str | None
    focus: str | None
    path: str | None
    value: str | None
    row: int | None
    column: str | None
    cell: str | None


class Withdrawal(BaseModel):
    """When and why a version was withdrawn (a prov:Activity that invalidated it)."""

    activity: str | None
    at: str | None
    by: str | None
    reason: str | None


class SubmissionEntry(BaseModel):
    """One stored submission graph, from the registry (``GET /submissions``)."""

    graph: str
    submission: str | None
    country: str | None
    countryCode: str | None
    year: str | None
    version: int
    isCurrent: bool
    withdrawn: Withdrawal | None
    generatedAtTime: str | None
    sha256: str | None
    contentDigest: str | None
    sourceFile: str | None
    sheet: str | None
    toolVersion: str | None
    submitter: str | None
    wasRevisionOf: str | None
    completeness: CompletenessModel
    warnings: list[StoredWarning]


class SubmissionPage(BaseModel):
    """One page of the stored versions (``GET /submissions``)."""

    total: int = Field(description="how many versions match the filters")
    offset: int
    limit: int
    truncated: bool = Field(description="true when more versions follow this page")
    next: str | None = Field(description="the URL of the next page, or null on the last page")
    items: list[SubmissionEntry]


class Withdrawn(BaseModel):
    """What ``DELETE /submissions/{country}/{year}/{version}`` did."""

    country: str
    year: str
    graph: str
    version: int
    withdrawn: bool
    current: str | None = Field(description="the version now current (its graph), or null")


class SubmissionStored(BaseModel):
    """What ``POST /submissions`` stored, with its validation report (warnings allowed)."""

    graph: str
    submission: str
    country: str
    year: str
    version: int
    previous: str | None
    sha256: str
    isCurrent: bool
    unchanged: bool = Field(
        description="true: the file says what the current version says, nothing stored"
    )
    notice: str | None = Field(
        description="what the submission repeats or loses against a stored version (stored "
        "with replace=true), or why nothing was stored"
    )
    replaced: list[str] = Field(description="submissions of the served data this replaced")
    sheet: str | None = Field(description="the workbook sheet it was read from")
    completeness: CompletenessModel | None
    report: ValidationReportModel


class ErrorModel(BaseModel):
    """Every error answer of the API (a JSON body; pages answer an HTML page instead)."""

    error: str = Field(description="the kind of error", examples=["InputError"])
    message: str = Field(description="what is wrong")
    where: str | None = Field(description="where: a parameter, a field, a file, line and column")
    detail: str = Field(description="message and where in one text")
    details: dict[str, Any] | None = Field(
        default=None,
        description="for a 409: what the submission was compared with (its reason, the "
        "current version, the new one's completeness)",
    )


class SubmissionRefused(ErrorModel):
    """``POST /submissions`` refused a submission with violations: the error and the report."""

    report: ValidationReportModel


#: What each error status means, for the OpenAPI document.
_ERRORS: dict[int, str] = {
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
_STORE_ERRORS = (502, 503)


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route for these error statuses, each with the error model."""
    out: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorModel, "description": _ERRORS[code]} for code in codes
    }
    if 503 in out:
        out[503]["headers"] = RETRY_AFTER
    return out


def page_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a page or linked-data route: each error as JSON, or as an HTML page
    for a client that prefers one (a browser)."""
    ref = {"$ref": "#/components/schemas/ErrorModel"}
    out: dict[int | str, dict[str, Any]] = {
        code: {
            "description": _ERRORS[code],
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
                responses.setdefault("400", {"description": _ERRORS[400]})
            if operation.get("requestBody"):
                responses.setdefault("413", {"description": _ERRORS[413]})
            for code, response in responses.items():
                if code[0] in "45" and not response.get("content"):
                    response["content"] = {"application/json": {"schema": ref}}
    return schema


# --- helpers ---------------------------------------------------------------------------------


def _settings(request: Request) -> Settings:
    settings = getattr(request.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else Settings()


_TABLE_MEDIA = ("text/csv", "application/json")
#: What each wildcard gives a named query's table, first choice first.
_TABLE_WILDCARDS = {
    "*/*": ("application/json", "text/csv"),
    "application/*": ("application/json",),
    "text/*": ("text/csv",),
}


def wants_csv(accept: str | None, fmt: str | None = None) -> bool:
    """True when the client asks for CSV (``format=csv`` wins over ``Accept``); JSON by default,
    for ``*/*`` and ``application/*``, CSV for ``text/*`` (a refused one is passed over);
    :class:`NotAcceptableError` (406) when ``Accept`` allows neither.

    >>> wants_csv("text/csv"), wants_csv("application/json, text/csv;q=0.5"), wants_csv(None, "csv")
    (True, False, True)
    >>> wants_csv("text/*"), wants_csv("*/*"), wants_csv("application/json;q=0, */*")
    (True, False, True)
    >>> wants_csv("image/png")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.NotAcceptableError: Accept: cannot answer in 'image/png'; use ...
    """
    if fmt:
        if fmt not in ("json", "csv"):
            raise InputError(f"unknown format {fmt!r}: json or csv", where="format")
        return fmt == "csv"
    ranges = parse_accept(accept)  # best first; at equal q the first listed
    media = choose_media(ranges, _TABLE_MEDIA, _TABLE_WILDCARDS)
    if media is not None:
        return media == "text/csv"
    if ranges:
        raise NotAcceptableError(
            f"cannot answer in {accept!r}; use application/json or text/csv", where="Accept"
        )
    return False


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
    """``limit`` and ``offset`` taken out of ``values`` (the URL's parameters): a page of at
    most ``most`` rows (``default``: ``most``); a 400 naming the parameter when either is not a
    whole number in range."""
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


def _page_headers(link: str | None) -> dict[str, str]:
    return {"Link": f'<{link}>; rel="next"'} if link else {}


def _table_response(
    request: Request, table: queries.QueryTable, *, csv: bool, paged: bool
) -> Response:
    """The page as JSON (``truncated`` and ``next`` in the body, ``Link: rel=next``) or CSV.

    A CSV table is never silently short: an answer longer than one page must be asked for in
    pages (``limit``, ``offset``); without them it is a 400 that says how."""
    limit = table.limit if table.limit is not None else len(table.rows)
    link = next_page(request, table.next_offset, limit)
    if csv:
        if table.truncated and not paged:
            raise InputError(
                f"the answer has more than {limit} rows (the server's result limit): ask for it "
                f"in pages of at most {limit} rows with the parameters limit and offset, from "
                f"{next_page(request, 0, limit)} on (each page's Link header names the next)",
                where="parameter 'limit'",
            )
        return Response(
            table.to_csv(), media_type="text/csv; charset=utf-8", headers=_page_headers(link)
        )
    return JSONResponse({**table.to_json(), "next": link}, headers=_page_headers(link))


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
        if len(data) > settings.max_upload_bytes:
            raise PayloadTooLargeError(
                f"the upload is larger than {settings.max_upload_bytes} bytes", where=filename
            )
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


def _media_type(content_type: str | None) -> str | None:
    media = (content_type or "").split(";")[0].strip()
    return None if media in ("", "application/octet-stream") else media


def search_terms(
    entries: list[dict[str, Any]],
    q: str,
    *,
    lang: str | None = None,
    also: frozenset[tuple[str, str]] = frozenset(),
) -> list[dict[str, Any]]:
    """Labels matching ``q`` best first, as Skosmos orders them.

    A label matches when it contains the text, ignoring case and accents, or when its
    ``(label, lang)`` is in ``also`` (the look-up's matches: plurals, hyphens). Order: in the asked
    language before other languages; then an exact preferred label, then an exact match ignoring
    case, then labels that start with the text, then the rest; preferred labels before others.

    >>> entries = [
    ...     {"label": "Child", "lang": "en", "kind": "alternative"},
    ...     {"label": "child", "lang": "en", "kind": "preferred"},
    ...     {"label": "enfant", "lang": "fr", "kind": "preferred"},
    ...     {"label": "childhood", "lang": "en", "kind": "preferred"},
    ...     {"label": "a child", "lang": "fr", "kind": "alternative"},
    ... ]
    >>> [e["label"] for e in search_terms(entries, "child", lang="en")]
    ['child', 'Child', 'childhood', 'a child']
    """
    text = q.strip()
    needle = fold(text)
    ranked: list[tuple[tuple[int, int, str], dict[str, Any]]] = []
    for entry in entries:
        label = str(entry.get("label", ""))
        folded = fold(label)
        looked_up = (label, str(entry.get("lang", ""))) in also
        if needle not in folded and not looked_up:
            continue
        preferred = entry.get("kind") == "preferred"
        if label == text and preferred:
            tier = 0
        elif folded == needle or looked_up:
            tier = 1
        elif folded.startswith(needle):
            tier = 2
        else:
            tier = 3
        other_lang = 0 if lang is None or str(entry.get("lang", "")).split("-")[0] == lang else 1
        ranked.append(((other_lang, tier * 2 + (0 if preferred else 1), folded), entry))
    ranked.sort(key=lambda item: item[0])
    return [entry for _, entry in ranked]


def term_entries(
    vocabulary: terminology.Vocabulary,
    *,
    band: str | None = None,
    lang: str | None = None,
    group: str | None = None,
) -> list[dict[str, Any]]:
    """The vocabulary's labels as JSON rows (``list_terms``) with their kind and concept id."""
    kinds = {(lab.concept, lab.text, lab.lang): lab.kind for lab in vocabulary.labels}
    names = {"pref": "preferred", "alt": "alternative", "hidden": "hidden"}
    rows = vocabulary.list_terms(band=band, lang=lang, group=group)
    for row in rows:
        kind = kinds.get((row["concept"], row["label"], row["lang"]), "alt")
        row["kind"] = names.get(kind, kind)
        row["id"] = str(row["concept"]).removeprefix(str(TERM))
    return rows


def framework_jsonld(store: queries.QueryStore, class_iri: str) -> dict[str, Any]:
    """Every resource of one class with its statements, as compacted JSON-LD.

    >>> from mnr_graph.query.store import EmbeddedStore
    >>> doc = framework_jsonld(EmbeddedStore.with_shipped_data(), str(MNR.Domain))
    >>> "@context" in doc and len(doc["@graph"]) > 0
    True
    """
    # The class is a constant of mnr_graph.core.namespaces, never user input.
    triples = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s a <{class_iri}> ; ?p ?o }}")
    graph = Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    context = shipped_context()
    text = graph.serialize(format="json-ld", context=context or None, auto_compact=True)
    parsed = json.loads(text)
    doc: dict[str, Any] = {"@graph": parsed} if isinstance(parsed, list) else parsed
    if "@graph" not in doc:
        body = {k: v for k, v in doc.items() if k != "@context"}
        doc = {"@context": doc.get("@context", {}), "@graph": [body] if body else []}
    doc.setdefault("@context", context)
    return doc


# --- store reads through the time-limited query runner -------------------------------------


class Runner(Protocol):
    """What :class:`StoreReader` needs of the query runner
    (:class:`mnr_graph.web.app.QueryRunner`)."""

    async def run(self, request: QueryRequest) -> QueryAnswer:
        """The serialised, capped answer of a checked query."""


async def run_read(
    runner: Runner,
    sparql: str,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    limit: int = 10_000,
) -> QueryAnswer:
    """Run a read query through the runner (a worker under the time limit): SPARQL JSON results
    for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE; :func:`parse_answer` reads it."""
    kind = kind_of(sparql)
    media = _SPARQL_JSON if kind == "results" else "application/n-triples"
    return await runner.run(
        QueryRequest(
            sparql,
            kind,
            default_graphs=tuple(default_graphs) if default_graphs is not None else None,
            named_graphs=tuple(named_graphs) if named_graphs is not None else None,
            format=negotiate(kind, media, None),
            limit=limit,
        )
    )


def parse_answer(
    answer: QueryAnswer,
) -> list[ox.QuerySolution] | ox.QueryBoolean | list[ox.Triple]:
    """The answer of :func:`run_read` as the store would give it: the solutions (a list), a
    boolean, or the triples. (A pyoxigraph ``QuerySolutions`` iterator belongs to the thread that
    made it, and an error's traceback can carry it to another: the rows are read at once.)
    """
    if answer.media_type == "application/n-triples":
        return [q.triple for q in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]
    result = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    if isinstance(result, ox.QuerySolutions):
        return list(result)
    assert isinstance(result, ox.QueryBoolean)
    return result


class StoreReader:
    """The store as the request handlers that run in a worker thread see it: every query goes
    through the app's query runner (the worker processes under the time limit, or the remote
    endpoint), on the event loop, so no request reads the store in the server process.

    It has the ``query`` method of :class:`mnr_graph.query.named.QueryStore`; substitutions are
    bound
    as a ``VALUES`` block of RDF terms (a blank node cannot be bound: :class:`InputError`).
    """

    def __init__(self, runner: Runner, *, limit: int | None) -> None:
        self.runner = runner
        #: Most rows or triples per query; ``None``: every one (reads bounded by the framework).
        self.limit = limit
        #: True once an answer was cut at ``limit``: the caller must say so (or page).
        self.truncated = False

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode] | None = None,
    ) -> list[ox.QuerySolution] | ox.QueryBoolean | list[ox.Triple]:
        """Run a read query in a worker; call it from a thread the event loop started."""
        text = bind_values(sparql, substitutions) if substitutions else sparql
        answer = anyio.from_thread.run(
            partial(
                run_read,
                self.runner,
                text,
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                limit=sys.maxsize - 1 if self.limit is None else self.limit,
            )
        )
        self.truncated = self.truncated or answer.capped
        return parse_answer(answer)


def store_reader(request: Request, *, capped: bool = True) -> queries.QueryStore:
    """The store for a handler running in a worker thread: a :class:`StoreReader` over the app's
    query runner (the bare store only for a router without the app factory's runner).

    ``capped``: each answer stops at the result limit (the reader's ``truncated`` says whether
    one did); ``False`` for reads the framework bounds (its capabilities, domains, outcomes),
    which must be complete whatever the limit."""
    runner = getattr(request.app.state, "query_runner", None)
    if runner is None:
        store: queries.QueryStore = request.app.state.store
        return store
    return StoreReader(runner, limit=_settings(request).result_limit if capped else None)


def retry_headers(request: Request, exc: MnrGraphError) -> dict[str, str]:
    """``Retry-After`` for a 503 (time limit, every worker busy): the query time limit, in
    whole seconds, by when a busy worker is free again; nothing for other errors."""
    if exc.http_status != 503:
        return {}
    return {"Retry-After": str(max(1, math.ceil(_settings(request).query_timeout)))}


def truncation_headers(limit: int) -> dict[str, str]:
    """The headers of an answer cut at the result limit (as ``/sparql`` sends them).

    >>> truncation_headers(50)["X-Results-Truncated"]
    'true'
    """
    return {
        "X-Result-Limit": str(limit),
        "X-Results-Truncated": "true",
        "Warning": f'199 mnr-graph "results truncated to {limit} (the server\'s result limit)"',
    }


# --- routes ----------------------------------------------------------------------------------


def _query_operation(q: queries.NamedQuery) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        values = single_values(request)
        csv = wants_csv(request.headers.get("accept"), values.pop("format", None))
        settings = _settings(request)
        paged = "limit" in values or "offset" in values
        limit, offset = page_parameters(values, most=settings.result_limit)
        runner: Runner | None = getattr(request.app.state, "query_runner", None)
        if runner is None:  # a bare router without the app factory's query runner
            store = request.app.state.store
            table = await asyncio.to_thread(
                queries.run_query, store, q.name, values, limit=limit, offset=offset
            )
            return _table_response(request, table, csv=csv, paged=paged)
        # The same time-limited runner as /sparql: parameters are checked, then bound as RDF
        # terms in a VALUES block (never spliced as text) and the query runs in a worker; the
        # check that the named things exist runs there too (first, when it decides what a
        # value stands for: a country code, the user's data or the demo's).
        substitutions = q.bind(values)
        check = q.existence_query(substitutions)
        if check is not None and q.resolves(substitutions):
            found = parse_answer(await run_read(runner, check, limit=settings.result_limit))
            assert isinstance(found, list)
            substitutions = q.check_existence(values, substitutions, found)
            check = None
        text = queries.paged(q.text, limit=limit, offset=offset)
        main = runner.run(
            QueryRequest(
                bind_values(text, substitutions) if substitutions else text,
                "results",
                format=negotiate("results", _SPARQL_JSON, None),
                limit=limit + 1,
            )
        )
        if check is None:
            answer = await main
        else:
            found_or_error, answer_or_error = await asyncio.gather(
                run_read(runner, check, limit=settings.result_limit),
                main,
                return_exceptions=True,
            )
            if isinstance(found_or_error, BaseException):
                raise found_or_error
            checked = parse_answer(found_or_error)
            assert isinstance(checked, list)
            q.check_existence(values, substitutions, checked)
            if isinstance(answer_or_error, BaseException):
                raise answer_or_error
            answer = answer_or_error
        solutions = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
        assert isinstance(solutions, ox.QuerySolutions)
        try:
            table = queries.table_from_solutions(q, solutions, limit=limit, offset=offset)
        finally:
            del solutions  # never carried to another thread by an error's traceback
        return _table_response(request, table, csv=csv, paged=paged)

    run.__name__ = "query_" + q.name.replace("-", "_")
    return run


def _query_parameters(q: queries.NamedQuery) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for p in q.parameters:
        kind = queries.PARAMETER_TYPES[p.type]
        schema: dict[str, Any] = {"type": kind.json_type, "x-mnr-type": p.type}
        if p.default is not None:
            schema["default"] = p.default
        params.append(
            {
                "name": p.name,
                "in": "query",
                "required": p.required,
                "description": f"{p.description} ({kind.description})",
                "schema": schema,
                "example": p.example,
            }
        )
    params.append(
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "json or csv (instead of the Accept header)",
            "schema": {"type": "string", "enum": ["json", "csv"]},
        }
    )
    params += _PAGE_PARAMETERS
    return params


#: The paging parameters of the named queries and of GET /submissions.
_PAGE_PARAMETERS: list[dict[str, Any]] = [
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


def _add_query_routes(router: APIRouter) -> None:
    all_queries = queries.load_queries()

    @router.get("/queries", response_model=list[QueryInfo], tags=["named queries"])
    def list_queries() -> list[dict[str, Any]]:
        """Every named query with its parameters and result columns."""
        return [q.to_json() for q in all_queries.values()]

    csv_response = {"content": {"text/csv": {"schema": {"type": "string"}}}}
    for q in all_queries.values():
        router.add_api_route(
            f"/queries/{q.name}",
            _query_operation(q),
            methods=["GET"],
            summary=f"{q.id}: {q.summary}",
            description=q.description or q.summary,
            response_model=QueryResult,
            responses={200: csv_response, **errors(400, 406, *_STORE_ERRORS)},
            tags=["named queries"],
            openapi_extra={"parameters": _query_parameters(q)},
            operation_id=f"query_{q.id}",
        )

    @router.get("/queries/{name}", include_in_schema=False)
    async def query_by_alias(name: str, request: Request) -> Response:
        """A query by its id (``Q01``) or file stem; an unknown name is a 404."""
        return await _query_operation(queries.get_query(name))(request)


def _add_term_routes(router: APIRouter) -> None:
    @router.get("/terms", response_model=TermPage, tags=["terminology"], responses=errors(400))
    def list_terms(
        request: Request,
        q: str | None = Query(None, description="text to look for in any label", max_length=200),
        lang: str | None = Query(None, description="language tag (en, fr, es ...)"),
        band: str | None = Query(None, description="usage band: use, caution or avoid"),
        group: str | None = Query(None, description="subject group (its slug)"),
        limit: int = Query(20, description="how many labels per page, 1..500"),
        offset: int = Query(0, description="how many labels to skip"),
    ) -> dict[str, Any]:
        """Search or list the vocabulary's labels. With ``q``: labels containing the text
        (ignoring case and accents) or found by the look-up (plurals, hyphens), best first:
        an exact preferred label, an exact match ignoring case, other labels, then other
        languages. Without ``q``: every label, filtered by ``lang``, ``band`` and ``group``.
        Each parameter once (a repeated one is a 400, as for the named queries)."""
        single_values(request)
        if not 1 <= limit <= _MAX_PAGE:
            raise InputError(f"limit must be 1..{_MAX_PAGE}", where="parameter 'limit'")
        if offset < 0:
            raise InputError("offset must be 0 or more", where="parameter 'offset'")
        vocabulary = terminology.load_vocabulary()
        _check_term_filters(vocabulary, lang=lang, band=band, group=group)
        if q and q.strip():
            entries = term_entries(vocabulary, band=band, group=group)
            found = vocabulary.lookup(q, lang=lang).to_json()["matches"]
            also = frozenset((str(m["label"]), str(m["lang"])) for m in found)
            entries = search_terms(entries, q, lang=lang, also=also)
        else:
            entries = term_entries(vocabulary, band=band, lang=lang, group=group)
        return {
            "total": len(entries),
            "offset": offset,
            "limit": limit,
            "items": entries[offset : offset + limit],
        }

    @router.get(
        "/terms/{id}",
        response_model=TermDescription,
        tags=["terminology"],
        responses=errors(400, 404),
    )
    def get_term(
        request: Request,
        id: str,
        lang: str | None = Query(None, description="language of the answer"),
    ) -> dict[str, Any]:
        """One concept of the vocabulary by its id (``child-sexual-abuse-material``): its
        preferred label, definition, sources, groups and every label with its band."""
        single_values(request)
        if lang is not None:
            with located("parameter 'lang'"):
                queries.parse_value("language", lang)  # a language tag, or a 400
        return describe_term(id, lang=lang)


def _check_term_filters(
    vocabulary: terminology.Vocabulary,
    *,
    lang: str | None,
    band: str | None,
    group: str | None,
) -> None:
    """Refuse an unknown language, band or group with a 400 that names the parameter."""
    with located("parameter 'lang'"):
        vocabulary.check_lang(lang)
    bands = {label.band for label in vocabulary.labels}
    if band is not None and band.strip().lower() not in bands:
        raise InputError(
            f"unknown band {band!r}; known bands: {', '.join(sorted(bands))}",
            where="parameter 'band'",
        )
    if group:
        with located("parameter 'group'"):
            vocabulary.find_group(group)


def describe_term(id: str, *, lang: str | None = None) -> dict[str, Any]:
    """One terminology concept as JSON, by its id (the slug of its IRI).

    >>> describe_term("no-such-term")
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.NotFoundError: unknown term 'no-such-term'; search at /terms?q=...
    """
    vocabulary = terminology.load_vocabulary()
    concept = vocabulary.concepts.get(str(TERM) + id)
    if concept is None:
        raise NotFoundError(f"unknown term {id!r}; search at /terms?q=...")
    labels = [row for row in term_entries(vocabulary) if row["concept"] == concept.iri]
    return {
        "id": id,
        "concept": concept.iri,
        "preferred": concept.preferred(lang),
        "definition": concept.definition(lang),
        "scope_note": pick(concept.scope_notes, lang),
        "sources": list(concept.sources),
        "review_status": concept.review_status,
        "review": vocabulary.review(concept),
        "groups": [vocabulary.groups[g].slug for g in concept.groups if g in vocabulary.groups],
        "labels": [
            {
                k: row[k]
                for k in (
                    "label",
                    "lang",
                    "kind",
                    "band",
                    "legal_context_only",
                    "use_instead",
                    "review_status",
                    "review",
                )
            }
            for row in labels
        ],
    }


def _add_check_routes(router: APIRouter) -> None:
    body = {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": CheckRequest.model_json_schema()},
                "text/plain": {"schema": {"type": "string"}},
            },
        }
    }

    @router.post(
        "/check",
        response_model=CheckResponse,
        tags=["terminology"],
        openapi_extra=body,
        responses=errors(400, 413, 415),
    )
    async def check(
        request: Request,
        lang: str | None = Query(None, description="language of the text (for text/plain)"),
    ) -> dict[str, Any]:
        """Check a text (JSON ``{"text", "lang"}`` or ``text/plain``) for avoided and cautioned
        terms; the findings are those of ``mnr-graph check --format json``."""
        settings = _settings(request)
        single_values(request)
        raw = await request.body()
        if len(raw) > settings.max_upload_bytes:
            raise PayloadTooLargeError(f"the text is larger than {settings.max_upload_bytes} bytes")
        text, given_lang = _check_body(raw, request.headers.get("content-type") or "text/plain")
        lang = given_lang or lang
        # A large text takes a while to check: in a thread, so the event loop stays free.
        findings = await asyncio.to_thread(textcheck.check_text, text, lang=lang)
        return {"findings": [f.to_json() for f in findings]}


def _check_body(raw: bytes, content_type: str) -> tuple[str, str | None]:
    """The text (and the language, from JSON) of a ``POST /check`` body.

    The declared ``charset`` is honoured (UTF-8 without one); a charset Python does not know is
    a 415; bytes not in it, malformed JSON or a JSON body without its ``text`` a clean 400.

    >>> _check_body("café".encode("latin-1"), "text/plain; charset=latin-1")
    ('café', None)
    >>> _check_body(b'{"text": 1}', "application/json")
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.InputError: field 'text': Input should be a valid string
    """
    media, _, parameters = content_type.partition(";")
    media = media.strip().lower()
    if media != "application/json" and not media.startswith("text/"):
        raise UnsupportedMediaTypeError(
            f"send the text as application/json or text/plain, not {media}", where="Content-Type"
        )
    charset = "utf-8"
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"'):
            charset = value.strip().strip('"')
    try:
        text = raw.decode(codecs.lookup(charset).name)
    except LookupError:
        raise UnsupportedMediaTypeError(
            f"unknown charset {charset!r}: send UTF-8 (or a charset such as latin-1)",
            where="Content-Type",
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the text is not {charset} (byte 0x{raw[exc.start]:02x} at {exc.start})",
            where="the request body",
        ) from None
    if media != "application/json":
        return text, None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            where="the request body",
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            'send a JSON object: {"text": "...", "lang": "en"}', where="the request body"
        )
    try:
        parsed = CheckRequest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "text"
        raise InputError(str(first["msg"]), where=f"field {field!r}") from None
    return parsed.text, parsed.lang


def _add_validation_routes(router: APIRouter) -> None:
    @router.post(
        "/validate",
        response_model=ValidationReportModel,
        tags=["submissions"],
        responses=errors(400, 413, 415),
        openapi_extra=_upload_body(sheet=True),
    )
    async def validate(request: Request) -> dict[str, Any]:
        """Validate a submission without storing it; the report of ``mnr-graph validate``.
        A workbook with several sheets that look like a submission needs the field ``sheet``."""
        upload = await read_upload(request, _settings(request), fields={"sheet": 200})
        report = await asyncio.to_thread(
            validation.validate_bytes,
            upload.data,
            filename=upload.filename,
            media_type=upload.media_type,
            sheet=upload.fields.get("sheet"),
        )
        result: dict[str, Any] = report.to_json()
        return result

    @router.get(
        "/submissions",
        response_model=SubmissionPage,
        tags=["submissions"],
        responses=errors(400, 404, *_STORE_ERRORS),
        openapi_extra={"parameters": _SUBMISSION_FILTERS + _PAGE_PARAMETERS},
    )
    def list_submissions(request: Request) -> Response:
        """The stored versions with their provenance, completeness and warnings, by country,
        year and version; the current one is marked, a withdrawn one says when and why.
        ``country`` (a code or name: FR, FRA, France) and ``year`` filter; ``limit`` and
        ``offset`` page (``truncated`` and ``next`` in the body, ``Link: rel=next``). An
        unknown parameter is a 400; a country with no submission a 404."""
        values = single_values(request)
        unknown = sorted(set(values) - {"country", "year", "limit", "offset"})
        if unknown:
            raise InputError(
                f"no parameter {', '.join(unknown)}; the parameters: country, year, limit, offset",
                where=f"parameter {unknown[0]!r}",
            )
        limit, offset = page_parameters(values, most=_settings(request).result_limit)
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
        return JSONResponse(body, headers=_page_headers(link))

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
            **errors(400, 403, 409, 413, 415, *_STORE_ERRORS),
            422: {
                "model": SubmissionRefused,
                "description": "The submission has violations: the error and the report.",
            },
        },
        openapi_extra=_upload_body(submitter=True, sheet=True, replace=True),
    )
    async def submit(
        request: Request,
        authorization: Annotated[str | None, Header(description="Bearer TOKEN")] = None,
    ) -> Any:
        """Validate and store a submission (needs the operator's bearer token).

        The token is checked before the body is read: a request without it is refused (403)
        whatever it carries. A submission that repeats an older version, or has less data
        than the current one, is a 409 saying so, unless the field ``replace`` is true."""
        settings = _settings(request)
        _authorise(settings, authorization)
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
                submitter=upload.fields.get("submitter"),
                sheet=upload.fields.get("sheet"),
                replace=replace,
                media_type=upload.media_type,
            )
        except ValidationFailedError as exc:
            content: dict[str, Any] = {
                "error": type(exc).__name__,
                "message": exc.message,
                "where": exc.where,
                "detail": str(exc),
            }
            report = getattr(exc, "report", None)
            if isinstance(report, validation.ValidationReport):
                content["report"] = report.to_json()
            return JSONResponse(content, status_code=exc.http_status)
        return JSONResponse(record.to_json(), status_code=200 if record.unchanged else 201)

    @router.delete(
        "/submissions/{country}/{year}/{version}",
        response_model=Withdrawn,
        tags=["submissions"],
        responses=errors(400, 403, 404, 409, *_STORE_ERRORS),
    )
    async def withdraw(
        request: Request,
        country: str,
        year: str,
        version: str,
        authorization: Annotated[str | None, Header(description="Bearer TOKEN")] = None,
        reason: str | None = Query(None, max_length=500, description="why it is withdrawn"),
        by: str | None = Query(None, max_length=200, description="who withdraws it"),
    ) -> dict[str, Any]:
        """Withdraw a stored version (needs the bearer token): it stays in the store with its
        history, ``prov:wasInvalidatedBy`` a withdrawal activity, and the previous version
        becomes current again. ``country`` is a code or name (FR, FRA), ``version`` a number
        (3 or v3)."""
        _authorise(_settings(request), authorization)
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
            by=by,
            reason=reason,
        )
        return result


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


def _upload_body(
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


def _authorise(settings: Settings, authorization: str | None) -> None:
    """Refuse a write unless the request carries the configured bearer token."""
    token = settings.write_token
    if not token:
        raise ForbiddenError("writes are off: the operator has configured no write token")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8"), token.encode("utf-8")
    ):
        raise ForbiddenError("a valid bearer token is needed to write")


def _framework_operation(class_iri: str, what: str) -> Callable[[Request], Response]:
    def operation(request: Request) -> Response:
        # Bounded by the framework: complete whatever the result limit.
        doc = framework_jsonld(store_reader(request, capped=False), class_iri)
        return Response(json.dumps(doc, ensure_ascii=False), media_type=JSONLD)

    operation.__name__ = f"framework_{what}"
    return operation


def _add_framework_routes(router: APIRouter) -> None:
    jsonld = {200: {"content": {JSONLD: {"schema": {"type": "object"}}}}, **errors(*_STORE_ERRORS)}
    for path, cls, what in (
        ("/capabilities", MNR.Capability, "capabilities"),
        ("/domains", MNR.Domain, "domains"),
        ("/outcomes", MNR.Outcome, "outcomes"),
    ):
        router.add_api_route(
            path,
            _framework_operation(str(cls), what),
            methods=["GET"],
            summary=f"The framework's {what} as JSON-LD (with the shipped context)",
            response_class=Response,
            responses=jsonld,
            tags=["framework"],
        )


def get_router() -> APIRouter:
    """The REST routes; :func:`mnr_graph.web.app.get_fastapi_app` includes them."""
    router = APIRouter()
    _add_query_routes(router)
    _add_term_routes(router)
    _add_check_routes(router)
    _add_validation_routes(router)
    _add_framework_routes(router)
    return router
