r"""Validating several submission files at once, as a coordinating body receives them.

:func:`submission_files` expands folders into the submission files they hold;
:func:`validate_files` validates each file (a file that cannot be read is an entry with its error,
not the end of the batch); :func:`summary_table` is the table of file, country, year, violations
and warnings; :func:`check_size` is the one size limit of the CLI and the API, said in MB.

>>> from mnr_graph.core import resources
>>> example = resources.path("examples", "XC-2024-valid.csv")
>>> entries = validate_files([(example.name, example.read_bytes()), ("x.csv", b"a,b\n1,2\n")])
>>> print(summary_table(entries))  # doctest: +NORMALIZE_WHITESPACE +ELLIPSIS
file               country  year  violations  warnings  result
XC-2024-valid.csv  XC       2024  0           0         conforms
x.csv              -        -     -           -         unusable: header: missing column(s): ...
<BLANKLINE>
2 files: 1 conforms, 0 do not conform, 1 unusable
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mnr_graph.core.errors import InputError, PayloadTooLargeError, error_body
from mnr_graph.submissions.report import ValidationReport

__all__ = [
    "BatchEntry",
    "check_size",
    "megabytes",
    "submission_files",
    "summary_table",
    "validate_files",
]

#: The file name endings a folder's submission files have.
SUBMISSION_SUFFIXES = (".ttl", ".nt", ".jsonld", ".json", ".csv", ".xlsx", ".xlsm")
#: How much of an unusable file's message the summary table shows.
_ERROR_SHOWN = 60


@dataclass(frozen=True)
class BatchEntry:
    """One file of a batch: its report, or the error that made it unusable."""

    filename: str
    report: ValidationReport | None
    error: InputError | None = None

    @property
    def status(self) -> str:
        """``conforms``, ``does not conform`` or ``unusable``."""
        if self.report is None:
            return "unusable"
        return "conforms" if self.report.conforms else "does not conform"

    def to_json(self) -> dict[str, object]:
        """The entry as the API gives it: the summary's columns, and the report or the error."""
        report = self.report
        return {
            "filename": self.filename,
            "status": self.status,
            "country": report.country if report else None,
            "year": report.year if report else None,
            "violations": report.count("Violation") if report else None,
            "warnings": report.count("Warning") if report else None,
            "report": report.to_json() if report else None,
            "error": error_body(self.error) if self.error else None,
        }


def megabytes(size: int) -> str:
    """A size in bytes as MB, as the limit is told (``10 MB``, ``30.5 MB``; under 1 MB in bytes).

    >>> megabytes(10 * 1024 * 1024), megabytes(32_000_000), megabytes(1000)
    ('10 MB', '30.5 MB', '1000 bytes')
    """
    if size < 1024 * 1024:
        return f"{size} bytes"
    value = size / (1024 * 1024)
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"


def check_size(size: int, limit: int, *, where: str) -> None:
    """Refuse a file larger than ``limit`` bytes (413).

    The error says both sizes in MB and the setting an operator raises it with; the same check and
    words on the CLI and the API.
    """
    if size > limit:
        # a reader that stops at limit + 1 bytes knows only that the file is larger
        said = "larger" if size == limit + 1 else f"{megabytes(size)}, larger"
        raise PayloadTooLargeError(
            f"the file is {said} than the limit of {megabytes(limit)}: a "
            "submission is one row per capability; remove what is not the table (images, other "
            "sheets) or split it (the limit is the setting MNR_GRAPH_MAX_UPLOAD_BYTES)",
            where=where,
        )


def submission_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, a folder giving the submission files in it (by their ending), sorted.

    A folder without any is an error naming it.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.iterdir()
                if p.is_file()
                and p.suffix.lower() in SUBMISSION_SUFFIXES
                and not p.name.startswith((".", "~$"))  # hidden files, spreadsheet lock files
            )
            if not inside:
                raise InputError(
                    f"no submission files in this folder (files ending "
                    f"{', '.join(SUBMISSION_SUFFIXES)})",
                    where=str(path),
                )
            found.extend(inside)
        else:
            found.append(path)
    return found


def validate_files(
    files: Iterable[tuple[str, bytes]], *, limit: int | None = None
) -> list[BatchEntry]:
    """Validate each ``(filename, data)``; an unusable file gives an entry with its error."""
    from mnr_graph.submissions.validation import validate_bytes

    entries: list[BatchEntry] = []
    for filename, data in files:
        try:
            if limit is not None:
                check_size(len(data), limit, where=filename)
            entries.append(BatchEntry(filename, validate_bytes(data, filename=filename)))
        except InputError as exc:
            entries.append(BatchEntry(filename, None, exc))
    return entries


def summary_table(entries: Sequence[BatchEntry]) -> str:
    """The table of a batch: file, country, year, violations, warnings and the result."""
    header = ["file", "country", "year", "violations", "warnings", "result"]
    rows = [header]
    for entry in entries:
        report = entry.report
        if report is None:
            message = entry.error.message if entry.error else ""
            if len(message) > _ERROR_SHOWN:
                message = message[: _ERROR_SHOWN - 3] + "..."
            rows.append([entry.filename, "-", "-", "-", "-", f"unusable: {message}"])
            continue
        rows.append(
            [
                entry.filename,
                report.country or "-",
                report.year or "-",
                str(report.count("Violation")),
                str(report.count("Warning")),
                entry.status,
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]
    counts = {
        s: sum(1 for e in entries if e.status == s)
        for s in ("conforms", "does not conform", "unusable")
    }
    lines.append("")
    lines.append(
        f"{len(entries)} files: {counts['conforms']} conforms, {counts['does not conform']} do "
        f"not conform, {counts['unusable']} unusable"
    )
    return "\n".join(lines)
