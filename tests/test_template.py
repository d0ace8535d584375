"""The submission template: it round-trips as CSV and XLSX, and its example validates."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mnr_graph.cli import main
from mnr_graph.core import resources
from mnr_graph.core.namespaces import DCTERMS, MNR, RDF
from mnr_graph.submissions.conversion import to_graph
from mnr_graph.submissions.table import COLUMNS, INDICATOR_COLUMNS, INDICATOR_SHEET
from mnr_graph.submissions.tabular import read_table
from mnr_graph.submissions.template import template_bytes
from mnr_graph.submissions.validation import validate_bytes


def _example_rows() -> list[list[str]]:
    """The data rows of the shipped valid CSV example."""
    text = next(p for p in resources.files("examples", "*-valid.csv")).read_text()
    return list(csv.reader(io.StringIO(text)))[1:]


def _fill_csv(template: bytes, rows: list[list[str]]) -> bytes:
    return template + "".join(",".join(f'"{v}"' for v in row) + "\n" for row in rows).encode()


@pytest.mark.slow
def test_csv_template_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    with pytest.raises(SystemExit) as exit_info:
        main(["template", "--format", "csv", "--output", str(out)])
    assert exit_info.value.code == 0
    template = out.read_bytes()
    assert read_table(template, filename="t.csv", fmt="csv").header == list(COLUMNS)
    report = validate_bytes(_fill_csv(template, _example_rows()), filename="filled.csv")
    assert report.conforms, report.to_text()


@pytest.mark.slow
def test_xlsx_template_round_trips() -> None:
    workbook = load_workbook(io.BytesIO(template_bytes("xlsx")))
    sheet = workbook["submission"]
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    for row in _example_rows():
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = validate_bytes(buffer.getvalue(), filename="filled.xlsx")
    assert report.conforms, report.to_text()


@pytest.mark.slow
def test_example_rows_of_the_template_validate_once_uncommented() -> None:
    """The template's documented example is a complete submission.

    A row for every capability (the others 'no data'), and a further source document of the
    first.
    """
    text = template_bytes("csv").decode()
    header, _comment, *examples = text.splitlines()
    assert len(examples) == 22
    rows = (header + "\n" + "".join(e[1:] + "\n" for e in examples)).encode()
    report = validate_bytes(rows, filename="one.csv")
    assert report.results == [], report.to_text()
    graph = to_graph(read_table(rows, filename="one.csv", fmt="csv")).graph
    assert len(set(graph.subjects(RDF.type, MNR.Assessment))) == 21
    (assessment,) = graph.subjects(MNR.hasSourceDocument, None, unique=True)
    titles = {
        str(graph.value(s, DCTERMS.title)) for s in graph.objects(assessment, MNR.hasSourceDocument)
    }
    assert titles == {"National action plan 2023-2027", "Regional action plan 2024"}


@pytest.mark.slow
def test_xlsx_template_indicators_sheet_round_trips() -> None:
    """The template's ``indicators`` sheet, filled, gives Data Cube observations that validate."""
    workbook = load_workbook(io.BytesIO(template_bytes("xlsx")))
    assert [c.value for c in workbook[INDICATOR_SHEET][1]] == list(INDICATOR_COLUMNS)
    for row in _example_rows():
        workbook["submission"].append(row)
    sheet = workbook[INDICATOR_SHEET]
    sheet.append(["4.2.1", 55.5, "score out of 100", 2024, "Illustrative index", "", "2024-06-30"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), filename="filled.xlsx", fmt="xlsx")
    assert [r.cells["value"] for r in table.indicators] == [f"{INDICATOR_SHEET}!B{sheet.max_row}"]
    converted = to_graph(table)
    assert len(list(converted.graph.subjects(RDF.type, MNR.IndicatorObservation))) == 1
    report = validate_bytes(buffer.getvalue(), filename="filled.xlsx")
    assert report.conforms, report.to_text()
