"""The provenance of a stored version: PROV-O statements, completeness and warnings.

The registry's entry for a version is a ``prov:Entity`` (the named graph):
``prov:wasGeneratedBy`` an ingest activity that ``prov:used`` the file (named by its SHA-256,
an RFC 6920 ``ni:`` URI) and ``prov:wasAssociatedWith`` the tool (a ``prov:SoftwareAgent`` of
its version) and the submitter (a ``prov:Agent``, one per name); ``prov:wasRevisionOf`` the
version (or served submissions) it replaces; ``mnr:version``, ``mnr:isCurrent``, ``mnr:sha256``,
``mnr:contentDigest``, ``mnr:sourceFile``, its completeness, and the SHACL report of the warnings
it was stored with.

>>> str(agent_iri("Data  team XA "))
'https://w3id.org/mnr-graph/data/agent/Data%20team%20XA'
"""

from __future__ import annotations

import base64
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.term import Node

from mnr_graph import __version__
from mnr_graph.core.namespaces import BASE, DATA, MNR, MNRID, PROV, RDF, RDFS, SH, SHAPE, XSD
from mnr_graph.submissions import registry
from mnr_graph.submissions.completeness import Completeness
from mnr_graph.submissions.report import ValidationReport
from mnr_graph.submissions.table import file_name

__all__ = ["agent_iri", "entry", "file_iri", "tool_iri"]


def agent_iri(name: str) -> URIRef:
    """The agent a submitter's name stands for.

    The same name (spaces collapsed) is the same agent in every version.

    >>> str(agent_iri("Data  team XA "))
    'https://w3id.org/mnr-graph/data/agent/Data%20team%20XA'
    """
    return DATA[f"agent/{quote(' '.join(name.split()), safe='')}"]


def tool_iri(version: str = __version__) -> URIRef:
    """The software agent (``prov:SoftwareAgent``) of one mnr-graph version."""
    return URIRef(f"{BASE}software/mnr-graph/{quote(version, safe='')}")


def file_iri(digest: str) -> URIRef:
    """The file read, named by its SHA-256 digest (RFC 6920 ``ni:`` URI).

    >>> import hashlib
    >>> str(file_iri(hashlib.sha256(b"").hexdigest()))
    'ni:///sha-256;47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU'
    """
    raw = base64.urlsafe_b64encode(bytes.fromhex(digest)).decode().rstrip("=")
    return URIRef(f"ni:///sha-256;{raw}")


def entry(
    *,
    graph_iri: str,
    submission: str,
    country: str,
    year: str,
    version: int,
    digest: str,
    content: str,
    summary: Completeness,
    report: ValidationReport,
    names: dict[Node, URIRef],
    filename: str,
    submitter: str | None,
    revision_of: list[str],
) -> list[registry.Triple]:
    """The registry's statements about a new version (PROV-O, completeness, warnings)."""
    moment = registry.now()
    name = file_name(filename)
    entity = URIRef(graph_iri)
    activity, tool, source = URIRef(f"{graph_iri}/ingest"), tool_iri(), file_iri(digest)
    out: list[registry.Triple] = [
        (entity, RDF.type, PROV.Entity),
        (entity, MNR.version, Literal(version, datatype=XSD.positiveInteger)),
        (entity, PROV.generatedAtTime, moment),
        (entity, MNR.sha256, Literal(digest)),
        (entity, MNR.contentDigest, Literal(content)),
        (entity, MNR.sourceFile, Literal(name)),
        (entity, MNR.toolVersion, Literal(__version__)),
        (entity, MNR.country, DATA[f"country/{country}"]),
        (entity, MNR.reportingYear, Literal(year, datatype=XSD.gYear)),
        (entity, RDFS.seeAlso, URIRef(submission)),
        *registry.current_flags(graph_iri, submission, True),
        # PROV-O: the ingest is an activity that used the file and generated the graph, run by
        # the tool (a software agent of its version) for the submitter
        (entity, PROV.wasGeneratedBy, activity),
        (entity, PROV.wasDerivedFrom, source),
        (activity, RDF.type, PROV.Activity),
        (activity, RDFS.label, Literal(f"ingest of {name}")),
        (activity, PROV.used, source),
        (activity, PROV.startedAtTime, moment),
        (activity, PROV.endedAtTime, moment),
        (activity, PROV.wasAssociatedWith, tool),
        (source, RDF.type, PROV.Entity),
        (source, MNR.sha256, Literal(digest)),
        (source, MNR.sourceFile, Literal(name)),
        (tool, RDF.type, PROV.SoftwareAgent),
        (tool, RDFS.label, Literal(f"mnr-graph {__version__}")),
        (tool, MNR.toolVersion, Literal(__version__)),
        # completeness
        (entity, MNR.assessedCapabilities, _count(len(summary.assessed))),
        (entity, MNR.noDataCapabilities, _count(len(summary.no_data))),
        *((entity, MNR.noDataFor, MNRID[n]) for n in sorted(summary.no_data)),
    ]
    out += [(entity, PROV.wasRevisionOf, URIRef(p)) for p in revision_of]
    if report.sheet:
        out.append((entity, MNR.sourceSheet, Literal(report.sheet)))
    if submitter and submitter.strip():
        agent = agent_iri(submitter)
        out += [
            (entity, PROV.wasAttributedTo, agent),
            (activity, PROV.wasAssociatedWith, agent),
            (agent, RDF.type, PROV.Agent),
            (agent, RDFS.label, Literal(" ".join(submitter.split()))),
        ]
    out += _warnings(entity, report, names)
    return out


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.nonNegativeInteger)


def _warnings(
    entity: URIRef, report: ValidationReport, names: dict[Node, URIRef]
) -> list[registry.Triple]:
    """The version's SHACL validation report (sh:ValidationReport).

    The warnings it was stored with, each on the node it was stored as, with its row, column and
    cell for a table.
    """
    node = URIRef(f"{entity}/report")
    out: list[registry.Triple] = [
        (entity, MNR.validationReport, node),
        (node, RDF.type, SH.ValidationReport),
        (node, SH.conforms, Literal(True)),
    ]
    by_text = {str(k): v for k, v in names.items()}
    for index, result in enumerate(report.results, start=1):
        item = URIRef(f"{node}/{index}")
        out += [
            (node, SH.result, item),
            (item, RDF.type, SH.ValidationResult),
            (item, SH.resultSeverity, SH[result.severity]),
            (item, SH.sourceShape, SHAPE[result.shape]),
            (item, SH.resultMessage, Literal(result.message, lang="en")),
        ]
        focus = by_text.get(result.focus)
        if focus is None and result.focus.startswith(("http://", "https://")):
            focus = URIRef(result.focus)
        if focus is not None:
            out.append((item, SH.focusNode, focus))
        if result.path:
            out.append((item, SH.resultPath, URIRef(result.path)))
        if result.value is not None:
            out.append((item, SH.value, Literal(result.value)))
        if result.row is not None:
            out.append((item, MNR.row, Literal(result.row, datatype=XSD.positiveInteger)))
        if result.column:
            out.append((item, MNR.column, Literal(result.column)))
        if result.cell:
            cell = result.cell if "!" in result.cell or not result.sheet else None
            out.append((item, MNR.cell, Literal(cell or f"{result.sheet}!{result.cell}")))
    return out
