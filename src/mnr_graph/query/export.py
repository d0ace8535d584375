"""The tidy export of the assessments: one row per assessment, as CSV or JSON.

The table is the named query ``assessments`` (``sparql/Q11-assessments.rq``): its header documents
every column, and ``GET /queries/assessments`` gives it in pages. :func:`export_assessments` runs
it whole on a store with the filters given; ``mnr-graph export-assessments`` and
``/export/assessments.csv`` (and ``.json``) are thin layers over it.

>>> from mnr_graph.query.store import EmbeddedStore
>>> table = export_assessments(EmbeddedStore.with_shipped_data(), domain="D02")
>>> table.columns[:4], table.rows
(('countryCode', 'reportingYear', 'version', 'isCurrent'), [])
"""

from __future__ import annotations

import json
from typing import Any

from mnr_graph.core.errors import InputError
from mnr_graph.query.named import QueryStore, QueryTable, get_query, run_query

__all__ = [
    "EXPORT_FORMATS",
    "EXPORT_QUERY",
    "export_assessments",
    "export_filters",
    "render_export",
]

#: The named query the export runs.
EXPORT_QUERY = "assessments"
#: The formats of the export, by name, with their media types.
EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def export_filters(
    *,
    country: str | None = None,
    year: str | int | None = None,
    domain: str | None = None,
    current: bool | str | None = None,
    lang: str | None = None,
) -> dict[str, str]:
    """The export's filters as the named query's raw parameter values (``None``: not given).

    >>> export_filters(year=2024, current=True)
    {'year': '2024', 'current': 'true'}
    """
    values = {"country": country, "year": year, "domain": domain, "current": current, "lang": lang}
    raw: dict[str, str] = {}
    for name, value in values.items():
        if value is None or value == "":
            continue
        raw[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return raw


def export_assessments(
    store: QueryStore,
    *,
    country: str | None = None,
    year: str | int | None = None,
    domain: str | None = None,
    current: bool | str | None = None,
    lang: str | None = None,
) -> QueryTable:
    """Every assessment the store holds as one row each, filtered.

    The columns are those of ``sparql/Q11-assessments.rq``; the filters are country, reporting year,
    domain and whether the version is the one in force (``current``); labels are in ``lang`` (else
    English).

    A country, domain or year that is malformed is an :class:`InputError`; a country with no
    submission here a :class:`~mnr_graph.core.errors.NotFoundError`.
    """
    values = export_filters(country=country, year=year, domain=domain, current=current, lang=lang)
    return run_query(store, EXPORT_QUERY, values)


def render_export(table: QueryTable, fmt: str) -> str:
    """The table as CSV or JSON.

    CSV: a header line, empty cells for missing values. JSON: ``columns`` with their descriptions,
    and ``rows``.
    """
    if fmt == "csv":
        return table.to_csv()
    if fmt == "json":
        described = {c.name: c.description for c in get_query(EXPORT_QUERY).columns}
        body: dict[str, Any] = {
            "columns": [{"name": c, "description": described.get(c, "")} for c in table.columns],
            "rows": table.rows,
            "truncated": table.truncated,
        }
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    raise InputError(f"unknown export format {fmt!r}: csv or json", where="format")
