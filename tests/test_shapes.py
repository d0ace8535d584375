"""Every shape in shapes/*.ttl has a valid and an invalid example, and each example behaves.

Examples are found by glob: ``tests/data/shapes/Snn-valid.ttl`` and ``Snn-invalid-NN.ttl``.
Each is validated against the shapes of the file that declares the shape, running only that
shape, with the shipped ontology graph added to the data as context (capabilities, phases,
vocabulary). Results count when their focus node is a subject of the example file.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from mnr_graph.core import resources

EXAMPLES = Path(__file__).parent / "data" / "shapes"
SHAPE_ID = re.compile(r"^S[0-9]{2}$")


@cache
def _shape_files() -> dict[str, tuple[Path, URIRef]]:
    found: dict[str, tuple[Path, URIRef]] = {}
    for file in resources.files("shapes", "*.ttl"):
        graph = Graph().parse(file, format="turtle")
        for shape, ident in graph.subject_objects(DCTERMS.identifier):
            assert isinstance(shape, URIRef)
            found[str(ident)] = (file, shape)
    return found


@cache
def _shapes_graph(file: Path) -> Graph:
    return Graph().parse(file, format="turtle")


def _shape_ids() -> list[str]:
    return sorted(_shape_files())


def _results(example: Path, shape_id: str, shipped_graph: Graph) -> set[URIRef]:
    file, shape = _shape_files()[shape_id]
    data = Graph().parse(example, format="turtle")
    subjects = set(data.subjects())
    combined = Graph()
    combined += shipped_graph
    combined += data
    _conforms, report, _text = validate(
        combined,
        shacl_graph=_shapes_graph(file),
        use_shapes=[shape],
        allow_warnings=True,
        inplace=True,
    )
    assert isinstance(report, Graph)
    sources = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.focusNode) in subjects:
            source = report.value(result, SH.sourceShape)
            assert isinstance(source, URIRef) or source is not None
            sources.add(source)
    return {s for s in sources if isinstance(s, URIRef)}


def test_shape_ids_are_stable_and_unique() -> None:
    seen: dict[str, int] = {}
    for file in resources.files("shapes", "*.ttl"):
        graph = Graph().parse(file, format="turtle")
        for shape, ident in graph.subject_objects(DCTERMS.identifier):
            assert SHAPE_ID.match(str(ident)), ident
            assert str(shape).endswith("/" + str(ident)), (shape, ident)
            assert graph.value(shape, SH.message) is not None, f"{ident} has no sh:message"
            assert graph.value(shape, SH.severity) is not None, f"{ident} has no sh:severity"
            seen[str(ident)] = seen.get(str(ident), 0) + 1
    assert seen
    assert all(count == 1 for count in seen.values()), seen


@pytest.mark.parametrize("shape_id", _shape_ids())
def test_every_shape_has_examples(shape_id: str) -> None:
    assert (EXAMPLES / f"{shape_id}-valid.ttl").is_file(), f"{shape_id}-valid.ttl is missing"
    assert list(EXAMPLES.glob(f"{shape_id}-invalid-*.ttl")), f"{shape_id}-invalid-01.ttl is missing"


def _examples(kind: str) -> list[Path]:
    return sorted(EXAMPLES.glob(f"S[0-9][0-9]-{kind}*.ttl"))


@pytest.mark.slow
@pytest.mark.parametrize("example", _examples("invalid"), ids=lambda p: p.name)
def test_invalid_example_fails_on_its_shape(example: Path, shipped_graph: Graph) -> None:
    shape_id = example.name[:3]
    assert shape_id in _shape_files(), f"{example.name} names no shape of shapes/*.ttl"
    _file, shape = _shape_files()[shape_id]
    assert shape in _results(example, shape_id, shipped_graph)


@pytest.mark.slow
@pytest.mark.parametrize("example", _examples("valid"), ids=lambda p: p.name)
def test_valid_example_passes_its_shape(example: Path, shipped_graph: Graph) -> None:
    shape_id = example.name[:3]
    assert shape_id in _shape_files(), f"{example.name} names no shape of shapes/*.ttl"
    assert _results(example, shape_id, shipped_graph) == set()


@pytest.mark.slow
@pytest.mark.parametrize("file", resources.files("shapes", "*.ttl"), ids=lambda p: p.name)
def test_shapes_graph_is_valid_shacl(file: Path) -> None:
    conforms, _report, text = validate(Graph(), shacl_graph=_shapes_graph(file), meta_shacl=True)
    assert conforms, text
