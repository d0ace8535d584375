"""Upgrades of a store.

The version that wrote it, the shipped graphs reconciled, a downgrade refused, and the stored
submissions validated again against the shapes of this version.

The store keeps, in the graph ``.../graph/store``, the version of mnr-graph that last served it
(``owl:versionInfo``) and the shipped graphs it loaded (``dcterms:hasPart``). At each start
(:func:`check_version` before anything is loaded, :func:`reconcile` after): a store written by a
newer version is refused unless forced (its data may use what this version does not know); a graph
an earlier version shipped and this one does not (a removed or renamed ontology file) is dropped;
then this version and its shipped graphs are recorded. :func:`revalidate` validates every current
stored submission again and reports those that no longer conform.

>>> from mnr_graph.query.store import EmbeddedStore, shipped_graphs
>>> store = EmbeddedStore.with_shipped_data()
>>> stored_version(store) is None
True
>>> reconcile(store, [iri for iri, _ in shipped_graphs()])
[]
>>> stored_version(store) == __version__
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import DCTERMS, OWL, RDFS, Graph, URIRef

from mnr_graph import __version__
from mnr_graph.core.errors import InputError, MnrGraphError
from mnr_graph.core.namespaces import GRAPH, MNR
from mnr_graph.submissions import current, registry
from mnr_graph.submissions.validation import validate_graph

__all__ = [
    "STATE_GRAPH",
    "DowngradeError",
    "Revalidation",
    "UpgradeStore",
    "check_version",
    "reconcile",
    "revalidate",
    "stored_version",
]

#: The graph where the store says which version wrote it and what was shipped.
STATE_GRAPH = str(GRAPH.store)
_STATE = str(GRAPH.store)
#: Graphs under .../graph/ that are written, never shipped: the registry, the current-submission
#: marks, the digests of the files loaded (query.store.LOADED_GRAPH) and this record.
_KEPT = {STATE_GRAPH, registry.REGISTRY_GRAPH, current.CURRENT_GRAPH, str(GRAPH.loaded)}


class UpgradeStore(Protocol):
    """What an upgrade needs of a store."""

    def query(self, sparql: str) -> Any:
        """The result of a SPARQL query on the store."""

    def update(self, sparql_update: str, *, graphs: Any = None) -> None:
        """Run a SPARQL update as one transaction (``graphs``: the only graphs it writes)."""

    def graph_names(self) -> list[str]:
        """The names of the store's named graphs."""


class DowngradeError(InputError):
    """The store was written by a newer version of mnr-graph."""


def stored_version(store: UpgradeStore) -> str | None:
    """The version of mnr-graph that last served the store (None: none recorded)."""
    rows = list(
        store.query(
            f"SELECT ?v WHERE {{ GRAPH <{STATE_GRAPH}> {{ <{_STATE}> <{OWL.versionInfo}> ?v }} }}"
        )
    )
    return str(rows[0]["v"].value) if rows else None


def _shipped_before(store: UpgradeStore) -> set[str]:
    rows = store.query(
        f"SELECT ?g WHERE {{ GRAPH <{STATE_GRAPH}> {{ <{_STATE}> <{DCTERMS.hasPart}> ?g }} }}"
    )
    return {str(row["g"].value) for row in rows}


def _parse(version: str) -> tuple[int, ...] | None:
    """The release numbers of a version (``0.2.0.dev3`` -> (0, 2, 0)); None if it has none.

    >>> _parse("0.10.1"), _parse("1.2.dev3"), _parse("x")
    ((0, 10, 1), (1, 2), None)
    """
    found = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(n) for n in found.group().split(".")) if found else None


def check_version(store: UpgradeStore, *, allow_downgrade: bool = False) -> str | None:
    """Refuse a store a newer version wrote (:class:`DowngradeError`), unless allowed.

    Returns the version recorded in it.
    """
    found = stored_version(store)
    if found is None or allow_downgrade:
        return found
    theirs, ours = _parse(found), _parse(__version__)
    if theirs is not None and ours is not None and theirs > ours:
        raise DowngradeError(
            f"the store was written by mnr-graph {found}, newer than this {__version__}: "
            "install that version again, restore a backup made before the upgrade, or start "
            "with --allow-downgrade to serve it anyway",
            where="store",
        )
    return found


def reconcile(store: UpgradeStore, shipped: list[str]) -> list[str]:
    """Drop the graphs an earlier version shipped and this one does not; return them.

    This version and its shipped graphs are then recorded. ``shipped`` is this version's shipped
    graphs (the store that serves them knows: :func:`~mnr_graph.query.store.shipped_graphs`). A
    store no version recorded graphs in: every graph directly under
    ``.../graph/`` that is not shipped now (nor the registry's) is taken for an old shipped one.
    """
    now = set(shipped)
    before = _shipped_before(store)
    if not before and stored_version(store) is None:
        base = str(GRAPH)
        before = {
            g for g in store.graph_names() if g.startswith(base) and "/" not in g[len(base) :]
        }
    stale = sorted(before - now - _KEPT)
    drops = " ".join(f"DROP SILENT GRAPH <{URIRef(g)}> ;" for g in stale)
    inserts = " ".join(f"<{_STATE}> <{DCTERMS.hasPart}> <{URIRef(g)}> ." for g in sorted(now))
    store.update(
        f"{drops} DROP SILENT GRAPH <{STATE_GRAPH}> ; INSERT DATA {{ GRAPH <{STATE_GRAPH}> {{ "
        f'<{_STATE}> <{OWL.versionInfo}> "{__version__}" . {inserts} }} }}',
        graphs=[*stale, STATE_GRAPH],
    )
    return stale


@dataclass
class Revalidation:
    """The stored current submissions validated again: how many, and those with violations."""

    checked: int = 0
    failing: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON."""
        return {"checked": self.checked, "failing": self.failing}


def revalidate(store: UpgradeStore) -> Revalidation:
    """Validate every current (not withdrawn) stored submission with this version's shapes."""
    rows = store.query(
        f"SELECT ?g WHERE {{ GRAPH <{registry.REGISTRY_GRAPH}> {{ "
        f"?g <{MNR.isCurrent}> true ; <{RDFS.seeAlso}> ?submission }} }} ORDER BY ?g"
    )
    result = Revalidation()
    for row in list(rows):
        graph_iri = str(row["g"].value)
        triples = list(
            store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
        )
        graph = Graph()
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        result.checked += 1
        try:
            report = validate_graph(graph, filename=graph_iri)
        except MnrGraphError as exc:
            result.failing.append({"graph": graph_iri, "violations": None, "error": str(exc)})
            continue
        if report.has_violations:
            result.failing.append(
                {
                    "graph": graph_iri,
                    "violations": report.count("Violation"),
                    "report": report.to_json(),
                }
            )
    return result
