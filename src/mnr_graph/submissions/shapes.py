"""The submission shapes, the part of the shipped graph they need, and the types data implies.

The shapes are ``shapes/submission.ttl`` and the generated ``shapes/iso3166.ttl``. SHACL Core
shapes run in pySHACL; the SPARQL-based ones (those :mod:`mnr_graph.submissions.rules` has a
Python rule for) are deactivated in the graph pySHACL gets. The shipped framework graph is the
context the shapes need (capabilities, the maturity scheme, statuses, assessor types).

>>> sorted(set(shape_ids().values()))[:3]
['S01', 'S02', 'S03']
"""

from __future__ import annotations

from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from mnr_graph.core import resources
from mnr_graph.core.namespaces import DCTERMS, MNR, MNRID, RDF, RDFS, SH, SKOS
from mnr_graph.submissions import rules

__all__ = [
    "SHAPE_FILES",
    "context_graph",
    "core_shapes_graph",
    "ontology_graph",
    "python_shapes",
    "shape_by_id",
    "shape_ids",
    "shape_path",
    "shapes_graph",
    "top_shape_id",
    "with_inferred_types",
]

#: The shape files of the submission rules (in ``shapes/``).
SHAPE_FILES = ("submission.ttl", "iso3166.ttl")


@cache
def shapes_graph() -> Graph:
    """The submission shapes (``shapes/submission.ttl`` and ``shapes/iso3166.ttl``), parsed once."""
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(resources.path("shapes", name), format="turtle")
    return graph


@cache
def core_shapes_graph() -> Graph:
    """The shapes graph with the shapes that have a Python rule deactivated (they run in Python)."""
    graph = Graph()
    for triple in shapes_graph():
        graph.add(triple)
    for shape in python_shapes():
        graph.add((shape, SH.deactivated, Literal(True)))
    return graph


@cache
def shape_ids() -> dict[Node, str]:
    """The shapes that have an id (``dcterms:identifier``: ``S01``), with it."""
    return {s: str(o) for s, o in shapes_graph().subject_objects(DCTERMS.identifier)}


@cache
def python_shapes() -> dict[URIRef, str]:
    """The shapes that :mod:`mnr_graph.submissions.rules` evaluates instead of pySHACL.

    Each with its id.
    """
    found: dict[URIRef, str] = {}
    for shape, ident in shape_ids().items():
        if isinstance(shape, URIRef) and str(ident) in rules.RULES:
            found[shape] = str(ident)
    return found


@cache
def ontology_graph() -> Graph:
    """Every shipped ``ontology/*.ttl`` file, parsed once."""
    graph = Graph()
    for file in resources.files("ontology", "*.ttl"):
        graph.parse(file, format="turtle")
    return graph


@cache
def context_graph() -> Graph:
    """The part of the shipped graph the Core shapes look at: types, class hierarchy, schemes."""
    graph = Graph()
    ontology = ontology_graph()
    wanted = {RDF.type, RDFS.subClassOf, SKOS.inScheme}
    for s, p, o in ontology:
        if p in wanted and isinstance(s, URIRef) and str(s).startswith((str(MNR), str(MNRID))):
            graph.add((s, p, o))
    return graph


@cache
def _inferable_types() -> tuple[dict[URIRef, URIRef], dict[URIRef, URIRef]]:
    """The ``rdfs:domain`` and ``rdfs:range`` of ``mnr:`` properties, when a class a shape targets.

    Such a class is a submission, an assessment, a source document...; read from the shipped
    ontology.
    """
    targets = {o for o in shapes_graph().objects(None, SH.targetClass) if isinstance(o, URIRef)}
    ontology = ontology_graph()
    domains: dict[URIRef, URIRef] = {}
    ranges: dict[URIRef, URIRef] = {}
    for prop, cls in ontology.subject_objects(RDFS.domain):
        if isinstance(prop, URIRef) and str(prop).startswith(str(MNR)) and cls in targets:
            assert isinstance(cls, URIRef)
            domains[prop] = cls
    for prop, cls in ontology.subject_objects(RDFS.range):
        if isinstance(prop, URIRef) and str(prop).startswith(str(MNR)) and cls in targets:
            assert isinstance(cls, URIRef)
            ranges[prop] = cls
    return domains, ranges


def with_inferred_types(data: Graph) -> Graph:
    """The data with the types its ``mnr:`` properties imply (``rdfs:domain``/``rdfs:range``).

    A submission written without ``a mnr:Submission`` (typed only by the ontology: it has
    ``mnr:hasAssessment``) is then checked like a typed one; framework individuals (``mnrid:``)
    are never typed this way, so a wrong capability still fails.

    >>> from rdflib import Graph
    >>> g = Graph().parse(data="<urn:s> <https://w3id.org/mnr-graph/def/hasAssessment> [] .",
    ...                   format="turtle")
    >>> sorted(str(o).rsplit("/", 1)[-1] for o in with_inferred_types(g).objects(None, RDF.type))
    ['Assessment', 'Submission']
    """
    domains, ranges = _inferable_types()
    typed = set(data.subject_objects(RDF.type))
    framework = str(MNRID)
    new: set[tuple[Node, Node, Node]] = set()
    for prop, cls in domains.items():
        for s in data.subjects(prop, None, unique=True):
            if (s, cls) not in typed and not str(s).startswith(framework):
                new.add((s, RDF.type, cls))
    for prop, cls in ranges.items():
        for o in data.objects(None, prop, unique=True):
            wanted = not isinstance(o, Literal) and not str(o).startswith(framework)
            if wanted and (o, cls) not in typed:
                new.add((o, RDF.type, cls))
    if not new:
        return data
    out = Graph()
    out.addN((s, p, o, out) for s, p, o in data)
    out.addN((s, p, o, out) for s, p, o in new)
    return out


def shape_by_id(ident: str) -> Node:
    """The shape with that id."""
    return next(shape for shape, i in shape_ids().items() if i == ident)


def top_shape_id(shape: Node) -> str | None:
    """The id of the identified shape a nested (blank node) shape belongs to."""
    shapes = shapes_graph()
    ids = shape_ids()
    seen: set[Node] = set()
    frontier = [shape]
    while frontier:
        node = frontier.pop()
        if node in ids:
            return ids[node]
        seen.add(node)
        for parent in shapes.subjects(None, node):
            if parent not in seen:
                frontier.append(parent)
        for lst in shapes.subjects(RDF.first, node):
            if lst not in seen:
                frontier.append(lst)
        for lst in shapes.subjects(RDF.rest, node):
            if lst not in seen:
                frontier.append(lst)
    return None


@cache
def _shape_path_cached(shape: Node) -> URIRef | None:
    shapes = shapes_graph()
    direct = shapes.value(shape, SH.path)
    if isinstance(direct, URIRef):
        return direct
    for members in shapes.objects(shape, SH["or"]):
        for member in shapes.items(members):
            path = shapes.value(member, SH.path)
            if isinstance(path, URIRef):
                return path
    # a sh:not of a value being there (S51: a phase with 'no data'): that value's property
    for negated in shapes.objects(shape, SH["not"]):
        for member in sorted(shapes.objects(negated, SH.property), key=str):
            path = shapes.value(member, SH.path)
            if isinstance(path, URIRef) and shapes.value(member, SH.minCount) is not None:
                return path
    return None


def shape_path(shape: Node) -> URIRef | None:
    """The property a node shape is about, for the column.

    The first path of its ``sh:or``, or the property whose value its ``sh:not`` forbids.
    """
    return _shape_path_cached(shape)
