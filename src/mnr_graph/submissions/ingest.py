"""Store a validated submission in its own named graph, with PROV-O provenance, atomically.

A submission for country XA and year 2024 goes into ``graph/submission/XA/2024/vN`` (N counted from
1 per country and year). The registry graph ``graph/submissions``
(:mod:`mnr_graph.submissions.registry`)
describes each stored graph as a ``prov:Entity``: ``mnr:isCurrent``, ``mnr:version``,
``prov:wasRevisionOf`` the previous version, ``prov:generatedAtTime``, ``prov:wasAttributedTo`` the
submitter (if given), ``mnr:sha256`` and ``mnr:sourceFile`` of the file, ``mnr:contentDigest`` of
what it says, its completeness and its warnings, ``mnr:toolVersion``. The submission's triples,
the registry entry and the flip of the previous version's ``mnr:isCurrent`` are ONE SPARQL update,
which Oxigraph runs as one transaction: a killed ingest leaves the store as it was.

What is stored is what was submitted, under one name per thing: the country under its ISO 3166-1
key (FRA, 250 and France are FR), the submission and its parts (assessments, sources,
observations) under the version's IRI, so two versions never share a node. A version is chosen
and written under the write lock of its country and year
(:func:`mnr_graph.submissions.registry.write_lock`):
concurrent submissions become successive versions.

Before storing, a submission is compared with what is stored for its country and year:

- the same content as the current version (whatever the file's format or bytes): nothing is
  stored, the record says ``unchanged``;
- the same content as an older version, or less data than the current one (fewer capabilities
  assessed, more marked 'no data'): refused with :class:`~mnr_graph.core.errors.ConflictError` (409)
  saying what it was compared with, unless ``replace=True``.

>>> from mnr_graph.core import resources
>>> from mnr_graph.query.store import EmbeddedStore
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
import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from mnr_graph import __version__
from mnr_graph.core.errors import ConflictError, InputError, NotFoundError, ValidationFailedError
from mnr_graph.core.namespaces import (
    BASE,
    DATA,
    DCTERMS,
    DEMO,
    MNR,
    MNRID,
    PROV,
    RDF,
    RDFS,
    SH,
    SHAPE,
    XSD,
)
from mnr_graph.framework.countries import lookup_country
from mnr_graph.submissions import registry
from mnr_graph.submissions.registry import REGISTRY_GRAPH, Version, list_submissions
from mnr_graph.submissions.tabular import file_name
from mnr_graph.submissions.validation import (
    ValidationReport,
    context_graph,
    read_input,
    submissions_in,
    validate_graph,
    with_inferred_types,
)

__all__ = [
    "REGISTRY_GRAPH",
    "Completeness",
    "SubmissionRecord",
    "agent_iri",
    "completeness",
    "content_digest",
    "file_iri",
    "list_submissions",
    "submit",
    "tool_iri",
    "withdraw",
]

#: Test hook: when set to a number of seconds, :func:`submit` sleeps that long just before the
#: update that stores the submission (so a test can kill the process at that point).
PAUSE_ENV = "MNR_GRAPH_INGEST_PAUSE"


class _Store(Protocol):
    def query(self, sparql: str) -> Any: ...
    def update(self, sparql_update: str, *, graphs: Sequence[str] | None = None) -> None: ...


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
    #: True when the file says what the current version says: nothing new was stored.
    unchanged: bool = False
    completeness: Completeness | None = None
    #: What the submission was found to repeat or replace, said to the submitter.
    notice: str | None = None
    #: Submissions of the served data (not in the registry) that this version replaced.
    replaced: tuple[str, ...] = field(default=())

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
            "notice": self.notice,
            "replaced": list(self.replaced),
            "sheet": self.report.sheet,
            "completeness": self.completeness.to_json() if self.completeness else None,
            "report": self.report.to_json(),
        }


def _one(graph: Graph, subject: Node, prop: URIRef) -> Node | None:
    values = list(graph.objects(subject, prop))
    return values[0] if len(values) == 1 else None


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


# --- what a submission says ---------------------------------------------------------------------


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
    """The SHA-256 (hex) of what a submission says: its country and year, and each assessment's
    capability, phase, status, assessor, evidence and sources, each observation's indicator,
    value, unit, year and sources. Names of nodes, the file's format, layout and name, and its
    creation date do not count: the same data saved as CSV or as Turtle has the same digest."""
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
    """The capabilities a submission assesses (a phase, or a status other than 'no data') and
    those it marks 'no data', by notation, out of the framework's capabilities."""
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


# --- the stored form: one name per thing ----------------------------------------------------------


def _stored_names(
    graph: Graph, submission: URIRef, country_node: Node, country: str, target: str
) -> dict[Node, URIRef]:
    """Old node -> stored IRI: the country under its key, the submission under the version's IRI,
    everything named under the submission's IRI moved with it, and every other assessment, source
    document and observation given a name under it (so two versions never share a node)."""
    names: dict[Node, URIRef] = {country_node: DATA[f"country/{country}"]}
    old = str(submission)
    names[submission] = URIRef(target)
    parts = (MNR.Assessment, MNR.SourceDocument, MNR.IndicatorObservation)
    others = sorted(
        {s for cls in parts for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)},
        key=str,
    )
    for node in sorted({s for s in graph.all_nodes() if isinstance(s, URIRef)}, key=str):
        if str(node).startswith(old + "/"):
            names[node] = URIRef(target + str(node)[len(old) :])
    for index, node in enumerate((n for n in others if n not in names), start=1):
        names[node] = URIRef(f"{target}/part-{index}")
    return names


def _renamed(graph: Graph, names: dict[Node, URIRef], country: str) -> Graph:
    out = Graph()
    country_node = DATA[f"country/{country}"]
    for s, p, o in graph:
        s2, o2 = names.get(s, s), names.get(o, o)
        if s2 == country_node and p == MNR.countryCode:
            o2 = Literal(country)
        out.add((s2, p, o2))
    return out


def _ntriples(graph: Graph) -> str:
    return "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in graph)


# --- submit ---------------------------------------------------------------------------------------


def submit(
    store: _Store,
    data: bytes,
    *,
    filename: str,
    submitter: str | None = None,
    sheet: str | None = None,
    replace: bool = False,
    media_type: str | None = None,
) -> SubmissionRecord:
    """Validate one submission file and, if it has no violation, store it as a new version.

    Raises :class:`~mnr_graph.core.errors.ValidationFailedError` (with ``.report``) on violations,
    :class:`~mnr_graph.core.errors.InputError` when the file cannot be read or holds no single
    submission with a country code and a reporting year, and
    :class:`~mnr_graph.core.errors.ConflictError` (with ``.details``) when it repeats an older
    version
    or has less data than the current one and ``replace`` is not set. ``sheet`` names the
    workbook sheet to read.
    """
    graph, cells = read_input(data, filename=filename, media_type=media_type, sheet=sheet)
    graph = with_inferred_types(graph)  # a submission typed only by the ontology is stored typed
    submissions = submissions_in(graph, filename=filename)
    if len(submissions) != 1 or not isinstance(submissions[0], URIRef):
        raise InputError(
            f"a file to submit must hold exactly one submission, named by an IRI; found "
            f"{len(submissions)}: {', '.join(str(s) for s in submissions[:5])}",
            where=filename,
        )
    if any(str(n).startswith(str(DEMO)) for n in graph.all_nodes() if isinstance(n, URIRef)):
        raise InputError(
            f"IRIs under {DEMO} are the demo's: a submission cannot use them", where=filename
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
    if country_node is None or code is None or year is None:  # pragma: no cover - S01, S02, S12
        raise InputError("the submission has no single country code and year", where=filename)
    try:
        country = lookup_country(str(code)).code  # FRA is FR: one key per country
    except NotFoundError as exc:  # pragma: no cover - S13 already refuses it
        raise InputError(exc.message, where=filename) from None
    year_text = str(year)
    summary = completeness(graph, submission)
    content = content_digest(graph, submission, country=country, year=year_text)
    digest = hashlib.sha256(data).hexdigest()
    country_iri = str(DATA[f"country/{country}"])
    with registry.write_lock(store, country, year_text):
        found = registry.versions(store, country_iri, year_text)
        current = next((v for v in found if v.is_current), None)
        repeated = current is not None and (
            current.content == content if current.content else current.sha256 == digest
        )
        if current is not None and repeated:
            return SubmissionRecord(
                graph=current.graph,
                submission=current.submission,
                country=country,
                year=year_text,
                version=current.number,
                previous=None,
                sha256=digest,
                is_current=True,
                report=report,
                unchanged=True,
                completeness=summary,
                notice=f"same content as the current version {current.number}: nothing stored",
            )
        notice = _compare(found, current, content, summary, country, year_text, replace)
        version = registry.next_version(store, found, country, year_text)
        replaced = registry.unregistered(store, country_iri, year_text)
        target = registry.submission_iri(country, year_text, version)
        names = _stored_names(graph, submission, country_node, country, target)
        stored = _renamed(graph, names, country)
        graph_iri = registry.graph_iri(country, year_text, version)
        previous = found[-1] if found else None
        entry = _entry(
            graph_iri=graph_iri,
            submission=target,
            country=country,
            year=year_text,
            version=version,
            digest=digest,
            content=content,
            summary=summary,
            report=report,
            names=names,
            filename=filename,
            submitter=submitter,
            revision_of=([previous.graph] if previous else []) + replaced,
        )
        delete: list[registry.Triple] = []
        insert = list(entry)
        for old in found:
            if old.is_current:
                delete += registry.current_flags(old.graph, old.submission, True)
                insert += registry.current_flags(old.graph, old.submission, False)
        for old_submission in map(URIRef, replaced):  # the served data's, now replaced
            delete.append((old_submission, MNR.isCurrent, Literal(True)))
            insert.append((old_submission, MNR.isCurrent, Literal(False)))
        parts = [
            registry.data_update(insert=insert, delete=delete),
            f"DROP SILENT GRAPH <{graph_iri}>",
            f"INSERT DATA {{ GRAPH <{graph_iri}> {{\n{_ntriples(stored)}\n}} }}",
        ]
        pause = os.environ.get(PAUSE_ENV)
        if pause:
            sys.stderr.write("ingest: paused before the update\n")
            sys.stderr.flush()
            time.sleep(float(pause))
        # the registry statements keep the default graph in step themselves (registry.data_update)
        store.update(" ;\n".join(parts), graphs=[graph_iri])
    return SubmissionRecord(
        graph=graph_iri,
        submission=target,
        country=country,
        year=year_text,
        version=version,
        previous=previous.graph if previous else (replaced[0] if replaced else None),
        sha256=digest,
        is_current=True,
        report=report,
        completeness=summary,
        notice=notice,
        replaced=tuple(replaced),
    )


def _compare(
    found: list[Version],
    current: Version | None,
    content: str,
    summary: Completeness,
    country: str,
    year: str,
    replace: bool,
) -> str | None:
    """What the new submission repeats or loses, against the stored versions: a
    :class:`ConflictError` unless ``replace``, else the notice to give."""
    same = next((v for v in reversed(found) if v.content == content), None)
    if same is not None:
        state = "withdrawn" if same.withdrawn else "superseded"
        now_current = f"the current version is {current.number}" if current else "none is current"
        message = (
            f"same content as version {same.number} of {country} {year} ({state}); {now_current}"
        )
        if not replace:
            raise ConflictError(
                f"{message}: storing it would bring that content back as a new version. Send it "
                "again with replace=true (mnr-graph submit --replace) to do so",
                details={
                    "reason": "same-content",
                    "sameAs": {"version": same.number, "graph": same.graph, "state": state},
                    "current": _version_json(current),
                },
            )
        return message
    if current is None or current.assessed is None:
        return None
    lost = sorted(summary.no_data - current.no_data)
    fewer = len(summary.assessed) < current.assessed
    more_no_data = len(summary.no_data) > len(current.no_data)
    if not (fewer or more_no_data):
        return None
    message = (
        f"less data than the current version {current.number} of {country} {year}: "
        f"{len(summary.assessed)} capabilities assessed instead of {current.assessed}, "
        f"{len(summary.no_data)} marked 'no data' instead of {len(current.no_data)}"
        + (f" (now 'no data': {', '.join(lost)})" if lost else "")
    )
    if not replace:
        raise ConflictError(
            f"{message}. Send it again with replace=true (mnr-graph submit --replace) to store "
            "it as the current version anyway",
            details={
                "reason": "less-data",
                "current": _version_json(current),
                "new": summary.to_json(),
                "nowNoData": lost,
            },
        )
    return message


def _version_json(version: Version | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "version": version.number,
        "graph": version.graph,
        "assessed": version.assessed,
        "noData": len(version.no_data),
        "noDataFor": sorted(version.no_data),
    }


def _entry(
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
    """The version's SHACL validation report (sh:ValidationReport): the warnings it was stored
    with, each on the node it was stored as, with its row, column and cell for a table."""
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


# --- withdraw -------------------------------------------------------------------------------------


def withdraw(
    store: _Store,
    country: str,
    year: str,
    version: int | str,
    *,
    by: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Withdraw one stored version of a country's submission for a year (see
    :func:`mnr_graph.submissions.registry.withdraw`): it stays in the store with its provenance,
    marked
    ``prov:wasInvalidatedBy`` a withdrawal activity, and the previous version becomes current.

    ``country`` is a code or name (FRA, France: FR); ``version`` a number or ``v3``.
    """
    code = lookup_country(country).code
    if not (len(year) == 4 and year.isdigit()):
        raise InputError(f"{year!r} is not a year: four digits such as 2024", where="year")
    text = str(version).strip().lower().removeprefix("v")
    if not text.isdigit() or int(text) < 1:
        raise InputError(f"{version!r} is not a version: a number such as 3", where="version")
    name = " ".join((by or "").split())
    return {
        "country": code,
        "year": year,
        **registry.withdraw(
            store,
            str(DATA[f"country/{code}"]),
            year,
            int(text),
            code=code,
            agent=(agent_iri(name), name) if name else None,
            tool=tool_iri(),
            reason=reason,
        ),
    }
