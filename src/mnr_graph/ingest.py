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

import datetime as dt
import hashlib
import os
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from mnr_graph import __version__
from mnr_graph.errors import InputError, ValidationFailedError
from mnr_graph.namespaces import DATA, GRAPH, MNR, PROV, RDF, RDFS, XSD
from mnr_graph.validation import (
    ValidationReport,
    read_input,
    submissions_in,
    validate_graph,
    with_inferred_types,
)

__all__ = ["REGISTRY_GRAPH", "SubmissionRecord", "list_submissions", "submit"]

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
    version = versions[-1][0] + 1 if versions else 1
    previous = versions[-1][1] if versions else None
    target = f"{DATA}submission/{country}/{year_text}/v{version}"
    match = re.match(rf"^{re.escape(str(DATA))}submission/[^/]+/[^/]+/v[0-9]+$", str(submission))
    if match:
        graph = _renamed(graph, str(submission), target)
        submission = URIRef(target)
    graph_iri = f"{GRAPH}submission/{country}/{year_text}/v{version}"
    digest = hashlib.sha256(data).hexdigest()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    entity = URIRef(graph_iri)
    registry = Graph()
    registry.add((entity, RDF.type, PROV.Entity))
    registry.add((entity, MNR.isCurrent, Literal(True)))
    registry.add((entity, MNR.version, Literal(version, datatype=XSD.positiveInteger)))
    registry.add((entity, PROV.generatedAtTime, Literal(now.isoformat(), datatype=XSD.dateTime)))
    registry.add((entity, MNR.sha256, Literal(digest)))
    registry.add((entity, MNR.sourceFile, Literal(filename)))
    registry.add((entity, MNR.toolVersion, Literal(__version__)))
    # a country given as a blank node is named in the registry by its canonical IRI
    country_iri = country_node if isinstance(country_node, URIRef) else DATA[f"country/{country}"]
    registry.add((entity, MNR.country, country_iri))
    registry.add((entity, MNR.reportingYear, Literal(year_text, datatype=XSD.gYear)))
    registry.add((entity, RDFS.seeAlso, submission))
    if submitter:
        agent = URIRef(f"{graph_iri}/submitter")
        registry.add((entity, PROV.wasAttributedTo, agent))
        registry.add((agent, RDF.type, PROV.Agent))
        registry.add((agent, RDFS.label, Literal(submitter)))
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
