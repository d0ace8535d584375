"""Query runners: where a checked query runs, and the store as a worker thread sees it.

A :class:`QueryRunner` runs a :class:`~mnr_graph.query.protocol.QueryRequest` under the time
limit and gives its serialised, capped answer: the worker pool
(:class:`~mnr_graph.query.workers.QueryPool`) for the embedded store, :class:`RemoteRunner` for a
remote endpoint; :func:`make_runner` picks the one a store needs. :func:`run_read` runs a read
query through a runner and :func:`parse_answer` reads its answer back; :class:`StoreReader` is
the store, with the ``query`` method of :class:`~mnr_graph.query.named.QueryStore`, for code
running in a thread the event loop started (a request handler): every query goes through the
runner, so nothing reads the store in the server process. :func:`run_named_query` runs a named
query through a runner, its existence check alongside.

>>> import asyncio, pyoxigraph as ox
>>> from mnr_graph.query.workers import QueryPool
>>> pool = QueryPool(ox.Store, lambda: 0, size=1, timeout=5)
>>> answer = asyncio.run(run_read(pool, "ASK { }"))
>>> pool.close()
>>> bool(parse_answer(answer))
True
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, Protocol

import anyio.from_thread
import pyoxigraph as ox

from mnr_graph.core.errors import QueryTimeoutError
from mnr_graph.core.settings import Settings
from mnr_graph.query import named
from mnr_graph.query.engine import QueryAnswer, execute
from mnr_graph.query.formats import negotiate
from mnr_graph.query.protocol import QueryRequest, kind_of
from mnr_graph.query.store import EmbeddedStore, RemoteStore, Store, bind_values
from mnr_graph.query.workers import QueryPool

__all__ = [
    "QueryRunner",
    "RemoteRunner",
    "StoreReader",
    "make_runner",
    "parse_answer",
    "run_named_query",
    "run_read",
]

_SPARQL_JSON = "application/sparql-results+json"
_N_TRIPLES = "application/n-triples"


class QueryRunner(Protocol):
    """Runs a checked query request somewhere (a worker pool, a remote endpoint)."""

    async def run(self, request: QueryRequest) -> QueryAnswer:
        """The serialised, capped answer."""

    def close(self) -> None:
        """Release processes and connections."""

    async def warm(self) -> None:
        """Be ready to answer at once (start the workers), rather than at the first query."""


class RemoteRunner:
    """Runs queries on a remote endpoint, in a thread, within the time limit."""

    def __init__(self, store: RemoteStore, *, timeout: float) -> None:
        self.store = store
        self.timeout = timeout

    async def run(self, request: QueryRequest) -> QueryAnswer:
        """Send the query to the endpoint and re-serialise its capped answer."""
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(execute, self.store, request), self.timeout + 1
            )
        except TimeoutError as exc:
            raise QueryTimeoutError(
                f"the SPARQL endpoint did not answer within {self.timeout:g} s"
            ) from exc

    def close(self) -> None:
        """Close the HTTP connections."""
        self.store.close()

    async def warm(self) -> None:
        """Nothing to start: the endpoint is the remote store's."""


def make_runner(store: Store, settings: Settings) -> QueryRunner:
    """The runner for a store.

    A worker pool over an embedded store (forked processes that see its data, the settings'
    size, memory cap and time limit), or a remote runner.
    """
    if isinstance(store, RemoteStore):
        return RemoteRunner(store, timeout=settings.query_timeout)
    assert isinstance(store, EmbeddedStore)
    embedded = store
    return QueryPool(
        embedded.snapshot_source,
        lambda: embedded.generation,
        size=settings.query_workers or None,
        memory_mb=settings.query_memory_mb,
        answer_cache_mb=settings.answer_cache_mb,
        timeout=settings.query_timeout,
    )


async def run_read(
    runner: QueryRunner,
    sparql: str,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    limit: int = 10_000,
) -> QueryAnswer:
    """Run a read query through the runner (a worker under the time limit).

    SPARQL JSON results for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE;
    :func:`parse_answer` reads it.
    """
    kind = kind_of(sparql)
    media = _SPARQL_JSON if kind == "results" else _N_TRIPLES
    return await runner.run(
        QueryRequest(
            sparql,
            kind,
            default_graphs=tuple(default_graphs) if default_graphs is not None else None,
            named_graphs=tuple(named_graphs) if named_graphs is not None else None,
            format=negotiate(kind, media, None),
            limit=limit,
        )
    )


def parse_answer(
    answer: QueryAnswer,
) -> list[ox.QuerySolution] | ox.QueryBoolean | list[ox.Triple]:
    """The answer of :func:`run_read` as the store would give it.

    The solutions (a list), a boolean, or the triples. (A pyoxigraph ``QuerySolutions`` iterator
    belongs to the thread that made it, and an error's traceback can carry it to another: the
    rows are read at once.)
    """
    if answer.media_type == _N_TRIPLES:
        return [q.triple for q in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]
    result = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    if isinstance(result, ox.QuerySolutions):
        return list(result)
    assert isinstance(result, ox.QueryBoolean)
    return result


class StoreReader:
    """The store as code in a worker thread of the event loop sees it.

    Every query goes through the runner (the worker processes under the time limit, or the
    remote endpoint), on the event loop, so nothing reads the store in the server process.

    It has the ``query`` method of :class:`mnr_graph.query.named.QueryStore`; substitutions are
    bound as a ``VALUES`` block of RDF terms (a blank node cannot be bound: ``InputError``).
    """

    def __init__(self, runner: QueryRunner, *, limit: int | None) -> None:
        self.runner = runner
        #: Most rows or triples per query; ``None``: every one (reads bounded by the framework).
        self.limit = limit
        #: True once an answer was cut at ``limit``: the caller must say so (or page).
        self.truncated = False

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode] | None = None,
    ) -> list[ox.QuerySolution] | ox.QueryBoolean | list[ox.Triple]:
        """Run a read query in a worker; call it from a thread the event loop started."""
        text = bind_values(sparql, substitutions) if substitutions else sparql
        answer = anyio.from_thread.run(
            partial(
                run_read,
                self.runner,
                text,
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                limit=sys.maxsize - 1 if self.limit is None else self.limit,
            )
        )
        self.truncated = self.truncated or answer.capped
        return parse_answer(answer)


async def run_named_query(
    runner: QueryRunner,
    query: named.NamedQuery,
    values: Mapping[str, str],
    *,
    limit: int,
    offset: int = 0,
    check_limit: int = 10_000,
) -> named.QueryTable:
    """One page of a named query's rows, run through the runner under the time limit.

    The parameters are checked, then bound as RDF terms in a ``VALUES`` block (never spliced as
    text). The check that the named things exist (a capability, a country) runs in a worker too:
    first, when it decides what a value stands for (a country code: the user's data or the
    demo's), else alongside the query. ``check_limit`` caps the check's rows.
    """
    substitutions = query.bind(values)
    check = query.existence_query(substitutions)
    if check is not None and query.resolves(substitutions):
        found = parse_answer(await run_read(runner, check, limit=check_limit))
        assert isinstance(found, list)
        substitutions = query.check_existence(values, substitutions, found)
        check = None
    text = named.paged(query.text, limit=limit, offset=offset)
    main = runner.run(
        QueryRequest(
            bind_values(text, substitutions) if substitutions else text,
            "results",
            format=negotiate("results", _SPARQL_JSON, None),
            limit=limit + 1,
        )
    )
    if check is None:
        answer = await main
    else:
        found_or_error, answer_or_error = await asyncio.gather(
            run_read(runner, check, limit=check_limit), main, return_exceptions=True
        )
        if isinstance(found_or_error, BaseException):
            raise found_or_error
        checked = parse_answer(found_or_error)
        assert isinstance(checked, list)
        query.check_existence(values, substitutions, checked)
        if isinstance(answer_or_error, BaseException):
            raise answer_or_error
        answer = answer_or_error
    solutions: Any = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    try:
        return named.table_from_solutions(query, solutions, limit=limit, offset=offset)
    finally:
        del solutions  # never carried to another thread by an error's traceback
