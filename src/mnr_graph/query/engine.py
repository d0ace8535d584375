"""Running a SPARQL query request: the capped, serialised answer.

:func:`execute` runs a :class:`~mnr_graph.query.protocol.QueryRequest` on a pyoxigraph store or
any :class:`~mnr_graph.query.store.Store` and serialises at most ``limit`` rows or triples, saying
whether the cap was reached. The worker processes (:mod:`mnr_graph.query.workers`) and the
remote runner (:mod:`mnr_graph.query.runner`) call it.

>>> import pyoxigraph as ox
>>> from mnr_graph.query.formats import negotiate
>>> from mnr_graph.query.protocol import parse_request
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("http://ex/a"), ox.NamedNode("http://ex/p"), ox.Literal("1")))
>>> request = parse_request("GET", None, [("query", "SELECT ?s WHERE { ?s ?p ?o }")], b"")
>>> request = request.with_format(negotiate(request.kind, "text/csv", None))
>>> answer = execute(store, request)
>>> (answer.media_type, answer.body.decode().split())
('text/csv', ['s', 'http://ex/a'])
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from mnr_graph.core.errors import InputError
from mnr_graph.query.diagnostics import predeclare, rewrite_error
from mnr_graph.query.formats import (
    BOOLEAN_FORMATS,
    negotiate,
    serialize_graph,
    serialize_solutions,
)
from mnr_graph.query.protocol import QueryRequest, check_query
from mnr_graph.query.store import QueryResult, Store, run_query

__all__ = ["QueryAnswer", "execute"]


@dataclass(frozen=True)
class QueryAnswer:
    """The serialised answer: body, media type, rows (or triples) sent and whether capped."""

    body: bytes
    media_type: str
    count: int
    capped: bool


def execute(store: ox.Store | Store, request: QueryRequest) -> QueryAnswer:
    """Run the request on a pyoxigraph store (or a Store) and serialise its capped answer.

    The query is checked first (:func:`check_query`): no ``SERVICE``, no absurd nesting. A
    protocol request may use the project's prefixes undeclared; its syntax errors say where and
    how to fix them (:mod:`mnr_graph.query.diagnostics`).
    """
    check_query(request.query)
    text, shift = predeclare(request.query) if request.predeclare else (request.query, 0)
    try:
        if isinstance(store, ox.Store):
            result: QueryResult = run_query(
                store,
                text,
                default_graphs=request.default_graphs,
                named_graphs=request.named_graphs,
                base_iri=request.base_iri,
            )
        else:
            result = store.query(
                text, default_graphs=request.default_graphs, named_graphs=request.named_graphs
            )
    except InputError as exc:
        raise rewrite_error(exc, request.query, shift=shift) from exc
    fmt = request.format or negotiate(request.kind, None, None)
    if isinstance(result, ox.QueryBoolean):
        if fmt.name not in BOOLEAN_FORMATS:
            fmt = negotiate("results", None, None)
        return QueryAnswer(
            result.serialize(format=BOOLEAN_FORMATS[fmt.name]) or b"", fmt.media_type, 1, False
        )
    if isinstance(result, ox.QuerySolutions):
        if fmt.kind != "results":
            fmt = negotiate("results", None, None)
        variables = [v.value for v in result.variables]
        try:
            rows = list(islice(result, request.limit + 1))
        finally:
            # an error while reading (evaluation is lazy) must not keep the iterator alive in
            # its traceback: it belongs to this thread, and may not be dropped in another
            del result
        capped = len(rows) > request.limit
        rows = rows[: request.limit]
        body = serialize_solutions(variables, rows, fmt.name)
        return QueryAnswer(body, fmt.media_type, len(rows), capped)
    if fmt.kind != "graph":
        fmt = negotiate("graph", None, None)
    try:
        triples = list(islice(result, request.limit + 1))
    finally:
        del result  # as above
    capped = len(triples) > request.limit
    triples = triples[: request.limit]
    return QueryAnswer(serialize_graph(triples, fmt.name), fmt.media_type, len(triples), capped)
