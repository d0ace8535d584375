"""The pydantic models of the API's answers, so the OpenAPI document at ``/docs`` is complete.

The routes return the library's JSON (``to_json()``); these models say what it holds.

>>> sorted(ErrorModel.model_json_schema()["required"])
['detail', 'error', 'message', 'where']
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from mnr_graph.query import named as queries

__all__ = [
    "CheckRequest",
    "CheckResponse",
    "ColumnInfo",
    "CompletenessModel",
    "ErrorModel",
    "ParameterInfo",
    "QueryInfo",
    "QueryResult",
    "ReviewModel",
    "StoredWarning",
    "SubmissionEntry",
    "SubmissionPage",
    "SubmissionRefused",
    "SubmissionStored",
    "TermDescription",
    "TermLabelModel",
    "TermPage",
    "ValidationReportModel",
    "ValidationResultModel",
    "Withdrawal",
    "Withdrawn",
    "named_query_parameters",
]


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
    """One page of the rows of a named query.

    IRIs and texts as strings, numbers as numbers, null if unbound.
    """

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
    notes: list[str] = Field(
        default_factory=list,
        description="rows of a table left out and why (footnotes, the template's example rows)",
    )
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


def named_query_parameters(query: queries.NamedQuery) -> list[dict[str, Any]]:
    """The OpenAPI parameters of a named query, from its ``@param`` lines."""
    params: list[dict[str, Any]] = []
    for p in query.parameters:
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
    return params
