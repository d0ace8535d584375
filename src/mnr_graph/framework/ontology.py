"""The shipped ontology: load it, describe it, export it and check its quality.

The graph is every ``ontology/*.ttl`` file merged (the framework ontology, the framework itself,
the terminology and the submission model). :func:`check_ontology` runs the quality gates: the HermiT
reasoner (through owlready2, on a local file, never fetching ``owl:imports``), the SKOS quality
shapes of ``shapes/skos-quality.ttl`` (and pySHACL's meta-SHACL on them) and every
``sparql/check-*.rq`` query, which must return no rows.

>>> from mnr_graph.framework import ontology
>>> facts = ontology.info()
>>> facts.capabilities
21
>>> facts.version == facts.package_version
True
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral

from mnr_graph import __version__
from mnr_graph.core import resources
from mnr_graph.core.errors import InputError, UnsupportedMediaTypeError
from mnr_graph.core.namespaces import (
    DCTERMS,
    MNR,
    ONTOLOGY_IRI,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    SH,
    SKOS,
    XSD,
)

__all__ = [
    "EXPORT_FORMATS",
    "OWL2_DATATYPES",
    "CheckResult",
    "ExportFormat",
    "OntologyInfo",
    "OntologyReport",
    "check_ontology",
    "export",
    "info",
    "load_graph",
    "owl_graph",
    "run_check_queries",
    "run_reasoner",
    "run_shacl",
]

ExportFormat = Literal["ttl", "nt", "jsonld", "owl"]
#: The formats :func:`export` writes: Turtle, N-Triples, JSON-LD, RDF/XML (for OWL tools).
EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
_RDFLIB_FORMAT: dict[str, str] = {"ttl": "turtle", "nt": "nt", "owl": "xml", "jsonld": "json-ld"}
#: Ranges that must not become a JSON-LD ``@type`` (language-tagged or any literal).
_QUALITY_SHAPES = "skos-quality.ttl"


def load_graph() -> Graph:
    """A new rdflib graph holding every shipped ``ontology/*.ttl`` file.

    >>> len(load_graph()) > 1000
    True
    """
    graph = _new_graph()
    for file in resources.files("ontology", "*.ttl"):
        graph.parse(file, format="turtle")
    return graph


def _new_graph() -> Graph:
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph


# --- info ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OntologyInfo:
    """Counts and versions of the shipped graph."""

    version: str
    version_iri: str
    package_version: str
    classes: int
    capabilities: int
    domains: int
    outcomes: int
    concepts: int
    triples: int

    def to_json(self) -> dict[str, Any]:
        """The facts as a JSON-ready dict."""
        return dict(self.__dict__)

    def to_text(self) -> str:
        """The facts as aligned ``name: value`` lines."""
        width = max(len(k) for k in self.__dict__)
        return "\n".join(f"{k.replace('_', ' '):<{width}}  {v}" for k, v in self.__dict__.items())


def info(graph: Graph | None = None) -> OntologyInfo:
    """Version (from the ontology header) and counts of the shipped graph (or of ``graph``).

    >>> info().domains
    6
    """
    g = load_graph() if graph is None else graph
    ontology_iri = URIRef(ONTOLOGY_IRI)

    def count(cls: URIRef) -> int:
        return len({s for s in g.subjects(RDF.type, cls) if isinstance(s, URIRef)})

    return OntologyInfo(
        version=str(g.value(ontology_iri, OWL.versionInfo) or ""),
        version_iri=str(g.value(ontology_iri, OWL.versionIRI) or ""),
        package_version=__version__,
        classes=count(OWL.Class),
        capabilities=count(MNR.Capability),
        domains=count(MNR.Domain),
        outcomes=count(MNR.Outcome),
        concepts=count(SKOS.Concept),
        triples=len(g),
    )


# --- export -------------------------------------------------------------------------------------


#: The datatypes of the OWL 2 datatype map (OWL 2 Structural Specification, section 4), which
#: reasoners such as HermiT support; others (``xsd:gYear``, ``xsd:date``) they reject in axioms.
OWL2_DATATYPES = frozenset(
    [
        XSD[name]
        for name in [
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "double",
            "float",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        ]
    ]
    + [OWL.real, OWL.rational, RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, RDFS.Literal]
)
_DATA_RANGE_PREDICATES = (
    RDFS.range,
    OWL.onDataRange,
    OWL.allValuesFrom,
    OWL.someValuesFrom,
    OWL.onDatatype,
)


def owl_graph(graph: Graph) -> Graph:
    """The OWL 2 DL rendering of ``graph`` that reasoners and Protégé accept.

    ``owl:imports`` are dropped (nothing is fetched), and a data range over a datatype outside the
    OWL 2 datatype map (``rdfs:range xsd:gYear``) is widened to ``rdfs:Literal``; the SHACL shapes
    keep checking the exact datatype. A resource named only by ``skos:prefLabel`` also gets those
    labels as ``rdfs:label``, which Protégé and owlready2 (``.label``) show by default. Everything
    else is unchanged.

    >>> g = Graph().parse(data="<urn:p> <http://www.w3.org/2000/01/rdf-schema#range> "
    ...     "<http://www.w3.org/2001/XMLSchema#gYear> .", format="nt")
    >>> [str(o) for o in owl_graph(g).objects()]
    ['http://www.w3.org/2000/01/rdf-schema#Literal']
    """
    rendered = _new_graph()
    for s, p, o in graph:
        if p == OWL.imports:
            continue
        if (
            p in _DATA_RANGE_PREDICATES
            and isinstance(o, URIRef)
            and str(o).startswith(str(XSD))
            and o not in OWL2_DATATYPES
        ):
            o = RDFS.Literal
        rendered.add((s, p, o))
    for s, o in graph.subject_objects(SKOS.prefLabel):
        if (s, RDFS.label, None) not in graph:
            rendered.add((s, RDFS.label, o))
    return rendered


def export(fmt: str, *, graph: Graph | None = None) -> bytes:
    """The whole shipped graph (or ``graph``) serialised as ``ttl``, ``nt``, ``jsonld`` or ``owl``.

    ``owl`` is RDF/XML of :func:`owl_graph` (OWL 2 DL, as Protégé, owlready2 and HermiT read
    it). JSON-LD is compacted with the shipped context (``ontology/context.jsonld``), which is
    embedded, never fetched.

    >>> export("ttl").startswith(b"@prefix")
    True
    >>> export("csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mnr_graph.core.errors.UnsupportedMediaTypeError: unknown export format 'csv': use one of ...
    """
    if fmt not in EXPORT_FORMATS:
        raise UnsupportedMediaTypeError(
            f"unknown export format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}"
        )
    g = load_graph() if graph is None else graph
    if fmt == "jsonld":
        from mnr_graph.framework.context import shipped_context

        context = shipped_context()
        return g.serialize(format="json-ld", context=context, auto_compact=True, encoding="utf-8")
    if fmt == "owl":
        g = owl_graph(g)
    return g.serialize(format=_RDFLIB_FORMAT[fmt], encoding="utf-8")


# --- quality checks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one quality check."""

    name: str
    kind: Literal["reasoner", "shacl", "sparql"]
    passed: bool
    summary: str
    problems: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        return {
            "name": self.name,
            "kind": self.kind,
            "passed": self.passed,
            "summary": self.summary,
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class OntologyReport:
    """Every quality check of :func:`check_ontology`, in the order they ran."""

    results: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(r.passed for r in self.results)

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {"passed": self.passed, "results": [r.to_json() for r in self.results]}

    def to_text(self, *, max_problems: int = 20) -> str:
        """A readable report: one line per check, its problems indented below it."""
        lines: list[str] = []
        for r in self.results:
            lines.append(f"{'PASS' if r.passed else 'FAIL'}  {r.kind:<8} {r.name}: {r.summary}")
            lines.extend(f"        - {p}" for p in r.problems[:max_problems])
            if len(r.problems) > max_problems:
                lines.append(f"        ... and {len(r.problems) - max_problems} more")
        failed = sum(not r.passed for r in self.results)
        verdict = "all checks passed" if not failed else f"{failed} check(s) failed"
        lines.append(f"{len(self.results)} checks: {verdict}")
        return "\n".join(lines)


def run_reasoner(graph: Graph) -> CheckResult:
    """HermiT (via owlready2): is the graph consistent, and is every class satisfiable?

    The graph is written to a local RDF/XML file without its ``owl:imports`` and loaded from there,
    so nothing is fetched: the reasoner sees exactly :func:`owl_graph`, the ``owl`` export.
    Needs a Java runtime. HermiT runs in that temporary folder: it takes the working folder as
    its default IRI base and fails in one it cannot write (``/`` in a container).
    """
    import owlready2

    name = "HermiT (owlready2)"
    if shutil.which(owlready2.JAVA_EXE) is None:
        return CheckResult(
            name, "reasoner", False, f"no Java runtime: {owlready2.JAVA_EXE!r} is not on PATH"
        )
    local = owl_graph(graph)
    with (
        tempfile.TemporaryDirectory(prefix="mnr-graph-") as tmp,
        contextlib.chdir(tmp),
    ):
        file = Path(tmp) / "mnr-graph.owl"
        local.serialize(file, format="xml", encoding="utf-8")
        world = owlready2.World()
        try:
            world.get_ontology(file.as_uri()).load()
            owlready2.sync_reasoner_hermit(world, debug=0)
            unsatisfiable = sorted(c.iri for c in world.inconsistent_classes())
        except owlready2.OwlReadyInconsistentOntologyError:
            return CheckResult(name, "reasoner", False, "the ontology is inconsistent")
        except owlready2.OwlReadyJavaError as exc:
            message = str(exc).strip().splitlines()
            return CheckResult(name, "reasoner", False, "the reasoner failed", tuple(message[:20]))
        finally:
            world.close()
    if unsatisfiable:
        return CheckResult(
            name,
            "reasoner",
            False,
            f"{len(unsatisfiable)} unsatisfiable class(es)",
            tuple(unsatisfiable),
        )
    return CheckResult(name, "reasoner", True, "consistent; every class is satisfiable")


def _shape_ids(shapes: Graph) -> dict[str, str]:
    return {
        str(shape): str(ident)
        for shape, ident in shapes.subject_objects(DCTERMS.identifier)
        if isinstance(shape, URIRef)
    }


def run_shacl(graph: Graph, *, shapes_file: str = _QUALITY_SHAPES) -> list[CheckResult]:
    """The SKOS quality shapes on ``graph``, and pySHACL's meta-SHACL on the shapes themselves."""
    from pyshacl import validate
    from pyshacl.entrypoints import meta_validate

    shapes = Graph().parse(resources.path("shapes", shapes_file), format="turtle")
    results: list[CheckResult] = []
    meta_ok, _, meta_text = meta_validate(shapes, inference="none")
    results.append(
        CheckResult(
            f"meta-SHACL of shapes/{shapes_file}",
            "shacl",
            bool(meta_ok),
            "the shapes graph is valid SHACL" if meta_ok else "the shapes graph is not valid SHACL",
            () if meta_ok else tuple(str(meta_text).splitlines()[:40]),
        )
    )
    conforms, report, _ = validate(graph, shacl_graph=shapes, inference="none")
    ids = _shape_ids(shapes)
    problems: list[str] = []
    for result in sorted(report.subjects(RDF.type, SH.ValidationResult), key=str):
        shape = report.value(result, SH.sourceShape)
        focus = report.value(result, SH.focusNode)
        value = report.value(result, SH.value)
        message = report.value(result, SH.resultMessage)
        shape_id = ids.get(str(shape), str(shape))
        where = f" (value {value.n3()})" if isinstance(value, URIRef | RdfLiteral) else ""
        problems.append(f"{shape_id} <{focus}>: {message}{where}")
    problems.sort()
    summary = "every concept conforms" if conforms else f"{len(problems)} violation(s)"
    results.append(
        CheckResult(f"shapes/{shapes_file}", "shacl", bool(conforms), summary, tuple(problems))
    )
    return results


def _oxigraph(graph: Graph) -> ox.Store:
    store = ox.Store()
    data = graph.serialize(format="nt", encoding="utf-8")
    store.load(data, format=ox.RdfFormat.N_TRIPLES)
    return store


def run_check_queries(graph: Graph) -> list[CheckResult]:
    """Every ``sparql/check-*.rq`` query on ``graph``; a query passes when it returns no rows."""
    store = _oxigraph(graph)
    results: list[CheckResult] = []
    for file in resources.files("sparql", "check-*.rq"):
        try:
            solutions = store.query(file.read_text(encoding="utf-8"))
        except SyntaxError as exc:
            raise InputError(f"the check query does not parse: {exc}", where=str(file)) from exc
        if not isinstance(solutions, ox.QuerySolutions):
            raise InputError("a check query must be a SELECT query", where=str(file))
        problems = tuple(
            " ".join(_term_text(term) for term in row if term is not None) for row in solutions
        )
        summary = "no rows" if not problems else f"{len(problems)} row(s)"
        results.append(CheckResult(file.name, "sparql", not problems, summary, problems))
    return results


def _term_text(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def check_ontology(graph: Graph | None = None, *, reasoner: bool = True) -> OntologyReport:
    """Run every quality gate on the shipped graph (or on ``graph``).

    ``mnr-graph check-ontology`` prints :meth:`OntologyReport.to_text`. On an empty graph:

    >>> report = check_ontology(Graph(), reasoner=False)
    >>> report.passed, report.results[0].name
    (True, 'meta-SHACL of shapes/skos-quality.ttl')
    """
    g = load_graph() if graph is None else graph
    results: list[CheckResult] = []
    if reasoner:
        results.append(run_reasoner(g))
    results.extend(run_shacl(g))
    results.extend(run_check_queries(g))
    return OntologyReport(tuple(results))
