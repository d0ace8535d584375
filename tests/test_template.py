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
    header, *lines = text.splitlines()
    examples = [line for line in lines if not line.startswith("# ")]  # not the instructions
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


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_xlsx_template_in_each_language(lang: str) -> None:
    """The xlsx template has its sheets, lists and date cells, and validates when filled.

    Instructions, capabilities and phases sheets in the language, drop-down lists on the coded
    columns, date cells formatted as dates; filled from its own lists, it validates.
    """
    from mnr_graph.submissions.template import template_text
    from mnr_graph.submissions.values import capability_names

    workbook = load_workbook(io.BytesIO(template_bytes("xlsx", lang=lang)))
    sheet = workbook["submission"]
    assert [c.value for c in sheet[1]] == list(COLUMNS), "programs read the English header"
    capabilities = workbook[template_text("sheet.capabilities", lang)]
    names = [row[2] for row in capabilities.iter_rows(min_row=2, values_only=True)]
    assert names == [capability_names()[f"C{n:02d}"][lang] for n in range(1, 22)]
    assert template_text("sheet.values", lang) in workbook.sheetnames
    lists = workbook[template_text("sheet.lists", lang)]
    validated = {str(v.sqref).split(":")[0][:1]: v for v in sheet.data_validations.dataValidation}
    assert sorted(validated) == ["C", "D", "E", "G", "K"]
    assert sheet["J30"].number_format == "yyyy-mm-dd"
    # fill the rows from the drop-down lists, as a data team in that language would
    column = {
        letter: [c.value for c in col if c.value] for letter, col in zip("ABCDE", lists.columns)
    }
    for number, capability in enumerate(column["A"]):
        no_data = number >= 3
        sheet.append(
            [
                "XC",
                2024,
                capability,
                None if no_data else column["B"][number % 4],
                column["C"][3] if no_data else column["C"][1],
                None if no_data else "Un texte de preuve rédigé par l'équipe nationale.",
                None if no_data else lang,
                None if no_data else "Rapport annuel 2024",
                None if no_data else "https://example.org/XC/2024/rapport.pdf",
                None if no_data else "15/03/2024",
                None if no_data else column["D"][0],
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = validate_bytes(buffer.getvalue(), filename=f"filled-{lang}.xlsx")
    assert report.conforms, report.to_text()


def test_csv_template_in_french_has_french_instructions() -> None:
    text = template_bytes("csv", lang="fr").decode()
    assert "Remplissez la feuille" in text
    assert text.splitlines()[0] == ",".join(COLUMNS)


def test_unknown_template_language_is_refused() -> None:
    from mnr_graph.core.errors import InputError

    with pytest.raises(InputError, match="no template in 'de'"):
        template_bytes("csv", lang="de")
