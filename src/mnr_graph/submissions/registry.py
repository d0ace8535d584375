"""The registry of stored submissions: its versions, their names, the list, and its updates.

The registry graph ``graph/submissions`` describes each stored submission graph as a
``prov:Entity`` (:mod:`mnr_graph.submissions.provenance` makes the statements,
:mod:`mnr_graph.submissions.ingest` writes them). This module reads it and writes its changes:

- **Cost per write.** A registry change is written to the registry graph and to the default graph
  (the merge of the named graphs) in the same update, so a write costs what it changes, not the
  size of the registry.
- **Current.** A version's graph and the submission it holds carry ``mnr:isCurrent``; the named
  queries read the submission's. A withdrawn version (:mod:`mnr_graph.submissions.withdrawal`)
  is no longer current; the latest version left becomes current again.
- **One writer per country and year**: :mod:`mnr_graph.submissions.lock`.

>>> from mnr_graph.query.store import EmbeddedStore
>>> store = EmbeddedStore()
>>> versions(store, "https://w3id.org/mnr-graph/data/country/XA", "2024")
[]
>>> list_submissions(store)
[]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.term import Node

from mnr_graph.core.namespaces import DATA, GRAPH, MNR, MNRID, PROV, RDFS, SH, XSD

__all__ = [
    "REGISTRY_GRAPH",
    "RegistryStore",
    "Triple",
    "Version",
    "count_submissions",
    "current_flags",
    "data_update",
    "graph_iri",
    "list_submissions",
    "next_version",
    "now",
    "submission_iri",
    "triple_lines",
    "unregistered",
    "upgrade",
    "versions",
]

#: The registry graph: one prov:Entity per stored submission graph.
REGISTRY_GRAPH = str(GRAPH.submissions)

Triple = tuple[Node, Node, Node]


class RegistryStore(Protocol):
    """What the registry needs of a store (the embedded and the remote store have it)."""

    def query(self, sparql: str) -> Any:
        """Run a SPARQL query; the default graph is the union of all graphs."""

    def update(self, sparql_update: str, *, graphs: Sequence[str] | None = None) -> None:
        """Run a SPARQL update as one transaction (``graphs``: the only graphs it writes)."""


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


def _true(term: Any) -> bool:
    """A boolean literal's value: ``1`` is true as well (Virtuoso answers 1 and 0).

    >>> import pyoxigraph as ox
    >>> boolean = ox.NamedNode(str(XSD.boolean))
    >>> _true(ox.Literal("1", datatype=boolean)), _true(ox.Literal("false", datatype=boolean))
    (True, False)
    """
    return term is not None and str(term.value) in ("true", "1")


def _year(year: str) -> str:
    return Literal(year).n3()


def versions(store: RegistryStore, country: str, year: str) -> list[Version]:
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
                is_current=_true(row["current"]),
                withdrawn=row["gone"] is not None,
                sha256=str(row["sha"].value),
                content=_value(row["content"]),
                assessed=int(assessed) if assessed is not None else None,
                no_data=frozenset(entry["no_data"]),
            )
        )
    return sorted(out, key=lambda v: v.number)


def unregistered(store: RegistryStore, country: str, year: str) -> list[str]:
    """Current submissions of a country and year that are no stored version of the registry.

    Those of the served data (a ``--data`` file). A stored version replaces them.
    """
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


def next_version(store: RegistryStore, found: Sequence[Version], code: str, year: str) -> int:
    """The first version number after the registry's that names no graph or submission stored.

    A served data file may hold ``data/submission/XA/2024/v1`` unregistered.
    """
    number = max((v.number for v in found), default=0) + 1
    while bool(
        store.query(
            f"ASK {{ {{ <{submission_iri(code, year, number)}> ?p ?o }} UNION "
            f"{{ GRAPH <{graph_iri(code, year, number)}> {{ ?s ?q ?x }} }} }}"
        )
    ):
        number += 1
    return number


def triple_lines(triples: Iterable[Triple]) -> str:
    """Triples as N-Triples lines (the body of an ``INSERT DATA`` or ``DELETE DATA``)."""
    return "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in triples)


def data_update(*, insert: Iterable[Triple] = (), delete: Iterable[Triple] = ()) -> str:
    """SPARQL update operations that delete and insert registry statements.

    They write in the registry graph and in the default graph alike (a statement leaves the
    default graph only when no named graph holds it any more), so their cost follows the
    statements, not the registry.

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
        parts.append(f"DELETE DATA {{ GRAPH <{REGISTRY_GRAPH}> {{\n{triple_lines(removed)}\n}} }}")
        values = " ".join(f"({s.n3()} {p.n3()} {o.n3()})" for s, p, o in removed)
        parts.append(
            f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES (?s ?p ?o) {{ {values} }} "
            f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} }} }}"
        )
    added = list(insert)
    if added:
        text = triple_lines(added)
        parts.append(f"INSERT DATA {{ GRAPH <{REGISTRY_GRAPH}> {{\n{text}\n}}\n{text}\n}}")
    return " ;\n".join(parts)


def current_flags(graph: str, submission: str, value: bool) -> list[Triple]:
    """The ``mnr:isCurrent`` statements of a version's graph and of the submission it holds."""
    flag = Literal(value)
    return [(URIRef(graph), MNR.isCurrent, flag), (URIRef(submission), MNR.isCurrent, flag)]


def upgrade(store: RegistryStore) -> None:
    """Bring a registry written by an earlier version up to date.

    The submission held by each stored graph gets the graph's ``mnr:isCurrent`` (the named
    queries read the submission's). Nothing is written when nothing lacks it.
    """
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


# --- the list ---------------------------------------------------------------------------------


def _filters(country: str | None, year: str | None) -> str:
    out = f"VALUES ?country {{ <{URIRef(country)}> }} " if country else ""
    return out + (f"FILTER (STR(?year) = {_year(year)}) " if year else "")


def count_submissions(
    store: RegistryStore, *, country: str | None = None, year: str | None = None
) -> int:
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
    store: RegistryStore,
    *,
    country: str | None = None,
    year: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The stored versions, from the registry, by country, year and version.

    Each with its provenance, whether it is current or withdrawn, its completeness and its
    warnings.

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
                "isCurrent": _true(row["current"]),
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


def _capability_count(store: RegistryStore) -> int:
    """The number of capabilities of the framework (21)."""
    rows = list(store.query(f"SELECT (COUNT(?c) AS ?n) WHERE {{ ?c a <{MNR.Capability}> }}"))
    return int(rows[0]["n"].value) if rows else 0


def _add_details(store: RegistryStore, entries: list[dict[str, Any]]) -> None:
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
