"""Reading an XLSX upload: the sheet that holds the submission, and its saved values.

An upload is read into a :class:`Workbook` once, whichever of its sheets are used: once for the
values its cells were saved with, and once for what was typed into them (openpyxl gives one or
the other per read, never both). A formula cell with no saved value (a workbook written by a
program that does not calculate, or never recalculated) is refused on its cell: it would
otherwise read as an empty cell. A legacy .xls or password-protected workbook, or a file that is
no zip archive, is refused saying what it is.

>>> from mnr_graph.submissions.template import template_bytes
>>> with Workbook(template_bytes("xlsx"), "template.xlsx") as book:
...     book.submission_sheet(None), book.sheet_names[-3:]
('submission', ['columns', 'indicators', 'lists'])
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from itertools import zip_longest
from types import TracebackType
from typing import Any

from mnr_graph.core.errors import InputError
from mnr_graph.submissions.formats import OLE_MAGIC, ZIP_MAGIC
from mnr_graph.submissions.table import (
    HEADER_SEARCH,
    INDICATOR_SHEET,
    cell_text,
    column_letter,
    header_index,
)

__all__ = ["Workbook"]

#: What openpyxl raises on a workbook it cannot read.
_UNREADABLE = (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError)


def _load(data: bytes, *, data_only: bool) -> Any:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)


def _open(data: bytes, filename: str) -> Any:
    if data.startswith(OLE_MAGIC):
        raise InputError(
            "this is a legacy .xls workbook or a password-protected one: save it as .xlsx "
            "without a password (or as CSV)",
            where=filename,
        )
    if not data.startswith(ZIP_MAGIC):
        hint = (
            " (it looks like CSV text: name it .csv)"
            if data[:200].isascii() or data.startswith(b"\xef\xbb\xbf")
            else ""
        )
        raise InputError(
            f"not an XLSX workbook: an .xlsx file is a zip archive{hint}", where=filename
        )
    try:
        return _load(data, data_only=True)
    except _UNREADABLE as exc:
        raise InputError(
            f"not a readable XLSX workbook (damaged, or not saved by a spreadsheet program): {exc}",
            where=filename,
        ) from None


def _is_formula(value: Any) -> bool:
    """A cell of a workbook read without its saved values that holds a formula."""
    if isinstance(value, str):
        return value.startswith("=")
    return hasattr(value, "text") and hasattr(value, "ref")  # an array formula


class Workbook:
    """An XLSX upload, read once (see the module); close it, or use it in a ``with`` block."""

    def __init__(self, data: bytes, filename: str) -> None:
        self.filename = filename
        self._data = data
        self._values = _open(data, filename)
        self._formulas: Any = None
        #: The names of the workbook's sheets, in order.
        self.sheet_names: list[str] = list(self._values.sheetnames)

    def __enter__(self) -> Workbook:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close what openpyxl holds open of the upload."""
        self._values.close()
        if self._formulas is not None:
            self._formulas.close()

    def submission_sheet(self, sheet: str | None) -> str:
        """The sheet that holds the submission.

        ``sheet`` if given; else the one sheet whose first rows name the template's columns.
        Several such sheets (an old copy beside this year's) are refused, naming them: the
        caller must choose.
        """
        try:
            return self._submission_sheet(sheet)
        except _UNREADABLE as exc:
            raise InputError(f"cannot read the workbook: {exc}", where=self.filename) from None

    def _submission_sheet(self, sheet: str | None) -> str:
        names = [n for n in self.sheet_names if n != INDICATOR_SHEET]
        if sheet is not None:
            if sheet not in names:
                listed = ", ".join(repr(n) for n in names) or "none"
                raise InputError(
                    f"the workbook has no submission sheet {sheet!r}; its sheets: {listed}",
                    where=self.filename,
                )
            return sheet
        if not names:
            raise InputError(
                f"the workbook has no submission sheet (only {INDICATOR_SHEET!r}): add the sheet "
                f"'submission' of the template, one row per capability",
                where=self.filename,
            )
        candidates = []
        for name in names:
            head = [
                [cell_text(v) for v in r]
                for _i, r in zip(
                    range(HEADER_SEARCH),
                    self._values[name].iter_rows(values_only=True),
                    strict=False,
                )
            ]
            if header_index(head) is not None:
                candidates.append(name)
        if len(candidates) > 1:
            listed = ", ".join(repr(n) for n in candidates)
            raise InputError(
                f"the workbook has {len(candidates)} sheets that look like a submission "
                f"({listed}): choose the one to read with --sheet NAME (in the API, the form field "
                "'sheet'), or delete the others",
                where=self.filename,
            )
        if candidates:
            return str(candidates[0])
        return "submission" if "submission" in names else str(names[0])

    def rows(self, name: str) -> Iterator[list[Any]]:
        """The rows of a sheet as saved.

        A formula cell with no saved value is refused on its cell (see the module).
        """
        try:
            yield from self._rows(name)
        except _UNREADABLE as exc:
            raise InputError(f"cannot read the workbook: {exc}", where=self.filename) from None

    def _rows(self, name: str) -> Iterator[list[Any]]:
        if self._formulas is None:
            self._formulas = _load(self._data, data_only=False)
        pairs = zip_longest(
            self._values[name].iter_rows(),
            self._formulas[name].iter_rows(values_only=True),
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
                        f"sheet {name!r}, cell {column_letter(index)}{number}: the formula "
                        f"{text} has no saved value (the workbook was written by a program that "
                        "does not calculate, or never recalculated): open the workbook in a "
                        "spreadsheet program and save it, or paste the values instead of the "
                        "formulas",
                        where=self.filename,
                    )
            yield list(values)
