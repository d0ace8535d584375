"""The annotated workbook: the user's own submission with each problem shown where it is.

:func:`annotate_workbook` takes the bytes of a CSV or XLSX submission and its validation report
(:func:`mnr_graph.submissions.validation.validate_bytes`) and gives an XLSX workbook: the user's
workbook (a CSV file becomes one, its records on a sheet named ``submission``), each cell a result
names filled in the colour of its severity (a result with a row but no cell marks the row's first
cell) with a comment per cell giving the rule, the problem and the fix, and a first sheet,
``mnr-graph report``, with the counts by severity and by rule and every result, linked to its
cell. The user's values are not changed. ``mnr-graph validate --annotate OUT.xlsx`` and the
validation page write it.

RDF input (Turtle, JSON-LD) has no cells: it is refused with an
:class:`~mnr_graph.core.errors.InputError`.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Iterable

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mnr_graph.core.errors import InputError
from mnr_graph.submissions.csv_reader import csv_records
from mnr_graph.submissions.formats import input_format
from mnr_graph.submissions.report import ValidationReport, ValidationResult

__all__ = ["FILLS", "SUMMARY_SHEET", "annotate_workbook"]

#: The name of the summary sheet the annotated workbook starts with.
SUMMARY_SHEET = "mnr-graph report"
#: The fill colour (RGB) of a cell by the severity of its worst result.
FILLS = {"Violation": "FFC7CE", "Warning": "FFEB9C", "Info": "DDEBF7"}
_ORDER = ("Violation", "Warning", "Info")
#: The sheet a CSV file's records are put on.
_CSV_SHEET = "submission"


def _problem_and_fix(result: ValidationResult) -> tuple[str, str]:
    problem, _, fix = result.message.partition(": ")
    return (problem, fix) if fix else (result.message, "")


def _comment_text(results: Iterable[ValidationResult]) -> str:
    parts = []
    for r in results:
        problem, fix = _problem_and_fix(r)
        text = f"{r.severity} [{r.shape}]: {problem}"
        if r.value is not None:
            text += f" (value: {r.value!r})"
        if fix:
            text += f"\nFix: {fix}"
        parts.append(text)
    return "\n\n".join(parts)


def _workbook(data: bytes, filename: str, fmt: str) -> Workbook:
    if fmt == "xlsx":
        try:
            return load_workbook(io.BytesIO(data))
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise InputError(f"cannot open the workbook: {exc}", where=filename) from None
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _CSV_SHEET
    for record in csv_records(data, filename):
        sheet.append(list(record))
    return book


def _anchor(result: ValidationResult) -> str | None:
    """The cell a result marks: its own, else its row's first cell, else none."""
    if result.cell:
        return result.cell
    if result.row is not None:
        return f"A{result.row}"
    return None


def _sheet(book: Workbook, name: str | None) -> Worksheet:
    found = book[name] if name and name in book.sheetnames else book.active
    assert isinstance(found, Worksheet)
    return found


def _summary(book: Workbook, report: ValidationReport, placed: dict[int, str]) -> None:
    sheet = book.create_sheet(SUMMARY_SHEET, 0)
    bold = Font(bold=True)
    verdict = "conforms" if report.conforms else "does NOT conform"
    sheet.append([f"{report.filename}: {verdict}"])
    sheet["A1"].font = bold
    sheet.append([])
    sheet.append(["Severity", "Results"])
    for severity in _ORDER:
        sheet.append([severity, report.count(severity)])
    sheet.append([])
    sheet.append(["Rule", "Severity", "Results"])
    by_rule = Counter((r.shape, r.severity) for r in report.results)
    for (shape, severity), count in sorted(by_rule.items()):
        sheet.append([shape, severity, count])
    sheet.append([])
    header = ["Severity", "Rule", "Sheet", "Row", "Column", "Cell", "Problem", "Value", "Fix"]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for index, r in enumerate(report.results):
        problem, fix = _problem_and_fix(r)
        where = placed.get(index)
        place = [r.sheet or "", r.row, r.column or "", where or ""]
        sheet.append([r.severity, r.shape, *place, problem, r.value or "", fix])
        if where:
            link = sheet.cell(row=sheet.max_row, column=6)
            link.hyperlink = f"#'{where.split('!')[0]}'!{where.split('!')[1]}"
            link.style = "Hyperlink"
    for column, width in zip(range(1, 10), (10, 8, 14, 6, 20, 8, 60, 20, 60), strict=True):
        sheet.column_dimensions[get_column_letter(column)].width = width


def annotate_workbook(data: bytes, report: ValidationReport, *, filename: str) -> bytes:
    """The annotated workbook (XLSX bytes) of a CSV or XLSX submission and its report."""
    fmt = input_format(filename)
    if fmt not in ("csv", "xlsx"):
        raise InputError(
            "an annotated workbook is made of CSV or XLSX input only (RDF input has no cells): "
            "read the report instead",
            where=filename,
        )
    book = _workbook(data, filename, fmt)
    by_cell: dict[tuple[str, str], list[ValidationResult]] = defaultdict(list)
    placed: dict[int, str] = {}
    for index, r in enumerate(report.results):
        anchor = _anchor(r)
        if anchor is None:
            continue
        sheet = _sheet(book, r.sheet or report.sheet)
        by_cell[(sheet.title, anchor)].append(r)
        placed[index] = f"{sheet.title}!{anchor}"
    for (title, anchor), results in by_cell.items():
        cell = book[title][anchor]
        worst = min(results, key=lambda r: _ORDER.index(r.severity) if r.severity in _ORDER else 3)
        cell.fill = PatternFill("solid", fgColor=FILLS.get(worst.severity, FILLS["Info"]))
        comment = Comment(_comment_text(results), "mnr-graph")
        comment.width, comment.height = 320, 160
        cell.comment = comment
    _summary(book, report, placed)
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
