"""The registry of stored submissions: its versions, the write lock, the list and withdrawals.

The registry graph ``graph/submissions`` describes each stored submission graph as a
``prov:Entity`` (see :mod:`mnr_graph.submissions.ingest`, which writes the entries). This module
reads it and
keeps it right when several writers work at once:

- **One writer per country and year.** :func:`write_lock` is held while a version is chosen and
  written (or withdrawn). On the embedded store, which one process holds (RocksDB locks its
  folder), it is a lock of that process. On a remote SPARQL store, which several API replicas may
  share, it is claimed in the store itself: a conditional update adds a claim only when none is
  there, then the claim is read back, and the writer goes ahead only when its claim is the only
  one; otherwise it takes its claim back and tries again a moment later. Any two writers thus
  see each other's claim, and at most one goes ahead. A claim lapses after
  :data:`LOCK_LEASE` seconds, so a writer that died cannot block the others for good.
- **Cost per write.** A registry change is written to the registry graph and to the default graph
  (the merge of the named graphs) in the same update, so a write costs what it changes, not the
  size of the registry.
- **Current.** A version's graph and the submission it holds carry ``mnr:isCurrent``; the named
  queries read the submission's. A withdrawn version is ``prov:wasInvalidatedBy`` its withdrawal
  (a ``prov:Activity``) and is no longer current; the latest version left becomes current again.

>>> from mnr_graph.query.store import EmbeddedStore
>>> store = EmbeddedStore()
>>> versions(store, "https://w3id.org/mnr-graph/data/country/XA", "2024")
[]
>>> with write_lock(store, "XA", "2024"):
...     pass
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.term import Node

from mnr_graph.core.errors import BusyError, ConflictError, NotFoundError
from mnr_graph.core.namespaces import DATA, GRAPH, MNR, MNRID, PROV, RDF, RDFS, SH, XSD

__all__ = [
    "LOCK_GRAPH",
    "LOCK_LEASE",
    "REGISTRY_GRAPH",
    "Version",
    "count_submissions",
    "current_flags",
    "data_update",
    "graph_iri",
    "list_submissions",
    "next_version",
    "now",
    "submission_iri",
    "unregistered",
    "upgrade",
    "versions",
    "withdraw",
    "write_lock",
]

#: The registry graph: one prov:Entity per stored submission graph.
REGISTRY_GRAPH = str(GRAPH.submissions)
#: The graph of write-lock claims on a remote store (empty but for the moments of a write).
LOCK_GRAPH = str(GRAPH.locks)
#: Seconds after which a claim on the write lock lapses (a writer that died holds it no longer).
LOCK_LEASE = 120.0
#: Seconds a writer waits for the write lock before the write is refused as busy (503).
LOCK_WAIT = 60.0

Triple = tuple[Node, Node, Node]


class _Store(Protocol):
    def query(self, sparql: str) -> Any: ...
    def update(self, sparql_update: str, *, graphs: Sequence[str] | None = None) -> None: ...


@dataclass(frozen=True)
class Version:
    """One stored version of a country's submission for a year, as the registry has it."""

    graph: str
    submission: str
    number: int
    is_current: bool
    withdrawn: bool
    sha256: str
    content: str | None
    assessed: int | None
    no_data: frozenset[str]


def now() -> Literal:
    """The time of a write, to the second, as an ``xsd:dateTime`` literal."""
    moment = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return Literal(moment.isoformat(), datatype=XSD.dateTime)


def _value(term: Any) -> str | None:
    return None if term is None else str(term.value)


def _year(year: str) -> str:
    return Literal(year).n3()


def versions(store: _Store, country: str, year: str) -> list[Version]:
    """The stored versions of a country (its IRI) and a reporting year, oldest first."""
    rows = store.query(
        f"""SELECT ?g ?s ?v ?current ?sha ?content ?assessed ?gone ?nd WHERE {{
        GRAPH <{REGISTRY_GRAPH}> {{
            ?g <{MNR.country}> <{URIRef(country)}> ; <{MNR.reportingYear}> ?y ;
               <{MNR.version}> ?v ; <{MNR.isCurrent}> ?current ; <{MNR.sha256}> ?sha ;
               <{RDFS.seeAlso}> ?s .
            FILTER (STR(?y) = {_year(year)})
            OPTIONAL {{ ?g <{MNR.contentDigest}> ?content }}
            OPTIONAL {{ ?g <{MNR.assessedCapabilities}> ?assessed }}
            OPTIONAL {{ ?g <{PROV.wasInvalidatedBy}> ?gone }}
            OPTIONAL {{ ?g <{MNR.noDataFor}> ?nd }}
        }} }}"""
    )
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        graph = str(row["g"].value)
        entry = found.setdefault(graph, {"row": row, "no_data": set()})
        if row["nd"] is not None:
            entry["no_data"].add(str(row["nd"].value).rsplit("/", 1)[-1])
    out = []
    for graph, entry in found.items():
        row = entry["row"]
        assessed = _value(row["assessed"])
        out.append(
            Version(
                graph=graph,
                submission=str(row["s"].value),
                number=int(row["v"].value),
                is_current=row["current"].value == "true",
                withdrawn=row["gone"] is not None,
                sha256=str(row["sha"].value),
                content=_value(row["content"]),
                assessed=int(assessed) if assessed is not None else None,
                no_data=frozenset(entry["no_data"]),
            )
        )
    return sorted(out, key=lambda v: v.number)


def unregistered(store: _Store, country: str, year: str) -> list[str]:
    """Current submissions of a country and year that are no stored version of the registry:
    those of the served data (a ``--data`` file). A stored version replaces them."""
    rows = store.query(
        f"""SELECT DISTINCT ?s WHERE {{
            ?s a <{MNR.Submission}> ; <{MNR.country}> <{URIRef(country)}> ;
               <{MNR.reportingYear}> ?y .
            FILTER (STR(?y) = {_year(year)})
            FILTER NOT EXISTS {{ ?s <{MNR.isCurrent}> false }}
            FILTER NOT EXISTS {{ GRAPH <{REGISTRY_GRAPH}> {{
                ?g <{RDFS.seeAlso}> ?s ; <{MNR.version}> ?v }} }}
        }}"""
    )
    return sorted(str(row["s"].value) for row in rows)


def submission_iri(code: str, year: str, number: int) -> str:
    """The IRI a stored version's submission is given."""
    return f"{DATA}submission/{quote(code, safe='')}/{quote(year, safe='')}/v{number}"


def graph_iri(code: str, year: str, number: int) -> str:
    """The named graph a stored version is kept in."""
    return f"{GRAPH}submission/{quote(code, safe='')}/{quote(year, safe='')}/v{number}"


def next_version(store: _Store, found: Sequence[Version], code: str, year: str) -> int:
    """The first version number after the registry's that names no graph or submission already
    in the store (a served data file may hold ``data/submission/XA/2024/v1`` unregistered)."""
    number = max((v.number for v in found), default=0) + 1
    while bool(
        store.query(
            f"ASK {{ {{ <{submission_iri(code, year, number)}> ?p ?o }} UNION "
            f"{{ GRAPH <{graph_iri(code, year, number)}> {{ ?s ?q ?x }} }} }}"
        )
    ):
        number += 1
    return number


def _lines(triples: Iterable[Triple]) -> str:
    return "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in triples)


def data_update(*, insert: Iterable[Triple] = (), delete: Iterable[Triple] = ()) -> str:
    """SPARQL update operations that delete and insert registry statements, in the registry
    graph and in the default graph alike (a statement leaves the default graph only when no
    named graph holds it any more), so their cost follows the statements, not the registry.

    >>> print(data_update(insert=[(URIRef("urn:g"), RDFS.label, Literal("x"))]))
    INSERT DATA { GRAPH <https://w3id.org/mnr-graph/graph/submissions> {
    <urn:g> <http://www.w3.org/2000/01/rdf-schema#label> "x" .
    }
    <urn:g> <http://www.w3.org/2000/01/rdf-schema#label> "x" .
    }
    """
    parts = []
    removed = list(delete)
    if removed:
        parts.append(f"DELETE DATA {{ GRAPH <{REGISTRY_GRAPH}> {{\n{_lines(removed)}\n}} }}")
        values = " ".join(f"({s.n3()} {p.n3()} {o.n3()})" for s, p, o in removed)
        parts.append(
            f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES (?s ?p ?o) {{ {values} }} "
            f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} }} }}"
        )
    added = list(insert)
    if added:
        text = _lines(added)
        parts.append(f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{\n{text}\n}}\n{text}\n}}")
    return " ;\n".join(parts)


def current_flags(graph: str, submission: str, value: bool) -> list[Triple]:
    """The ``mnr:isCurrent`` statements of a version's graph and of the submission it holds."""
    flag = Literal(value)
    return [(URIRef(graph), MNR.isCurrent, flag), (URIRef(submission), MNR.isCurrent, flag)]


def upgrade(store: _Store) -> None:
    """Bring a registry written by an earlier version up to date: the submission held by each
    stored graph gets the graph's ``mnr:isCurrent`` (the named queries read the submission's).
    Nothing is written when nothing lacks it."""
    missing = (
        f"GRAPH <{REGISTRY_GRAPH}> {{ ?g <{MNR.isCurrent}> ?flag ; <{RDFS.seeAlso}> ?s . "
        f"FILTER NOT EXISTS {{ ?s <{MNR.isCurrent}> ?any }} }}"
    )
    if bool(store.query(f"ASK {{ {missing} }}")):
        store.update(
            f"INSERT {{ GRAPH <{REGISTRY_GRAPH}> {{ ?s <{MNR.isCurrent}> ?flag }} "
            f"?s <{MNR.isCurrent}> ?flag }} WHERE {{ {missing} }}",
            graphs=[],
        )


# --- the write lock ---------------------------------------------------------------------------


@contextlib.contextmanager
def write_lock(store: _Store, code: str, year: str) -> Iterator[None]:
    """Hold the right to write the versions of one country and year (see the module's text).

    Raises :class:`~mnr_graph.core.errors.BusyError` (503) when another writer holds it longer than
    :data:`LOCK_WAIT` seconds.
    """
    local = getattr(store, "write_lock", None)
    if local is not None:  # the embedded store: one process holds it
        if not local.acquire(timeout=LOCK_WAIT):
            raise BusyError(f"another write to {code} {year} is under way: try again")
        try:
            yield
        finally:
            local.release()
        return
    lock = URIRef(f"{LOCK_GRAPH}/{quote(code, safe='')}/{quote(year, safe='')}")
    claim = _claim(store, lock, code, year)
    try:
        yield
    finally:
        _drop_claims(store, lock, [claim])


def _claim(store: _Store, lock: URIRef, code: str, year: str) -> str:
    deadline = time.monotonic() + LOCK_WAIT
    delay = 0.02
    while True:
        claim = f"{secrets.token_hex(8)} {time.time() + LOCK_LEASE:.3f}"
        store.update(
            f"INSERT {{ GRAPH <{LOCK_GRAPH}> {{ {lock.n3()} <{MNR.writeLock}> "
            f"{Literal(claim).n3()} }} }} WHERE {{ FILTER NOT EXISTS {{ GRAPH <{LOCK_GRAPH}> "
            f"{{ {lock.n3()} <{MNR.writeLock}> ?held }} }} }}",
            graphs=[LOCK_GRAPH],
        )
        rows = store.query(
            f"SELECT ?c WHERE {{ GRAPH <{LOCK_GRAPH}> {{ {lock.n3()} <{MNR.writeLock}> ?c }} }}"
        )
        held = [str(row["c"].value) for row in rows]
        if held == [claim]:
            return claim
        lapsed = [c for c in held if c != claim and _lapsed(c)]
        _drop_claims(store, lock, [c for c in held if c == claim] + lapsed)
        if time.monotonic() > deadline:
            raise BusyError(f"another write to {code} {year} is under way: try again")
        time.sleep(random.uniform(delay / 2, delay))  # noqa: S311 - back-off, not security
        delay = min(delay * 2, 0.5)


def _lapsed(claim: str) -> bool:
    try:
        return float(claim.rsplit(" ", 1)[-1]) < time.time()
    except ValueError:
        return True


def _drop_claims(store: _Store, lock: URIRef, claims: Sequence[str]) -> None:
    if not claims:
        return
    body = "\n".join(f"{lock.n3()} <{MNR.writeLock}> {Literal(c).n3()} ." for c in claims)
    store.update(f"DELETE DATA {{ GRAPH <{LOCK_GRAPH}> {{ {body} }} }}", graphs=[LOCK_GRAPH])


# --- withdrawal -------------------------------------------------------------------------------


def withdraw(
    store: _Store,
    country: str,
    year: str,
    number: int,
    *,
    code: str,
    agent: tuple[URIRef, str] | None = None,
    tool: URIRef | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Withdraw one stored version: it stays in the store, ``prov:wasInvalidatedBy`` a withdrawal
    activity, and is no longer current; if it was the current one, the latest version left
    becomes current again (or the served data's submissions it had replaced).

    ``agent``: who withdraws it (IRI and name). Returns ``{"graph", "version", "withdrawn",
    "current"}`` (``current``: the graph now current, or null). :class:`NotFoundError` for no
    such version, :class:`ConflictError` for one already withdrawn.
    """
    with write_lock(store, code, year):
        found = versions(store, country, year)
        target = next((v for v in found if v.number == number), None)
        if target is None:
            listed = ", ".join(f"v{v.number}" for v in found) or "none"
            raise NotFoundError(f"no version {number} of {code} {year} (stored versions: {listed})")
        if target.withdrawn:
            raise ConflictError(f"version {number} of {code} {year} was already withdrawn")
        moment = now()
        graph = URIRef(target.graph)
        activity = URIRef(f"{target.graph}/withdrawal")
        insert: list[Triple] = [
            (graph, PROV.wasInvalidatedBy, activity),
            (graph, PROV.invalidatedAtTime, moment),
            (activity, RDF.type, PROV.Activity),
            (activity, RDFS.label, Literal(f"withdrawal of {code} {year} version {number}")),
            (activity, PROV.startedAtTime, moment),
            (activity, PROV.endedAtTime, moment),
        ]
        if reason and reason.strip():
            insert.append((activity, RDFS.comment, Literal(" ".join(reason.split()))))
        if tool is not None:
            insert.append((activity, PROV.wasAssociatedWith, tool))
        if agent is not None:  # who withdrew it: an agent with its name
            insert += [
                (activity, PROV.wasAssociatedWith, agent[0]),
                (agent[0], RDF.type, PROV.Agent),
                (agent[0], RDFS.label, Literal(agent[1])),
            ]
        delete: list[Triple] = []
        current = None
        if target.is_current:
            delete += current_flags(target.graph, target.submission, True)
            insert += current_flags(target.graph, target.submission, False)
            left = [v for v in found if not v.withdrawn and v.number != number]
            if left:
                current = left[-1].graph
                delete += current_flags(left[-1].graph, left[-1].submission, False)
                insert += current_flags(left[-1].graph, left[-1].submission, True)
            else:  # the served data's submissions it had replaced are current again
                for submission in _replaced(store, country, year):
                    delete.append((URIRef(submission), MNR.isCurrent, Literal(False)))
                    insert.append((URIRef(submission), MNR.isCurrent, Literal(True)))
        else:
            current = next((v.graph for v in found if v.is_current), None)
        store.update(data_update(insert=insert, delete=delete), graphs=[])
    return {"graph": target.graph, "version": number, "withdrawn": True, "current": current}


def _replaced(store: _Store, country: str, year: str) -> list[str]:
    """Submissions of the served data that stored versions of a country and year replaced
    (``prov:wasRevisionOf`` them; they are no stored version themselves)."""
    rows = store.query(
        f"""SELECT DISTINCT ?s WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{
            ?g <{MNR.country}> <{URIRef(country)}> ; <{MNR.reportingYear}> ?y ;
               <{MNR.version}> ?v ; <{PROV.wasRevisionOf}> ?s .
            FILTER (STR(?y) = {_year(year)})
            ?s <{MNR.isCurrent}> false .
            FILTER NOT EXISTS {{ ?s <{MNR.version}> ?w }}
        }} }}"""
    )
    return [str(row["s"].value) for row in rows]


# --- the list ---------------------------------------------------------------------------------


def _filters(country: str | None, year: str | None) -> str:
    out = f"VALUES ?country {{ <{URIRef(country)}> }} " if country else ""
    return out + (f"FILTER (STR(?year) = {_year(year)}) " if year else "")


def count_submissions(store: _Store, *, country: str | None = None, year: str | None = None) -> int:
    """How many stored versions the registry lists (for one country and year, if given)."""
    rows = list(
        store.query(
            f"SELECT (COUNT(?g) AS ?n) WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ "
            f"?g a <{PROV.Entity}> ; <{MNR.version}> ?version ; <{MNR.country}> ?country ; "
            f"<{MNR.reportingYear}> ?year . {_filters(country, year)}}} }}"
        )
    )
    return int(rows[0]["n"].value) if rows else 0


def list_submissions(
    store: _Store,
    *,
    country: str | None = None,
    year: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The stored versions, from the registry, by country, year and version: each with its
    provenance, whether it is current or withdrawn, its completeness and its warnings.

    ``country`` is a country's IRI; ``limit`` and ``offset`` page through the list.
    """
    page = f" LIMIT {int(limit)}" if limit is not None else ""
    page += f" OFFSET {int(offset)}" if offset else ""
    rows = store.query(
        f"""PREFIX mnr: <{MNR}>
        PREFIX prov: <{PROV}>
        PREFIX rdfs: <{RDFS}>
        SELECT ?g ?submission ?country ?year ?version ?current ?time ?sha ?content ?file ?sheet
               ?tool ?who ?previous ?assessed ?noData ?gone ?goneAt ?reason ?goneBy
        WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{
            ?g a prov:Entity ; mnr:isCurrent ?current ; mnr:version ?version ;
               mnr:country ?country ; mnr:reportingYear ?year ; prov:generatedAtTime ?time ;
               mnr:sha256 ?sha ; mnr:sourceFile ?file ; mnr:toolVersion ?tool .
            {_filters(country, year)}
            OPTIONAL {{ ?g rdfs:seeAlso ?submission }}
            OPTIONAL {{ ?g mnr:contentDigest ?content }}
            OPTIONAL {{ ?g mnr:sourceSheet ?sheet }}
            OPTIONAL {{ ?g prov:wasAttributedTo/rdfs:label ?who }}
            OPTIONAL {{ ?g prov:wasRevisionOf ?previous }}
            OPTIONAL {{ ?g mnr:assessedCapabilities ?assessed }}
            OPTIONAL {{ ?g mnr:noDataCapabilities ?noData }}
            OPTIONAL {{
                ?g prov:wasInvalidatedBy ?gone . ?gone prov:endedAtTime ?goneAt .
                OPTIONAL {{ ?gone rdfs:comment ?reason }}
                OPTIONAL {{ ?gone prov:wasAssociatedWith ?agent . ?agent rdfs:label ?goneBy .
                           FILTER NOT EXISTS {{ ?agent a prov:SoftwareAgent }} }}
            }}
        }} }}
        ORDER BY ?country ?year ?version{page}"""
    )
    out: list[dict[str, Any]] = []
    rows = list(rows)
    capabilities = _capability_count(store) if rows else 0
    for row in rows:
        assessed, no_data = _value(row["assessed"]), _value(row["noData"])
        withdrawn = None
        if row["gone"] is not None:
            withdrawn = {
                "activity": _value(row["gone"]),
                "at": _value(row["goneAt"]),
                "by": _value(row["goneBy"]),
                "reason": _value(row["reason"]),
            }
        out.append(
            {
                "graph": _value(row["g"]),
                "submission": _value(row["submission"]),
                "country": _value(row["country"]),
                "countryCode": (_value(row["country"]) or "").rsplit("/", 1)[-1],
                "year": _value(row["year"]),
                "version": int(_value(row["version"]) or 0),
                "isCurrent": _value(row["current"]) == "true",
                "withdrawn": withdrawn,
                "generatedAtTime": _value(row["time"]),
                "sha256": _value(row["sha"]),
                "contentDigest": _value(row["content"]),
                "sourceFile": _value(row["file"]),
                "sheet": _value(row["sheet"]),
                "toolVersion": _value(row["tool"]),
                "submitter": _value(row["who"]),
                "wasRevisionOf": _value(row["previous"]),
                "completeness": {
                    "capabilities": capabilities,
                    "assessed": int(assessed) if assessed is not None else None,
                    "noData": int(no_data) if no_data is not None else None,
                    "noDataFor": [],
                },
                "warnings": [],
            }
        )
    _add_details(store, out)
    return out


def _capability_count(store: _Store) -> int:
    """The number of capabilities of the framework (21)."""
    rows = list(store.query(f"SELECT (COUNT(?c) AS ?n) WHERE {{ ?c a <{MNR.Capability}> }}"))
    return int(rows[0]["n"].value) if rows else 0


def _add_details(store: _Store, entries: list[dict[str, Any]]) -> None:
    """The capabilities without data and the warnings of each listed version."""
    if not entries:
        return
    by_graph = {e["graph"]: e for e in entries}
    values = " ".join(URIRef(g).n3() for g in by_graph)
    for row in store.query(
        f"SELECT ?g ?c WHERE {{ VALUES ?g {{ {values} }} GRAPH <{REGISTRY_GRAPH}> {{ "
        f"?g <{MNR.noDataFor}> ?c }} }}"
    ):
        notation = str(row["c"].value).removeprefix(str(MNRID))
        by_graph[str(row["g"].value)]["completeness"]["noDataFor"].append(notation)
    for entry in entries:
        entry["completeness"]["noDataFor"].sort()
    rows = store.query(
        f"""SELECT ?g ?r ?shape ?severity ?message ?focus ?path ?value ?row ?column ?cell WHERE {{
        VALUES ?g {{ {values} }}
        GRAPH <{REGISTRY_GRAPH}> {{
            ?g <{MNR.validationReport}> ?report . ?report <{SH.result}> ?r .
            ?r <{SH.sourceShape}> ?shape ; <{SH.resultSeverity}> ?severity ;
               <{SH.resultMessage}> ?message .
            OPTIONAL {{ ?r <{SH.focusNode}> ?focus }}
            OPTIONAL {{ ?r <{SH.resultPath}> ?path }}
            OPTIONAL {{ ?r <{SH.value}> ?value }}
            OPTIONAL {{ ?r <{MNR.row}> ?row }}
            OPTIONAL {{ ?r <{MNR.column}> ?column }}
            OPTIONAL {{ ?r <{MNR.cell}> ?cell }}
        }} }}"""
    )
    found: list[tuple[str, int, dict[str, Any]]] = []
    for row in rows:
        index = str(row["r"].value).rsplit("/", 1)[-1]
        number = _value(row["row"])
        found.append(
            (
                str(row["g"].value),
                int(index) if index.isdigit() else 0,
                {
                    "severity": str(row["severity"].value).rsplit("#", 1)[-1],
                    "shape": str(row["shape"].value).rsplit("/", 1)[-1],
                    "message": _value(row["message"]),
                    "focus": _value(row["focus"]),
                    "path": _value(row["path"]),
                    "value": _value(row["value"]),
                    "row": int(number) if number is not None else None,
                    "column": _value(row["column"]),
                    "cell": _value(row["cell"]),
                },
            )
        )
    for graph, _index, warning in sorted(found, key=lambda item: (item[0], item[1])):
        by_graph[graph]["warnings"].append(warning)
