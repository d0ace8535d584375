"""Store a validated submission in its own named graph, with PROV-O provenance, atomically.

A submission for country XA and year 2024 goes into ``graph/submission/XA/2024/vN`` (N counted from
1 per country and year). The registry graph ``graph/submissions``
(:mod:`mnr_graph.submissions.registry`) describes each stored graph as a ``prov:Entity``:
``mnr:isCurrent``, ``mnr:version``, ``prov:wasRevisionOf`` the previous version,
``prov:generatedAtTime``, ``prov:wasAttributedTo`` the submitter (if given), ``mnr:sha256`` and
``mnr:sourceFile`` of the file, ``mnr:contentDigest`` of what it says, its completeness and its
warnings, ``mnr:toolVersion`` (:mod:`mnr_graph.submissions.provenance`,
:mod:`mnr_graph.submissions.completeness`). The submission's triples, the registry entry and the
flip of the previous version's ``mnr:isCurrent`` are ONE SPARQL update, which Oxigraph runs as one
transaction: a killed ingest leaves the store as it was.

What is stored is what was submitted, under one name per thing: the country under its ISO 3166-1
key (FRA, 250 and France are FR), the submission and its parts (assessments, sources,
observations) under the version's IRI, so two versions never share a node. A version is chosen
and written under the write lock of its country and year
(:func:`mnr_graph.submissions.lock.write_lock`): concurrent submissions become successive
versions. A stored version is withdrawn with :func:`mnr_graph.submissions.withdrawal.withdraw`.

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
>>> from mnr_graph.submissions.registry import list_submissions
>>> [s["graph"] for s in list_submissions(store)] == [record.graph]
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from mnr_graph.core.errors import (
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    ValidationFailedError,
)
from mnr_graph.core.namespaces import DATA, DEMO, MNR, RDF
from mnr_graph.framework.countries import lookup_country
from mnr_graph.submissions import current as current_marks
from mnr_graph.submissions import provenance, registry
from mnr_graph.submissions.completeness import Completeness, completeness, content_digest
from mnr_graph.submissions.lock import write_lock
from mnr_graph.submissions.registry import RegistryStore, Version
from mnr_graph.submissions.report import ValidationReport
from mnr_graph.submissions.shapes import with_inferred_types
from mnr_graph.submissions.validation import read_input, submissions_in, validate_graph

# withdraw is the other half of what a submitter does: importable from here, made in withdrawal
from mnr_graph.submissions.withdrawal import withdraw

__all__ = ["SubmissionRecord", "submit", "withdraw"]


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


# --- the stored form: one name per thing ----------------------------------------------------------


def _stored_names(
    graph: Graph, submission: URIRef, country_node: Node, country: str, target: str
) -> dict[Node, URIRef]:
    """Old node -> stored IRI.

    The country under its key, the submission under the version's IRI, everything named under
    the submission's IRI moved with it, and every other assessment, source document and
    observation given a name under it (so two versions never share a node).
    """
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


# --- submit ---------------------------------------------------------------------------------------


def submit(
    store: RegistryStore,
    data: bytes,
    *,
    filename: str,
    submitter: str | None = None,
    sheet: str | None = None,
    replace: bool = False,
    media_type: str | None = None,
    before_write: Callable[[], object] | None = None,
    countries: Collection[str] | None = None,
) -> SubmissionRecord:
    """Validate one submission file and, if it has no violation, store it as a new version.

    Raises :class:`~mnr_graph.core.errors.ValidationFailedError` (with ``.report``) on violations,
    :class:`~mnr_graph.core.errors.InputError` when the file cannot be read or holds no single
    submission with a country code and a reporting year, and
    :class:`~mnr_graph.core.errors.ConflictError` (with ``.details``) when it repeats an older
    version or has less data than the current one and ``replace`` is not set. ``sheet`` names the
    workbook sheet to read. ``before_write`` is called just before the one update that stores the
    version, under the write lock (a test stops the process there to show that nothing is
    half-written). ``countries``: the country codes the submitter may write for (None: any); a
    submission for another is a :class:`~mnr_graph.core.errors.ForbiddenError`.
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
    if countries is not None and country not in {c.upper() for c in countries}:
        raise ForbiddenError(
            f"the submission is for {country}; this token may write for "
            f"{', '.join(sorted(countries)) or 'no country'} only",
            where=filename,
        )
    year_text = str(year)
    summary = completeness(graph, submission)
    content = content_digest(graph, submission, country=country, year=year_text)
    digest = hashlib.sha256(data).hexdigest()
    country_iri = str(DATA[f"country/{country}"])
    with write_lock(store, country, year_text):
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
        entry = provenance.entry(
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
        # The version's graph is new (next_version names no graph in the store), so its triples
        # go into it and into the default graph (the merge) in one INSERT DATA: nothing to drop,
        # nothing to read back, a cost that follows the submission, not the store.
        lines = registry.triple_lines(stored)
        parts = [
            registry.data_update(insert=insert, delete=delete),
            f"INSERT DATA {{ GRAPH <{graph_iri}> {{\n{lines}\n}}\n{lines}\n}}",
            current_marks.refresh_update([country_iri]),  # the country's current submission, marked
        ]
        if before_write is not None:
            before_write()
        # every statement keeps the default graph in step itself: no graph to merge again
        store.update(" ;\n".join(parts), graphs=[])
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
    """What the new submission repeats or loses, against the stored versions.

    A :class:`ConflictError` unless ``replace``, else the notice to give.
    """
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
