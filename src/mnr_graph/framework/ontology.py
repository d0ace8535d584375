"""The shipped ontology: load it, describe it, and export it (OWL 2 DL for reasoners and Protégé).

The graph is every ``ontology/*.ttl`` file merged (the framework ontology, the framework itself,
the terminology and the submission model). Its quality gates are
:mod:`mnr_graph.framework.quality`, run by :func:`check_ontology`.

>>> from mnr_graph.framework import ontology
>>> facts = ontology.info()
>>> facts.capabilities
21
>>> facts.version == facts.package_version
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from rdflib import Graph, URIRef

from mnr_graph import __version__
from mnr_graph.core import resources
from mnr_graph.core.errors import UnsupportedMediaTypeError
from mnr_graph.core.namespaces import MNR, ONTOLOGY_IRI, OWL, PREFIXES, RDF, RDFS, SKOS, XSD

if TYPE_CHECKING:
    from mnr_graph.framework.quality import OntologyReport

__all__ = [
    "EXPORT_FORMATS",
    "OWL2_DATATYPES",
    "ExportFormat",
    "OntologyInfo",
    "check_ontology",
    "export",
    "info",
    "load_graph",
    "owl_graph",
]

ExportFormat = Literal["ttl", "nt", "jsonld", "owl"]
#: The formats :func:`export` writes: Turtle, N-Triples, JSON-LD, RDF/XML (for OWL tools).
EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
_RDFLIB_FORMAT: dict[str, str] = {"ttl": "turtle", "nt": "nt", "owl": "xml", "jsonld": "json-ld"}


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


def check_ontology(graph: Graph | None = None, *, reasoner: bool = True) -> OntologyReport:
    """Run every quality gate on the shipped graph (or on ``graph``).

    The reasoner, the SKOS quality shapes and the check queries
    (:func:`mnr_graph.framework.quality.check_ontology`).
    """
    from mnr_graph.framework import quality  # the gates build on this module

    return quality.check_ontology(graph=graph, reasoner=reasoner)
