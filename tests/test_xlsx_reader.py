"""Reading an XLSX upload: one workbook object, read once for its values and once for formulas."""

from __future__ import annotations

from typing import Any

import openpyxl
import pytest

from mnr_graph.core.errors import InputError
from mnr_graph.submissions.tabular import read_table
from mnr_graph.submissions.template import template_bytes
from mnr_graph.submissions.xlsx_reader import Workbook


@pytest.mark.slow
def test_an_upload_is_read_once_for_values_and_once_for_formulas(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The submission sheet and the indicators sheet come from the same two reads (it was four)."""
    reads: list[bool] = []
    load = openpyxl.load_workbook

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(bool(kwargs.get("data_only")))
        return load(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", counted)
    table = read_table(template_bytes("xlsx"), filename="template.xlsx", fmt="xlsx")
    assert table.sheet == "submission"
    assert sorted(reads) == [False, True]


@pytest.mark.slow
def test_a_chosen_sheet_must_be_a_submission_sheet() -> None:
    with Workbook(template_bytes("xlsx"), "template.xlsx") as book:
        assert book.submission_sheet("submission") == "submission"
        with pytest.raises(InputError, match="no submission sheet 'indicators'"):
            book.submission_sheet("indicators")


def test_csv_text_named_xlsx_says_what_it_is() -> None:
    with pytest.raises(InputError, match="looks like CSV text"):
        Workbook(b"country_code,reporting_year\nXA,2024\n", "upload.xlsx")
