"""The published graphs as a described dataset: DCAT 3 and VoID, and dated release dumps.

The dataset is the reference data mnr-graph publishes: the shipped graphs (ontology, framework,
vocabulary, review statuses, sources), one named graph each. Country submissions are users' data
and never part of it.

:func:`dataset_description` is a DCAT 3 ``dcat:Dataset`` that is also a ``void:Dataset``: title,
licence, version, ``void:triples`` for the whole and per graph (each a ``void:subset`` with its
``sd:name``), example resources, the SPARQL endpoint when known, and one ``dcat:Distribution``
per dump with its media type, byte size and SHA-256 checksum (``spdx:checksum``).
:func:`write_release` writes the dumps (Turtle of the union, N-Quads with the named graphs,
JSON-LD), ``SHA256SUMS`` (the format ``sha256sum -c`` reads) and the description, in a folder
named by the version and the date.

>>> text = dataset_description()
>>> "void:triples" in text and "dcat:Dataset" in text
True
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from mnr_graph import __version__
from mnr_graph.core.errors import InputError
from mnr_graph.core.namespaces import BASE, MNRID
from mnr_graph.query.store import shipped_graphs

__all__ = [
    "DATASET",
    "Dump",
    "dataset_description",
    "release_dumps",
    "shipped_triple_counts",
    "write_release",
]

#: DCAT 3 (rdflib's DCAT namespace is version 2: it lacks dcat:version).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")

#: The IRI of the dataset.
DATASET = URIRef(f"{BASE}dataset")
_DESCRIPTION = (
    "The WeProtect Global Alliance's Model National Response (domains, capabilities, outcomes) "
    "as an OWL and SKOS ontology, and the terminology of capability 21 as a SKOS-XL vocabulary "
    "with usage bands, review statuses and sources."
)
_LICENSE = URIRef("https://www.apache.org/licenses/LICENSE-2.0")
_EXAMPLES = (MNRID.C01, MNRID.D01, URIRef(f"{BASE}term/child-sexual-abuse-material"))


@dataclass(frozen=True)
class Dump:
    """One dump file: its name, media type, bytes."""

    name: str
    media_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        """The SHA-256 checksum, hexadecimal."""
        return hashlib.sha256(self.data).hexdigest()


@cache
def shipped_triple_counts() -> dict[str, int]:
    """The number of triples in each shipped graph, by graph IRI."""
    counts: dict[str, int] = {}
    for quad in _quads():
        name = str(quad.graph_name.value)  # type: ignore[union-attr]
        counts[name] = counts.get(name, 0) + 1
    return counts


def _quads() -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for graph_iri, file in shipped_graphs():
        graph = ox.NamedNode(graph_iri)
        for triple in ox.parse(path=str(file), format=ox.RdfFormat.TURTLE, base_iri=graph_iri):
            quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
    return quads


def release_dumps() -> list[Dump]:
    """The dumps: Turtle (the union of the graphs), N-Quads and JSON-LD (both with the graphs)."""
    quads = _quads()
    triples = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE) or b""
    nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    jsonld = ox.serialize(quads, format=ox.RdfFormat.JSON_LD) or b""
    return [
        Dump("mnr-graph.ttl", "text/turtle", turtle),
        Dump("mnr-graph.nq", "application/n-quads", nquads),
        Dump("mnr-graph.jsonld", "application/ld+json", jsonld),
    ]


def dataset_description(
    *,
    endpoint: str | None = None,
    dumps: list[Dump] | None = None,
    download_base: str = "",
    issued: datetime.date | None = None,
) -> str:
    """The DCAT 3 + VoID description of the published graphs, in Turtle.

    ``endpoint``: the SPARQL endpoint's URL (``void:sparqlEndpoint``, a ``dcat:DataService``);
    ``dumps`` with ``download_base`` (a URL or a relative path ending in ``/``): the
    distributions; ``issued``: the release date.
    """
    quads = _quads()
    g = Graph(bind_namespaces="core")
    for prefix, ns in (("dcat", DCAT), ("dcterms", DCTERMS), ("void", VOID), ("sd", SD),
                       ("spdx", SPDX)):  # fmt: skip
        g.bind(prefix, ns)
    g.add((DATASET, RDF.type, DCAT.Dataset))
    g.add((DATASET, RDF.type, VOID.Dataset))
    g.add((DATASET, DCTERMS.title, Literal("mnr-graph: the Model National Response and its "
                                          "terminology as linked data", lang="en")))  # fmt: skip
    g.add((DATASET, DCTERMS.description, Literal(_DESCRIPTION, lang="en")))
    g.add((DATASET, DCTERMS.license, _LICENSE))
    g.add((DATASET, DCAT.version, Literal(__version__)))
    g.add((DATASET, VOID.uriSpace, Literal(BASE)))
    distinct = len({(q.subject, q.predicate, q.object) for q in quads})
    g.add((DATASET, VOID.triples, Literal(distinct, datatype=XSD.integer)))
    for example in _EXAMPLES:
        g.add((DATASET, VOID.exampleResource, example))
    if issued is not None:
        g.add((DATASET, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)))
    for name, count in shipped_triple_counts().items():
        subset = URIRef(f"{DATASET}/{name.rsplit('/', 1)[-1]}")
        g.add((DATASET, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, SD.name, URIRef(name)))
        g.add((subset, VOID.triples, Literal(count, datatype=XSD.integer)))
    if endpoint:
        g.add((DATASET, VOID.sparqlEndpoint, URIRef(endpoint)))
        service = BNode()
        g.add((DATASET, DCAT.distribution, service))  # reached through the service
        g.add((service, RDF.type, DCAT.Distribution))
        g.add((service, DCAT.accessService, URIRef(f"{endpoint}#service")))
        g.add((URIRef(f"{endpoint}#service"), RDF.type, DCAT.DataService))
        g.add((URIRef(f"{endpoint}#service"), DCAT.endpointURL, URIRef(endpoint)))
        g.add((URIRef(f"{endpoint}#service"), DCAT.servesDataset, DATASET))
    for dump in dumps or []:
        url = URIRef(f"{download_base}{dump.name}")
        g.add((DATASET, VOID.dataDump, url))
        dist = URIRef(f"{DATASET}/distribution/{dump.name}")
        g.add((DATASET, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, URIRef(
            f"https://www.iana.org/assignments/media-types/{dump.media_type}")))  # fmt: skip
        g.add((dist, DCAT.byteSize, Literal(len(dump.data), datatype=XSD.nonNegativeInteger)))
        checksum = BNode()
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    return g.serialize(format="turtle")


def write_release(
    directory: Path, *, endpoint: str | None = None, today: datetime.date | None = None
) -> list[Path]:
    """Write a release into ``directory/mnr-graph-<version>-<date>/``.

    The dumps, ``SHA256SUMS`` and ``description.ttl``; refuse to overwrite an existing release.
    """
    day = today or datetime.date.today()
    folder = directory / f"mnr-graph-{__version__}-{day.isoformat()}"
    if folder.exists():
        raise InputError("a release of this version and date exists already", where=str(folder))
    dumps = release_dumps()
    description = dataset_description(endpoint=endpoint, dumps=dumps, issued=day).encode()
    folder.mkdir(parents=True)
    written = []
    for dump in dumps:
        path = folder / dump.name
        path.write_bytes(dump.data)
        written.append(path)
    sums = "".join(f"{d.sha256}  {d.name}\n" for d in dumps)
    (folder / "SHA256SUMS").write_text(sums, encoding="ascii")
    (folder / "description.ttl").write_bytes(description)
    (folder / "release.json").write_text(
        json.dumps({"version": __version__, "date": day.isoformat(),
                    "files": {d.name: d.sha256 for d in dumps}}, indent=2) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    return [*written, folder / "SHA256SUMS", folder / "description.ttl", folder / "release.json"]
