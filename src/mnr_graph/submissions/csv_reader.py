r"""Reading a CSV upload: its encoding, its delimiter, and its records.

UTF-8 (with or without a byte-order mark) or UTF-16 with one; else Windows-1252, as spreadsheet
programs often save CSV. The delimiter is the one that makes a header of the template's columns
appear in the first rows (Excel's ``sep=;`` first line names it). A zip archive or a legacy
workbook is refused, saying what it is.

>>> list(csv_records(b"sep=;\ncountry_code;reporting_year\nXA;2024\n", "x.csv"))
[['country_code', 'reporting_year'], ['XA', '2024']]
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterator

from mnr_graph.core.errors import InputError
from mnr_graph.submissions.formats import OLE_MAGIC, ZIP_MAGIC
from mnr_graph.submissions.table import HEADER_SEARCH, header_index

__all__ = ["CELL_LIMIT", "csv_records"]

#: The longest cell read, in characters (the csv module's default field limit; checked here too,
#: since another library in the process may have raised that process-wide limit).
CELL_LIMIT = 131_072

#: Excel writes this first line to name the delimiter of a CSV file ("sep=;").
_SEP_LINE = re.compile(r"^\ufeff?sep=(.)\s*$", re.IGNORECASE)


def _decode(data: bytes, filename: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Spreadsheet programs often save CSV in Windows-1252; latin-1 never fails.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def csv_records(data: bytes, filename: str) -> Iterator[list[str]]:
    """The records of a CSV file (a first ``sep=X`` line names the delimiter)."""
    if data.startswith(ZIP_MAGIC):
        raise InputError(
            "this is a zip archive (an XLSX workbook?), not CSV text: name it .xlsx, or save it "
            "from the spreadsheet program as CSV",
            where=filename,
        )
    if data.startswith(OLE_MAGIC):
        raise InputError(
            "this is a legacy .xls or a password-protected workbook, not CSV text: save it as "
            "CSV (or as .xlsx without a password)",
            where=filename,
        )
    text = _decode(data, filename)
    if "\x00" in text:
        raise InputError("this is not a CSV text file (it holds NUL bytes)", where=filename)
    lines = text.splitlines()
    first_line = lines[0] if lines else ""
    skipped = 0
    delimiter: str | None = None
    sep = _SEP_LINE.match(first_line)
    if sep:
        delimiter = sep.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
        skipped = 1
    elif first_line:
        delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter or ",")
    try:
        for record in reader:
            if any(len(cell) > CELL_LIMIT for cell in record):
                raise csv.Error("field larger than field limit")
            yield record
    except csv.Error as exc:
        line = reader.line_num + skipped
        if "field larger than field limit" in str(exc):
            raise InputError(
                f"line {line}: a cell holds more than {CELL_LIMIT:,} characters: a cell of a "
                "submission holds a value or a short text (a spreadsheet cell holds at most "
                "32,767); cite a long document in source_title and source_url instead",
                where=filename,
            ) from None
        raise InputError(f"line {line}: CSV error: {exc}", where=filename) from None


def _delimiter(text: str) -> str:
    """The delimiter that makes a header of the template's columns appear in the first rows.

    A title row above the header may use another character; else the most frequent one.
    """
    head = "\n".join(text.splitlines()[:HEADER_SEARCH])
    candidates = ",;\t|"
    for candidate in candidates:
        with contextlib.suppress(csv.Error):
            records = list(csv.reader(io.StringIO(head), delimiter=candidate))
            if header_index(records) is not None:
                return candidate
    first_line = head.split("\n", 1)[0]
    best = max(candidates, key=first_line.count)
    return best if first_line.count(best) else ","
