"""Withdrawing a stored version: it stays, with its provenance, and is no longer current.

A withdrawn version is ``prov:wasInvalidatedBy`` a withdrawal activity (with its time, reason
and who withdrew it); if it was the current one, the latest version left becomes current again
(or the served data's submissions it had replaced). Written under the write lock of its country
and year (:mod:`mnr_graph.submissions.lock`).
"""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef

from mnr_graph.core.errors import ConflictError, InputError, NotFoundError
from mnr_graph.core.namespaces import DATA, MNR, PROV, RDF, RDFS
from mnr_graph.framework.countries import lookup_country
from mnr_graph.submissions import current as current_marks
from mnr_graph.submissions.lock import write_lock
from mnr_graph.submissions.provenance import agent_iri, tool_iri
from mnr_graph.submissions.registry import (
    REGISTRY_GRAPH,
    RegistryStore,
    Triple,
    current_flags,
    data_update,
    now,
    versions,
)

__all__ = ["withdraw", "withdraw_version"]


def withdraw(
    store: RegistryStore,
    country: str,
    year: str,
    version: int | str,
    *,
    by: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Withdraw one stored version of a country's submission for a year.

    See :func:`withdraw_version`: it stays in the store with its provenance, marked
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
        **withdraw_version(
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


def withdraw_version(
    store: RegistryStore,
    country: str,
    year: str,
    number: int,
    *,
    code: str,
    agent: tuple[URIRef, str] | None = None,
    tool: URIRef | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Withdraw one stored version.

    It stays in the store, ``prov:wasInvalidatedBy`` a withdrawal activity, and is no longer
    current; if it was the current one, the latest version left becomes current again (or the
    served data's submissions it had replaced).

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
        marks = current_marks.refresh_update([country])  # the country's current submission
        store.update(f"{data_update(insert=insert, delete=delete)} ;\n{marks}", graphs=[])
    return {"graph": target.graph, "version": number, "withdrawn": True, "current": current}


def _replaced(store: RegistryStore, country: str, year: str) -> list[str]:
    """Submissions of the served data that stored versions of a country and year replaced.

    The stored versions are ``prov:wasRevisionOf`` them; they are no stored version themselves.
    """
    rows = store.query(
        f"""SELECT DISTINCT ?s WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{
            ?g <{MNR.country}> <{URIRef(country)}> ; <{MNR.reportingYear}> ?y ;
               <{MNR.version}> ?v ; <{PROV.wasRevisionOf}> ?s .
            FILTER (STR(?y) = {Literal(year).n3()})
            ?s <{MNR.isCurrent}> false .
            FILTER NOT EXISTS {{ ?s <{MNR.version}> ?w }}
        }} }}"""
    )
    return [str(row["s"].value) for row in rows]
