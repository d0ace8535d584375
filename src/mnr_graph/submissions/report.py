r"""The validation report: each SHACL result with where it is, and the report as JSON, text, RDF.

A result of CSV or XLSX input names its row, column and cell (and sheet); one of RDF input its
node, a blank node told by its type and where it hangs. The text report groups the results by
severity, each with where, the problem, the value and the fix.

>>> result = ValidationResult("Violation", "S05", "bad phase: use P01 to P04", "urn:a",
...                           None, "P9", row=4, column="maturity_phase", cell="D4")
>>> print("\n".join(result_lines(result)))
  [S05] row 4, column maturity_phase, cell D4
      problem: bad phase
      value:   'P9'
      fix:     use P01 to P04
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from mnr_graph.core.namespaces import DCTERMS, MNR, MNRID, RDF, SH
from mnr_graph.framework.countries import suggest_countries
from mnr_graph.submissions.shapes import shape_ids, shape_path, top_shape_id
from mnr_graph.submissions.table import CellMap
from mnr_graph.submissions.values import capability_names, date_suggestion, suggest_capabilities

__all__ = [
    "COLUMN_GROUP",
    "ValidationReport",
    "ValidationResult",
    "build_report",
    "column_lines",
    "result_lines",
]

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with its row, column and cell when the input was a table."""

    severity: str
    shape: str
    message: str
    focus: str
    path: str | None
    value: str | None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    #: The workbook sheet of the row and cell (None for CSV and RDF input).
    sheet: str | None = None
    #: For a blank node of RDF input: what it is and where it hangs (blank node ids mean nothing).
    node: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON-ready dict (the keys of the contract; ``node`` is for the text)."""
        out = dict(self.__dict__)
        del out["node"]
        return out

    def sort_key(self) -> tuple[int, int, str, str, str]:
        """Severity, then row, column, shape and node: the order of the report."""
        return (
            _SEVERITY_ORDER.get(self.severity, 3),
            self.row if self.row is not None else 1 << 30,
            self.column or "",
            self.shape,
            self.focus,
        )


@dataclass
class ValidationReport:
    """The outcome of validating one submission."""

    filename: str
    results: list[ValidationResult]
    report_graph: Graph = field(repr=False)
    #: The workbook sheet the submission was read from (None for CSV and RDF input).
    sheet: str | None = None
    #: The submission's country code and reporting year as the file gives them (None if absent).
    country: str | None = None
    year: str | None = None
    #: What the reader of a table left out and why (footnotes, the template's example rows).
    notes: list[str] = field(default_factory=list)

    @property
    def has_violations(self) -> bool:
        """True when at least one result is a violation (the submission cannot be stored)."""
        return any(r.severity == "Violation" for r in self.results)

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings and infos are allowed)."""
        return not self.has_violations

    def count(self, severity: str) -> int:
        """How many results have this severity."""
        return sum(1 for r in self.results if r.severity == severity)

    def to_json(self) -> dict[str, Any]:
        """``{"conforms": bool, "sheet", "results": [...]}``.

        Row, column and sheet are null for RDF input (and sheet for CSV).
        """
        return {
            "conforms": self.conforms,
            "sheet": self.sheet,
            "notes": list(self.notes),
            "results": [r.to_json() for r in self.results],
        }

    def to_turtle(self) -> str:
        """The SHACL validation report, as Turtle."""
        return self.report_graph.serialize(format="turtle")

    def to_text(self) -> str:
        """A report for people: grouped by severity, each with where, what, the value and a fix."""
        counts = ", ".join(
            f"{self.count(s)} {s.lower()}{'s' if self.count(s) != 1 else ''}"
            for s in _SEVERITY_ORDER
        )
        verdict = "conforms" if self.conforms else "does NOT conform"
        sheet = f" (sheet {self.sheet!r})" if self.sheet else ""
        lines = [f"{self.filename}{sheet}: {verdict} ({counts})"]
        lines.extend(f"note: {note}" for note in self.notes)
        for severity in _SEVERITY_ORDER:
            group = [r for r in self.results if r.severity == severity]
            if not group:
                continue
            lines.append("")
            lines.append(f"{severity}s ({len(group)}):")
            for results in _column_groups(group):
                if len(results) >= COLUMN_GROUP:
                    lines.extend(column_lines(results))
                else:
                    for r in results:
                        lines.extend(result_lines(r))
        return "\n".join(lines) + "\n"


#: From how many rows on one shape's results in one column are said once, with the rows listed.
COLUMN_GROUP = 3
_HINT = " (did you mean "


def _column_groups(results: list[ValidationResult]) -> list[list[ValidationResult]]:
    """The results in the report's order, those of one shape and column of a table together.

    They are grouped whatever their did-you-mean, at the place of the first.
    """
    groups: dict[tuple[str, str, str | None, str], list[ValidationResult]] = {}
    for r in results:
        if r.row is None or r.column is None:
            key: tuple[str, str, str | None, str] = (r.shape, r.focus, r.sheet, r.message)
        else:
            key = (r.shape, r.column, r.sheet, r.message.partition(_HINT)[0])
        groups.setdefault(key, []).append(r)
    return list(groups.values())


def column_lines(results: list[ValidationResult]) -> list[str]:
    r"""Results of one shape in one column, said once.

    The rows, the problem, the values (with what each may mean) and the fix.

    >>> rows = [ValidationResult("Violation", "S31", "bad date: use YYYY-MM-DD (did you mean "
    ...         f"2024-03-0{n}?)", "urn:a", None, f"0{n}/03/2024", row=n, column="source_date",
    ...         cell=f"J{n}") for n in (2, 3)]
    >>> print("\n".join(column_lines(rows)))
      [S31] column source_date, 2 rows: 2, 3 (cells J2, J3)
          problem: bad date
          values:  row 2 '02/03/2024' -> 2024-03-02; row 3 '03/03/2024' -> 2024-03-03
          fix:     use YYYY-MM-DD
    """
    first = results[0]
    sheet = f"sheet {first.sheet!r}, " if first.sheet else ""
    rows = ", ".join(str(r.row) for r in results)
    cells = ", ".join(r.cell for r in results if r.cell)
    lines = [f"  [{first.shape}] {sheet}column {first.column}, {len(results)} rows: {rows}"]
    if cells:
        lines[0] += f" (cells {cells})"
    message = first.message.partition(_HINT)[0]
    problem, _, fix = message.partition(": ")
    lines.append(f"      problem: {problem if fix else message}")
    values = []
    for r in results:
        if r.value is None:
            continue
        hint = r.message.partition(_HINT)[2].removesuffix("?)")
        values.append(f"row {r.row} {r.value!r}" + (f" -> {hint}" if hint else ""))
    if values:
        shown = "; ".join(values[:_VALUES_SHOWN])
        more = len(values) - _VALUES_SHOWN
        lines.append(f"      values:  {shown}" + (f"; and {more} more" if more > 0 else ""))
    if fix:
        lines.append(f"      fix:     {fix}")
    return lines


#: How many of a column's wrong values the text report shows.
_VALUES_SHOWN = 8


def result_lines(r: ValidationResult) -> list[str]:
    """A result as the text report gives it: where, the problem, the value and the fix."""
    if r.row is not None or r.column is not None:
        where = ", ".join(
            part
            for part in (
                f"sheet {r.sheet!r}" if r.sheet else "",
                f"row {r.row}" if r.row is not None else "",
                f"column {r.column}" if r.column else "",
                f"cell {r.cell}" if r.cell else "",
            )
            if part
        )
    else:
        where = r.node or f"node <{r.focus}>"
        where += f", property <{r.path}>" if r.path else ""
    problem, _, fix = r.message.partition(": ")
    lines = [f"  [{r.shape}] {where}"]
    lines.append(f"      problem: {problem if fix else r.message}")
    if r.value is not None:
        lines.append(f"      value:   {r.value!r}")
    if fix:
        lines.append(f"      fix:     {fix}")
    return lines


def _term_text(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def _shacl_results(report: Graph) -> Iterable[Node]:
    """The results of the report itself (not the nested ``sh:detail`` results of ``sh:node``)."""
    for top in report.subjects(RDF.type, SH.ValidationReport):
        yield from report.objects(top, SH.result)


def _describe(node: Node, data: Graph) -> str:
    """A blank node, told so a person can find it: its type, capability and where it hangs."""
    parts = []
    for cls in sorted(data.objects(node, RDF.type), key=str):
        parts.append(f"a {_short(cls)}")
    for capability in data.objects(node, MNR.assessedCapability):
        parts.append(f"capability {_short(capability)}")
    for title in data.objects(node, DCTERMS.title):
        parts.append(f"title {str(title)!r}")
    text = "blank node [" + ", ".join(parts) + "]"
    parent = next(iter(data.subject_predicates(node)), None)
    if parent is not None:
        above = parent[0]
        where = _describe(above, data) if isinstance(above, BNode) else f"<{above}>"
        text += f" ({_short(parent[1])} of {where})"
    return text


def _short(term: Node) -> str:
    text = str(term)
    for prefix, namespace in (("mnr:", MNR), ("mnrid:", MNRID), ("dcterms:", DCTERMS)):
        if text.startswith(str(namespace)):
            return prefix + text[len(str(namespace)) :]
    return f"<{text}>" if isinstance(term, URIRef) else text


def build_report(
    report: Graph, *, filename: str, cells: CellMap | None, data: Graph
) -> ValidationReport:
    """The report of a pySHACL report graph (with the Python rules' results added) on ``data``.

    Each result is placed by ``cells`` (CSV or XLSX input) or told by its node (RDF input).
    """
    ids = shape_ids()
    results: list[ValidationResult] = []
    for node in _shacl_results(report):
        shape = report.value(node, SH.sourceShape)
        severity = report.value(node, SH.resultSeverity)
        focus = report.value(node, SH.focusNode)
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        message = report.value(node, SH.resultMessage)
        ident = ids.get(shape, str(shape)) if shape is not None else "?"
        if shape is not None and ident == str(shape):  # a nested shape: report it as its top shape
            ident = top_shape_id(shape) or ident
        sev = str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"
        row = column = cell = sheet = None
        value_text = _term_text(value)
        if cells is not None and focus is not None:
            where = None
            if path is None and shape is not None:  # a node shape: the column of its first path
                where = cells.locate(focus, shape_path(shape), None)
            if where is None:
                where = cells.locate(focus, path if isinstance(path, URIRef) else None, value)
            if value is not None and value == focus:  # a node shape: the row says it all
                value_text = None
            if where is not None:
                row, column, cell = where.row, where.column, where.cell
                if cell and "!" in cell:  # a row of another sheet (indicators!B5)
                    sheet = cell.split("!", 1)[0]
                elif row is not None:
                    sheet = cells.sheet
                # the cell's text; for a count (S01, S02: no value), the cell that differs
                if where.text is not None and value != focus:
                    value_text = where.text
                elif isinstance(value, URIRef) and str(value).startswith(str(MNRID)):
                    value_text = str(value)[len(str(MNRID)) :]
        text = str(message) if message is not None else ""
        if value_text:
            text += _did_you_mean(ident, column, value_text)
        results.append(
            ValidationResult(
                severity=sev,
                shape=ident,
                message=text,
                focus=str(focus),
                path=str(path) if isinstance(path, URIRef) else None,
                value=value_text,
                row=row,
                column=column,
                cell=cell,
                sheet=sheet,
                node=_describe(focus, data) if cells is None and isinstance(focus, BNode) else None,
            )
        )
    # one shape with two constraints failing on one value (datatype and pattern) is said once
    results = list(dict.fromkeys(results))
    results.sort(key=ValidationResult.sort_key)
    conforms = not any(r.severity == "Violation" for r in results)
    top = next(iter(report.subjects(RDF.type, SH.ValidationReport)))
    report.set((top, SH.conforms, Literal(conforms)))
    report.bind("sh", SH)
    submission = next(iter(sorted(data.subjects(RDF.type, MNR.Submission), key=str)), None)
    country = year = None
    if submission is not None:
        place = data.value(submission, MNR.country)
        code = data.value(place, MNR.countryCode) if place is not None else None
        country = str(code) if code is not None else None
        given = data.value(submission, MNR.reportingYear)
        year = str(given) if given is not None else None
    return ValidationReport(
        filename=filename,
        results=results,
        report_graph=report,
        sheet=cells.sheet if cells is not None else None,
        country=country,
        year=year,
        notes=list(cells.notes) if cells is not None else [],
    )


#: The shapes about a country code, whose results suggest the country a name or code is close to.
_COUNTRY_SHAPES = ("S12", "S13")
#: The shape of a capability that is none of the framework's.
_CAPABILITY_SHAPES = ("S15",)
#: The shape of a date that is no YYYY-MM-DD date.
_DATE_SHAPES = ("S31",)


def _did_you_mean(shape: str, column: str | None, value: str) -> str:
    """`` (did you mean France, FR?)`` for a value close to a known one, or empty.

    For a country written close to a known one's name or code, that country; the capabilities a name
    or abbreviation may mean; the date a day-first date is.
    """
    if shape in _COUNTRY_SHAPES:
        countries = suggest_countries(value)
        labels = [c.label for c in countries]
    elif shape in _CAPABILITY_SHAPES or (column == "capability" and shape == "S14"):
        names = capability_names()
        labels = [f"{n} {names[n].get('en', '')}".strip() for n in suggest_capabilities(value)]
    elif shape in _DATE_SHAPES:
        suggestion = date_suggestion(value)
        labels = [suggestion] if suggestion else []
    else:
        labels = []
    return f" (did you mean {' or '.join(labels)}?)" if labels else ""
