"""The table of a CSV or XLSX submission: its columns, rows and header, and the cell map.

One row per capability, with the columns of :data:`COLUMNS`. Rows whose first cell starts with
``#`` are comments (the template's documented example row is one). Every node and value made
from a cell is recorded in a :class:`CellMap`, so each SHACL result maps back to its row, column
and cell (``D7``).

>>> column_letter(0), column_letter(27), normalise_header(" Source-Date ")
('A', 'AB', 'source_date')
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import PureWindowsPath
from typing import Any

from rdflib.term import Node

from mnr_graph.core.errors import InputError

__all__ = [
    "COLUMNS",
    "COMMENT",
    "HEADER_SEARCH",
    "INDICATOR_COLUMNS",
    "INDICATOR_SHEET",
    "CellMap",
    "Location",
    "Row",
    "Table",
    "cell_text",
    "check_header",
    "column_letter",
    "file_name",
    "header_index",
    "normalise_header",
    "refuse_error_values",
]

#: The columns of the template, in order, with what each holds.
COLUMNS: dict[str, str] = {
    "country_code": "the country: its ISO 3166-1 code (FR, FRA or 250) or English name, the same "
    "on every row; stored as the alpha-2 code (a user-assigned alpha-3 code such as XAB as it is)",
    "reporting_year": "the year the submission reports on, four digits (the same on every row)",
    "capability": "the capability assessed on this row: 1 to 21 (or C01..C21, or its name)",
    "maturity_phase": "the phase of the maturity scale reached: 1 to 4 (or P01..P04); may be empty",
    "implementation_status": "one of the implementation statuses; may be empty if a phase is given",
    "evidence": "what the assessment rests on, in your own words",
    "evidence_language": "the language of the evidence: a language code such as en, fr or es",
    "source_title": "title of the document the assessment relies on",
    "source_url": "its web address, in full (https://...)",
    "source_date": "its date, YYYY-MM-DD",
    "assessor_type": "who made the assessment: one of the assessor types",
}
#: The columns of the optional ``indicators`` sheet of the XLSX template: one RDF Data Cube
#: observation per row (the country is the submission's).
INDICATOR_COLUMNS: dict[str, str] = {
    "indicator": "the indicator id, numbers and dots such as 4.2.1",
    "value": "the observed value: a number, or a category such as yes, no, partial or no data",
    "unit": "the unit of the value, such as 'score out of 100' (may be empty)",
    "year": "the year the value is for, four digits",
    "source_title": "title of the document the value comes from",
    "source_url": "its web address, in full (https://...)",
    "source_date": "its date, YYYY-MM-DD",
}
#: The sheet of the XLSX template that holds indicator observations.
INDICATOR_SHEET = "indicators"
COMMENT = "#"
#: What a spreadsheet program shows in a cell whose formula failed: not a value, and not a comment.
_ERROR_VALUES = frozenset(
    ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")
)
#: A year typed into a number cell comes back as 2024.0.
#: How many rows above the header a sheet may hold (a title, a blank line).
HEADER_SEARCH = 10
#: A row is the header when it names at least this many of the template's columns.
_HEADER_MIN = 3
#: Excel writes this first line to name the delimiter of a CSV file ("sep=;").


@dataclass(frozen=True)
class Location:
    """Where a value came from in the table."""

    row: int | None
    column: str | None
    cell: str | None
    text: str | None = None


@dataclass
class CellMap:
    """From (focus node, property, value) to the cell it was read from."""

    entries: dict[tuple[Node, Node | None, Node | None], Location] = field(default_factory=dict)
    #: The workbook sheet the submission was read from (None for CSV).
    sheet: str | None = None
    #: What the reader left out and why (footnotes, the template's example rows), for the report.
    notes: list[str] = field(default_factory=list)

    def add(self, focus: Node, path: Node | None, value: Node | None, where: Location) -> None:
        """Record a location; the first one recorded for a key wins."""
        self.entries.setdefault((focus, path, value), where)

    def locate(self, focus: Node, path: Node | None, value: Node | None) -> Location | None:
        """The most specific location known: with the value, then the property, then the node."""
        for key in ((focus, path, value), (focus, path, None), (focus, None, None)):
            if key in self.entries:
                return self.entries[key]
        return None


@dataclass(frozen=True)
class Row:
    """One data row: its number in the sheet (the header is row 1) and its cells by column."""

    number: int
    values: dict[str, str]
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    """A table read from CSV or XLSX."""

    filename: str
    header: list[str]
    rows: list[Row]
    #: The rows of the ``indicators`` sheet (XLSX only); their cells name the sheet.
    indicators: list[Row] = field(default_factory=list)
    #: The workbook sheet the rows come from (None for CSV).
    sheet: str | None = None
    #: What the reader left out and why (footnotes, the template's example rows).
    notes: list[str] = field(default_factory=list)


def column_letter(index: int) -> str:
    """The spreadsheet letters of a column index (0: ``A``, 26: ``AA``)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def normalise_header(name: str) -> str:
    """A header name as compared: lower case, spaces and hyphens as ``_``."""
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").strip().lower())


def cell_text(value: Any) -> str:
    """The text of a cell value (a date as YYYY-MM-DD, a whole float without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def header_index(records: list[list[str]]) -> int | None:
    """The index of the first record naming at least :data:`_HEADER_MIN` template columns."""
    for index, record in enumerate(records[:HEADER_SEARCH]):
        names = {normalise_header(h) for h in record}
        if len(names & set(COLUMNS)) >= _HEADER_MIN:
            return index
    return None


def refuse_error_values(
    record: list[str], number: int, filename: str, *, sheet: str | None = None
) -> None:
    """A cell holding a spreadsheet error value (``#N/A``, ``#REF!``...) is refused on its cell.

    It is what a failed formula shows, not a value and not a ``#`` comment.
    """
    for index, text in enumerate(record):
        if text.strip().upper() in _ERROR_VALUES:
            cell = f"{sheet + '!' if sheet else ''}{column_letter(index)}{number}"
            raise InputError(
                f"row {number}, cell {cell}: the spreadsheet error value {text.strip()} is not a "
                "value: correct the formula (or type the value) and save the file again",
                where=filename,
            )


def check_header(header: list[str], filename: str) -> None:
    """Refuse a header that repeats a column or lacks one, naming the close ones."""
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    if duplicates:
        raise InputError(f"header: column(s) given twice: {', '.join(duplicates)}", where=filename)
    missing = [c for c in COLUMNS if c not in header]
    if not missing:
        return
    unknown = [h for h in header if h and h not in COLUMNS]
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, missing, n=1)
        if close:
            hints.append(f"{name!r} -> {close[0]!r}?")
    message = f"header: missing column(s): {', '.join(missing)}"
    if unknown:
        message += f"; unknown column(s): {', '.join(unknown)}"
    if hints:
        message += f" (did you mean {'; '.join(hints)})"
    message += f". Expected the header: {','.join(COLUMNS)}"
    raise InputError(message, where=filename)


def file_name(path: str) -> str:
    r"""The name of a file without its folders (POSIX or Windows), as the data records it.

    >>> file_name("/home/me/XA-2024.csv"), file_name(r"C:\Users\me\XA.xlsx"), file_name("XA.ttl")
    ('XA-2024.csv', 'XA.xlsx', 'XA.ttl')
    """
    return PureWindowsPath(path).name or path
