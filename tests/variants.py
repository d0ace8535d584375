"""Versions of the shipped valid CSV example, each with its own content.

For tests that store several versions of one country's submission.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

EXAMPLE = Path(__file__).parents[1] / "examples" / "XC-2024-valid.csv"


def variant(n: int, *, country: str = "XC") -> bytes:
    """The CSV example with its own content (revision ``n`` in the first evidence text)."""
    rows = list(csv.reader(io.StringIO(EXAMPLE.read_text())))
    rows[1][5] = f"{rows[1][5]} (revision {n})"
    for row in rows[1:]:
        row[0] = country
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()
