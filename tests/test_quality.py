"""Quality gates: HermiT, the SKOS quality shapes (S40..S49) and the check-*.rq queries."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from mnr_graph.core import resources
from mnr_graph.core.namespaces import DCTERMS, MNR, MNRID, OWL, RDF, RDFS, SH
from mnr_graph.framework import quality
from mnr_graph.query.store import EmbeddedStore

SHAPES_DATA = Path(__file__).parent / "data" / "shapes"
QUALITY_SHAPES = resources.path("shapes", "skos-quality.ttl")
CHECK_QUERIES = resources.files("sparql", "check-*.rq")
EXAMPLES = sorted(SHAPES_DATA.glob("S4[0-9]-*.ttl"))
SHAPE_OF_QUERY = re.compile(r"\(shape (S\d\d)\)")


@pytest.fixture(scope="module")
def quality_shapes() -> Graph:
    return Graph().parse(QUALITY_SHAPES, format="turtle")


def _shape_ids(shapes: Graph) -> dict[str, str]:
    return {str(s): str(i) for s, i in shapes.subject_objects(DCTERMS.identifier)}


# --- the reasoner -------------------------------------------------------------------------------


@pytest.mark.slow
def test_hermit_finds_the_shipped_graph_consistent(shipped_graph: Graph) -> None:
    result = quality.run_reasoner(shipped_graph)
    assert result.passed, (result.summary, result.problems)


@pytest.mark.slow
def test_hermit_detects_an_inconsistency(shipped_graph: Graph) -> None:
    broken = Graph()
    for triple in shipped_graph:
        broken.add(triple)
    broken.add((MNRID.C01, RDF.type, MNR.Domain))  # Capability and Domain are disjoint
    result = quality.run_reasoner(broken)
    assert not result.passed
    assert "inconsistent" in result.summary


@pytest.mark.slow
def test_hermit_rejects_a_capability_in_two_domains(shipped_graph: Graph) -> None:
    """The framework's individuals are declared distinct (OWL has no unique-name assumption).

    A second domain is a contradiction, not a hint that D01 and D02 are one domain.
    """
    broken = Graph()
    for triple in shipped_graph:
        broken.add(triple)
    broken.add((MNRID.C01, MNR.inDomain, MNRID.D02))
    result = quality.run_reasoner(broken)
    assert not result.passed
    assert "inconsistent" in result.summary


def test_every_predicate_and_class_is_declared_once(shipped_graph: Graph) -> None:
    """OWL 2 DL needs every property and class declared, and a property of one kind only."""
    builtin = (str(RDF), str(RDFS), str(OWL))
    kinds: dict[object, set[object]] = {}
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        for prop in shipped_graph.subjects(RDF.type, kind):
            kinds.setdefault(prop, set()).add(kind)
    undeclared = sorted(
        {str(p) for p in shipped_graph.predicates() if not str(p).startswith(builtin)}
        - set(map(str, kinds))
    )
    assert not undeclared, f"declare these properties in ontology/: {undeclared}"
    punned = sorted(str(p) for p, k in kinds.items() if len(k) > 1)
    assert not punned, f"properties declared as two kinds: {punned}"
    classes = set(shipped_graph.subjects(RDF.type, OWL.Class))
    typed = {o for o in shipped_graph.objects(None, RDF.type) if not str(o).startswith(builtin)}
    not_classes = sorted(map(str, typed - classes))
    assert not not_classes, f"declare these classes (owl:Class) in ontology/: {not_classes}"


# --- SHACL ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_report(shipped_graph: Graph) -> quality.OntologyReport:
    """check_ontology on the shipped graph without the reasoner (tested on its own above)."""
    return quality.check_ontology(shipped_graph, reasoner=False)


@pytest.mark.slow
def test_quality_shapes_pass_meta_shacl(shipped_report: quality.OntologyReport) -> None:
    (meta,) = [r for r in shipped_report.results if r.name.startswith("meta-SHACL")]
    assert meta.passed, meta.problems


def test_shipped_graph_conforms_to_the_quality_shapes(
    shipped_report: quality.OntologyReport,
) -> None:
    (data,) = [r for r in shipped_report.results if r.name == "shapes/skos-quality.ttl"]
    assert data.passed, data.problems


def test_every_quality_shape_has_id_message_severity_and_examples(quality_shapes: Graph) -> None:
    ids = _shape_ids(quality_shapes)
    assert sorted(ids.values()) == [f"S{n}" for n in range(40, 50)]
    for shape, ident in ids.items():
        assert shape.endswith(f"/shape/{ident}")
        message = quality_shapes.value(URIRef(shape), SH.message)
        assert isinstance(message, Literal), ident
        assert message.language == "en", ident
        assert quality_shapes.value(URIRef(shape), SH.severity) == SH.Violation, ident
        assert (SHAPES_DATA / f"{ident}-valid.ttl").is_file(), ident
        assert list(SHAPES_DATA.glob(f"{ident}-invalid-*.ttl")), ident


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_shape_example(example: Path, quality_shapes: Graph) -> None:
    data = Graph().parse(example, format="turtle")
    conforms, report, text = validate(data, shacl_graph=quality_shapes, inference="none")
    shape_id = example.name.split("-")[0]
    ids = _shape_ids(quality_shapes)
    failed_on = {
        ids.get(str(report.value(r, SH.sourceShape)))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }
    if "-valid" in example.name:
        assert conforms, text
    else:
        assert shape_id in failed_on, f"{example.name} must fail on {shape_id}: {failed_on}"


# --- check queries -------------------------------------------------------------------------------


def test_there_are_check_queries() -> None:
    assert len(CHECK_QUERIES) >= 10


@pytest.mark.slow
@pytest.mark.parametrize("query", CHECK_QUERIES, ids=lambda p: p.name)
def test_check_query_parses_and_has_a_header(query: Path) -> None:
    text = query.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    for tag in ("@summary", "@description", "@param", "@column"):
        assert any(line.startswith(f"# {tag} ") for line in header), f"{query.name}: no {tag}"
    parsed = prepareQuery(text)
    columns = [line.split()[2] for line in header if line.startswith("# @column ")]
    assert [str(v) for v in parsed.algebra["PV"]] == columns, "documented columns = SELECT"


@pytest.mark.slow
@pytest.mark.parametrize("query", CHECK_QUERIES, ids=lambda p: p.name)
def test_check_query_returns_no_rows_on_the_shipped_graph(
    query: Path, shipped_store: EmbeddedStore
) -> None:
    result = shipped_store.query(query.read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions), "a check query is a SELECT query"
    rows = list(result)
    assert not rows, [tuple(str(t) for t in row) for row in rows[:10]]


def _queries_for_shapes() -> list[tuple[Path, str]]:
    pairs = []
    for query in CHECK_QUERIES:
        match = SHAPE_OF_QUERY.search(query.read_text(encoding="utf-8"))
        if match:
            pairs.append((query, match.group(1)))
    return pairs


@pytest.mark.parametrize(("query", "shape_id"), _queries_for_shapes(), ids=lambda x: str(x))
def test_check_query_agrees_with_its_shape_on_the_examples(query: Path, shape_id: str) -> None:
    sparql = query.read_text(encoding="utf-8")
    for example in sorted(SHAPES_DATA.glob(f"{shape_id}-*.ttl")):
        store = ox.Store()
        store.load(path=example, format=ox.RdfFormat.TURTLE)
        result = store.query(sparql)
        assert isinstance(result, ox.QuerySolutions)
        rows = list(result)
        if "-valid" in example.name:
            assert not rows, example.name
        else:
            assert rows, f"{query.name} finds nothing wrong in {example.name}"


# --- the whole report ---------------------------------------------------------------------------


@pytest.mark.slow
def test_check_queries_report_a_broken_graph(shipped_graph: Graph) -> None:
    broken = Graph()
    for triple in shipped_graph:
        broken.add(triple)
    broken.add((MNRID.C01, MNR.inDomain, MNRID.D02))
    report = quality.OntologyReport(tuple(quality.run_check_queries(broken)))
    assert not report.passed
    failed = {r.name for r in report.results if not r.passed}
    assert "check-capability-domain.rq" in failed
    text = report.to_text()
    assert "FAIL" in text
    assert "C01" in text
    assert report.to_json()["passed"] is False


def test_check_ontology_passes_on_the_shipped_graph(
    shipped_report: quality.OntologyReport,
) -> None:
    assert shipped_report.passed, shipped_report.to_text()
    assert shipped_report.to_text().endswith("all checks passed")
