"""The submission template (CSV or XLSX): the header and a documented example for country XA.

Every row of the example starts with ``#`` (a comment): one complete submission for the
illustrative country XA, a row that adds a further source document, and 'no data' for every
other capability. The XLSX template adds the ``indicators`` sheet and a ``columns`` sheet that
says what each column holds and the values it accepts (from the shipped ontology).

>>> template_bytes("csv").decode().splitlines()[0].split(",")[:3]
['country_code', 'reporting_year', 'capability']
"""

from __future__ import annotations

import csv
import io
from functools import cache

from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import MNR, MNRID, RDF, SKOS
from mnr_graph.submissions.table import COLUMNS, INDICATOR_COLUMNS, INDICATOR_SHEET, column_letter
from mnr_graph.submissions.values import allowed_values

__all__ = ["template_bytes"]


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
    """Documented rows for the other capabilities.

    'no data', as a submission with nothing to report on a capability says (every capability
    needs a row).
    """
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
    """The template's documented example.

    A complete submission for the illustrative country XA, every row commented out.
    """
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
            sheet.column_dimensions[column_letter(index)].width = max(14, len(name) + 2)
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
