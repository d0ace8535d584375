"""A table of a CSV or XLSX submission as RDF, with the cell of every node and value.

One ``mnr:Submission`` (``data/submission/<country>/<year>/v<N>``), one ``mnr:Assessment`` per row
and capability, its ``mnr:SourceDocument`` (and further ones, on rows that repeat a capability
with only the source columns), and one ``mnr:IndicatorObservation`` per row of the indicators
sheet. Every node and value is recorded in the table's
:class:`~mnr_graph.submissions.table.CellMap`.

>>> from mnr_graph.core import resources
>>> from mnr_graph.submissions.tabular import read_table
>>> file = resources.files("examples", "*-valid.csv")[0]
>>> converted = to_graph(read_table(file.read_bytes(), filename=file.name, fmt="csv"))
>>> str(converted.submission).rsplit("/", 4)[1:]
['submission', 'XC', '2024', 'v1']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import DATA, DCTERMS, MNR, MNRID, QB, RDF, XSD
from mnr_graph.submissions.literals import ill_typed_literals_expected
from mnr_graph.submissions.table import COLUMNS, CellMap, Location, Row, Table, file_name
from mnr_graph.submissions.values import capability_notation, coded, language_tag

__all__ = ["Converted", "to_graph"]


@dataclass(frozen=True)
class Converted:
    """The RDF made from a table, and where each node and value came from."""

    graph: Graph
    cells: CellMap
    submission: URIRef | None


def to_graph(table: Table, *, version: int = 1) -> Converted:
    """Convert a table into a submission graph, with the cell of every node and value."""
    with ill_typed_literals_expected():  # the shapes report an ill-typed date, not a log line
        return _to_graph(table, version)


def _to_graph(table: Table, version: int) -> Converted:
    graph = Graph()
    cells = CellMap(sheet=table.sheet, notes=list(table.notes))
    if not table.rows:
        raise InputError(
            "no data rows: add one row per capability under the header (rows whose first cell "
            "starts with # are comments)",
            where=table.filename,
        )

    def loc(row: Row, column: str, text: str | None = None) -> Location:
        return Location(row.number, column, row.cells.get(column), text)

    first = table.rows[0]
    code = next((r.values["country_code"] for r in table.rows if r.values["country_code"]), "")
    year = next((r.values["reporting_year"] for r in table.rows if r.values["reporting_year"]), "")
    code_part, year_part = quote(code or "unknown", safe=""), quote(year or "unknown", safe="")
    submission = DATA[f"submission/{code_part}/{year_part}/v{version}"]
    graph.add((submission, RDF.type, MNR.Submission))
    graph.add((submission, MNR.sourceFile, Literal(file_name(table.filename))))
    cells.add(submission, None, None, Location(first.number, None, None))
    # a second code or year (S01, S02) is reported on the first row that differs from the first
    for column, prop, given in (
        ("country_code", MNR.country, code),
        ("reporting_year", MNR.reportingYear, year),
    ):
        other = next((r for r in table.rows if r.values[column] not in ("", given)), None)
        if other is not None:
            cells.add(submission, prop, None, loc(other, column, other.values[column]))
        cells.add(submission, prop, None, loc(first, column))
    cells.add(submission, MNR.hasAssessment, None, Location(None, "capability", None))
    seen_capabilities: set[str] = set()
    for row in table.rows:
        v = row.values
        further = _further_source(row, seen_capabilities)
        if further is not None:  # a further source document of an assessment above
            source = URIRef(f"{submission}/{further}/source-{row.number}")
            _add_source(graph, cells, URIRef(f"{submission}/{further}"), source, row)
            continue
        if v["country_code"]:
            country = DATA[f"country/{quote(v['country_code'], safe='')}"]
            code_literal = Literal(v["country_code"])
            graph.add((country, RDF.type, MNR.Country))
            graph.add((country, MNR.countryCode, code_literal))
            graph.add((submission, MNR.country, country))
            where = loc(row, "country_code", v["country_code"])
            cells.add(submission, MNR.country, country, where)
            cells.add(country, MNR.countryCode, code_literal, where)
            cells.add(country, MNR.countryCode, None, where)
            cells.add(country, None, None, where)
        if v["reporting_year"]:
            year_literal = Literal(v["reporting_year"], datatype=XSD.gYear, normalize=False)
            graph.add((submission, MNR.reportingYear, year_literal))
            cells.add(
                submission,
                MNR.reportingYear,
                year_literal,
                loc(row, "reporting_year", v["reporting_year"]),
            )
        # the assessment
        capability: Node | None = None
        notation = capability_notation(v["capability"])
        if notation:
            capability = MNRID[notation]
            name = notation if notation not in seen_capabilities else f"{notation}-row-{row.number}"
            seen_capabilities.add(notation)
        else:
            name = f"row-{row.number}"
            if v["capability"]:
                capability = Literal(v["capability"])
        assessment = URIRef(f"{submission}/{name}")
        graph.add((assessment, RDF.type, MNR.Assessment))
        graph.add((submission, MNR.hasAssessment, assessment))
        cells.add(
            submission, MNR.hasAssessment, assessment, loc(row, "capability", v["capability"])
        )
        cells.add(assessment, None, None, loc(row, "capability"))
        if capability is not None:
            graph.add((assessment, MNR.assessedCapability, capability))
            cells.add(
                submission, MNR.hasAssessment, capability, loc(row, "capability", v["capability"])
            )
        cells.add(
            assessment,
            MNR.assessedCapability,
            None,
            loc(row, "capability", v["capability"] or None),
        )
        for column, prop in (
            ("maturity_phase", MNR.maturityPhase),
            ("implementation_status", MNR.implementationStatus),
            ("assessor_type", MNR.assessorType),
        ):
            cells.add(assessment, prop, None, loc(row, column, v[column] or None))
            if v[column]:
                value = coded(column, v[column])
                graph.add((assessment, prop, value))
                cells.add(assessment, prop, value, loc(row, column, v[column]))
        cells.add(assessment, MNR.evidence, None, loc(row, "evidence", v["evidence"] or None))
        evidence = _evidence(v["evidence"], v["evidence_language"])
        if evidence is not None:
            graph.add((assessment, MNR.evidence, evidence))
            if evidence.language:
                where = loc(row, "evidence", v["evidence"])
            else:
                where = loc(row, "evidence_language", v["evidence_language"])
            cells.add(assessment, MNR.evidence, evidence, where)
        # its source document
        if v["source_title"] or v["source_url"] or v["source_date"]:
            _add_source(graph, cells, assessment, URIRef(f"{assessment}/source"), row)
    country_node = DATA[f"country/{quote(code, safe='')}"] if code else None
    for row in table.indicators:
        _add_observation(graph, cells, submission, country_node, row)
    return Converted(graph=graph, cells=cells, submission=submission)


_SOURCE_COLUMNS = ("source_title", "source_url", "source_date")


def _further_source(row: Row, seen: set[str]) -> str | None:
    """The notation of the capability whose assessment a row adds a source document to.

    The row repeats a capability given on a row above and fills only source_title, source_url
    and source_date (everything else empty).
    """
    v = row.values
    notation = capability_notation(v["capability"])
    if notation is None or notation not in seen:
        return None
    others = [c for c in COLUMNS if c != "capability" and c not in _SOURCE_COLUMNS]
    if any(v[c] for c in others) or not any(v[c] for c in _SOURCE_COLUMNS):
        return None
    return notation


def _add_source(graph: Graph, cells: CellMap, assessment: URIRef, source: URIRef, row: Row) -> None:
    """A ``mnr:SourceDocument`` of an assessment from the source columns of a row."""
    v = row.values
    graph.add((source, RDF.type, MNR.SourceDocument))
    graph.add((assessment, MNR.hasSourceDocument, source))
    cells.add(
        source, None, None, Location(row.number, "source_title", row.cells.get("source_title"))
    )
    for column, prop, datatype in (
        ("source_title", DCTERMS.title, None),
        ("source_url", MNR.url, XSD.anyURI),
        ("source_date", DCTERMS.date, XSD.date),
    ):
        where = Location(row.number, column, row.cells.get(column), v[column] or None)
        cells.add(source, prop, None, where)
        if v[column]:
            literal = Literal(v[column], datatype=datatype, normalize=False)
            graph.add((source, prop, literal))
            cells.add(source, prop, literal, where)


def _add_observation(
    graph: Graph, cells: CellMap, submission: URIRef, country: URIRef | None, row: Row
) -> None:
    """One row of the ``indicators`` sheet as a ``mnr:IndicatorObservation`` (qb:Observation)."""
    v = row.values

    def loc(column: str, text: str | None = None) -> Location:
        return Location(row.number, column, row.cells.get(column), text)

    observation = URIRef(f"{submission}/observation/{row.number}")
    graph.add((observation, RDF.type, MNR.IndicatorObservation))
    graph.add((observation, QB.dataSet, submission))
    graph.add((submission, MNR.hasObservation, observation))
    cells.add(observation, None, None, loc("indicator"))
    cells.add(submission, MNR.hasObservation, observation, loc("indicator"))
    if country is not None:
        graph.add((observation, MNR.refArea, country))
    literals: list[tuple[str, URIRef, Literal | None]] = [
        ("indicator", MNR.indicator, Literal(v["indicator"]) if v["indicator"] else None),
        ("value", MNR.observedValue, _observed(v["value"])),
        ("unit", MNR.unit, Literal(v["unit"]) if v["unit"] else None),
        (
            "year",
            MNR.refYear,
            Literal(v["year"], datatype=XSD.gYear, normalize=False) if v["year"] else None,
        ),
    ]
    for column, prop, literal in literals:
        cells.add(observation, prop, None, loc(column, v[column] or None))
        if literal is not None:
            graph.add((observation, prop, literal))
            cells.add(observation, prop, literal, loc(column, v[column]))
    cells.add(observation, MNR.hasSourceDocument, None, loc("source_title"))
    if v["source_title"] or v["source_url"] or v["source_date"]:
        source = URIRef(f"{observation}/source")
        graph.add((source, RDF.type, MNR.SourceDocument))
        graph.add((observation, MNR.hasSourceDocument, source))
        cells.add(source, None, None, loc("source_title"))
        for column, prop, datatype in (
            ("source_title", DCTERMS.title, None),
            ("source_url", MNR.url, XSD.anyURI),
            ("source_date", DCTERMS.date, XSD.date),
        ):
            cells.add(source, prop, None, loc(column, v[column] or None))
            if v[column]:
                literal = Literal(v[column], datatype=datatype, normalize=False)
                graph.add((source, prop, literal))
                cells.add(source, prop, literal, loc(column, v[column]))


def _observed(text: str) -> Literal | None:
    """A number as xsd:decimal (a decimal comma too), anything else as the category's text."""
    if not text:
        return None
    number = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    if re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", number):
        return Literal(number, datatype=XSD.decimal)
    return Literal(text)


def _evidence(text: str, language: str) -> Literal | None:
    if not text:
        return None
    tag = language_tag(language)
    if tag is None:
        return Literal(text)
    return Literal(text, lang=tag)
