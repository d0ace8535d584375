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


def changelog_version(text: str) -> str:
    """The version the changelog is at: its newest release, or the one Unreleased will be."""
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", text, re.M)
    if released:
        return str(released[0])
    upcoming = re.search(r"Unreleased will be released as \*\*(\d+\.\d+\.\d+)\*\*", text)
    assert upcoming, "CHANGELOG.md names no version: no '## [x.y.z]' and no upcoming release"
    return upcoming.group(1)


def test_changelog_version_is_read_from_a_release_or_the_upcoming_one() -> None:
    upcoming = "Unreleased will be released as **0.2.0**.\n\n## [Unreleased]\n"
    assert changelog_version(upcoming) == "0.2.0"
    assert changelog_version(upcoming + "\n## [0.1.0] - 2027-01-04\n") == "0.1.0"


def test_changelog_names_the_package_version() -> None:
    text = CHANGELOG.read_text(encoding="utf-8")
    assert "## [Unreleased]" in text, "CHANGELOG.md keeps an Unreleased section"
    assert changelog_version(text) == mnr_graph.__version__


def test_changelog_sections_are_keep_a_changelog_ones() -> None:
    sections = re.findall(r"^### (.+)$", CHANGELOG.read_text(encoding="utf-8"), re.M)
    known = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    assert sections, "CHANGELOG.md has no ### sections"
    assert set(sections) <= known, f"not a Keep a Changelog section: {set(sections) - known}"


def test_installed_metadata_has_the_package_version() -> None:
    assert version("mnr-graph") == mnr_graph.__version__
