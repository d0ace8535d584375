"""Validate a country submission (Turtle, JSON-LD, CSV or XLSX) against the submission shapes.

The shapes are ``shapes/submission.ttl`` and the generated ``shapes/iso3166.ttl``. The shipped
framework graph is the context they need (capabilities, the maturity scheme, statuses, assessor
types, the vocabulary's avoided terms). SHACL Core shapes run in pySHACL on the data plus the
small part of the shipped graph they look at; the SPARQL-based shapes are evaluated by equivalent
Python rules (:mod:`mnr_graph.submissions.rules`) and reported as results of the same shapes.

Every result of a CSV or XLSX input is mapped back to its row and column (and cell).

>>> from mnr_graph.core import resources
>>> report = validate_bytes(resources.path("examples", "XA-2024-valid.ttl").read_bytes(),
...                         filename="XA-2024-valid.ttl")
>>> (report.conforms, report.has_violations)
(True, False)
>>> report.to_json()["results"]
[]
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePath
from typing import Any

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError, UnsupportedMediaTypeError
from mnr_graph.core.namespaces import BASE, DCTERMS, MNR, MNRID, RDF, RDFS, SH, SKOS, XSD
from mnr_graph.framework.context import shipped_context
from mnr_graph.framework.countries import suggest_countries
from mnr_graph.submissions import rules, tabular

__all__ = [
    "CONTEXT_IRI",
    "SHAPE_FILES",
    "ValidationReport",
    "ValidationResult",
    "context_graph",
    "input_format",
    "parse_rdf",
    "read_input",
    "shapes_graph",
    "submissions_in",
    "validate_bytes",
    "validate_graph",
    "with_inferred_types",
]

#: The shape files of the submission rules (in ``shapes/``).
SHAPE_FILES = ("submission.ttl", "iso3166.ttl")
#: A JSON-LD ``@context`` given as this IRI is replaced by the shipped ``ontology/context.jsonld``.
CONTEXT_IRI = BASE + "context.jsonld"

_FORMATS: dict[str, str] = {
    ".ttl": "ttl",
    ".turtle": "ttl",
    ".nt": "ttl",  # N-Triples is a subset of Turtle
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",  # a macro-enabled workbook: the macros are not read
}
_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/n-triples": "ttl",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
#: Spreadsheet files a data team may have at hand that are not read (saved as .xlsx, they are).
_OTHER_SPREADSHEETS = (".xls", ".ods", ".numbers", ".xlsb")
_OCTET_STREAM = "application/octet-stream"
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def input_format(filename: str, media_type: str | None = None) -> str:
    """The input format (``ttl``, ``jsonld``, ``csv``, ``xlsx``) from a media type or file name.

    >>> input_format("XA.csv"), input_format("upload", "text/turtle; charset=utf-8")
    ('csv', 'ttl')
    """
    suffix = PurePath(filename).suffix.lower()
    if media_type:
        base = media_type.split(";")[0].strip().lower()
        if base in _MEDIA_TYPES:
            return _MEDIA_TYPES[base]
        # Browsers and mail programs label uploads loosely (a CSV as application/vnd.ms-excel or
        # text/plain): a file name we know decides then.
        if base not in ("application/octet-stream", "") and suffix not in _FORMATS:
            raise UnsupportedMediaTypeError(
                f"unsupported media type {base!r}: use one of {', '.join(sorted(_MEDIA_TYPES))}",
                where=filename,
            )
    if suffix in _FORMATS:
        return _FORMATS[suffix]
    if suffix in _OTHER_SPREADSHEETS:
        raise UnsupportedMediaTypeError(
            f"{suffix} files are not read: save the sheet as .xlsx (or as CSV) and validate that",
            where=filename,
        )
    raise UnsupportedMediaTypeError(
        f"cannot tell the format from the file name: use one of {', '.join(sorted(_FORMATS))}",
        where=filename,
    )


# --- shapes and context -------------------------------------------------------------------------


@cache
def shapes_graph() -> Graph:
    """The submission shapes (``shapes/submission.ttl`` and ``shapes/iso3166.ttl``), parsed once."""
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(resources.path("shapes", name), format="turtle")
    return graph


@cache
def _core_shapes_graph() -> Graph:
    """The shapes graph with the shapes that have a Python rule deactivated (they run in Python)."""
    graph = Graph()
    for triple in shapes_graph():
        graph.add(triple)
    for shape in _python_shapes():
        graph.add((shape, SH.deactivated, Literal(True)))
    return graph


@cache
def _shape_ids() -> dict[Node, str]:
    return {s: str(o) for s, o in shapes_graph().subject_objects(DCTERMS.identifier)}


@cache
def _python_shapes() -> dict[URIRef, str]:
    """The shapes (with their id) that :mod:`mnr_graph.submissions.rules` evaluates instead of
    pySHACL."""
    found: dict[URIRef, str] = {}
    for shape, ident in _shape_ids().items():
        if isinstance(shape, URIRef) and str(ident) in rules.RULES:
            found[shape] = str(ident)
    return found


@cache
def _ontology_graph() -> Graph:
    graph = Graph()
    for file in resources.files("ontology", "*.ttl"):
        graph.parse(file, format="turtle")
    return graph


@cache
def context_graph() -> Graph:
    """The part of the shipped graph the Core shapes look at: types, class hierarchy, schemes."""
    graph = Graph()
    ontology = _ontology_graph()
    wanted = {RDF.type, RDFS.subClassOf, SKOS.inScheme}
    for s, p, o in ontology:
        if p in wanted and isinstance(s, URIRef) and str(s).startswith((str(MNR), str(MNRID))):
            graph.add((s, p, o))
    return graph


# --- input --------------------------------------------------------------------------------------


def _to_rdflib(term: Any) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == str(XSD.string):
        return Literal(term.value)
    # the lexical form as written: rdflib would otherwise rewrite a value it can parse
    # ("2024-03-01T10:00:00"^^xsd:date became "2024-03-01", which the shapes then accepted)
    return Literal(term.value, datatype=URIRef(datatype), normalize=False)


def _syntax_error(exc: SyntaxError, filename: str, kind: str) -> InputError:
    args = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], tuple) else None
    text = str(exc.args[0]) if exc.args else str(exc)
    if args and args[1] is not None:
        line, column = args[1], args[2]
        detail = text.split(": ", 1)[1] if ": " in text else text
        return InputError(
            f"line {line}, column {column}: {kind} syntax error: {detail}", where=filename
        )
    return InputError(f"{kind} syntax error: {text}", where=filename)


def _check_contexts(node: Any, filename: str, shipped: dict[str, Any]) -> Any:
    """Replace references to the shipped context by its content; refuse any other remote one."""
    if isinstance(node, list):
        return [_check_contexts(item, filename, shipped) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@context":
            out[key] = _resolve_context(value, filename, shipped)
        else:
            out[key] = _check_contexts(value, filename, shipped)
    return out


def _resolve_context(value: Any, filename: str, shipped: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_resolve_context(v, filename, shipped) for v in value]
    if isinstance(value, str):
        if value in (CONTEXT_IRI, "context.jsonld"):
            return shipped
        raise InputError(
            f"remote JSON-LD context {value!r} refused: nothing is fetched; use the shipped "
            f"context ({CONTEXT_IRI!r}) or put the context inline",
            where=filename,
        )
    if isinstance(value, dict):
        if "@import" in value:
            raise InputError("JSON-LD '@import' of a remote context is refused", where=filename)
        return {k: _check_contexts(v, filename, shipped) for k, v in value.items()}
    return value


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _iri_terms(document: Any) -> frozenset[str]:
    """The terms whose string values are IRIs (``"@type": "@id"`` or ``"@vocab"``) in the
    contexts of a JSON-LD document (the shipped one, once resolved, and inline ones)."""
    found: set[str] = set()

    def visit(node: Any, in_context: bool) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item, in_context)
        elif isinstance(node, dict):
            for key, value in node.items():
                coerced = isinstance(value, dict) and value.get("@type") in ("@id", "@vocab")
                if in_context and (coerced or value == "@id"):  # an IRI-typed term, an alias
                    found.add(key)
                visit(value, in_context or key == "@context")

    visit(document, False)
    return frozenset(found)


def _check_identifiers(document: Any, filename: str, iri_terms: frozenset[str]) -> None:
    """Refuse an ``@id`` (or an IRI-typed term's value) that is not an IRI and an ``@language``
    that is not a BCP 47 tag: the JSON-LD processor drops such a node or value, with everything
    said about it, without a word (the rest of the file would then conform)."""

    def bad_iri(value: str) -> bool:
        if value.startswith(("_:", "@")):
            return False
        absolute = value if _SCHEME.match(value) else str(BASE) + "data/" + value
        try:
            ox.NamedNode(absolute)
        except ValueError:
            return True
        return False

    def visit(node: Any, where: str) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                visit(item, f"{where}[{index}]")
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            here = f"{where}/{key}" if where else key
            if key == "@context":
                if isinstance(value, dict):
                    language = value.get("@language")
                    if isinstance(language, str):
                        check_language(language, f"{here}/@language")
                continue
            if key == "@language" and isinstance(value, str):
                check_language(value, here)
            elif isinstance(value, str) and (key == "@id" or key in iri_terms):
                if bad_iri(value):
                    raise InputError(
                        f"{here}: {value!r} is not a valid IRI (a space or a character such as "
                        f'<>"{{}}|^` in it), so the node or value would be dropped with '
                        "everything said about it: write the IRI without them (percent-encode "
                        "a space as %20)",
                        where=filename,
                    )
            else:
                visit(value, here)

    def check_language(value: str, here: str) -> None:
        try:
            ox.Literal("x", language=value)
        except ValueError:
            raise InputError(
                f"{here}: {value!r} is not a language tag, so the text would be dropped: "
                "write a BCP 47 tag such as en, fr or en-GB (letters and digits joined by '-')",
                where=filename,
            ) from None

    visit(document, "")


def parse_rdf(data: bytes, *, filename: str, fmt: str) -> Graph:
    """Parse Turtle or JSON-LD into an rdflib graph; errors give the line and column.

    >>> parse_rdf(b"<urn:a> <urn:b> .", filename="bad.ttl", fmt="ttl")
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.InputError: bad.ttl: line 1, column 17: Turtle syntax error: ...
    """
    kind_name = "JSON-LD" if fmt == "jsonld" else "Turtle"
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise InputError(
            f"this is a spreadsheet or zip file, not {kind_name} text: name an XLSX workbook .xlsx",
            where=filename,
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if fmt == "jsonld":
        try:
            document = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise InputError(f"JSON-LD is not UTF-8: {exc}", where=filename) from exc
        except json.JSONDecodeError as exc:
            raise InputError(
                f"line {exc.lineno}, column {exc.colno}: JSON syntax error: {exc.msg}",
                where=filename,
            ) from exc
        except RecursionError:
            raise InputError("JSON nested too deeply to be a submission", where=filename) from None
        if not isinstance(document, (dict, list)):
            raise InputError(
                "JSON-LD must be an object or an array of objects, found "
                f"{type(document).__name__}",
                where=filename,
            )
        try:
            document = _check_contexts(document, filename, shipped_context())
        except RecursionError:
            raise InputError("JSON nested too deeply to be a submission", where=filename) from None
        _check_identifiers(document, filename, _iri_terms(document))
        data = json.dumps(document).encode("utf-8")
        rdf_format, kind = ox.RdfFormat.JSON_LD, "JSON-LD"
    else:
        rdf_format, kind = ox.RdfFormat.TURTLE, "Turtle"
    graph = Graph()
    try:
        with tabular.quiet_rdflib():  # an ill-typed date is for the shapes to report, not a log
            triples = [
                (_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object))
                for q in ox.parse(data, format=rdf_format, base_iri=str(BASE) + "data/")
            ]
    except SyntaxError as exc:
        raise _syntax_error(exc, filename, kind) from None
    except ValueError as exc:
        raise InputError(f"{kind} error: {exc}", where=filename) from None
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


def read_input(
    data: bytes, *, filename: str, media_type: str | None = None, sheet: str | None = None
) -> tuple[Graph, tabular.CellMap | None]:
    """The submission as an rdflib graph, with the row/column map for CSV and XLSX input
    (``sheet``: the workbook sheet to read, when several look like a submission)."""
    try:
        fmt = input_format(filename, media_type)
    except UnsupportedMediaTypeError:
        # no media type and a file name without a known suffix ("-", "upload"): the content says
        generic = (media_type or "").split(";")[0].strip().lower() in ("", _OCTET_STREAM)
        sniffed = _sniff(data) if generic and not PurePath(filename).suffix else None
        if sniffed is None:
            raise
        fmt = sniffed
    if not data.strip():
        raise InputError("the file is empty", where=filename)
    if fmt in ("csv", "xlsx"):
        table = tabular.read_table(data, filename=filename, fmt=fmt, sheet=sheet)
        converted = tabular.to_graph(table)
        return converted.graph, converted.cells
    if sheet is not None:
        raise InputError(
            f"a sheet ({sheet!r}) was chosen, but this is RDF, not a workbook", where=filename
        )
    return parse_rdf(data, filename=filename, fmt=fmt), None


def _sniff(data: bytes) -> str | None:
    """The format an unnamed upload evidently has: a zip is XLSX, ``{``/``[`` JSON-LD, Turtle's
    directives or an IRI Turtle; anything else is left to the caller to refuse."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "jsonld"
    if head[:1] == b"<" or head[:7].lower() in (b"@prefix", b"prefix ") or head[:5] == b"@base":
        return "ttl"
    return None


# --- the report ---------------------------------------------------------------------------------


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
        """``{"conforms": bool, "sheet", "results": [...]}``; row, column and sheet are null for
        RDF input (and sheet for CSV)."""
        return {
            "conforms": self.conforms,
            "sheet": self.sheet,
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
        for severity in _SEVERITY_ORDER:
            group = [r for r in self.results if r.severity == severity]
            if not group:
                continue
            lines.append("")
            lines.append(f"{severity}s ({len(group)}):")
            for r in group:
                lines.extend(_result_lines(r))
        return "\n".join(lines) + "\n"


def _result_lines(r: ValidationResult) -> list[str]:
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


# --- validation ---------------------------------------------------------------------------------


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


@cache
def _inferable_types() -> tuple[dict[URIRef, URIRef], dict[URIRef, URIRef]]:
    """The ``rdfs:domain`` and ``rdfs:range`` of each ``mnr:`` property that is a class a shape
    targets (a submission, an assessment, a source document...), from the shipped ontology."""
    targets = {o for o in shapes_graph().objects(None, SH.targetClass) if isinstance(o, URIRef)}
    ontology = _ontology_graph()
    domains: dict[URIRef, URIRef] = {}
    ranges: dict[URIRef, URIRef] = {}
    for prop, cls in ontology.subject_objects(RDFS.domain):
        if isinstance(prop, URIRef) and str(prop).startswith(str(MNR)) and cls in targets:
            assert isinstance(cls, URIRef)
            domains[prop] = cls
    for prop, cls in ontology.subject_objects(RDFS.range):
        if isinstance(prop, URIRef) and str(prop).startswith(str(MNR)) and cls in targets:
            assert isinstance(cls, URIRef)
            ranges[prop] = cls
    return domains, ranges


def with_inferred_types(data: Graph) -> Graph:
    """The data with the types its ``mnr:`` properties imply (``rdfs:domain``/``rdfs:range``).

    A submission written without ``a mnr:Submission`` (typed only by the ontology: it has
    ``mnr:hasAssessment``) is then checked like a typed one; framework individuals (``mnrid:``)
    are never typed this way, so a wrong capability still fails.

    >>> from rdflib import Graph
    >>> g = Graph().parse(data="<urn:s> <https://w3id.org/mnr-graph/def/hasAssessment> [] .",
    ...                   format="turtle")
    >>> sorted(str(o).rsplit("/", 1)[-1] for o in with_inferred_types(g).objects(None, RDF.type))
    ['Assessment', 'Submission']
    """
    domains, ranges = _inferable_types()
    typed = set(data.subject_objects(RDF.type))
    framework = str(MNRID)
    new: set[tuple[Node, Node, Node]] = set()
    for prop, cls in domains.items():
        for s in data.subjects(prop, None, unique=True):
            if (s, cls) not in typed and not str(s).startswith(framework):
                new.add((s, RDF.type, cls))
    for prop, cls in ranges.items():
        for o in data.objects(None, prop, unique=True):
            wanted = not isinstance(o, Literal) and not str(o).startswith(framework)
            if wanted and (o, cls) not in typed:
                new.add((o, RDF.type, cls))
    if not new:
        return data
    out = Graph()
    out.addN((s, p, o, out) for s, p, o in data)
    out.addN((s, p, o, out) for s, p, o in new)
    return out


def validate_graph(
    data: Graph, *, filename: str = "data", cells: tabular.CellMap | None = None
) -> ValidationReport:
    """Validate a submission graph: Core shapes in pySHACL, SPARQL-based shapes as Python rules."""
    with tabular.quiet_rdflib():  # an ill-typed literal is for the shapes to report, not a log
        return _validate_graph(data, filename=filename, cells=cells)


def _validate_graph(
    data: Graph, *, filename: str, cells: tabular.CellMap | None, inferred: bool = False
) -> ValidationReport:
    if not inferred:
        data = with_inferred_types(data)
    combined = Graph()
    combined.addN((s, p, o, combined) for s, p, o in data)
    combined.addN((s, p, o, combined) for s, p, o in context_graph())
    _conforms, report, _text = pyshacl_validate(
        combined,
        shacl_graph=_core_shapes_graph(),
        inplace=True,
        allow_warnings=True,
        allow_infos=True,
    )
    assert isinstance(report, Graph)
    shapes = shapes_graph()
    for shape, ident in _python_shapes().items():
        message = shapes.value(shape, SH.message)
        severity = shapes.value(shape, SH.severity) or SH.Violation
        for found in rules.RULES[ident](data, _ontology_graph()):
            text = str(message or ident)
            for name, binding in found.bindings.items():
                text = text.replace("{?" + name + "}", binding)
            _add_result(report, shape, severity, text, found.focus, found.path, found.value)
    _check_evidence_languages(report, data)
    return _build_report(report, filename=filename, cells=cells, data=data)


def _check_evidence_languages(report: Graph, data: Graph) -> None:
    """S20 for evidence whose language tag is not a known language (``"..."@xx``): the check a
    CSV ``evidence_language`` cell gets (:func:`mnr_graph.submissions.tabular.known_language`),
    made on RDF
    input too. SHACL Core can only say that there is a tag (``sh:datatype rdf:langString``)."""
    shape = _shape_by_id("S20")
    shapes = shapes_graph()
    message = str(shapes.value(shape, SH.message))
    severity = shapes.value(shape, SH.severity) or SH.Violation
    for focus in data.subjects(RDF.type, MNR.Assessment):
        for value in data.objects(focus, MNR.evidence):
            language = value.language if isinstance(value, Literal) else None
            if language and not tabular.known_language(language):
                _add_result(report, shape, severity, message, focus, MNR.evidence, value)


def _shape_by_id(ident: str) -> Node:
    return next(shape for shape, i in _shape_ids().items() if i == ident)


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


def _build_report(
    report: Graph, *, filename: str, cells: tabular.CellMap | None, data: Graph
) -> ValidationReport:
    ids = _shape_ids()
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
            ident = _top_shape_id(shape) or ident
        sev = str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"
        row = column = cell = sheet = None
        value_text = _term_text(value)
        if cells is not None and focus is not None:
            where = None
            if path is None and shape is not None:  # a node shape: the column of its first path
                where = cells.locate(focus, _shape_path(shape), None)
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
        if ident in _COUNTRY_SHAPES and value_text:
            text += _did_you_mean(value_text)
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
    return ValidationReport(
        filename=filename,
        results=results,
        report_graph=report,
        sheet=cells.sheet if cells is not None else None,
    )


#: The shapes about a country code, whose results suggest the country a name or code is close to.
_COUNTRY_SHAPES = ("S12", "S13")


def _did_you_mean(value: str) -> str:
    """`` (did you mean France, FR?)`` for a country written close to a known one's name."""
    suggestions = suggest_countries(value) if len(value) > 3 else []
    return f" (did you mean {', '.join(c.label for c in suggestions)}?)" if suggestions else ""


def _top_shape_id(shape: Node) -> str | None:
    """The id of the identified shape a nested (blank node) shape belongs to."""
    shapes = shapes_graph()
    ids = _shape_ids()
    seen: set[Node] = set()
    frontier = [shape]
    while frontier:
        node = frontier.pop()
        if node in ids:
            return ids[node]
        seen.add(node)
        for parent in shapes.subjects(None, node):
            if parent not in seen:
                frontier.append(parent)
        for lst in shapes.subjects(RDF.first, node):
            if lst not in seen:
                frontier.append(lst)
        for lst in shapes.subjects(RDF.rest, node):
            if lst not in seen:
                frontier.append(lst)
    return None


@cache
def _shape_path_cached(shape: Node) -> URIRef | None:
    shapes = shapes_graph()
    direct = shapes.value(shape, SH.path)
    if isinstance(direct, URIRef):
        return direct
    for members in shapes.objects(shape, SH["or"]):
        for member in shapes.items(members):
            path = shapes.value(member, SH.path)
            if isinstance(path, URIRef):
                return path
    return None


def _shape_path(shape: Node) -> URIRef | None:
    """The property a node shape is about (the first path of its ``sh:or``), for the column."""
    return _shape_path_cached(shape)


def validate_bytes(
    data: bytes, *, filename: str, media_type: str | None = None, sheet: str | None = None
) -> ValidationReport:
    """Validate one submission file (Turtle, JSON-LD, CSV or XLSX; ``sheet``: the workbook sheet).

    Raises :class:`~mnr_graph.core.errors.InputError` when the input cannot be read at all (a syntax
    error, with its line and column; a table with wrong headers; a workbook with several sheets
    that look like a submission and none chosen).
    """
    with _paused_gc():
        graph, cells = read_input(data, filename=filename, media_type=media_type, sheet=sheet)
        graph = with_inferred_types(graph)
        submissions_in(graph, filename=filename)
        with tabular.quiet_rdflib():
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


@contextlib.contextmanager
def _paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: with many rdflib terms it halves validation time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
