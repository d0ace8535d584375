"""CSV and XLSX: the template round-trips, headers are checked, results map to rows and cells."""

from __future__ import annotations

import csv
import io

import pytest

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError
from mnr_graph.submissions.table import COLUMNS
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
def test_a_source_only_row_before_its_capability_is_an_assessment_of_its_own() -> None:
    """Only a row that repeats a capability given above adds a source document to it."""
    text = template_bytes("csv").decode()
    lines = [line for line in text.splitlines() if not line.startswith("# ")]  # no instructions
    header, example, further, *others = lines
    rest = "".join(o[1:] + "\n" for o in others)
    rows = f"{header}\n{further[1:]}\n{example[1:]}\n{rest}".encode()
    report = validate_bytes(rows, filename="two.csv")
    assert {(r.shape, r.row) for r in report.results if r.severity == "Violation"} >= {
        ("S19", 2),
        ("S08", 3),
    }, report.to_text()


@pytest.mark.slow
def test_xlsx_result_names_the_cell() -> None:
    example = next(p for p in resources.files("examples", "*-invalid-S24-*.xlsx"))
    report = validate_bytes(example.read_bytes(), filename=example.name)
    result = next(r for r in report.results if r.shape == "S24")
    assert result.column == "assessor_type"
    assert result.cell == f"K{result.row}"


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_encodings_and_bom(encoding: str) -> None:
    rows = _example_rows()
    rows[0][5] = "Évaluation menée en 2023 par le ministère."
    rows[0][6] = "fr"
    text = ",".join(COLUMNS) + "\n" + "".join(",".join(f'"{v}"' for v in r) + "\n" for r in rows)
    report = validate_bytes(text.encode(encoding), filename="enc.csv")
    assert report.conforms, report.to_text()


def test_wrong_header_is_a_clear_error() -> None:
    bad = b"country,reporting_year,capabilty\nXA,2024,1\n"
    with pytest.raises(InputError, match=r"missing column\(s\): country_code") as info:
        read_table(bad, filename="bad.csv", fmt="csv")
    assert "capability" in str(info.value)
    assert "bad.csv" in str(info.value)


def test_duplicate_capability_is_reported_on_its_row() -> None:
    rows = _example_rows()
    rows.append(list(rows[0]))
    text = ",".join(COLUMNS) + "\n" + "".join(",".join(f'"{v}"' for v in r) + "\n" for r in rows)
    report = validate_bytes(text.encode(), filename="dup.csv")
    result = next(r for r in report.results if r.shape == "S08")
    assert result.row == len(rows) + 1
    assert result.column == "capability"
