"""A remote SPARQL 1.1 endpoint as a store: query, update and the Graph Store Protocol via httpx.

Answers are parsed into the same pyoxigraph result types as the embedded store gives. Query
parameters are bound as a ``VALUES`` block (:func:`bind_values`): a value is serialised as an
RDF term, never spliced as text. Nothing is read from the environment (no proxy, no ``.netrc``),
and redirects are not followed.

A store whose default graph is the union of its named graphs (Virtuoso, which has no default
graph of its own; ``oxigraph serve --union-default-graph``) is used with
``union_default_graph=True``: nothing is written to its default graph
(:func:`~mnr_graph.query.dataset.without_default_writes`).

>>> bind_values("SELECT ?l WHERE { ?c ?p ?l }", {"c": ox.NamedNode("http://ex/c")})
'SELECT ?l WHERE { VALUES (?c) { (<http://ex/c>) } ?c ?p ?l }'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from mnr_graph.core.errors import InputError, QueryTimeoutError, StoreError
from mnr_graph.query import netguard
from mnr_graph.query.dataset import (
    QueryResult,
    Term,
    replace_graphs_update,
    with_sync,
    without_default_writes,
)
from mnr_graph.query.lexer import first_keyword, tokens

if TYPE_CHECKING:  # imported when a remote store is made: httpx (with rich) slows every start
    import httpx

__all__ = ["RemoteStore", "bind_values", "dict_of_lists"]


def bind_values(sparql: str, substitutions: Mapping[str, Term]) -> str:
    r"""The query with a ``VALUES`` block binding the variables, at the start of its ``WHERE``.

    Values are serialised as RDF terms (never spliced as text), so a value cannot change the query.

    >>> bind_values("SELECT ?l WHERE { ?c ?p ?l }", {"c": ox.NamedNode("http://ex/c")})
    'SELECT ?l WHERE { VALUES (?c) { (<http://ex/c>) } ?c ?p ?l }'
    >>> print(bind_values("ASK { ?s ?p ?o }", {"o": ox.Literal('say "hi"', language="en")}))
    ASK { VALUES (?o) { ("say \"hi\""@en) } ?s ?p ?o }
    """
    if not substitutions:
        return sparql
    for name, value in substitutions.items():
        if isinstance(value, ox.BlankNode):
            raise InputError("a blank node cannot be bound to a query variable", where=f"?{name}")
        if not name.isidentifier():
            raise InputError("not a SPARQL variable name", where=f"?{name}")
    block = "VALUES ({}) {{ ({}) }} ".format(
        " ".join(f"?{n}" for n in substitutions), " ".join(str(v) for v in substitutions.values())
    )
    seen_where = any(t.kind == "word" and t.text.upper() == "WHERE" for t in tokens(sparql))
    after_where = not seen_where
    for t in tokens(sparql):
        if t.kind == "word" and t.text.upper() == "WHERE":
            after_where = True
        elif after_where and t.text == "{":
            return sparql[: t.start + 1] + " " + block + sparql[t.start + 1 :].lstrip()
    raise InputError("cannot bind parameters: the query has no WHERE clause")


_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, "
    "application/sparql-results+xml;q=0.8, text/turtle;q=0.7"
)
#: What a CONSTRUCT or DESCRIBE asks for: a graph (Virtuoso answers a table of ?s ?p ?o to one
#: that accepts SPARQL results first).
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
_GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


class RemoteStore:
    """A SPARQL 1.1 endpoint (query, update and optionally the Graph Store Protocol) via httpx.

    Answers are parsed into the same pyoxigraph result types as :class:`EmbeddedStore` gives. The
    endpoint's default graph is kept as the merge of its named graphs, by every write (so serve
    it without a union-default-graph option: oxigraph's repeats triples shared by graphs).

    ``account``: the user and password the endpoint asks for, sent by HTTP Basic or (``auth=
    "digest"``) Digest authentication.

    ``union_default_graph``: the endpoint's default graph is the union of its named graphs
    already (Virtuoso's; it has none of its own to write), and no write touches it. A triple
    held by several named graphs is then read once per graph (the stores' own graphs share
    almost none).
    """

    def __init__(
        self,
        query_endpoint: str,
        *,
        update_endpoint: str | None = None,
        gsp_endpoint: str | None = None,
        union_default_graph: bool = False,
        account: tuple[str, str] | None = None,
        auth: str = "basic",
        timeout: float = 5.0,
    ) -> None:
        if auth not in ("basic", "digest"):
            raise InputError(f"unknown authentication {auth!r}: basic or digest")
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint or query_endpoint
        self.gsp_endpoint = gsp_endpoint
        self.union_default_graph = union_default_graph
        self.timeout = timeout
        self.generation = 0
        import httpx

        # trust_env=False: no proxy settings or .netrc from the environment.
        credentials: httpx.Auth | None = None
        if (
            account is not None
        ):  # sent as the store asks: Basic, or Digest (Virtuoso's /sparql-auth)
            credentials = (
                httpx.DigestAuth(*account) if auth == "digest" else httpx.BasicAuth(*account)
            )
        self.client = httpx.Client(
            timeout=timeout, trust_env=False, follow_redirects=False, auth=credentials
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    def _send(self, request: httpx.Request, where: str) -> httpx.Response:
        import httpx

        try:
            response = self.client.send(request)
        except httpx.TimeoutException as exc:
            raise QueryTimeoutError(
                f"the SPARQL endpoint did not answer within {self.timeout:g} s", where=where
            ) from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint: {exc}", where=where) from exc
        if response.status_code >= 400:
            message = response.text.strip()[:500] or response.reason_phrase
            if 400 <= response.status_code < 500:
                raise InputError(f"the SPARQL endpoint refused the request: {message}", where=where)
            raise StoreError(f"the SPARQL endpoint failed: {message}", where=where)
        return response

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query on the endpoint; parameters are bound as a ``VALUES`` block."""
        netguard.check_query(sparql)
        if substitutions:
            sparql = bind_values(sparql, substitutions)
        form: list[tuple[str, str]] = [("query", sparql)]
        form += [("default-graph-uri", g) for g in default_graphs or ()]
        form += [("named-graph-uri", g) for g in named_graphs or ()]
        request = self.client.build_request(
            "POST",
            self.query_endpoint,
            data=dict_of_lists(form),
            headers={"Accept": _GRAPH_ACCEPT if first_keyword(sparql) in _GRAPH_FORMS else _ACCEPT},
        )
        response = self._send(request, self.query_endpoint)
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        results_format = _RESULT_FORMATS.get(media_type)
        try:
            if results_format is not None:
                result = ox.parse_query_results(response.content, format=results_format)
                if isinstance(result, ox.QuerySolutions) and first_keyword(sparql) == "ASK":
                    return _ask_answer(result)
                return result
            rdf_format = ox.RdfFormat.from_media_type(media_type)
            if rdf_format is None:
                raise StoreError(
                    f"the SPARQL endpoint answered with {media_type!r}", where=self.query_endpoint
                )
            graph = ox.Store()
            graph.load(response.content, format=rdf_format)
            return graph.query("CONSTRUCT WHERE { ?s ?p ?o }")
        except SyntaxError as exc:
            raise StoreError(
                f"cannot parse the endpoint's answer: {exc}", where=self.query_endpoint
            ) from exc

    def update(self, sparql_update: str, *, graphs: Sequence[str] | None = None) -> None:
        """Send a SPARQL update to the update endpoint (one request, one transaction).

        The endpoint's default graph is rebuilt as the merge of its named graphs in the same
        request, as in :class:`EmbeddedStore` (serve it without a union-default-graph option),
        unless it is their union already (``union_default_graph``).
        """
        netguard.check_update(sparql_update)
        text = with_sync(sparql_update, graphs)
        if self.union_default_graph:
            text = without_default_writes(text)
        try:
            if text.strip():
                request = self.client.build_request(
                    "POST",
                    self.update_endpoint,
                    content=text.encode(),
                    headers={"Content-Type": "application/sparql-update"},
                )
                self._send(request, self.update_endpoint)
        finally:
            self.generation += 1

    def replace_graphs(self, graphs: dict[str, Iterable[ox.Quad]]) -> None:
        """Replace several named graphs with one update request: all of it is stored, or none."""
        self.update(replace_graphs_update(graphs), graphs=list(graphs))

    def put_graph(self, graph_iri: str, data: bytes, media_type: str, *, sync: bool = True) -> None:
        """Replace one named graph through the Graph Store Protocol (``PUT ?graph=``).

        Then the default graph is rebuilt as the merge of the named graphs (``sync=False``: the
        caller sends ``SYNC_UNION`` itself, once after several graphs).
        """
        if self.gsp_endpoint is None:
            raise InputError("no Graph Store Protocol endpoint is configured")
        request = self.client.build_request(
            "PUT",
            self.gsp_endpoint,
            params={"graph": graph_iri},
            content=data,
            headers={"Content-Type": media_type},
        )
        try:
            self._send(request, self.gsp_endpoint)
        finally:
            self.generation += 1
        if sync:
            self.sync_union()

    def sync_union(self) -> None:
        """Rebuild the endpoint's default graph as the merge of its named graphs."""
        self.update("")

    def graph_names(self) -> list[str]:
        """The IRIs of the named graphs on the endpoint."""
        names: list[str] = []
        # Virtuoso 7.2 matches no graph with an empty pattern: then the graphs of the triples,
        # grouped (its DISTINCT ?g took seconds, and listed the graphs it keeps private)
        for query in (
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }",
            "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        ):
            result = self.query(query)
            assert isinstance(result, ox.QuerySolutions)
            names = [g.value for row in result if isinstance(g := row["g"], ox.NamedNode)]
            if names:
                break
        return sorted(names)


def _ask_answer(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    r"""The answer to an ``ASK`` that the endpoint gave as a table, not as a boolean.

    Virtuoso 7.2 does so: one row binding ``?__ASK_RETVAL`` to 1 when true, no row when false.

    >>> rows = ox.parse_query_results("?__ASK_RETVAL\n1\n", format=ox.QueryResultsFormat.TSV)
    >>> _ask_answer(rows)
    <QueryBoolean true>
    """
    true = any(
        term is not None and term.value not in ("0", "false") for row in solutions for term in row
    )
    answer = b'{"head": {}, "boolean": %s}' % (b"true" if true else b"false")
    result = ox.parse_query_results(answer, format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QueryBoolean)
    return result


def dict_of_lists(pairs: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """Form fields as httpx takes them, keeping repeated names."""
    form: dict[str, list[str]] = {}
    for key, value in pairs:
        form.setdefault(key, []).append(value)
    return form
