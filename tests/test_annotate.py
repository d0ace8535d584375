"""The annotated workbook (submissions.annotate) and ``mnr-graph validate --annotate``."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from mnr_graph.cli import cli
from mnr_graph.core import resources
from mnr_graph.core.errors import InputError
from mnr_graph.submissions.annotate import FILLS, SUMMARY_SHEET, annotate_workbook
from mnr_graph.submissions.validation import validate_bytes

EXAMPLES = resources.path("examples")
#: The broken examples, each with the cell its name gives (XC-2024-invalid-S15-row5: row 5).
BROKEN = sorted(p for p in EXAMPLES.glob("*-invalid-*-row*") if p.suffix in (".csv", ".xlsx"))


def _annotated(path: Path) -> tuple[openpyxl.Workbook, list[str]]:
    data = path.read_bytes()
    report = validate_bytes(data, filename=path.name)
    book = openpyxl.load_workbook(io.BytesIO(annotate_workbook(data, report, filename=path.name)))
    return book, [r.cell for r in report.results if r.cell]


def test_there_are_broken_tables_to_annotate() -> None:
    assert {p.suffix for p in BROKEN} == {".csv", ".xlsx"}


@pytest.mark.slow
@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_each_problem_cell_is_filled_and_commented(path: Path) -> None:
    book, cells = _annotated(path)
    rule = path.stem.split("-invalid-")[1].split("-")[0]
    row = int(path.stem.rsplit("-row", 1)[1])
    assert book.sheetnames[0] == SUMMARY_SHEET
    data_sheet = book.worksheets[1]
    marked = {
        c.coordinate: c for line in data_sheet.iter_rows() for c in line if c.comment is not None
    }
    assert set(cells) <= set(marked)
    on_row = [c for c in marked.values() if c.row == row]
    assert on_row, f"row {row} has no marked cell"
    comments = [c.comment.text for c in on_row if c.comment is not None]
    assert any(rule in text and "Fix:" in text for text in comments)
    assert all(c.fill.fgColor.rgb.endswith(FILLS["Violation"]) for c in on_row)
    summary = "\n".join(str(c.value) for line in book[SUMMARY_SHEET].iter_rows() for c in line)
    assert rule in summary
    assert "does NOT conform" in summary


def test_the_users_values_are_kept() -> None:
    path = EXAMPLES / "XC-2024-invalid-S15-row5.csv"
    book, _ = _annotated(path)
    sheet = book["submission"]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [str(c.value or "") for c in sheet[1]][: len(lines[0].split(","))] == lines[0].split(",")
    assert sheet.max_row == len([line for line in lines if line.strip()])


def test_a_conforming_workbook_has_no_marked_cell() -> None:
    book, cells = _annotated(EXAMPLES / "XD-2024-valid.xlsx")
    assert cells == []
    assert not [c for s in book.worksheets[1:] for line in s.iter_rows() for c in line if c.comment]
    assert "conforms" in str(book[SUMMARY_SHEET]["A1"].value)


def test_rdf_input_has_no_cells_to_annotate() -> None:
    path = EXAMPLES / "XA-2024-valid.ttl"
    report = validate_bytes(path.read_bytes(), filename=path.name)
    with pytest.raises(InputError, match="CSV or XLSX"):
        annotate_workbook(path.read_bytes(), report, filename=path.name)


def test_the_cli_writes_the_annotated_workbook(tmp_path: Path) -> None:
    out = tmp_path / "annotated.xlsx"
    source = EXAMPLES / "XC-2024-invalid-S15-row5.csv"
    result = CliRunner().invoke(cli, ["validate", str(source), "--annotate", str(out)])
    assert result.exit_code == 1, result.output
    assert "S15" in result.output
    cell = openpyxl.load_workbook(out)["submission"]["C5"]
    assert cell.comment is not None
    assert "S15" in cell.comment.text
