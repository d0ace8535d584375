"""The shipped ontology and framework: structure, labels, pinned IRIs, info, export, context."""

from __future__ import annotations

import csv
import warnings
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from mnr_graph.core import resources
from mnr_graph.core.errors import UnsupportedMediaTypeError
from mnr_graph.core.namespaces import (
    BIBO,
    DCTERMS,
    MNR,
    MNRID,
    ONTOLOGY_IRI,
    OWL,
    RDF,
    RDFS,
    SKOS,
    SKOSXL,
    SOURCE,
    XSD,
)
from mnr_graph.framework import ontology
from mnr_graph.framework.context import CONTEXT_FILE, context_text

DATA = Path(__file__).parent / "data" / "ontology"
LANGUAGES = ("en", "fr", "es")


def _facts() -> list[dict[str, str]]:
    with (DATA / "framework-facts.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


FACTS = _facts()


def _individuals(graph: Graph, cls: URIRef) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))


def _number(graph: Graph, node: URIRef) -> int:
    value = graph.value(node, MNR.number)
    assert isinstance(value, Literal), f"{node} has no mnr:number"
    assert value.datatype == XSD.positiveInteger, f"{node}: mnr:number is not xsd:positiveInteger"
    return int(value.toPython())


def test_counts_are_6_domains_21_capabilities_6_outcomes(shipped_graph: Graph) -> None:
    expected: defaultdict[str, int] = defaultdict(int)
    for row in FACTS:
        expected[row["kind"]] += 1
    assert len(_individuals(shipped_graph, MNR.Domain)) == expected["domain"] == 6
    assert len(_individuals(shipped_graph, MNR.Capability)) == expected["capability"] == 21
    assert len(_individuals(shipped_graph, MNR.Outcome)) == expected["outcome"] == 6


@pytest.mark.parametrize("row", FACTS, ids=[r["notation"] for r in FACTS])
def test_framework_individual_matches_the_reference(
    shipped_graph: Graph, row: dict[str, str]
) -> None:
    node = MNRID[row["notation"]]
    cls = {"domain": MNR.Domain, "capability": MNR.Capability, "outcome": MNR.Outcome}[row["kind"]]
    assert (node, RDF.type, cls) in shipped_graph
    assert _number(shipped_graph, node) == int(row["number"])
    assert (node, SKOS.notation, Literal(row["notation"])) in shipped_graph
    assert (node, SKOS.prefLabel, Literal(row["label_en"], lang="en")) in shipped_graph
    if row["kind"] == "capability":
        assert set(shipped_graph.objects(node, MNR.inDomain)) == {MNRID[row["domain"]]}
        assert (node, SKOS.broader, MNRID[row["domain"]]) in shipped_graph
    if row["kind"] == "outcome":
        assert (MNRID[row["domain"]], MNR.hasOutcome, node) in shipped_graph


def test_every_domain_has_its_capabilities_in_order(shipped_graph: Graph) -> None:
    domains = sorted(
        _individuals(shipped_graph, MNR.Domain), key=lambda d: _number(shipped_graph, d)
    )
    assert [_number(shipped_graph, d) for d in domains] == list(range(1, len(domains) + 1))
    walked: list[int] = []
    for domain in domains:
        numbers = sorted(
            _number(shipped_graph, c)
            for c in shipped_graph.objects(domain, MNR.hasCapability)
            if isinstance(c, URIRef)
        )
        assert numbers, f"{domain} has no capability"
        # A domain's capabilities are consecutive and follow the previous domain's.
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), domain
        walked.extend(numbers)
    assert walked == list(range(1, 22))


def test_every_capability_reaches_its_domains_outcome(shipped_graph: Graph) -> None:
    for capability in _individuals(shipped_graph, MNR.Capability):
        domains = list(shipped_graph.objects(capability, MNR.inDomain))
        assert len(domains) == 1, capability
        outcomes = set(shipped_graph.objects(domains[0], MNR.hasOutcome))
        assert len(outcomes) == 1, domains[0]
        assert outcomes <= set(shipped_graph.objects(capability, MNR.contributesTo)), capability
        assert (outcomes.pop(), MNR.isOutcomeOf, domains[0]) in shipped_graph


def test_cross_references_are_the_reference_ones(shipped_graph: Graph) -> None:
    """mnr:dependsOn holds exactly the cross-references the MNR guidance states.

    They are in a CSV beside this file, each mirrored by skos:related so that SKOS browsers show
    it.
    """
    with (DATA / "framework-dependencies.csv").open(encoding="utf-8", newline="") as f:
        expected = {(MNRID[r["capability"]], MNRID[r["depends_on"]]) for r in csv.DictReader(f)}
    stated = set(shipped_graph.subject_objects(MNR.dependsOn))
    assert stated == expected
    for capability, needed in stated:
        assert (capability, SKOS.related, needed) in shipped_graph


@pytest.mark.parametrize("cls", [MNR.Domain, MNR.Capability, MNR.Outcome], ids=str)
def test_labels_in_en_fr_es_and_translations_marked(shipped_graph: Graph, cls: URIRef) -> None:
    for node in _individuals(shipped_graph, cls):
        labels = list(shipped_graph.objects(node, SKOS.prefLabel))
        langs = sorted(lbl.language for lbl in labels if isinstance(lbl, Literal) and lbl.language)
        assert langs == sorted(LANGUAGES), f"{node}: prefLabel languages {langs}"
        definitions = list(shipped_graph.objects(node, SKOS.definition))
        assert any(isinstance(d, Literal) and d.language == "en" for d in definitions), node
        assert shipped_graph.value(node, DCTERMS.source) is not None, node
        for xl in shipped_graph.objects(node, SKOSXL.prefLabel):
            form = shipped_graph.value(xl, SKOSXL.literalForm)
            assert (xl, MNR.projectTranslation, Literal(True)) in shipped_graph, xl
            assert (node, SKOS.prefLabel, form) in shipped_graph, xl
        xl_langs = sorted(
            str(f.language)
            for xl in shipped_graph.objects(node, SKOSXL.prefLabel)
            for f in shipped_graph.objects(xl, SKOSXL.literalForm)
            if isinstance(f, Literal)
        )
        assert xl_langs == ["es", "fr"], f"{node}: our translations must be SKOS-XL labels"


@pytest.mark.parametrize(
    "cls", [MNR.MaturityPhase, MNR.ImplementationStatus, MNR.AssessorType], ids=str
)
def test_coded_values_are_labelled_in_en_fr_es(shipped_graph: Graph, cls: URIRef) -> None:
    """Phases, statuses and assessor types answer in every label language.

    For example lang=fr, the French template; the fr and es labels are our translations, marked
    as such.
    """
    nodes = _individuals(shipped_graph, cls)
    assert nodes, cls
    for node in nodes:
        labels = list(shipped_graph.objects(node, SKOS.prefLabel))
        langs = sorted(lbl.language for lbl in labels if isinstance(lbl, Literal) and lbl.language)
        assert langs == sorted(LANGUAGES), f"{node}: prefLabel languages {langs}"
        for xl in shipped_graph.objects(node, SKOSXL.prefLabel):
            form = shipped_graph.value(xl, SKOSXL.literalForm)
            assert (xl, MNR.projectTranslation, Literal(True)) in shipped_graph, xl
            assert (node, SKOS.prefLabel, form) in shipped_graph, xl


def test_skos_scheme_has_domains_as_top_concepts(shipped_graph: Graph) -> None:
    scheme = MNRID["framework-scheme"]
    tops = set(shipped_graph.objects(scheme, SKOS.hasTopConcept))
    assert tops == set(_individuals(shipped_graph, MNR.Domain))
    for capability in _individuals(shipped_graph, MNR.Capability):
        assert (capability, SKOS.inScheme, scheme) in shipped_graph
        (domain,) = shipped_graph.objects(capability, MNR.inDomain)
        assert (domain, SKOS.narrower, capability) in shipped_graph


def test_maturity_phases_are_ordered_and_only_sourced_names_checked(
    shipped_graph: Graph,
) -> None:
    phases = _individuals(shipped_graph, MNR.MaturityPhase)
    assert sorted(_number(shipped_graph, p) for p in phases) == [1, 2, 3, 4]
    for phase in phases:
        assert (phase, SKOS.inScheme, MNRID["maturity-scheme"]) in shipped_graph
        status = shipped_graph.value(phase, MNR.reviewStatus)
        if _number(shipped_graph, phase) in (2, 3):
            # The names of the middle phases are not verified: neutral labels, unchecked.
            assert status == MNRID["review-unchecked"], phase
            label = str(shipped_graph.value(phase, SKOS.prefLabel))
            assert label == f"Phase {_number(shipped_graph, phase)}", phase
        else:
            # "building" and "maturity" are named by a copy of the Maturity Model: secondary.
            assert status == MNRID["review-secondary-source"], phase
            assert shipped_graph.value(phase, MNR.reviewSource) is not None, phase


def test_enablers_are_unchecked_and_say_why(shipped_graph: Graph) -> None:
    """The project's notes call the enablers confirmed by a secondary source without naming it.

    None was found, so they are unchecked, and E04 no longer claims an unsourced "rule of law".
    """
    enablers = _individuals(shipped_graph, MNR.Enabler)
    assert len(enablers) == 4
    for enabler in enablers:
        assert shipped_graph.value(enabler, MNR.reviewStatus) == MNRID["review-unchecked"]
        assert shipped_graph.value(enabler, SKOS.editorialNote) is not None, enabler
    texts = " ".join(
        str(o)
        for p in (SKOS.prefLabel, SKOS.definition)
        for o in shipped_graph.objects(MNRID.E04, p)
    )
    assert "rule of law" not in texts


def test_capabilities_are_checked_against_a_page_of_the_first_edition(
    shipped_graph: Graph,
) -> None:
    """The one-page figure is the framework's primary text the project has read."""
    g = shipped_graph
    for capability in _individuals(g, MNR.Capability):
        assert g.value(capability, MNR.reviewStatus) == MNRID["review-primary-text"], capability
        page = g.value(capability, MNR.reviewSource)
        whole = g.value(page, DCTERMS.isPartOf)
        assert whole is not None, capability
        assert g.value(page, BIBO.pages) is not None, capability
        assert (None, DCTERMS.source, whole) in g


def test_domains_whose_names_no_source_gives_are_unchecked(shipped_graph: Graph) -> None:
    for domain in _individuals(shipped_graph, MNR.Domain):
        assert shipped_graph.value(domain, MNR.reviewStatus) == MNRID["review-unchecked"]


def test_the_framework_was_launched_at_the_2015_summit(shipped_graph: Graph) -> None:
    """WeProtect's own review says the MNR was launched at the 2015 Abu Dhabi summit.

    It was not agreed after the summit.
    """
    definition = str(shipped_graph.value(MNRID.MNR, SKOS.definition))
    assert "launched" in definition
    assert "2015" in definition
    assert "agreed after" not in definition
    assert shipped_graph.value(MNRID.MNR, MNR.reviewStatus) == MNRID["review-secondary-source"]
    assert (MNRID.MNR, MNR.reviewSource, SOURCE["weprotect-framing-the-future"]) in shipped_graph


def test_framework_serves_sdg_targets_and_names_its_basis(shipped_graph: Graph) -> None:
    targets = {str(t) for t in shipped_graph.objects(MNRID.MNR, MNR.servesSDGTarget)}
    assert targets == {f"http://metadata.un.org/sdg/{t}" for t in ("16.2", "8.7", "5.2")}
    assert {MNRID.CRC, MNRID.OPSC} <= set(shipped_graph.objects(MNRID.MNR, MNR.basedOn))
    for instrument in _individuals(shipped_graph, MNR.Instrument):
        assert shipped_graph.value(instrument, SKOS.prefLabel) is not None, instrument


def test_ontology_header(shipped_graph: Graph) -> None:
    iri = URIRef(ONTOLOGY_IRI)
    assert (iri, RDF.type, OWL.Ontology) in shipped_graph
    version = str(shipped_graph.value(iri, OWL.versionInfo))
    assert shipped_graph.value(iri, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{version}")
    for prop in (DCTERMS.license, DCTERMS.creator, DCTERMS.modified, DCTERMS.source):
        assert shipped_graph.value(iri, prop) is not None, prop
    assert not list(shipped_graph.objects(None, OWL.imports)), "no owl:imports: nothing is fetched"


def _published_iris() -> list[str]:
    lines = (DATA / "published-iris.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_published_iris_are_still_defined(shipped_graph: Graph) -> None:
    defined = {str(s) for s in shipped_graph.subjects(RDF.type, None)}
    missing = [iri for iri in _published_iris() if iri not in defined]
    assert not missing, f"published IRIs no longer defined: {missing}"


@pytest.mark.slow
def test_info_counts_agree_with_the_graph(shipped_graph: Graph) -> None:
    facts = ontology.info()
    assert facts.capabilities == len(_individuals(shipped_graph, MNR.Capability))
    assert facts.concepts == len(_individuals(shipped_graph, SKOS.Concept))
    assert facts.classes == len(_individuals(shipped_graph, OWL.Class))
    assert facts.triples == len(shipped_graph)
    assert facts.to_json()["version"] == facts.version
    assert "capabilities" in facts.to_text()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["ttl", "nt"])
def test_export_round_trips(shipped_graph: Graph, fmt: str) -> None:
    rdflib_format = {"ttl": "turtle", "nt": "nt"}[fmt]
    again = Graph().parse(data=ontology.export(fmt), format=rdflib_format)
    assert isomorphic(again, shipped_graph)


@pytest.mark.slow
def test_export_owl_is_the_owl2_dl_rendering(shipped_graph: Graph) -> None:
    again = Graph().parse(data=ontology.export("owl"), format="xml")
    assert isomorphic(again, ontology.owl_graph(shipped_graph))
    ranges = {o for o in again.objects(None, RDFS.range) if str(o).startswith(str(XSD))}
    assert ranges <= ontology.OWL2_DATATYPES, "only datatypes HermiT and Protégé accept"
    unlabelled = {
        s for s in shipped_graph.subjects(SKOS.prefLabel) if not shipped_graph.value(s, RDFS.label)
    }
    copied = sum(1 for s in unlabelled for _ in shipped_graph.objects(s, SKOS.prefLabel))
    imports = len(list(shipped_graph.triples((None, OWL.imports, None))))
    assert len(again) == len(shipped_graph) - imports + copied
    assert (MNRID.C07, RDFS.label, Literal("Access to Image Databases", lang="en")) in again


@pytest.mark.slow
def test_export_jsonld_uses_the_shipped_context(shipped_graph: Graph) -> None:
    data = ontology.export("jsonld")
    assert b'"inDomain"' in data, "the context's terms compact the framework properties"
    with warnings.catch_warnings():
        # rdflib's JSON-LD parser builds a ConjunctiveGraph internally (deprecated in rdflib 7).
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        again = Graph().parse(data=data, format="json-ld")
    assert isomorphic(again, shipped_graph)


def test_export_rejects_an_unknown_format() -> None:
    with pytest.raises(UnsupportedMediaTypeError, match="csv"):
        ontology.export("csv")


@pytest.mark.slow
def test_shipped_context_is_generated() -> None:
    shipped = resources.read_text("ontology", CONTEXT_FILE)
    assert shipped == context_text(), (
        "ontology/context.jsonld is stale: run `mnr-graph export-context --output "
        "ontology/context.jsonld`"
    )


def test_every_term_of_the_ontology_is_defined_by_it(shipped_graph: Graph) -> None:
    """Every mnr: class and property names the ontology that defines it (rdfs:isDefinedBy)."""
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    terms = {
        s
        for kind in kinds
        for s in shipped_graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(MNR))
    }
    assert len(terms) > 30
    undefined = sorted(
        str(t) for t in terms if (t, RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) not in shipped_graph
    )
    assert not undefined
