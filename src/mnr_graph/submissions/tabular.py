"""CSV and XLSX submissions: read the table, convert it to RDF, and keep where each value came from.

One row per capability, with the columns of :data:`COLUMNS`. Rows whose first cell starts with
``#`` are comments (the template's documented example row is one). Every node and value made from a
cell is recorded in a :class:`CellMap`, so each SHACL result maps back to its row, column and cell
(``D7``). Values of the maturity phase, implementation status and assessor type columns are read
against the shipped ontology (``skos:notation``, ``skos:prefLabel``, ``mnr:number``); anything
else is kept as text so that validation reports it.

>>> table = read_table(template_bytes("csv"), filename="template.csv", fmt="csv")
>>> (table.header[:3], len(table.rows))
(['country_code', 'reporting_year', 'capability'], 0)
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import difflib
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import PureWindowsPath
from typing import Any
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from mnr_graph.core.errors import InputError, NotFoundError
from mnr_graph.core.namespaces import DATA, DCTERMS, MNR, MNRID, QB, RDF, RDFS, SKOS, XSD
from mnr_graph.framework.countries import lookup_country

__all__ = [
    "COLUMNS",
    "INDICATOR_COLUMNS",
    "INDICATOR_SHEET",
    "CellMap",
    "Converted",
    "Location",
    "Row",
    "Table",
    "allowed_values",
    "file_name",
    "known_language",
    "language_tag",
    "quiet_rdflib",
    "read_table",
    "template_bytes",
    "to_graph",
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
_COMMENT = "#"
_CAPABILITY = re.compile(r"^(?:(?:c|capability)[\s_\-]*)?0*([0-9]{1,2})(?:\.0+)?$", re.IGNORECASE)
#: A hyphen against a digit in a coded value is a sign or a slip ("-1", "P-4", "4-"): the value
#: is kept as written, for the shapes to refuse, never read as the number.
_GARBLED_NUMBER = re.compile(r"-\s*[0-9]|[0-9]\s*-")
_NUMBERED = re.compile(r"^([a-z]*)0*([0-9]+)(?:\.0+)?$")
#: A date column may hold YYYY-M-D, YYYY/MM/DD or a date with a midnight time (a spreadsheet date).
_DATE = re.compile(
    r"^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?Z?)?$"
)
_DATE_COLUMNS = ("source_date",)
#: A number in a date column of a workbook is a serial date when it gives a date in these years
#: (any other number, such as a year alone typed into a number cell, is kept as written: S31).
_SERIAL_YEARS = (1950, 2099)
#: What a spreadsheet program shows in a cell whose formula failed: not a value, and not a comment.
_ERROR_VALUES = frozenset(
    ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")
)
#: A year typed into a number cell comes back as 2024.0.
_YEAR = re.compile(r"^([0-9]{4})\.0+$")
#: How many rows above the header a sheet may hold (a title, a blank line).
_HEADER_SEARCH = 10
#: A row is the header when it names at least this many of the template's columns.
_HEADER_MIN = 3
#: Excel writes this first line to name the delimiter of a CSV file ("sep=;").
_SEP_LINE = re.compile(r"^\ufeff?sep=(.)\s*$", re.IGNORECASE)
_ZIP_MAGIC = b"PK\x03\x04"
#: The OLE2 container of a legacy .xls workbook or of a password-protected .xlsx.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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


@dataclass(frozen=True)
class Converted:
    """The RDF made from a table, and where each node and value came from."""

    graph: Graph
    cells: CellMap
    submission: URIRef | None


# --- reading ------------------------------------------------------------------------------------


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").strip().lower())


def _decode(data: bytes, filename: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Spreadsheet programs often save CSV in Windows-1252; latin-1 never fails.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _csv_records(data: bytes, filename: str) -> Iterator[list[Any]]:
    if data.startswith(_ZIP_MAGIC):
        raise InputError(
            "this is a zip archive (an XLSX workbook?), not CSV text: name it .xlsx, or save it "
            "from the spreadsheet program as CSV",
            where=filename,
        )
    if data.startswith(_OLE_MAGIC):
        raise InputError(
            "this is a legacy .xls or a password-protected workbook, not CSV text: save it as "
            "CSV (or as .xlsx without a password)",
            where=filename,
        )
    text = _decode(data, filename)
    if "\x00" in text:
        raise InputError("this is not a CSV text file (it holds NUL bytes)", where=filename)
    lines = text.splitlines()
    first_line = lines[0] if lines else ""
    skipped = 0
    delimiter: str | None = None
    sep = _SEP_LINE.match(first_line)
    if sep:
        delimiter = sep.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
        skipped = 1
    elif first_line:
        delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter or ",")
    try:
        yield from reader
    except csv.Error as exc:
        raise InputError(
            f"line {reader.line_num + skipped}: CSV error: {exc}", where=filename
        ) from None


def _delimiter(text: str) -> str:
    """The delimiter that makes a header of the template's columns appear in the first rows
    (a title row above the header may use another character); else the most frequent one."""
    head = "\n".join(text.splitlines()[:_HEADER_SEARCH])
    candidates = ",;\t|"
    for candidate in candidates:
        with contextlib.suppress(csv.Error):
            records = list(csv.reader(io.StringIO(head), delimiter=candidate))
            if _header_index(records) is not None:
                return candidate
    first_line = head.split("\n", 1)[0]
    best = max(candidates, key=first_line.count)
    return best if first_line.count(best) else ","


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _open_workbook(data: bytes, filename: str) -> Any:
    from openpyxl import load_workbook

    if data.startswith(_OLE_MAGIC):
        raise InputError(
            "this is a legacy .xls workbook or a password-protected one: save it as .xlsx "
            "without a password (or as CSV)",
            where=filename,
        )
    if not data.startswith(_ZIP_MAGIC):
        hint = (
            " (it looks like CSV text: name it .csv)"
            if data[:200].isascii() or data.startswith(b"\xef\xbb\xbf")
            else ""
        )
        raise InputError(
            f"not an XLSX workbook: an .xlsx file is a zip archive{hint}", where=filename
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InputError(
            f"not a readable XLSX workbook (damaged, or not saved by a spreadsheet program): {exc}",
            where=filename,
        ) from None


def _choose_sheet(workbook: Any, filename: str, sheet: str | None) -> str:
    """The sheet that holds the submission: ``sheet`` if given; else the one sheet whose first
    rows name the template's columns. Several such sheets (an old copy beside this year's) are
    refused, naming them: the caller must choose."""
    names = [n for n in workbook.sheetnames if n != INDICATOR_SHEET]
    if sheet is not None:
        if sheet not in names:
            listed = ", ".join(repr(n) for n in names) or "none"
            raise InputError(
                f"the workbook has no submission sheet {sheet!r}; its sheets: {listed}",
                where=filename,
            )
        return sheet
    if not names:
        raise InputError(
            f"the workbook has no submission sheet (only {INDICATOR_SHEET!r}): add the sheet "
            f"'submission' of the template, one row per capability",
            where=filename,
        )
    candidates = []
    for name in names:
        head = [
            [_cell_text(v) for v in r]
            for _i, r in zip(
                range(_HEADER_SEARCH), workbook[name].iter_rows(values_only=True), strict=False
            )
        ]
        if _header_index(head) is not None:
            candidates.append(name)
    if len(candidates) > 1:
        listed = ", ".join(repr(n) for n in candidates)
        raise InputError(
            f"the workbook has {len(candidates)} sheets that look like a submission ({listed}): "
            "choose the one to read with --sheet NAME (in the API, the form field 'sheet'), or "
            "delete the others",
            where=filename,
        )
    if candidates:
        return str(candidates[0])
    return "submission" if "submission" in names else str(names[0])


def _xlsx_records(
    data: bytes, filename: str, sheet: str | None, chosen: list[str]
) -> Iterator[list[Any]]:
    """The rows of the sheet that holds the submission (:func:`_choose_sheet`); its name is
    appended to ``chosen``."""
    workbook = _open_workbook(data, filename)
    try:
        name = _choose_sheet(workbook, filename, sheet)
        chosen.append(name)
        yield from _saved_values(data, workbook, name, filename)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot read the workbook: {exc}", where=filename) from None
    finally:
        workbook.close()


def _is_formula(value: Any) -> bool:
    """A cell of a workbook read without its saved values that holds a formula."""
    if isinstance(value, str):
        return value.startswith("=")
    return hasattr(value, "text") and hasattr(value, "ref")  # an array formula


def _saved_values(data: bytes, workbook: Any, name: str, filename: str) -> Iterator[list[Any]]:
    """The rows of a sheet as saved; a formula cell with no saved value is refused on its cell
    (a workbook written by a program that does not calculate, or never recalculated, would
    otherwise read as empty cells)."""
    from itertools import zip_longest

    from openpyxl import load_workbook

    formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        pairs = zip_longest(
            workbook[name].iter_rows(),
            formulas[name].iter_rows(values_only=True),
            fillvalue=(),
        )
        for number, (saved, written) in enumerate(pairs, start=1):
            values = [cell.value for cell in saved]
            for index, (cell, formula) in enumerate(zip_longest(saved, written)):
                if cell is not None and cell.value is None and cell.data_type == "str":
                    values[index] = ""  # a formula whose saved value is the empty string
                elif (cell is None or cell.value is None) and _is_formula(formula):
                    text = formula if isinstance(formula, str) else getattr(formula, "text", "")
                    raise InputError(
                        f"sheet {name!r}, cell {_column_letter(index)}{number}: the formula "
                        f"{text} has no saved value (the workbook was written by a program that "
                        "does not calculate, or never recalculated): open the workbook in a "
                        "spreadsheet program and save it, or paste the values instead of the "
                        "formulas",
                        where=filename,
                    )
            yield list(values)
    finally:
        formulas.close()


def _header_index(records: list[list[str]]) -> int | None:
    """The index of the first record naming at least :data:`_HEADER_MIN` template columns."""
    for index, record in enumerate(records[:_HEADER_SEARCH]):
        names = {_normalise_header(h) for h in record}
        if len(names & set(COLUMNS)) >= _HEADER_MIN:
            return index
    return None


def _date_text(value: Any, *, xlsx: bool) -> str:
    """A date cell as YYYY-MM-DD when it is unambiguous; else its text (validation reports it)."""
    if xlsx and isinstance(value, (int, float)) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        with contextlib.suppress(ValueError, OverflowError, TypeError):
            converted = from_excel(value)
            if isinstance(converted, dt.datetime):
                converted = converted.date()
            first, last = _SERIAL_YEARS
            if isinstance(converted, dt.date) and first <= converted.year <= last:
                return converted.isoformat()
    if isinstance(value, dt.datetime):  # a date cell with a time of day: the document's date
        return value.date().isoformat()
    text = _cell_text(value).strip()
    match = _DATE.match(text)
    if match:
        with contextlib.suppress(ValueError):
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day).isoformat()
    return text


def read_table(data: bytes, *, filename: str, fmt: str, sheet: str | None = None) -> Table:
    """Read a CSV or XLSX submission; wrong headers give an error naming the columns.

    The header is the first row naming the template's columns (rows above it, such as a title,
    are skipped); its names are matched ignoring case, spaces and hyphens; columns may come in any
    order and unknown columns are ignored. In a workbook, ``sheet`` names the sheet to read
    (needed when several look like a submission).
    """
    xlsx = fmt == "xlsx"
    if sheet is not None and not xlsx:
        raise InputError(
            f"a sheet ({sheet!r}) was chosen, but this is {fmt.upper()}, not a workbook",
            where=filename,
        )
    chosen: list[str] = []
    records = _xlsx_records(data, filename, sheet, chosen) if xlsx else _csv_records(data, filename)
    header: list[str] | None = None
    before: list[tuple[int, list[str]]] = []
    rows: list[Row] = []
    for number, raw in enumerate(records, start=1):
        if header is None:
            record = [_cell_text(v) for v in raw]
            if not any(v.strip() for v in record):
                continue
            before.append((number, record))
            if _header_index([record]) is None and len(before) < _HEADER_SEARCH:
                continue
            found = _header_index([record])
            header = [_normalise_header(h) for h in (record if found is not None else before[0][1])]
            while header and not header[-1]:
                header.pop()
            _check_header(header, filename)
            continue
        record = [
            _date_text(v, xlsx=xlsx)
            if index < len(header) and header[index] in _DATE_COLUMNS
            else _cell_text(v)
            for index, v in enumerate(raw)
        ]
        _refuse_error_values(record, number, filename)
        if not any(v.strip() for v in record) or record[0].strip().startswith(_COMMENT):
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
                cells[name] = f"{_column_letter(index)}{number}"
        values["reporting_year"] = _YEAR.sub(r"\1", values.get("reporting_year", ""))
        values["country_code"] = _country_key(values.get("country_code", ""))
        rows.append(Row(number, values, cells))
    if header is None:
        if before:
            header = [_normalise_header(h) for h in before[0][1]]
            _check_header(header, filename)
        raise InputError("the file is empty: expected a header row", where=filename)
    indicators = _indicator_rows(data, filename) if xlsx else []
    return Table(
        filename=filename,
        header=header,
        rows=rows,
        indicators=indicators,
        sheet=chosen[0] if chosen else None,
    )


def _indicator_rows(data: bytes, filename: str) -> list[Row]:
    """The rows of the workbook's ``indicators`` sheet (none when there is no such sheet)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        return []
    try:
        if INDICATOR_SHEET not in workbook.sheetnames:
            return []
        records = list(_saved_values(data, workbook, INDICATOR_SHEET, filename))
    finally:
        workbook.close()
    header: list[str] | None = None
    rows: list[Row] = []
    for number, raw in enumerate(records, start=1):
        if header is None:
            names = [_normalise_header(_cell_text(v)) for v in raw]
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
            _date_text(v, xlsx=True)
            if index < len(header) and header[index] in _DATE_COLUMNS
            else _cell_text(v)
            for index, v in enumerate(raw)
        ]
        _refuse_error_values(record, number, filename, sheet=INDICATOR_SHEET)
        if not any(v.strip() for v in record) or record[0].strip().startswith(_COMMENT):
            continue
        values = {
            name: record[index].strip() if index < len(record) else ""
            for index, name in enumerate(header)
            if name in INDICATOR_COLUMNS
        }
        cells = {
            name: f"{INDICATOR_SHEET}!{_column_letter(index)}{number}"
            for index, name in enumerate(header)
            if name in INDICATOR_COLUMNS
        }
        values["year"] = _YEAR.sub(r"\1", values["year"])
        rows.append(Row(number, values, cells))
    return rows


def _refuse_error_values(
    record: list[str], number: int, filename: str, *, sheet: str | None = None
) -> None:
    """A cell holding a spreadsheet error value (``#N/A``, ``#REF!``...) is refused on its cell:
    it is what a failed formula shows, not a value and not a ``#`` comment."""
    for index, text in enumerate(record):
        if text.strip().upper() in _ERROR_VALUES:
            cell = f"{sheet + '!' if sheet else ''}{_column_letter(index)}{number}"
            raise InputError(
                f"row {number}, cell {cell}: the spreadsheet error value {text.strip()} is not a "
                "value: correct the formula (or type the value) and save the file again",
                where=filename,
            )


def _country_key(text: str) -> str:
    """The country's key for a code or name (``FRA``, ``fr``, ``250``, ``France`` -> ``FR``);
    anything else as written, for the shapes (S12, S13) to refuse."""
    if not text:
        return text
    try:
        return lookup_country(text).code
    except (InputError, NotFoundError):
        return text


def _check_header(header: list[str], filename: str) -> None:
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


# --- converting ---------------------------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.strip().lower())


#: The coded columns and the ontology class whose individuals (notations, labels) they take.
_CODED_COLUMNS = {
    "maturity_phase": MNR.MaturityPhase,
    "implementation_status": MNR.ImplementationStatus,
    "assessor_type": MNR.AssessorType,
}


@cache
def _value_lookup() -> dict[str, dict[str, URIRef]]:
    """For each coded column, the accepted spellings (normalised) of each individual."""
    from mnr_graph.framework.ontology import load_graph

    graph = load_graph()
    lookup: dict[str, dict[str, URIRef]] = {}
    for column, cls in _CODED_COLUMNS.items():
        spellings: dict[str, URIRef] = {}
        prefixes = {_key(w) for label in graph.objects(cls, RDFS.label) for w in str(label).split()}
        for individual in graph.subjects(RDF.type, cls):
            if not isinstance(individual, URIRef):
                continue
            for prop in (SKOS.notation, MNR.number, SKOS.prefLabel, SKOS.altLabel):
                for value in graph.objects(individual, prop):
                    spellings.setdefault(_key(str(value)), individual)
            for notation in graph.objects(individual, SKOS.notation):
                numbered = _NUMBERED.match(_key(str(notation)))
                if numbered and numbered.group(1):
                    prefixes.add(numbered.group(1))
        # numbered individuals (phases): "P1", "p01", "04", "3.0", "Phase 4" name the number
        numbers = {k: v for k, v in spellings.items() if k.isdigit()}
        for prefix in sorted(prefixes | {""}):
            for number, individual in numbers.items():
                spellings.setdefault(f"{prefix}{int(number)}", individual)
        lookup[column] = spellings
    return lookup


@cache
def _capability_labels() -> dict[str, str]:
    """The capabilities' labels in every language (normalised as :func:`_key`) -> notation,
    from the shipped ontology: "Leadership", "access to image databases", "Liderazgo"."""
    from mnr_graph.framework.ontology import load_graph

    graph = load_graph()
    out: dict[str, str] = {}
    for capability in sorted(graph.subjects(RDF.type, MNR.Capability), key=str):
        notation = graph.value(capability, SKOS.notation)
        if notation is None:
            continue
        for prop in (SKOS.prefLabel, SKOS.altLabel, RDFS.label):
            for label in graph.objects(capability, prop):
                out.setdefault(_key(str(label)), str(notation))
    return out


def allowed_values() -> dict[str, list[str]]:
    """The notations accepted in each coded column, from the shipped ontology.

    >>> allowed_values()["maturity_phase"]
    ['P01', 'P02', 'P03', 'P04']
    """
    from mnr_graph.framework.ontology import load_graph

    graph = load_graph()
    out: dict[str, list[str]] = {}
    for column, cls in _CODED_COLUMNS.items():
        individuals = sorted(graph.subjects(RDF.type, cls), key=str)
        ordered = sorted(individuals, key=lambda i: int(str(graph.value(i, MNR.number) or 0)))
        out[column] = [str(graph.value(i, SKOS.notation)) for i in ordered]
    return out


@contextlib.contextmanager
def quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for an ill-typed literal (``2023-02-30``); SHACL reports it."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _coded(column: str, text: str) -> Node:
    if _GARBLED_NUMBER.search(text):
        return Literal(text)
    key = _key(text)
    lookup = _value_lookup()[column]
    found = lookup.get(key)
    if found is None:
        numbered = _NUMBERED.match(key)
        if numbered:
            found = lookup.get(f"{numbered.group(1)}{int(numbered.group(2))}")
    return found if found is not None else Literal(text)


def to_graph(table: Table, *, version: int = 1) -> Converted:
    """Convert a table into a submission graph, with the cell of every node and value."""
    with quiet_rdflib():
        return _to_graph(table, version)


def _to_graph(table: Table, version: int) -> Converted:
    graph = Graph()
    cells = CellMap(sheet=table.sheet)
    if not table.rows:
        raise InputError(
            "no data rows: add one row per capability under the header (rows whose first cell "
            "starts with # are comments)",
            where=table.filename,
        )

    def loc(row: Row, column: str, text: str | None = None) -> Location:
        return Location(row.number, column, row.cells.get(column), text)

    first = table.rows[0]
    code = next((r.values["country_code"] for r in table.rows if r.values["country_code"]), "")
    year = next((r.values["reporting_year"] for r in table.rows if r.values["reporting_year"]), "")
    code_part, year_part = quote(code or "unknown", safe=""), quote(year or "unknown", safe="")
    submission = DATA[f"submission/{code_part}/{year_part}/v{version}"]
    graph.add((submission, RDF.type, MNR.Submission))
    graph.add((submission, MNR.sourceFile, Literal(file_name(table.filename))))
    cells.add(submission, None, None, Location(first.number, None, None))
    # a second code or year (S01, S02) is reported on the first row that differs from the first
    for column, prop, given in (
        ("country_code", MNR.country, code),
        ("reporting_year", MNR.reportingYear, year),
    ):
        other = next((r for r in table.rows if r.values[column] not in ("", given)), None)
        if other is not None:
            cells.add(submission, prop, None, loc(other, column, other.values[column]))
        cells.add(submission, prop, None, loc(first, column))
    cells.add(submission, MNR.hasAssessment, None, Location(None, "capability", None))
    seen_capabilities: set[str] = set()
    for row in table.rows:
        v = row.values
        further = _further_source(row, seen_capabilities)
        if further is not None:  # a further source document of an assessment above
            source = URIRef(f"{submission}/{further}/source-{row.number}")
            _add_source(graph, cells, URIRef(f"{submission}/{further}"), source, row)
            continue
        if v["country_code"]:
            country = DATA[f"country/{quote(v['country_code'], safe='')}"]
            code_literal = Literal(v["country_code"])
            graph.add((country, RDF.type, MNR.Country))
            graph.add((country, MNR.countryCode, code_literal))
            graph.add((submission, MNR.country, country))
            where = loc(row, "country_code", v["country_code"])
            cells.add(submission, MNR.country, country, where)
            cells.add(country, MNR.countryCode, code_literal, where)
            cells.add(country, MNR.countryCode, None, where)
            cells.add(country, None, None, where)
        if v["reporting_year"]:
            year_literal = Literal(v["reporting_year"], datatype=XSD.gYear, normalize=False)
            graph.add((submission, MNR.reportingYear, year_literal))
            cells.add(
                submission,
                MNR.reportingYear,
                year_literal,
                loc(row, "reporting_year", v["reporting_year"]),
            )
        # the assessment
        match = _CAPABILITY.match(v["capability"])
        capability: Node | None = None
        labelled = _capability_labels().get(_key(v["capability"]))
        if match or labelled:
            notation = f"C{int(match.group(1)):02d}" if match else str(labelled)
            capability = MNRID[notation]
            name = notation if notation not in seen_capabilities else f"{notation}-row-{row.number}"
            seen_capabilities.add(notation)
        else:
            name = f"row-{row.number}"
            if v["capability"]:
                capability = Literal(v["capability"])
        assessment = URIRef(f"{submission}/{name}")
        graph.add((assessment, RDF.type, MNR.Assessment))
        graph.add((submission, MNR.hasAssessment, assessment))
        cells.add(
            submission, MNR.hasAssessment, assessment, loc(row, "capability", v["capability"])
        )
        cells.add(assessment, None, None, loc(row, "capability"))
        if capability is not None:
            graph.add((assessment, MNR.assessedCapability, capability))
            cells.add(
                submission, MNR.hasAssessment, capability, loc(row, "capability", v["capability"])
            )
        cells.add(
            assessment,
            MNR.assessedCapability,
            None,
            loc(row, "capability", v["capability"] or None),
        )
        for column, prop in (
            ("maturity_phase", MNR.maturityPhase),
            ("implementation_status", MNR.implementationStatus),
            ("assessor_type", MNR.assessorType),
        ):
            cells.add(assessment, prop, None, loc(row, column, v[column] or None))
            if v[column]:
                value = _coded(column, v[column])
                graph.add((assessment, prop, value))
                cells.add(assessment, prop, value, loc(row, column, v[column]))
        cells.add(assessment, MNR.evidence, None, loc(row, "evidence", v["evidence"] or None))
        evidence = _evidence(v["evidence"], v["evidence_language"])
        if evidence is not None:
            graph.add((assessment, MNR.evidence, evidence))
            if evidence.language:
                where = loc(row, "evidence", v["evidence"])
            else:
                where = loc(row, "evidence_language", v["evidence_language"])
            cells.add(assessment, MNR.evidence, evidence, where)
        # its source document
        if v["source_title"] or v["source_url"] or v["source_date"]:
            _add_source(graph, cells, assessment, URIRef(f"{assessment}/source"), row)
    country_node = DATA[f"country/{quote(code, safe='')}"] if code else None
    for row in table.indicators:
        _add_observation(graph, cells, submission, country_node, row)
    return Converted(graph=graph, cells=cells, submission=submission)


_SOURCE_COLUMNS = ("source_title", "source_url", "source_date")


def _further_source(row: Row, seen: set[str]) -> str | None:
    """The notation of the capability whose assessment a row adds a source document to: the row
    repeats a capability given on a row above and fills only source_title, source_url and
    source_date (everything else empty)."""
    v = row.values
    match = _CAPABILITY.match(v["capability"])
    labelled = _capability_labels().get(_key(v["capability"]))
    notation = f"C{int(match.group(1)):02d}" if match else labelled
    if notation is None or notation not in seen:
        return None
    others = [c for c in COLUMNS if c != "capability" and c not in _SOURCE_COLUMNS]
    if any(v[c] for c in others) or not any(v[c] for c in _SOURCE_COLUMNS):
        return None
    return notation


def _add_source(graph: Graph, cells: CellMap, assessment: URIRef, source: URIRef, row: Row) -> None:
    """A ``mnr:SourceDocument`` of an assessment from the source columns of a row."""
    v = row.values
    graph.add((source, RDF.type, MNR.SourceDocument))
    graph.add((assessment, MNR.hasSourceDocument, source))
    cells.add(
        source, None, None, Location(row.number, "source_title", row.cells.get("source_title"))
    )
    for column, prop, datatype in (
        ("source_title", DCTERMS.title, None),
        ("source_url", MNR.url, XSD.anyURI),
        ("source_date", DCTERMS.date, XSD.date),
    ):
        where = Location(row.number, column, row.cells.get(column), v[column] or None)
        cells.add(source, prop, None, where)
        if v[column]:
            literal = Literal(v[column], datatype=datatype, normalize=False)
            graph.add((source, prop, literal))
            cells.add(source, prop, literal, where)


def _add_observation(
    graph: Graph, cells: CellMap, submission: URIRef, country: URIRef | None, row: Row
) -> None:
    """One row of the ``indicators`` sheet as a ``mnr:IndicatorObservation`` (qb:Observation)."""
    v = row.values

    def loc(column: str, text: str | None = None) -> Location:
        return Location(row.number, column, row.cells.get(column), text)

    observation = URIRef(f"{submission}/observation/{row.number}")
    graph.add((observation, RDF.type, MNR.IndicatorObservation))
    graph.add((observation, QB.dataSet, submission))
    graph.add((submission, MNR.hasObservation, observation))
    cells.add(observation, None, None, loc("indicator"))
    cells.add(submission, MNR.hasObservation, observation, loc("indicator"))
    if country is not None:
        graph.add((observation, MNR.refArea, country))
    literals: list[tuple[str, URIRef, Literal | None]] = [
        ("indicator", MNR.indicator, Literal(v["indicator"]) if v["indicator"] else None),
        ("value", MNR.observedValue, _observed(v["value"])),
        ("unit", MNR.unit, Literal(v["unit"]) if v["unit"] else None),
        (
            "year",
            MNR.refYear,
            Literal(v["year"], datatype=XSD.gYear, normalize=False) if v["year"] else None,
        ),
    ]
    for column, prop, literal in literals:
        cells.add(observation, prop, None, loc(column, v[column] or None))
        if literal is not None:
            graph.add((observation, prop, literal))
            cells.add(observation, prop, literal, loc(column, v[column]))
    cells.add(observation, MNR.hasSourceDocument, None, loc("source_title"))
    if v["source_title"] or v["source_url"] or v["source_date"]:
        source = URIRef(f"{observation}/source")
        graph.add((source, RDF.type, MNR.SourceDocument))
        graph.add((observation, MNR.hasSourceDocument, source))
        cells.add(source, None, None, loc("source_title"))
        for column, prop, datatype in (
            ("source_title", DCTERMS.title, None),
            ("source_url", MNR.url, XSD.anyURI),
            ("source_date", DCTERMS.date, XSD.date),
        ):
            cells.add(source, prop, None, loc(column, v[column] or None))
            if v[column]:
                literal = Literal(v[column], datatype=datatype, normalize=False)
                graph.add((source, prop, literal))
                cells.add(source, prop, literal, loc(column, v[column]))


def _observed(text: str) -> Literal | None:
    """A number as xsd:decimal (a decimal comma too), anything else as the category's text."""
    if not text:
        return None
    number = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    if re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", number):
        return Literal(number, datatype=XSD.decimal)
    return Literal(text)


def _evidence(text: str, language: str) -> Literal | None:
    if not text:
        return None
    tag = language_tag(language)
    if tag is None:
        return Literal(text)
    return Literal(text, lang=tag)


def known_language(tag: str) -> bool:
    """Whether a language tag's primary subtag is an ISO 639 code (``en``, ``fra``): the check of
    the evidence language, for a CSV cell and an RDF language tag alike. Private-use codes
    (``qaa``..``qtz``, ``x-...``) are not known: a submission is read by people who share no
    private agreement on them.

    >>> known_language("en-GB"), known_language("FR"), known_language("xx"), known_language("qaa")
    (True, True, False, False)
    """
    import pycountry

    primary, _, rest = tag.strip().partition("-")
    if not (re.fullmatch(r"[A-Za-z]{2,3}", primary) and re.fullmatch(r"[A-Za-z0-9\-]*", rest)):
        return False
    code = primary.lower()
    found = pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code)
    return found is not None


def file_name(path: str) -> str:
    r"""The name of a file without its folders (POSIX or Windows), as the data records it.

    >>> file_name("/home/me/XA-2024.csv"), file_name(r"C:\Users\me\XA.xlsx"), file_name("XA.ttl")
    ('XA-2024.csv', 'XA.xlsx', 'XA.ttl')
    """
    return PureWindowsPath(path).name or path


def language_tag(text: str) -> str | None:
    """The BCP 47 tag for a language column: a tag whose language is ISO 639, or a language name.

    >>> language_tag("EN"), language_tag("en-GB"), language_tag("French"), language_tag("e n")
    ('en', 'en-GB', 'fr', None)
    """
    import pycountry

    value = text.strip().replace("_", "-")
    if not value:
        return None
    primary, _, rest = value.partition("-")
    if known_language(value):
        return primary.lower() + (f"-{rest}" if rest else "")
    try:
        language = pycountry.languages.lookup(value)
    except LookupError:
        return None
    return str(getattr(language, "alpha_2", None) or language.alpha_3)


# --- the template -------------------------------------------------------------------------------


def _example_row() -> list[str]:
    allowed = allowed_values()
    return [
        "#XA",
        "2024",
        "1",
        allowed["maturity_phase"][1],
        allowed["implementation_status"][1],
        "A national coordinating body was set up in 2023 and meets every quarter.",
        "en",
        "National action plan 2023-2027",
        "https://example.org/national-action-plan.pdf",
        "2023-05-01",
        allowed["assessor_type"][0],
    ]


def _example_source_row() -> list[str]:
    """A documented row that adds a further source document to capability 1's assessment."""
    return [
        "#",
        "",
        "1",
        "",
        "",
        "",
        "",
        "Regional action plan 2024",
        "https://example.org/regional-action-plan.pdf",
        "2024-01-15",
        "",
    ]


def _example_no_data_rows() -> list[list[str]]:
    """Documented rows for the other capabilities: 'no data', as a submission with nothing to
    report on a capability says (every capability needs a row)."""
    from mnr_graph.framework.ontology import load_graph

    no_data = str(load_graph().value(MNRID["status-no-data"], SKOS.notation))
    count = _capability_count()
    return [
        ["#XA", "2024", str(n), "", no_data, "", "", "", "", "", ""] for n in range(2, count + 1)
    ]


@cache
def _capability_count() -> int:
    from mnr_graph.framework.ontology import load_graph

    return len(set(load_graph().subjects(RDF.type, MNR.Capability)))


def _example_rows() -> list[list[str]]:
    """The template's documented example: a complete submission for the illustrative country XA,
    every row commented out."""
    return [_example_row(), _example_source_row(), *_example_no_data_rows()]


def _comment() -> str:
    allowed = allowed_values()
    count = _capability_count()
    return (
        "# Rows starting with # are ignored. Below: a documented example for the illustrative "
        f"country XA (remove the # to use it). One row for each capability, 1 to {count}: every "
        "capability needs a row; give implementation_status 'no data' where there is nothing to "
        "report. maturity_phase: "
        + " | ".join(allowed["maturity_phase"])
        + " (or 1 to 4). implementation_status: "
        + " | ".join(allowed["implementation_status"])
        + ". assessor_type: "
        + " | ".join(allowed["assessor_type"])
        + ". Dates: YYYY-MM-DD. A further source document of a capability: a row below it with "
        "the capability and only source_title, source_url, source_date (the second example row)."
    )


def template_bytes(fmt: str) -> bytes:
    """An empty submission template (``csv`` or ``xlsx``): header and documented example row."""
    header = list(COLUMNS)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerow([_comment()])
        writer.writerows(_example_rows())
        return out.getvalue().encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "submission"
        sheet.append(header)
        sheet.append([_comment()])
        examples = _example_rows()
        for row in examples:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for number in range(2, len(examples) + 3):
            for cell in sheet[number]:
                cell.font = Font(italic=True, color="808080")
        for index, name in enumerate(header):
            sheet.column_dimensions[_column_letter(index)].width = max(14, len(name) + 2)
        indicators = workbook.create_sheet(INDICATOR_SHEET)
        indicators.append(list(INDICATOR_COLUMNS))
        indicators.append(
            [
                "# Optional: one row per indicator value (RDF Data Cube observations of the "
                "submission's country). Rows starting with # are ignored; remove the # of the "
                "example row to use it."
            ]
        )
        indicators.append(
            [
                "#4.2.1",
                "55.5",
                "score out of 100",
                "2024",
                "Illustrative index 2024",
                "https://example.org/index-2024.pdf",
                "2024-06-30",
            ]
        )
        for cell in indicators[1]:
            cell.font = Font(bold=True)
        for index, name in enumerate(INDICATOR_COLUMNS):
            indicators.column_dimensions[_column_letter(index)].width = max(14, len(name) + 2)
        docs = workbook.create_sheet("columns")
        docs.append(["column", "what it holds", "accepted values"])
        allowed = allowed_values()
        for name, description in COLUMNS.items():
            docs.append([name, description, " | ".join(allowed.get(name, []))])
        for name, description in INDICATOR_COLUMNS.items():
            docs.append([f"{INDICATOR_SHEET}: {name}", description, ""])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    raise InputError(f"unknown template format {fmt!r}: use csv or xlsx")
