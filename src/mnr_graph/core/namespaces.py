"""The project's IRI namespaces (one documented base) and the standard ones it uses.

Base: ``https://w3id.org/mnr-graph/``. Every IRI constant used by code must be defined in the
shipped data; ``tests/test_namespaces.py`` checks that.

>>> str(MNR.Capability)
'https://w3id.org/mnr-graph/def/Capability'
>>> str(MNRID.C01)
'https://w3id.org/mnr-graph/id/C01'
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, QB, RDF, RDFS, SH, SKOS, XSD

__all__ = [
    "BASE",
    "BIBO",
    "DATA",
    "DCAT",
    "DCTERMS",
    "DEMO",
    "GRAPH",
    "LABEL",
    "MNR",
    "MNRID",
    "ONTOLOGY_IRI",
    "OWL",
    "PREFIXES",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "SDG",
    "SH",
    "SHAPE",
    "SKOS",
    "SKOSXL",
    "SOURCE",
    "TERM",
    "XSD",
]

BASE = "https://w3id.org/mnr-graph/"
#: The ontology itself (classes and properties live under ``def/``).
ONTOLOGY_IRI = BASE + "def"
#: Classes and properties.
MNR = Namespace(BASE + "def/")
#: Framework individuals: D01..D06, C01..C21, O01..O06, E01..E04, P01..P04, schemes, statuses.
MNRID = Namespace(BASE + "id/")
#: Terminology concepts (readable slugs) and their groups.
TERM = Namespace(BASE + "term/")
#: SKOS-XL labels of the terminology.
LABEL = Namespace(BASE + "label/")
#: Sources cited by ``dcterms:source``.
SOURCE = Namespace(BASE + "source/")
#: Country data: countries, submissions, assessments, observations.
DATA = Namespace(BASE + "data/")
#: The demo: the shipped examples as served in demo mode (never a user's data, never generated).
DEMO = Namespace(BASE + "demo/")
#: SHACL shapes, by stable id (S01, S02, ...).
SHAPE = Namespace(BASE + "shape/")
#: Named graphs.
GRAPH = Namespace(BASE + "graph/")
#: The UN's SDG linked data (targets such as ``sdg:16.2``).
SDG = Namespace("http://metadata.un.org/sdg/")
SKOSXL = Namespace("http://www.w3.org/2008/05/skos-xl#")
#: The Bibliographic Ontology (``bibo:pages`` of a cited page of the guidelines).
BIBO = Namespace("http://purl.org/ontology/bibo/")

PREFIXES: dict[str, str] = {
    "mnr": str(MNR),
    "mnrid": str(MNRID),
    "term": str(TERM),
    "label": str(LABEL),
    "source": str(SOURCE),
    "data": str(DATA),
    "demo": str(DEMO),
    "graph": str(GRAPH),
    "shape": str(SHAPE),
    "sdg": str(SDG),
    "skos": str(SKOS),
    "skosxl": str(SKOSXL),
    "dcterms": str(DCTERMS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "prov": str(PROV),
    "qb": str(QB),
    "sh": str(SH),
    "dcat": str(DCAT),
}
