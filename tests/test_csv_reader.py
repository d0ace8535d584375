"""Reading CSV uploads: encodings, the delimiter, and files that are not CSV text."""

from __future__ import annotations

import pytest

from mnr_graph.core.errors import InputError
from mnr_graph.submissions.csv_reader import csv_records
from mnr_graph.submissions.table import COLUMNS

HEADER = ",".join(COLUMNS)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_the_one_that_gives_the_header(delimiter: str) -> None:
    """A title row above the header may use another character (a comma in a sentence)."""
    text = f"Submission, XA 2024\n{HEADER.replace(',', delimiter)}\nXA{delimiter}2024\n"
    records = list(csv_records(text.encode(), "x.csv"))
    assert records[1] == list(COLUMNS)
    assert records[2] == ["XA", "2024"]


def test_excels_sep_line_names_the_delimiter_and_is_not_a_row() -> None:
    records = list(csv_records(b"sep=;\ncountry_code;reporting_year\n", "x.csv"))
    assert records == [["country_code", "reporting_year"]]


@pytest.mark.parametrize(
    ("encoding", "text"), [("utf-8-sig", "Évaluation"), ("cp1252", "Évaluation"), ("utf-16", "ñ")]
)
def test_encodings(encoding: str, text: str) -> None:
    (record,) = csv_records(f"{text},x\n".encode(encoding), "x.csv")
    assert record == [text, "x"]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"PK\x03\x04rest", "zip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "legacy .xls"),
        (b"a,b\x00,c\n", "NUL bytes"),
    ],
)
def test_what_is_not_csv_text_is_refused_saying_what_it_is(data: bytes, says: str) -> None:
    with pytest.raises(InputError, match=says):
        list(csv_records(data, "x.csv"))


def test_an_oversized_cell_names_its_line_and_the_cell_limit() -> None:
    with pytest.raises(InputError, match="line 2: a cell holds more than 131,072 characters"):
        list(csv_records(b"a,b\n" + b"x" * 200_000 + b"\n", "x.csv"))
