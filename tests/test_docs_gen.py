"""The generated parts of the docs site: ontology tables and diagrams, API reference, doctests.

The scripts of ``docs/gen/`` run at every ``mkdocs build`` (``scripts/check`` builds the site);
here their functions are checked on the shipped ontology, on a small ontology of our own, and on
the package tree.
"""

from __future__ import annotations

import importlib.util
import pkgutil
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import OWL, RDF, Graph, URIRef

import mnr_graph
from mnr_graph.core.namespaces import MNR

ROOT = Path(__file__).parents[1]
GEN = ROOT / "docs" / "gen"
SVG = "{http://www.w3.org/2000/svg}"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docs_gen_{name}", GEN / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


ontology = _load("ontology")
reference = _load("reference")
doctests = _load("doctests")


@pytest.fixture(scope="module")
def model() -> object:
    return ontology.load_model()


def _declared(graph: Graph, kind: URIRef) -> set[str]:
    return {
        "mnr:" + str(s)[len(str(MNR)) :]
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(MNR))
    }


# --- the ontology page ---------------------------------------------------------------------------


@pytest.mark.slow
def test_the_tables_list_every_class_and_property_of_the_shipped_ontology(
    model: object, shipped_graph: Graph
) -> None:
    page = ontology.fill_page("\n\n".join(ontology.MARKERS), model)
    rows = set(re.findall(r"^\| `(mnr:\w+)` \|", page, re.M))
    classes = _declared(shipped_graph, OWL.Class)
    properties = set().union(
        *(_declared(shipped_graph, k) for k in (OWL.ObjectProperty, OWL.DatatypeProperty))
    )
    assert len(classes) >= 15
    assert len(properties) >= 40
    assert classes | properties <= rows
    assert "| `mnr:inDomain` | object (functional; inverse of `mnr:hasCapability`) |" in page


def test_a_union_domain_is_shown_as_a_union(model: object) -> None:
    table = ontology.properties_table(model)
    row = next(line for line in table.splitlines() if "`mnr:hasSourceDocument`" in line)
    assert "`mnr:Assessment` ∪ `mnr:IndicatorObservation`" in row


def test_the_ontology_page_has_every_marker() -> None:
    text = (ROOT / "docs" / ontology.PAGE).read_text(encoding="utf-8")
    for marker in ontology.MARKERS:
        assert text.count(marker) == 1, marker


def test_a_page_without_a_marker_is_an_error(model: object) -> None:
    with pytest.raises(ValueError, match="generated: properties"):
        ontology.fill_page("\n".join(ontology.MARKERS[:2]), model)


WIDGETS = """\
@prefix mnr: <https://w3id.org/mnr-graph/def/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
mnr:Widget a owl:Class ; rdfs:label "Widget"@en ; skos:definition "A thing | with a bar."@en .
mnr:Gadget a owl:Class ; rdfs:subClassOf mnr:Widget .
mnr:fits a owl:ObjectProperty ; rdfs:domain mnr:Gadget ; rdfs:range mnr:Widget ;
    skos:definition "Links a gadget to a widget it fits."@en .
mnr:fittedBy a owl:ObjectProperty ; owl:inverseOf mnr:fits ;
    rdfs:domain mnr:Widget ; rdfs:range mnr:Gadget .
mnr:likes a owl:ObjectProperty ; rdfs:domain mnr:Widget ; rdfs:range mnr:Widget .
"""


@pytest.fixture
def widgets(tmp_path: Path) -> object:
    path = tmp_path / "widgets.ttl"
    path.write_text(WIDGETS, encoding="utf-8")
    return ontology.load_model([path])


def test_what_a_file_declares_is_what_the_tables_show(widgets: object) -> None:
    classes = ontology.classes_table(widgets)
    assert "| `mnr:Gadget` |  |  | `mnr:Widget` | `widgets.ttl` |" in classes
    assert "A thing \\| with a bar." in classes  # a | in a definition does not split the row
    properties = ontology.properties_table(widgets)
    assert "| `mnr:fits` | object (inverse of `mnr:fittedBy`) | `mnr:Gadget` | `mnr:Widget` |" in (
        properties
    )


def _svg(model: object, file: str) -> ET.Element:
    return ET.fromstring(ontology.diagram_svg(model, file))


def test_the_diagram_draws_each_class_and_property_once(widgets: object) -> None:
    svg = _svg(widgets, "widgets.ttl")
    boxes = [g.findtext(f"{SVG}text") for g in svg.iter(f"{SVG}g") if g.get("class") == "class"]
    labels = [g.findtext(f"{SVG}text") for g in svg.iter(f"{SVG}g") if g.get("class") == "property"]
    assert sorted(str(b) for b in boxes) == ["mnr:Gadget", "mnr:Widget"]
    assert sorted(str(label) for label in labels) == [
        "mnr:fits",
        "mnr:likes",
    ]  # mnr:fittedBy is the inverse of fits
    kinds = [line.get("class") for line in svg if line.get("class") in {"domain", "range", "loop"}]
    subclass = [line for line in svg if line.get("class") == "subclass"]
    assert sorted(str(k) for k in kinds) == [
        "domain",
        "loop",
        "loop",
        "range",
    ]  # likes: a class to itself
    assert len(subclass) == 1


def test_every_shipped_ontology_file_with_classes_has_a_diagram(model: object) -> None:
    files = ontology.diagram_files(model)
    assert {"mnr-ontology.ttl", "mnr-submission.ttl", "terminology.ttl"} <= set(files)
    for file in files:
        svg = _svg(model, file)
        boxes = {g.findtext(f"{SVG}text") for g in svg.iter(f"{SVG}g") if g.get("class") == "class"}
        declared = {c.curie for c in model.classes if c.file == file}  # type: ignore[attr-defined]
        assert declared <= boxes, file
        assert svg.findtext(f"{SVG}title")


def test_the_diagrams_fetch_nothing(model: object) -> None:
    for file in ontology.diagram_files(model):
        text = ontology.diagram_svg(model, file)
        for element in ("<script", "<image", "<foreignObject", "<style", "href"):
            assert element not in text, (file, element)
        assert re.findall(r"https?://[^\"' ]+", text) == ["http://www.w3.org/2000/svg"]


def test_the_page_shows_each_diagram(model: object) -> None:
    markdown = ontology.diagrams_markdown(model)
    for file in ontology.diagram_files(model):
        assert f"]({ontology.diagram_path(file)})" in markdown


# --- the API reference ---------------------------------------------------------------------------


def test_the_reference_has_a_page_for_every_module() -> None:
    found = {".".join(parts) for parts in reference.modules()}
    walked = {m.name for m in pkgutil.walk_packages(mnr_graph.__path__, prefix="mnr_graph.")}
    assert {"mnr_graph"} | walked - {"mnr_graph.__main__"} == found


def test_a_package_page_is_its_index() -> None:
    assert reference.page_path(("mnr_graph", "core"), is_package=True).as_posix() == (
        "mnr_graph/core/index.md"
    )
    assert reference.page_path(("mnr_graph", "core", "text"), is_package=False).as_posix() == (
        "mnr_graph/core/text.md"
    )


# --- doctests in docstrings -----------------------------------------------------------------------


def test_doctests_outside_an_examples_section_are_fenced() -> None:
    text = "Sum.\n\n>>> [1][0]\n1\n\nMore text."
    assert doctests.fence_doctests(text).splitlines() == [
        "Sum.",
        "",
        "```pycon",
        ">>> [1][0]",
        "1",
        "```",
        "",
        "More text.",
    ]


def test_doctests_in_an_examples_section_or_a_fence_are_left_alone() -> None:
    section = "Sum.\n\nExamples:\n    >>> 1 + 1\n    2\n"
    assert doctests.fence_doctests(section) == section.rstrip("\n")
    fenced = "```python\n>>> 1\n```"
    assert doctests.fence_doctests(fenced) == fenced
