"""The XLSX submission template: its sheets, drop-down lists and date cells, in one language.

Sheets: ``submission`` (the header programs read, the instructions as a comment row and the
documented example rows), the instructions, the capabilities (number, code, name, domain), the
phases, statuses and assessor types with their meaning, the columns, ``indicators``, and a
hidden sheet of the drop-down lists. The coded columns (capability, maturity phase,
implementation status, assessor type, evidence language) of the submission sheet offer their
values as a list (spreadsheet data validation; another value is warned about, not refused, since
the validator reads numbers and codes too); the source date cells are formatted YYYY-MM-DD.

>>> from openpyxl import load_workbook
>>> book = load_workbook(io.BytesIO(workbook_bytes("fr")))
>>> book.sheetnames[:3], book["submission"].data_validations.count
(['submission', 'instructions', 'capacités'], 5)
"""

from __future__ import annotations

import io
from typing import Any

from mnr_graph.submissions.table import COLUMNS, INDICATOR_COLUMNS, INDICATOR_SHEET, column_letter
from mnr_graph.submissions.template import (
    _capability_rows,
    _coded_rows,
    _instructions,
    example_rows,
    template_languages,
    template_text,
)
from mnr_graph.submissions.values import allowed_values

__all__ = ["DATE_ROWS", "workbook_bytes"]

#: How many rows of the submission sheet get drop-down lists and date formatting.
DATE_ROWS = 500
_DATE_FORMAT = "yyyy-mm-dd"


def _column(name: str) -> str:
    return column_letter(list(COLUMNS).index(name))


def workbook_bytes(lang: str) -> bytes:
    """The XLSX template in a language (``en``, ``fr``, ``es``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "submission"
    sheet.append(list(COLUMNS))
    sheet.append(["# " + " ".join(_instructions(lang))])
    examples = example_rows()
    for row in examples:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number in range(2, len(examples) + 3):
        for cell in sheet[number]:
            cell.font = Font(italic=True, color="808080")
    for index, name in enumerate(COLUMNS):
        sheet.column_dimensions[column_letter(index)].width = max(14, len(name) + 2)
    for (cell,) in sheet[f"{_column('source_date')}2:{_column('source_date')}{DATE_ROWS}"]:
        cell.number_format = _DATE_FORMAT
    sheet.freeze_panes = "A2"

    instructions = workbook.create_sheet(template_text("sheet.instructions", lang))
    instructions.append([template_text("title", lang)])
    instructions["A1"].font = Font(bold=True, size=14)
    for line in _instructions(lang):
        instructions.append([line])
    instructions.column_dimensions["A"].width = 120

    capabilities = workbook.create_sheet(template_text("sheet.capabilities", lang))
    _table(
        capabilities,
        [template_text(f"heading.{h}", lang) for h in ("number", "notation", "name", "domain")],
        _capability_rows(lang),
    )
    values = workbook.create_sheet(template_text("sheet.values", lang))
    headings = ("kind", "notation", "number", "name", "meaning")
    _table(values, [template_text(f"heading.{h}", lang) for h in headings], _coded_rows(lang))

    columns = workbook.create_sheet(template_text("sheet.columns", lang))
    allowed = allowed_values()
    rows: list[list[Any]] = []
    for name, description in COLUMNS.items():
        localized = template_text(f"column.{name}", lang) or description
        rows.append([name, localized, " | ".join(allowed.get(name, []))])
    for name, description in INDICATOR_COLUMNS.items():
        rows.append([f"{INDICATOR_SHEET}: {name}", description, ""])
    column_headings = ("kind", "holds", "accepted")
    _table(columns, [template_text(f"heading.{h}", lang) for h in column_headings], rows)

    _indicators_sheet(workbook)
    _drop_downs(workbook, sheet, lang)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _table(sheet: Any, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font

    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, _name in enumerate(header):
        width = max(len(str(r[index])) for r in [header, *rows]) + 2
        sheet.column_dimensions[column_letter(index)].width = min(max(12, width), 80)
    sheet.freeze_panes = "A2"


def _indicators_sheet(workbook: Any) -> None:
    from openpyxl.styles import Font

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
        indicators.column_dimensions[column_letter(index)].width = max(14, len(name) + 2)


def _drop_downs(workbook: Any, sheet: Any, lang: str) -> None:
    """A hidden sheet of lists, and a drop-down on each coded column of the submission sheet."""
    from openpyxl.worksheet.datavalidation import DataValidation

    lists_name = template_text("sheet.lists", lang)
    lists = workbook.create_sheet(lists_name)
    lists.sheet_state = "hidden"
    coded = _coded_rows(lang)
    columns: dict[str, list[str]] = {
        "capability": [row[2] for row in _capability_rows(lang)],
        **{
            column: [row[3] for row in coded if row[0] == column]
            for column in ("maturity_phase", "implementation_status", "assessor_type")
        },
        "evidence_language": list(template_languages()),
    }
    for index, (column, entries) in enumerate(columns.items()):
        letter = column_letter(index)
        for number, entry in enumerate(entries, start=1):
            lists[f"{letter}{number}"] = entry
        validation = DataValidation(
            type="list",
            formula1=f"'{lists_name}'!${letter}$1:${letter}${len(entries)}",
            allow_blank=True,
            errorStyle="warning",  # a number or code the list does not show is read too
            showErrorMessage=True,
            error=template_text(f"column.{column}", lang) or COLUMNS[column],
        )
        target = _column(column)
        validation.add(f"{target}2:{target}{DATE_ROWS}")
        sheet.add_data_validation(validation)
