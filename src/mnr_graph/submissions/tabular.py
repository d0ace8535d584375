"""Reading a CSV or XLSX submission into a :class:`~mnr_graph.submissions.table.Table`.

The header is the first row naming the template's columns; every data row is read into the
template's columns with the cell each value came from; a workbook's ``indicators`` sheet gives
indicator rows. The file formats themselves are read by :mod:`mnr_graph.submissions.csv_reader`
and :mod:`mnr_graph.submissions.xlsx_reader`, the cells' values by
:mod:`mnr_graph.submissions.values`, and the table becomes RDF in
:mod:`mnr_graph.submissions.conversion`.

>>> from mnr_graph.submissions.template import template_bytes
>>> table = read_table(template_bytes("csv"), filename="template.csv", fmt="csv")
>>> (table.header[:3], len(table.rows))
(['country_code', 'reporting_year', 'capability'], 0)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from mnr_graph.core.errors import InputError
from mnr_graph.submissions.csv_reader import csv_records
from mnr_graph.submissions.table import (
    COLUMNS,
    COMMENT,
    HEADER_SEARCH,
    INDICATOR_COLUMNS,
    INDICATOR_SHEET,
    Row,
    Table,
    cell_text,
    check_header,
    column_letter,
    header_index,
    normalise_header,
    refuse_error_values,
)
from mnr_graph.submissions.values import (
    DATE_COLUMNS,
    country_key,
    date_text,
    day_month_dates,
    year_text,
)
from mnr_graph.submissions.xlsx_reader import Workbook

__all__ = ["read_table"]


def read_table(data: bytes, *, filename: str, fmt: str, sheet: str | None = None) -> Table:
    """Read a CSV or XLSX submission; wrong headers give an error naming the columns.

    The header is the first row naming the template's columns (rows above it, such as a title,
    are skipped); its names are matched ignoring case, spaces and hyphens; columns may come in any
    order and unknown columns are ignored. In a workbook, ``sheet`` names the sheet to read
    (needed when several look like a submission).
    """
    if fmt != "xlsx":
        if sheet is not None:
            raise InputError(
                f"a sheet ({sheet!r}) was chosen, but this is {fmt.upper()}, not a workbook",
                where=filename,
            )
        return _table(csv_records(data, filename), filename, xlsx=False)
    with Workbook(data, filename) as book:
        name = book.submission_sheet(sheet)
        table = _table(book.rows(name), filename, xlsx=True)
        indicators = _indicator_rows(book) if INDICATOR_SHEET in book.sheet_names else []
    return dataclasses.replace(table, indicators=indicators, sheet=name)


def _table(records: Iterable[list[Any]], filename: str, *, xlsx: bool) -> Table:
    """The header and data rows of a sheet's (or a CSV file's) records."""
    header: list[str] | None = None
    before: list[tuple[int, list[str]]] = []
    rows: list[Row] = []
    for number, raw in enumerate(records, start=1):
        if header is None:
            record = [cell_text(v) for v in raw]
            if not any(v.strip() for v in record):
                continue
            before.append((number, record))
            if header_index([record]) is None and len(before) < HEADER_SEARCH:
                continue
            found = header_index([record])
            header = [normalise_header(h) for h in (record if found is not None else before[0][1])]
            while header and not header[-1]:
                header.pop()
            check_header(header, filename)
            continue
        record = [
            date_text(v, xlsx=xlsx)
            if index < len(header) and header[index] in DATE_COLUMNS
            else cell_text(v)
            for index, v in enumerate(raw)
        ]
        refuse_error_values(record, number, filename)
        if not any(v.strip() for v in record) or record[0].strip().startswith(COMMENT):
            continue
        extra = [v for v in record[len(header) :] if v.strip()]
        if extra and not xlsx:
            raise InputError(
                f"row {number}: {len(header) + len(extra)} values but the header has "
                f"{len(header)} columns (extra: {extra[0]!r}): put a value that contains the "
                f"delimiter in double quotes",
                where=filename,
            )
        values: dict[str, str] = {}
        cells: dict[str, str] = {}
        for index, name in enumerate(header):
            if name in COLUMNS:
                values[name] = record[index].strip() if index < len(record) else ""
                cells[name] = f"{column_letter(index)}{number}"
        values["reporting_year"] = year_text(values.get("reporting_year", ""))
        values["country_code"] = country_key(values.get("country_code", ""))
        rows.append(Row(number, values, cells))
    if header is None:
        if before:
            header = [normalise_header(h) for h in before[0][1]]
            check_header(header, filename)
        raise InputError("the file is empty: expected a header row", where=filename)
    notes: list[str] = []
    rows = _without_footnotes(rows, notes)
    rows = _without_template_example(rows, notes)
    _read_day_month(rows)
    return Table(filename=filename, header=header, rows=rows, notes=notes)


def _numbers(rows: list[Row]) -> str:
    """``row 4``, ``rows 4, 6`` or ``rows 2-23``: the rows' numbers, runs as ranges."""
    runs: list[list[int]] = []
    for number in sorted(r.number for r in rows):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = [f"{run[0]}-{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs]
    return ("row " if len(rows) == 1 else "rows ") + ", ".join(parts)


#: A note below the table fills at most this many cells (a comma in its text splits a CSV line).
_FOOTNOTE_CELLS = 2


def _without_footnotes(rows: list[Row], notes: list[str]) -> list[Row]:
    """The rows without the notes below the table.

    Trailing rows with no capability and at most :data:`_FOOTNOTE_CELLS` cells ("Source:
    national statistics office").
    """
    end = len(rows)
    while end > 0:
        values = rows[end - 1].values
        filled = [v for v in values.values() if v]
        if values.get("capability") or len(filled) > _FOOTNOTE_CELLS:
            break
        end -= 1
    if end == len(rows) or end == 0:
        return rows
    footnotes = rows[end:]
    first = next(v for v in footnotes[0].values.values() if v)
    notes.append(
        f"{_numbers(footnotes)}: read as notes below the table, not as data "
        f"({first[:60]!r}{'...' if len(first) > 60 else ''})"
    )
    return rows[:end]


def _without_template_example(rows: list[Row], notes: list[str]) -> list[Row]:
    """The rows without the template's example rows (country XA) left in among a country's own.

    The example rows are recognised once their # was removed; a file of only the example keeps them.
    """
    from mnr_graph.submissions.template import example_rows

    examples = {tuple(cell.lstrip("#") for cell in row) for row in example_rows()}
    names = list(COLUMNS)
    left_in = [r for r in rows if tuple(r.values.get(c, "") for c in names) in examples]
    if not left_in or len(left_in) == len(rows):
        return rows
    notes.append(
        f"{_numbers(left_in)}: the template's example (illustrative country XA) left in, not "
        "read: delete these rows"
    )
    return [r for r in rows if r not in left_in]


def _read_day_month(rows: list[Row]) -> None:
    """Dates written day and month (20/03/2024) as YYYY-MM-DD, the order decided per column."""
    for column in DATE_COLUMNS:
        dates = day_month_dates([r.values.get(column, "") for r in rows])
        for row in rows:
            if row.values.get(column, "") in dates:
                row.values[column] = dates[row.values[column]]


def _indicator_rows(book: Workbook) -> list[Row]:
    """The rows of the workbook's ``indicators`` sheet."""
    filename = book.filename
    records = list(book.rows(INDICATOR_SHEET))
    header: list[str] | None = None
    rows: list[Row] = []
    for number, raw in enumerate(records, start=1):
        if header is None:
            names = [normalise_header(cell_text(v)) for v in raw]
            if not any(names):
                continue
            missing = [c for c in INDICATOR_COLUMNS if c not in names]
            if missing:
                raise InputError(
                    f"sheet {INDICATOR_SHEET!r}, row {number}: missing column(s): "
                    f"{', '.join(missing)}. Expected the header: {','.join(INDICATOR_COLUMNS)}",
                    where=filename,
                )
            header = names
            continue
        record = [
            date_text(v, xlsx=True)
            if index < len(header) and header[index] in DATE_COLUMNS
            else cell_text(v)
            for index, v in enumerate(raw)
        ]
        refuse_error_values(record, number, filename, sheet=INDICATOR_SHEET)
        if not any(v.strip() for v in record) or record[0].strip().startswith(COMMENT):
            continue
        values = {
            name: record[index].strip() if index < len(record) else ""
            for index, name in enumerate(header)
            if name in INDICATOR_COLUMNS
        }
        cells = {
            name: f"{INDICATOR_SHEET}!{column_letter(index)}{number}"
            for index, name in enumerate(header)
            if name in INDICATOR_COLUMNS
        }
        values["year"] = year_text(values["year"])
        rows.append(Row(number, values, cells))
    _read_day_month(rows)
    return rows
