"""The quality gates of the shipped ontology: the reasoner, the SKOS shapes, the check queries.

:func:`check_ontology` runs them all: the HermiT reasoner (through owlready2, on a local file,
never fetching ``owl:imports``), the SKOS quality shapes of ``shapes/skos-quality.ttl`` (and
pySHACL's meta-SHACL on them) and every ``sparql/check-*.rq`` query, which must return no rows.
``mnr-graph check-ontology`` prints the report.

>>> from mnr_graph.framework.ontology import load_graph
>>> [r.passed for r in run_check_queries(load_graph())][:1]
[True]
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import DCTERMS, RDF, SH
from mnr_graph.framework.ontology import load_graph, owl_graph

__all__ = [
    "CheckResult",
    "OntologyReport",
    "check_ontology",
    "run_check_queries",
    "run_reasoner",
    "run_shacl",
]

_QUALITY_SHAPES = "skos-quality.ttl"


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
