"""Validate a country submission (Turtle, JSON-LD, CSV or XLSX) against the submission shapes.

The shapes are ``shapes/submission.ttl`` and the generated ``shapes/iso3166.ttl``. The shipped
framework graph is the context they need (capabilities, the maturity scheme, statuses, assessor
types, the vocabulary's avoided terms). SHACL Core shapes run in pySHACL on the data plus the
small part of the shipped graph they look at; the SPARQL-based shapes are evaluated by equivalent
Python rules (:mod:`mnr_graph.submissions.rules`) and reported as results of the same shapes.

Every result of a CSV or XLSX input is mapped back to its row and column (and cell). The input
is read by :mod:`~mnr_graph.submissions.formats`, :mod:`~mnr_graph.submissions.rdf_input` and
:mod:`~mnr_graph.submissions.tabular`; the shapes are those of
:mod:`~mnr_graph.submissions.shapes`; the report is :mod:`~mnr_graph.submissions.report`.

>>> from mnr_graph.core import resources
>>> report = validate_bytes(resources.path("examples", "XA-2024-valid.ttl").read_bytes(),
...                         filename="XA-2024-valid.ttl")
>>> (report.conforms, report.has_violations)
(True, False)
>>> report.to_json()["results"]
[]
"""

from __future__ import annotations

from pathlib import PurePath

from rdflib import BNode, Graph, Literal
from rdflib.term import Node

from mnr_graph.core.errors import InputError, UnsupportedMediaTypeError
from mnr_graph.core.namespaces import MNR, RDF, SH
from mnr_graph.submissions import rules
from mnr_graph.submissions.conversion import to_graph
from mnr_graph.submissions.formats import OCTET_STREAM, input_format, other_document, sniff
from mnr_graph.submissions.literals import ill_typed_literals_expected
from mnr_graph.submissions.rdf_input import parse_rdf
from mnr_graph.submissions.report import ValidationReport, build_report
from mnr_graph.submissions.shapes import (
    context_graph,
    core_shapes_graph,
    ontology_graph,
    python_shapes,
    shape_by_id,
    shapes_graph,
    with_inferred_types,
)
from mnr_graph.submissions.table import CellMap
from mnr_graph.submissions.tabular import read_table
from mnr_graph.submissions.values import known_language

__all__ = ["ValidationReport", "read_input", "submissions_in", "validate_bytes", "validate_graph"]


def read_input(
    data: bytes, *, filename: str, media_type: str | None = None, sheet: str | None = None
) -> tuple[Graph, CellMap | None]:
    """The submission as an rdflib graph, with the row/column map for CSV and XLSX input.

    ``sheet``: the workbook sheet to read, when several look like a submission.
    """
    other = other_document(data)
    if other is not None:
        raise UnsupportedMediaTypeError(f"this file is {other}", where=filename)
    try:
        fmt = input_format(filename, media_type)
    except UnsupportedMediaTypeError:
        # no media type and a file name without a known suffix ("-", "upload"): the content says
        generic = (media_type or "").split(";")[0].strip().lower() in ("", OCTET_STREAM)
        sniffed = sniff(data) if generic and not PurePath(filename).suffix else None
        if sniffed is None:
            raise
        fmt = sniffed
    if not data.strip():
        raise InputError("the file is empty", where=filename)
    if fmt in ("csv", "xlsx"):
        table = read_table(data, filename=filename, fmt=fmt, sheet=sheet)
        converted = to_graph(table)
        return converted.graph, converted.cells
    if sheet is not None:
        raise InputError(
            f"a sheet ({sheet!r}) was chosen, but this is RDF, not a workbook", where=filename
        )
    return parse_rdf(data, filename=filename, fmt=fmt), None


def validate_graph(
    data: Graph, *, filename: str = "data", cells: CellMap | None = None
) -> ValidationReport:
    """Validate a submission graph: Core shapes in pySHACL, SPARQL-based shapes as Python rules."""
    with (
        ill_typed_literals_expected()
    ):  # an ill-typed literal is for the shapes to report, not a log
        return _validate_graph(data, filename=filename, cells=cells)


def _validate_graph(
    data: Graph, *, filename: str, cells: CellMap | None, inferred: bool = False
) -> ValidationReport:
    if not inferred:
        data = with_inferred_types(data)
    combined = Graph()
    combined.addN((s, p, o, combined) for s, p, o in data)
    combined.addN((s, p, o, combined) for s, p, o in context_graph())
    from pyshacl import validate as pyshacl_validate  # here: it adds 0.2 s to a server's start

    _conforms, report, _text = pyshacl_validate(
        combined,
        shacl_graph=core_shapes_graph(),
        inplace=True,
        allow_warnings=True,
        allow_infos=True,
    )
    assert isinstance(report, Graph)
    shapes = shapes_graph()
    for shape, ident in python_shapes().items():
        message = shapes.value(shape, SH.message)
        severity = shapes.value(shape, SH.severity) or SH.Violation
        for found in rules.RULES[ident](data, ontology_graph()):
            text = str(message or ident)
            for name, binding in found.bindings.items():
                text = text.replace("{?" + name + "}", binding)
            _add_result(report, shape, severity, text, found.focus, found.path, found.value)
    _check_evidence_languages(report, data)
    return build_report(report, filename=filename, cells=cells, data=data)


def _check_evidence_languages(report: Graph, data: Graph) -> None:
    """S20 for evidence whose language tag is not a known language (``"..."@xx``).

    The check a CSV ``evidence_language`` cell gets
    (:func:`mnr_graph.submissions.values.known_language`), made on RDF input too. SHACL Core can
    only say that there is a tag (``sh:datatype rdf:langString``).
    """
    shape = shape_by_id("S20")
    shapes = shapes_graph()
    message = str(shapes.value(shape, SH.message))
    severity = shapes.value(shape, SH.severity) or SH.Violation
    for focus in data.subjects(RDF.type, MNR.Assessment):
        for value in data.objects(focus, MNR.evidence):
            language = value.language if isinstance(value, Literal) else None
            if language and not known_language(language):
                _add_result(report, shape, severity, message, focus, MNR.evidence, value)


def _add_result(
    report: Graph,
    shape: Node,
    severity: Node,
    message: str,
    focus: Node,
    path: Node | None,
    value: Node | None,
) -> None:
    top = next(iter(report.subjects(RDF.type, SH.ValidationReport)))
    node = BNode()
    report.add((top, SH.result, node))
    report.add((node, RDF.type, SH.ValidationResult))
    report.add((node, SH.sourceShape, shape))
    report.add((node, SH.resultSeverity, severity))
    report.add((node, SH.resultMessage, Literal(message, lang="en")))
    report.add((node, SH.focusNode, focus))
    report.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
    if path is not None:
        report.add((node, SH.resultPath, path))
    if value is not None:
        report.add((node, SH.value, value))


def validate_bytes(
    data: bytes, *, filename: str, media_type: str | None = None, sheet: str | None = None
) -> ValidationReport:
    """Validate one submission file (Turtle, JSON-LD, CSV or XLSX; ``sheet``: the workbook sheet).

    Raises :class:`~mnr_graph.core.errors.InputError` when the input cannot be read at all (a syntax
    error, with its line and column; a table with wrong headers; a workbook with several sheets
    that look like a submission and none chosen).
    """
    graph, cells = read_input(data, filename=filename, media_type=media_type, sheet=sheet)
    graph = with_inferred_types(graph)
    submissions_in(graph, filename=filename)
    with ill_typed_literals_expected():
        return _validate_graph(graph, filename=filename, cells=cells, inferred=True)


def submissions_in(graph: Graph, *, filename: str) -> list[Node]:
    """The submissions of a graph; an error when there is none (wrong prefixes or context)."""
    found = sorted(graph.subjects(RDF.type, MNR.Submission), key=str)
    if not found:
        raise InputError(
            f"no submission found: the data holds no node of type <{MNR.Submission}> (nor "
            f"one with its properties, such as mnr:hasAssessment); "
            f"{len(graph)} triple(s) read. Check the prefixes or the JSON-LD @context",
            where=filename,
        )
    return found
