"""One version: the package, the ontology's versionInfo and versionIRI, and the changelog."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

from rdflib import Graph, URIRef

import mnr_graph
from mnr_graph.core.namespaces import ONTOLOGY_IRI, OWL

CHANGELOG = Path(__file__).parents[1] / "CHANGELOG.md"


def test_ontology_version_is_the_package_version(shipped_graph: Graph) -> None:
    iri = URIRef(ONTOLOGY_IRI)
    assert str(shipped_graph.value(iri, OWL.versionInfo)) == mnr_graph.__version__
    assert shipped_graph.value(iri, OWL.versionIRI) == URIRef(
        f"{ONTOLOGY_IRI}/{mnr_graph.__version__}"
    )


def test_changelog_names_the_package_version() -> None:
    headings = re.findall(r"^## (\d+\.\d+\.\d+)", CHANGELOG.read_text(encoding="utf-8"), re.M)
    assert headings, "CHANGELOG.md has no '## x.y.z' heading"
    assert headings[0] == mnr_graph.__version__, "the newest changelog entry is this version"


def test_installed_metadata_has_the_package_version() -> None:
    assert version("mnr-graph") == mnr_graph.__version__
