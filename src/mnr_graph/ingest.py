"""Store a validated submission in its own named graph, with PROV-O provenance, atomically.

A submission for country XA and year 2024 goes into ``graph/submission/XA/2024/vN`` (N counted from
1 per country and year). The registry graph ``graph/submissions`` describes each stored graph as a
``prov:Entity``: ``mnr:isCurrent``, ``mnr:version``, ``prov:wasRevisionOf`` the previous version,
``prov:generatedAtTime``, ``prov:wasAttributedTo`` the submitter (if given), ``mnr:sha256`` and
``mnr:sourceFile`` of the file, ``mnr:toolVersion``. The submission's triples, the registry entry
and the flip of the previous version's ``mnr:isCurrent`` are ONE SPARQL update, which Oxigraph runs
as one transaction: a killed ingest leaves the store as it was.

>>> from mnr_graph import resources
>>> from mnr_graph.store import EmbeddedStore
>>> store = EmbeddedStore()
>>> record = submit(store, resources.path("examples", "XA-2024-valid.ttl").read_bytes(),
...                 filename="XA-2024-valid.ttl", submitter="Data team XA")
>>> (record.graph, record.version, record.is_current)
('https://w3id.org/mnr-graph/graph/submission/XA/2024/v1', 1, True)
>>> [s["graph"] for s in list_submissions(store)] == [record.graph]
True
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from mnr_graph import __version__
from mnr_graph.errors import InputError, ValidationFailedError
from mnr_graph.namespaces import BASE, DATA, GRAPH, MNR, PROV, RDF, RDFS, XSD
from mnr_graph.tabular import file_name
from mnr_graph.validation import (
    ValidationReport,
    read_input,
    submissions_in,
    validate_graph,
    with_inferred_types,
)

__all__ = [
    "REGISTRY_GRAPH",
    "SubmissionRecord",
    "agent_iri",
    "file_iri",
    "list_submissions",
    "submit",
    "tool_iri",
]

#: The registry graph: one prov:Entity per stored submission graph.
REGISTRY_GRAPH = str(GRAPH.submissions)
#: Test hook: when set to a number of seconds, :func:`submit` sleeps that long just before the
#: update that stores the submission (so a test can kill the process at that point).
PAUSE_ENV = "MNR_GRAPH_INGEST_PAUSE"


class _Store(Protocol):
    def query(self, sparql: str) -> Any: ...
    def update(self, sparql_update: str, *, graphs: Sequence[str] | None = None) -> None: ...


@dataclass(frozen=True)
class SubmissionRecord:
    """What was stored: the named graph, its version, the country and year, and the report."""

    graph: str
    submission: str
    country: str
    year: str
    version: int
    previous: str | None
    sha256: str
    is_current: bool
    report: ValidationReport
    #: True when the file was byte-identical to the current version: nothing new was stored.
    unchanged: bool = False

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict (with the validation report)."""
        return {
            "graph": self.graph,
            "submission": self.submission,
            "country": self.country,
            "year": self.year,
            "version": self.version,
            "previous": self.previous,
            "sha256": self.sha256,
            "isCurrent": self.is_current,
            "unchanged": self.unchanged,
            "report": self.report.to_json(),
        }


def _one(graph: Graph, subject: Node, prop: URIRef) -> Node | None:
    values = list(graph.objects(subject, prop))
    return values[0] if len(values) == 1 else None


def _versions(store: _Store, country: str, year: str) -> list[tuple[int, str, bool]]:
    prefix = f"{GRAPH}submission/{country}/{year}/v"
    rows = store.query(
        f"SELECT ?g ?current WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ ?g a <{PROV.Entity}> ; "
        f'<{MNR.isCurrent}> ?current . FILTER(STRSTARTS(STR(?g), "{prefix}")) }} }}'
    )
    found = []
    for row in rows:
        iri = row["g"].value
        tail = iri[len(prefix) :]
        if tail.isdigit():
            found.append((int(tail), iri, row["current"].value == "true"))
    return sorted(found)


def agent_iri(name: str) -> URIRef:
    """The agent a submitter's name stands for: the same name (spaces collapsed) is the same
    agent in every version.

    >>> str(agent_iri("Data  team XA "))
    'https://w3id.org/mnr-graph/data/agent/Data%20team%20XA'
    """
    return DATA[f"agent/{quote(' '.join(name.split()), safe='')}"]


def tool_iri(version: str = __version__) -> URIRef:
    """The software agent (``prov:SoftwareAgent``) of one mnr-graph version."""
    return URIRef(f"{BASE}software/mnr-graph/{quote(version, safe='')}")


def file_iri(digest: str) -> URIRef:
    """The file read, named by its SHA-256 digest (RFC 6920 ``ni:`` URI).

    >>> str(file_iri(hashlib.sha256(b"").hexdigest()))
    'ni:///sha-256;47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU'
    """
    raw = base64.urlsafe_b64encode(bytes.fromhex(digest)).decode().rstrip("=")
    return URIRef(f"ni:///sha-256;{raw}")


def _current(store: _Store, graph_iri: str) -> tuple[str, str, str | None]:
    """The SHA-256, the submission IRI and the previous version of a stored version."""
    rows = list(
        store.query(
            f"SELECT ?sha ?submission ?previous WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ "
            f"<{graph_iri}> <{MNR.sha256}> ?sha ; <{RDFS.seeAlso}> ?submission . "
            f"OPTIONAL {{ <{graph_iri}> <{PROV.wasRevisionOf}> ?previous }} }} }}"
        )
    )
    if not rows:
        return "", "", None
    row = rows[0]
    previous = row["previous"]
    return (
        str(row["sha"].value),
        str(row["submission"].value),
        None if previous is None else str(previous.value),
    )


def _renamed(graph: Graph, old: str, new: str) -> Graph:
    """The graph with every IRI under ``old`` moved under ``new`` (the version in the IRIs)."""
    if old == new:
        return graph

    def move(term: Node) -> Node:
        if isinstance(term, URIRef) and (str(term) == old or str(term).startswith(old + "/")):
            return URIRef(new + str(term)[len(old) :])
        return term

    out = Graph()
    out.addN((move(s), move(p), move(o), out) for s, p, o in graph)
    return out


def _ntriples(graph: Graph) -> str:
    return "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in graph)


def submit(
    store: _Store, data: bytes, *, filename: str, submitter: str | None = None
) -> SubmissionRecord:
    """Validate one submission file and, if it has no violation, store it as a new version.

    Raises :class:`~mnr_graph.errors.ValidationFailedError` (with ``.report``) on violations and
    :class:`~mnr_graph.errors.InputError` when the file cannot be read or holds no single
    submission with a country code and a reporting year.
    """
    graph, cells = read_input(data, filename=filename)
    graph = with_inferred_types(graph)  # a submission typed only by the ontology is stored typed
    submissions = submissions_in(graph, filename=filename)
    if len(submissions) != 1 or not isinstance(submissions[0], URIRef):
        raise InputError(
            f"a file to submit must hold exactly one submission, named by an IRI; found "
            f"{len(submissions)}: {', '.join(str(s) for s in submissions[:5])}",
            where=filename,
        )
    report = validate_graph(graph, filename=filename, cells=cells)
    if report.has_violations:
        error = ValidationFailedError(
            f"{report.count('Violation')} violation(s): the submission was not stored",
            where=filename,
        )
        error.report = report  # type: ignore[attr-defined]
        raise error
    submission = submissions[0]
    country_node = _one(graph, submission, MNR.country)
    code = _one(graph, country_node, MNR.countryCode) if country_node is not None else None
    year = _one(graph, submission, MNR.reportingYear)
    if code is None or year is None:  # pragma: no cover - the shapes already require both
        raise InputError("the submission has no single country code and year", where=filename)
    country, year_text = str(code), str(year)
    versions = _versions(store, country, year_text)
    digest = hashlib.sha256(data).hexdigest()
    current = next((v for v in reversed(versions) if v[2]), None)
    if current is not None:
        stored_digest, stored_submission, stored_previous = _current(store, current[1])
        if stored_digest == digest:  # byte-identical to the current version: nothing new
            return SubmissionRecord(
                graph=current[1],
                submission=stored_submission,
                country=country,
                year=year_text,
                version=current[0],
                previous=stored_previous,
                sha256=digest,
                is_current=True,
                report=report,
                unchanged=True,
            )
    version = versions[-1][0] + 1 if versions else 1
    previous = versions[-1][1] if versions else None
    target = f"{DATA}submission/{country}/{year_text}/v{version}"
    match = re.match(rf"^{re.escape(str(DATA))}submission/[^/]+/[^/]+/v[0-9]+$", str(submission))
    if match:
        graph = _renamed(graph, str(submission), target)
        submission = URIRef(target)
    graph_iri = f"{GRAPH}submission/{country}/{year_text}/v{version}"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    name = file_name(filename)
    entity = URIRef(graph_iri)
    registry = Graph()
    registry.add((entity, RDF.type, PROV.Entity))
    registry.add((entity, MNR.isCurrent, Literal(True)))
    registry.add((entity, MNR.version, Literal(version, datatype=XSD.positiveInteger)))
    registry.add((entity, PROV.generatedAtTime, Literal(now.isoformat(), datatype=XSD.dateTime)))
    registry.add((entity, MNR.sha256, Literal(digest)))
    registry.add((entity, MNR.sourceFile, Literal(name)))
    registry.add((entity, MNR.toolVersion, Literal(__version__)))
    # PROV-O: the ingest is an activity that used the file and generated the graph, run by the
    # tool (a software agent of its version) for the submitter
    time_literal = Literal(now.isoformat(), datatype=XSD.dateTime)
    activity, tool, source = URIRef(f"{graph_iri}/ingest"), tool_iri(), file_iri(digest)
    registry.add((entity, PROV.wasGeneratedBy, activity))
    registry.add((entity, PROV.wasDerivedFrom, source))
    registry.add((activity, RDF.type, PROV.Activity))
    registry.add((activity, RDFS.label, Literal(f"ingest of {name}")))
    registry.add((activity, PROV.used, source))
    registry.add((activity, PROV.startedAtTime, time_literal))
    registry.add((activity, PROV.endedAtTime, time_literal))
    registry.add((activity, PROV.wasAssociatedWith, tool))
    registry.add((source, RDF.type, PROV.Entity))
    registry.add((source, MNR.sha256, Literal(digest)))
    registry.add((source, MNR.sourceFile, Literal(name)))
    registry.add((tool, RDF.type, PROV.SoftwareAgent))
    registry.add((tool, RDFS.label, Literal(f"mnr-graph {__version__}")))
    registry.add((tool, MNR.toolVersion, Literal(__version__)))
    # a country given as a blank node is named in the registry by its canonical IRI
    country_iri = country_node if isinstance(country_node, URIRef) else DATA[f"country/{country}"]
    registry.add((entity, MNR.country, country_iri))
    registry.add((entity, MNR.reportingYear, Literal(year_text, datatype=XSD.gYear)))
    registry.add((entity, RDFS.seeAlso, submission))
    if submitter and submitter.strip():
        agent = agent_iri(submitter)
        registry.add((entity, PROV.wasAttributedTo, agent))
        registry.add((activity, PROV.wasAssociatedWith, agent))
        registry.add((agent, RDF.type, PROV.Agent))
        registry.add((agent, RDFS.label, Literal(" ".join(submitter.split()))))
    if previous:
        registry.add((entity, PROV.wasRevisionOf, URIRef(previous)))
    parts = []
    if previous:
        parts.append(
            f"DELETE DATA {{ GRAPH <{REGISTRY_GRAPH}> {{ <{previous}> <{MNR.isCurrent}> true }} }}"
        )
        parts.append(
            f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{ <{previous}> <{MNR.isCurrent}> false }} }}"
        )
    parts.append(f"DROP SILENT GRAPH <{graph_iri}>")
    parts.append(f"INSERT DATA {{ GRAPH <{graph_iri}> {{\n{_ntriples(graph)}\n}} }}")
    parts.append(f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{\n{_ntriples(registry)}\n}} }}")
    pause = os.environ.get(PAUSE_ENV)
    if pause:
        sys.stderr.write("ingest: paused before the update\n")
        sys.stderr.flush()
        time.sleep(float(pause))
    store.update(" ;\n".join(parts), graphs=[graph_iri, REGISTRY_GRAPH])
    return SubmissionRecord(
        graph=graph_iri,
        submission=str(submission),
        country=country,
        year=year_text,
        version=version,
        previous=previous,
        sha256=digest,
        is_current=True,
        report=report,
    )


def list_submissions(store: _Store) -> list[dict[str, Any]]:
    """Every stored submission graph, from the registry: country, year, version, current or not."""
    rows = store.query(
        f"""PREFIX mnr: <{MNR}>
        PREFIX prov: <{PROV}>
        PREFIX rdfs: <{RDFS}>
        SELECT ?g ?country ?code ?year ?version ?current ?time ?sha ?file ?tool ?who ?previous
        WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{
            ?g a prov:Entity ; mnr:isCurrent ?current ; mnr:version ?version ;
               mnr:country ?country ; mnr:reportingYear ?year ; prov:generatedAtTime ?time ;
               mnr:sha256 ?sha ; mnr:sourceFile ?file ; mnr:toolVersion ?tool .
            OPTIONAL {{ ?g prov:wasAttributedTo/rdfs:label ?who }}
            OPTIONAL {{ ?g prov:wasRevisionOf ?previous }}
        }} }}
        ORDER BY ?country ?year ?version"""
    )
    out = []
    for row in rows:

        def text(name: str, row: Any = row) -> str | None:
            term = row[name]
            return None if term is None else str(term.value)

        out.append(
            {
                "graph": text("g"),
                "country": text("country"),
                "countryCode": (text("country") or "").rsplit("/", 1)[-1],
                "year": text("year"),
                "version": int(text("version") or 0),
                "isCurrent": text("current") == "true",
                "generatedAtTime": text("time"),
                "sha256": text("sha"),
                "sourceFile": text("file"),
                "toolVersion": text("tool"),
                "submitter": text("who"),
                "wasRevisionOf": text("previous"),
            }
        )
    return out
