"""What a submission says, counted and digested: its completeness and its content digest.

The completeness (the capabilities assessed and those marked 'no data') is stored with each
version and compared with the current one's before a new version is stored; the content digest
tells that two files say the same thing, whatever their format or layout.

>>> from mnr_graph.core import resources
>>> from mnr_graph.submissions.validation import read_input
>>> file = resources.path("examples", "XA-2024-valid.ttl")
>>> graph, _ = read_input(file.read_bytes(), filename=file.name)
>>> (submission,) = graph.subjects(RDF.type, MNR.Submission)
>>> completeness(graph, submission).to_json()["capabilities"]
21
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from mnr_graph.core.namespaces import DCTERMS, MNR, MNRID, RDF
from mnr_graph.submissions.shapes import context_graph

__all__ = ["Completeness", "completeness", "content_digest"]


@dataclass(frozen=True)
class Completeness:
    """How much a submission says: the capabilities it assesses and those it marks 'no data'."""

    capabilities: int
    assessed: frozenset[str]
    no_data: frozenset[str]

    def to_json(self) -> dict[str, Any]:
        """``{"capabilities", "assessed", "noData", "noDataFor"}`` (counts, and the notations)."""
        return {
            "capabilities": self.capabilities,
            "assessed": len(self.assessed),
            "noData": len(self.no_data),
            "noDataFor": sorted(self.no_data),
        }


def _text(term: Node) -> str:
    if isinstance(term, Literal):
        tag = term.language or (str(term.datatype) if term.datatype else "")
        return f"{tag}|{term}"
    return "_" if isinstance(term, BNode) else str(term)


def _values(graph: Graph, node: Node, prop: URIRef) -> list[str]:
    return sorted(_text(o) for o in graph.objects(node, prop))


def _sources(graph: Graph, node: Node) -> list[list[list[str]]]:
    return sorted(
        [_values(graph, s, p) for p in (DCTERMS.title, MNR.url, DCTERMS.date)]
        for s in graph.objects(node, MNR.hasSourceDocument)
    )


def content_digest(graph: Graph, submission: Node, *, country: str, year: str) -> str:
    """The SHA-256 (hex) of what a submission says.

    Its country and year, and each assessment's capability, phase, status, assessor, evidence
    and sources, each observation's indicator, value, unit, year and sources. Names of nodes,
    the file's format, layout and name, and its creation date do not count: the same data saved
    as CSV or as Turtle has the same digest.
    """
    assessments = sorted(
        [
            *(
                _values(graph, a, p)
                for p in (
                    MNR.assessedCapability,
                    MNR.maturityPhase,
                    MNR.implementationStatus,
                    MNR.assessorType,
                    MNR.evidence,
                )
            ),
            _sources(graph, a),
        ]
        for a in graph.objects(submission, MNR.hasAssessment)
    )
    observations = sorted(
        [
            *(
                _values(graph, o, p)
                for p in (MNR.indicator, MNR.observedValue, MNR.unit, MNR.refYear)
            ),
            _sources(graph, o),
        ]
        for o in graph.objects(submission, MNR.hasObservation)
    )
    payload = {"country": country, "year": year, "a": assessments, "o": observations}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def completeness(graph: Graph, submission: Node) -> Completeness:
    """The capabilities a submission assesses and those it marks 'no data', by notation.

    Assessed: a phase, or a status other than 'no data'; out of the framework's capabilities.
    """
    framework = set(context_graph().subjects(RDF.type, MNR.Capability))
    assessed: set[str] = set()
    no_data: set[str] = set()
    for assessment in graph.objects(submission, MNR.hasAssessment):
        for capability in graph.objects(assessment, MNR.assessedCapability):
            notation = str(capability).removeprefix(str(MNRID))
            phases = list(graph.objects(assessment, MNR.maturityPhase))
            statuses = set(graph.objects(assessment, MNR.implementationStatus))
            if phases or statuses - {MNRID["status-no-data"]}:
                assessed.add(notation)
            elif statuses:
                no_data.add(notation)
    return Completeness(len(framework), frozenset(assessed), frozenset(no_data - assessed))
