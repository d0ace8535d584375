"""Each country's current submission, marked once at write time so named queries need not find it.

A country's current submission is the one of its latest reporting year among its submissions that
the registry has not superseded or withdrawn (``mnr:isCurrent false``). Finding it on every query
(a ``MAX`` over every submission with a ``NOT EXISTS`` per submission) made the named queries grow
with the whole store; instead the graph ``graph/current`` holds one statement per country::

    <https://w3id.org/mnr-graph/data/country/XA> mnr:currentSubmission <.../submission/XA/2024/v2> .

It is rewritten for the countries a write touches, in the write's own update
(:func:`refresh_update`: a submission, a withdrawal), and for every country when the served data
change (:func:`refresh`, at start-up or ``mnr-graph load``). The statement is in the default graph
too (the merge of the named graphs), so a named query reads ``?country mnr:currentSubmission
?submission`` and nothing else; the ``mnr:isCurrent false`` marks stay as they were, so a query
written with the older pattern still gives the same answer.

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> store.update(
...     "INSERT DATA { GRAPH <urn:g> { <urn:s1> a <https://w3id.org/mnr-graph/def/Submission> ;"
...     " <https://w3id.org/mnr-graph/def/country> <urn:XA> ;"
...     ' <https://w3id.org/mnr-graph/def/reportingYear> "2024" } }'
... )
>>> store.update(refresh_update())
>>> [str(q.object) for q in store.quads_for_pattern(ox.NamedNode("urn:XA"), None, None, None)]
['<urn:s1>', '<urn:s1>']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import pyoxigraph as ox

from mnr_graph.core.namespaces import GRAPH, MNR

__all__ = ["CURRENT_GRAPH", "is_marked", "refresh", "refresh_update"]

#: The graph holding ``?country mnr:currentSubmission ?submission``, one per country.
CURRENT_GRAPH = str(GRAPH.current)


class _Store(Protocol):
    def query(self, sparql: str) -> Any: ...
    def update(self, sparql_update: str, *, graphs: Sequence[str] | None = None) -> None: ...


def refresh_update(countries: Iterable[str] | None = None) -> str:
    """The SPARQL update that rewrites the current-submission statements of ``countries`` (IRIs;
    every country when ``None``) in ``graph/current`` and in the default graph.

    It reads the named graphs only (``GRAPH ?g``), so it can follow, in one request, the
    operations that store or withdraw a version, before the default graph is brought up to date.
    """
    if countries is None:
        scope = ""
    else:
        iris = " ".join(str(ox.NamedNode(c)) for c in sorted(set(countries)))  # checked IRIs
        if not iris:
            return ""
        scope = f"VALUES ?country {{ {iris} }}\n"
    g = f"<{CURRENT_GRAPH}>"
    # full IRIs: Oxigraph reads no PREFIX after the first operation of a request
    link, sub = f"<{MNR.currentSubmission}>", f"<{MNR.Submission}>"
    country, year, flag = f"<{MNR.country}>", f"<{MNR.reportingYear}>", f"<{MNR.isCurrent}>"
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    return f"""DELETE {{ GRAPH {g} {{ ?country {link} ?old }} ?country {link} ?old }}
WHERE {{ {scope}GRAPH {g} {{ ?country {link} ?old }} }} ;
INSERT {{ GRAPH {g} {{ ?country {link} ?submission }} ?country {link} ?submission }}
WHERE {{
  {{
    SELECT ?country (MAX(STR(?anyYear)) AS ?latestYear) WHERE {{
      {scope}GRAPH ?anyGraph {{
        ?anySubmission {rdf_type} {sub} ; {country} ?country ; {year} ?anyYear }}
      FILTER NOT EXISTS {{ GRAPH ?anyFlag {{ ?anySubmission {flag} false }} }}
    }}
    GROUP BY ?country
  }}
  GRAPH ?graph {{ ?submission {rdf_type} {sub} ; {country} ?country ; {year} ?reportingYear }}
  FILTER(STR(?reportingYear) = ?latestYear)
  FILTER NOT EXISTS {{ GRAPH ?flag {{ ?submission {flag} false }} }}
}}"""


def refresh(store: _Store) -> None:
    """Rewrite every country's current-submission statement (after the served data change)."""
    store.update(refresh_update(), graphs=[])


def is_marked(store: _Store) -> bool:
    """True unless the store holds submissions and no current-submission statement (a store
    written before the statements existed, or data loaded by another tool)."""
    if bool(
        store.query(f"ASK {{ GRAPH <{CURRENT_GRAPH}> {{ ?c <{MNR.currentSubmission}> ?s }} }}")
    ):
        return True
    return not bool(store.query(f"ASK {{ GRAPH ?g {{ ?s a <{MNR.Submission}> }} }}"))
