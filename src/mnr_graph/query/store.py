"""Where the graphs live: an embedded pyoxigraph store, or a remote SPARQL 1.1 endpoint.

Both kinds of store have the same methods (the :class:`Store` protocol) and answer queries with the
same pyoxigraph result types. :func:`build_store` makes the store the settings ask for.

Every shipped Turtle file ``ontology/NAME.ttl`` is loaded into its own named graph
``https://w3id.org/mnr-graph/graph/NAME``. Queries see the union of all graphs as their default
graph unless the caller names the default graph(s).

>>> store = EmbeddedStore.with_shipped_data()
>>> bool(store.query("ASK { ?c a <https://w3id.org/mnr-graph/def/Capability> }"))
True
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import httpx
import pyoxigraph as ox

from mnr_graph.core import netguard, resources
from mnr_graph.core.errors import (
    InputError,
    QueryTimeoutError,
    StoreError,
    UnsupportedMediaTypeError,
)
from mnr_graph.core.namespaces import GRAPH
from mnr_graph.core.settings import Settings
from mnr_graph.query.lexer import tokens

__all__ = [
    "EmbeddedStore",
    "QueryResult",
    "RemoteStore",
    "Store",
    "Term",
    "bind_values",
    "build_store",
    "data_graph",
    "dict_of_lists",
    "push_graphs",
    "replace_graphs_update",
    "run_query",
    "set_demo",
    "shipped_graphs",
]

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
#: The SPARQL update that makes the default graph the merge of the named graphs.
SYNC_UNION = "DROP SILENT DEFAULT ;\nINSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
Term = ox.NamedNode | ox.Literal | ox.BlankNode


@runtime_checkable
class Store(Protocol):
    """What every store offers: the embedded one and the remote one."""

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; the default graph is the union of all graphs unless given."""

    def update(self, sparql_update: str, *, graphs: Sequence[str] | None = None) -> None:
        """Run a SPARQL update as one transaction (``graphs``: the only graphs it writes)."""

    def replace_graphs(self, graphs: dict[str, Iterable[ox.Quad]]) -> None:
        """Replace several named graphs in one transaction."""

    def graph_names(self) -> list[str]:
        """The IRIs of the named graphs in the store."""


def shipped_graphs() -> list[tuple[str, Path]]:
    """The shipped ontology and vocabulary files with the named graph each goes into."""
    return [(str(GRAPH[p.stem]), p) for p in resources.files("ontology", "*.ttl")]


def replace_graphs_update(graphs: Mapping[str, Iterable[ox.Quad]]) -> str:
    """One SPARQL update that replaces the given named graphs with the given quads."""
    parts = [f"DROP SILENT GRAPH <{iri}>" for iri in graphs]
    for iri, quads in graphs.items():
        body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
        if body:
            parts.append(f"INSERT DATA {{ GRAPH <{iri}> {{\n{body}\n}} }}")
    return " ;\n".join(parts)


class EmbeddedStore:
    """A pyoxigraph store in memory (``path=None``) or on disk.

    ``generation`` counts the writes; query workers forked from this process compare it to know
    when they hold stale data. :meth:`snapshot_source` is the in-memory store they are forked from
    (for an on-disk store, an in-memory replica kept in step with every write: a second process
    must not read a RocksDB store another process writes to).
    """

    def __init__(self, path: Path | None = None) -> None:
        try:
            self.ox = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the store: {exc}", where=str(path)) from exc
        self.path = path
        self.generation = 0
        self._replica: ox.Store | None = None
        #: Held while a version of a submission is chosen and written
        # (:mod:`mnr_graph.submissions.registry`):
        #: one process holds an embedded store (RocksDB locks its folder), so a lock of the
        #: process orders every write.
        self.write_lock = threading.Lock()

    def snapshot_source(self) -> ox.Store:
        """The in-memory pyoxigraph store that holds the same data (the store itself in memory)."""
        if self.path is None:
            return self.ox
        if self._replica is None:
            replica = ox.Store()
            replica.extend(self.ox.quads_for_pattern(None, None, None, None))
            self._replica = replica
        return self._replica

    def _written(self) -> None:
        self.generation += 1

    def load_file(self, file: Path, graph_iri: str, *, sync: bool = True) -> None:
        """Replace a named graph with the content of an RDF file (format from its extension).

        A dataset file (TriG, N-Quads) keeps its own named graphs; its default graph goes into
        ``graph_iri``. ``sync=False`` leaves the union default graph to a later :meth:`sync_union`.
        """
        rdf_format = ox.RdfFormat.from_extension(file.suffix.lstrip("."))
        if rdf_format is None:
            raise UnsupportedMediaTypeError("unknown RDF file extension", where=str(file))
        graph = ox.NamedNode(graph_iri)
        targets = [self.ox] if self._replica is None else [self.ox, self._replica]
        try:
            for target in targets:
                target.remove_graph(graph)
                target.load(path=str(file), format=rdf_format, base_iri=graph_iri, to_graph=graph)
        except SyntaxError as exc:
            raise InputError(f"cannot parse: {exc}", where=str(file)) from exc
        except OSError as exc:
            raise InputError(f"cannot read: {exc}", where=str(file)) from exc
        if sync:
            self.sync_union()
        self._written()

    def sync_union(self) -> None:
        """Make the default graph the RDF merge (a set) of the named graphs.

        pyoxigraph's own union default graph repeats a triple once per named graph holding it
        (bag semantics: joins and counts over the union come out multiplied), so the store keeps
        the merge as its default graph instead, rebuilt after every write, in the write's
        transaction where it can be.
        """
        for target in [self.ox] if self._replica is None else [self.ox, self._replica]:
            target.update(SYNC_UNION)

    @classmethod
    def with_shipped_data(cls, path: Path | None = None) -> EmbeddedStore:
        """A store holding the shipped ontology and vocabulary graphs."""
        store = cls(path)
        store.load_shipped()
        return store

    def load_shipped(self) -> None:
        """(Re)load every shipped graph, each replacing its named graph in one transaction."""
        for graph_iri, file in shipped_graphs():
            self.replace_graph(graph_iri, file.read_bytes(), "text/turtle", base_iri=graph_iri)

    def replace_graph(
        self, graph_iri: str, data: bytes, media_type: str, *, base_iri: str | None = None
    ) -> None:
        """Replace the content of one named graph, atomically."""
        graph = ox.NamedNode(graph_iri)
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            raise InputError(f"unsupported RDF media type {media_type!r}", where=graph_iri)
        try:
            quads = [
                ox.Quad(t.subject, t.predicate, t.object, graph)
                for t in ox.parse(data, format=rdf_format, base_iri=base_iri)
            ]
        except SyntaxError as exc:
            raise InputError(f"cannot parse {media_type}: {exc}", where=graph_iri) from exc
        self.replace_graphs({graph_iri: quads})

    def replace_graphs(self, graphs: dict[str, Iterable[ox.Quad]]) -> None:
        """Replace several named graphs in one transaction: all of it is stored, or none.

        Oxigraph runs one update request as one transaction, so the drops and the inserts are
        sent as a single request.
        """
        self.update(replace_graphs_update(graphs), graphs=list(graphs))

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; the default graph is the union of all graphs unless given."""
        netguard.check_query(sparql)
        return run_query(
            self.ox,
            sparql,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            substitutions=substitutions,
        )

    def update(self, sparql_update: str, *, graphs: Sequence[str] | None = None) -> None:
        """Run a SPARQL update as one transaction.

        The default graph (the merge of the named graphs) is brought up to date in the same
        transaction: for the given ``graphs`` only, when the caller names every named graph the
        update writes (and it writes no default graph), else rebuilt whole.
        """
        netguard.check_update(sparql_update)
        sparql_update = _with_sync(sparql_update, graphs)
        try:
            self.ox.update(sparql_update)
            if self._replica is not None:
                self._replica.update(sparql_update)
        except SyntaxError as exc:
            raise InputError(f"SPARQL update syntax error: {exc}") from exc
        finally:
            self._written()

    def graph_names(self) -> list[str]:
        """The IRIs of the named graphs in the store."""
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))


def run_query(
    store: ox.Store,
    sparql: str,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    substitutions: Mapping[str, Term] | None = None,
    base_iri: str | None = None,
) -> QueryResult:
    """Run a query on a pyoxigraph store (no network check: callers check first).

    The dataset: ``default_graphs`` / ``named_graphs`` if given (the protocol's parameters win),
    else the query's own ``FROM`` / ``FROM NAMED``, else the union of all graphs. Relative IRIs
    resolve against ``base_iri``.
    """
    kwargs: dict[str, object] = {}
    if base_iri is not None:
        kwargs["base_iri"] = base_iri
    if default_graphs is not None and len(default_graphs) > 1 and named_graphs is not None:
        # pyoxigraph reads a triple held by several of the graphs once per graph: query a copy
        # whose default graph is their merge (a set), with just the named graphs asked for
        store = _dataset_copy(store, default_graphs, named_graphs)
        kwargs["default_graph"] = ox.DefaultGraph()
    elif default_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    elif (clauses := _from_clauses(sparql)) is not None:
        # the same for several FROM graphs: the query's own dataset, on a copy
        store = _dataset_copy(store, *clauses)
        kwargs["default_graph"] = ox.DefaultGraph()
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in clauses[1]]
    elif not _has_dataset_clause(sparql) and not _holds_union(store):
        # A store without the merged default graph (EmbeddedStore keeps one): pyoxigraph's union
        # flag, which overrides FROM (so only without one) and repeats shared triples.
        kwargs["use_default_graph_as_union"] = True
    if named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    if substitutions:
        kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
    try:
        return store.query(sparql, **kwargs)  # type: ignore[arg-type]
    except SyntaxError as exc:
        raise InputError(f"SPARQL syntax error: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"query failed: {exc}") from exc
    except (RuntimeError, ValueError) as exc:
        raise InputError(f"cannot run the query: {exc}") from exc


def _from_clauses(sparql: str) -> tuple[list[str], list[str]] | None:
    """The IRIs of a query's ``FROM`` and ``FROM NAMED`` when it has several ``FROM`` graphs.

    ``None`` otherwise, or when an IRI cannot be read without parsing (a relative IRI, an unknown
    prefix): pyoxigraph's own dataset handling is used then.
    """
    if sparql.upper().count("FROM") < 2:
        return None
    prefixes: dict[str, str] = {}
    default: list[str] = []
    named: list[str] = []
    items = list(tokens(sparql))  # FROM is a keyword only in dataset clauses
    for i, t in enumerate(items):
        word = t.text.upper() if t.kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(items) and items[i + 2].kind == "iri":
            prefixes[items[i + 1].text.rstrip(":")] = items[i + 2].text[1:-1]
        elif word == "FROM" and i + 1 < len(items):
            is_named = items[i + 1].kind == "word" and items[i + 1].text.upper() == "NAMED"
            target = items[i + 2] if is_named and i + 2 < len(items) else items[i + 1]
            if target.kind == "iri":
                iri = target.text[1:-1]
            elif target.kind == "pname" and target.text.split(":", 1)[0] in prefixes:
                prefix, local = target.text.split(":", 1)
                iri = prefixes[prefix] + local
            else:
                return None
            if ":" not in iri:
                return None  # relative: left to the parser
            (named if is_named else default).append(iri)
    default = list(dict.fromkeys(default))
    return (default, list(dict.fromkeys(named))) if len(default) > 1 else None


def _dataset_copy(
    store: ox.Store, default_graphs: Sequence[str], named_graphs: Sequence[str]
) -> ox.Store:
    """A store whose default graph is the merge of ``default_graphs``, with ``named_graphs``."""
    copy = ox.Store()
    copy.extend(
        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
        for g in default_graphs
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))
    )
    copy.extend(
        q for g in named_graphs for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))
    )
    return copy


def _with_sync(sparql_update: str, graphs: Sequence[str] | None = None) -> str:
    """The update with what keeps the default graph the merge of the named graphs, in one request.

    With ``graphs`` (every graph the update writes), only their triples are touched: before the
    update, the default graph loses the triples of those graphs that no other graph holds; after
    it, it gains their new triples. Its cost follows the size of those graphs, not of the store
    (a full rebuild reads and rewrites every triple: about 0.4 s per write at 500,000 triples).

    >>> print(_with_sync("DROP GRAPH <urn:g>", ["urn:g"]))  # doctest: +NORMALIZE_WHITESPACE
    DELETE { ?s ?p ?o } WHERE { VALUES ?g { <urn:g> } GRAPH ?g { ?s ?p ?o }
      FILTER NOT EXISTS { GRAPH ?h { ?s ?p ?o } FILTER (?h NOT IN (<urn:g>)) } } ;
    DROP GRAPH <urn:g> ;
    INSERT { ?s ?p ?o } WHERE { VALUES ?g { <urn:g> } GRAPH ?g { ?s ?p ?o } }
    """
    if graphs is None:
        return f"{sparql_update} ;\n{SYNC_UNION}" if sparql_update.strip() else SYNC_UNION
    if not graphs:
        return sparql_update
    iris = [str(ox.NamedNode(g)) for g in graphs]  # checked IRIs, never spliced raw
    values = " ".join(iris)
    listed = ", ".join(iris)
    before = (
        f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }}\n"
        f"  FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER (?h NOT IN ({listed})) }} }}"
    )
    after = f"INSERT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"  # noqa: S608
    return f"{before} ;\n{sparql_update} ;\n{after}" if sparql_update.strip() else ""


def _holds_union(store: ox.Store) -> bool:
    """True if the store's default graph holds triples (EmbeddedStore's merge of its graphs)."""
    return (
        next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None
    )


def _has_dataset_clause(sparql: str) -> bool:
    """True if the query names its dataset (``FROM``; sub-queries cannot, so any FROM counts)."""
    if "from" not in sparql.lower():
        return False
    return any(t.kind == "word" and t.text.upper() == "FROM" for t in tokens(sparql))


def bind_values(sparql: str, substitutions: Mapping[str, Term]) -> str:
    """The query with a ``VALUES`` block binding the variables, at the start of its ``WHERE``.

    Values are serialised as RDF terms (never spliced as text), so a value cannot change the query.

    >>> bind_values("SELECT ?l WHERE { ?c ?p ?l }", {"c": ox.NamedNode("http://ex/c")})
    'SELECT ?l WHERE { VALUES (?c) { (<http://ex/c>) } ?c ?p ?l }'
    >>> print(bind_values("ASK { ?s ?p ?o }", {"o": ox.Literal('say "hi"', language="en")}))
    ASK { VALUES (?o) { ("say \\"hi\\""@en) } ?s ?p ?o }
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


class RemoteStore:
    """A SPARQL 1.1 endpoint (query, update and optionally the Graph Store Protocol) via httpx.

    Answers are parsed into the same pyoxigraph result types as :class:`EmbeddedStore` gives. The
    endpoint's default graph is kept as the merge of its named graphs, by every write (so serve
    it without a union-default-graph option: oxigraph's repeats triples shared by graphs).
    """

    def __init__(
        self,
        query_endpoint: str,
        *,
        update_endpoint: str | None = None,
        gsp_endpoint: str | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint or query_endpoint
        self.gsp_endpoint = gsp_endpoint
        self.timeout = timeout
        self.generation = 0
        # trust_env=False: no proxy settings or .netrc from the environment.
        self.client = httpx.Client(timeout=timeout, trust_env=False, follow_redirects=False)

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    def _send(self, request: httpx.Request, where: str) -> httpx.Response:
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
            "POST", self.query_endpoint, data=dict_of_lists(form), headers={"Accept": _ACCEPT}
        )
        response = self._send(request, self.query_endpoint)
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        results_format = _RESULT_FORMATS.get(media_type)
        try:
            if results_format is not None:
                return ox.parse_query_results(response.content, format=results_format)
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
        request, as in :class:`EmbeddedStore` (serve it without a union-default-graph option).
        """
        netguard.check_update(sparql_update)
        request = self.client.build_request(
            "POST",
            self.update_endpoint,
            content=_with_sync(sparql_update, graphs).encode(),
            headers={"Content-Type": "application/sparql-update"},
        )
        try:
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
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", default_graphs=None)
        assert isinstance(result, ox.QuerySolutions)
        return sorted(g.value for row in result if isinstance(g := row["g"], ox.NamedNode))


def dict_of_lists(pairs: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """Form fields as httpx takes them, keeping repeated names."""
    form: dict[str, list[str]] = {}
    for key, value in pairs:
        form.setdefault(key, []).append(value)
    return form


def data_graph(file: Path) -> str:
    """The named graph a ``--data`` file is served in: ``.../graph/data/<file stem>``.

    >>> data_graph(Path("/tmp/countries.ttl"))
    'https://w3id.org/mnr-graph/graph/data/countries'
    """
    return str(GRAPH[f"data/{file.stem}"])


def set_demo(store: EmbeddedStore | RemoteStore, on: bool) -> list[str]:
    """Serve the demo (:mod:`mnr_graph.submissions.demo`) in the store, or take it out: its graphs
    are
    (re)loaded, or dropped with those of earlier versions' examples. Returns the graphs written.
    """
    from mnr_graph.submissions import demo

    if on:
        graphs = demo.demo_graphs()
        store.update(replace_graphs_update(graphs), graphs=list(graphs))
        return list(graphs)
    present = demo.demo_graph_names(store)
    if present:
        store.update(demo.drop_update(present), graphs=present)
    return present


def build_store(settings: Settings) -> EmbeddedStore | RemoteStore:
    """The store the settings ask for.

    Remote (``sparql_endpoint`` set): every read and write goes to the endpoint; push data there
    with :func:`push_graphs`. Embedded: the shipped graphs and each ``data_files`` file in its
    own named graph, in memory or in the on-disk store at ``store_path``. The demo (the shipped
    examples, :mod:`mnr_graph.submissions.demo`) only when ``settings.demo``: no data given, or
    asked for;
    otherwise any demo graph a store holds is dropped.

    >>> store = build_store(Settings())
    >>> isinstance(store, EmbeddedStore) and isinstance(store, Store)
    True
    """
    if not settings.allow_network:
        netguard.install()
    if settings.sparql_endpoint is not None:
        if settings.data_files and not (settings.update_endpoint or settings.gsp_endpoint):
            raise InputError(
                "--data with --sparql-endpoint pushes each file into its own named graph on "
                "that endpoint: give its --update-endpoint (or --gsp-endpoint) too, or push "
                "the files first with `mnr-graph load --endpoint URL --data FILE`"
            )
        remote = RemoteStore(
            settings.sparql_endpoint,
            update_endpoint=settings.update_endpoint,
            gsp_endpoint=settings.gsp_endpoint,
            timeout=settings.query_timeout,
        )
        if settings.data_files:
            for file in settings.data_files:  # every file readable and well formed, or none sent
                _check_data_file(file)
            # A large file takes longer than a query may: the push waits as `mnr-graph load` does.
            pusher = RemoteStore(
                settings.sparql_endpoint,
                update_endpoint=settings.update_endpoint,
                gsp_endpoint=settings.gsp_endpoint,
                timeout=max(_PUSH_TIMEOUT, settings.query_timeout),
            )
            try:
                push_graphs(pusher, [(data_graph(f), f) for f in settings.data_files])
            finally:
                pusher.close()
        if settings.demo and not (settings.update_endpoint or settings.gsp_endpoint):
            raise InputError(
                "--examples with --sparql-endpoint pushes the demo to that endpoint: give its "
                "--update-endpoint too, or push it first with `mnr-graph load --examples`"
            )
        if settings.demo or settings.update_endpoint:
            set_demo(remote, settings.demo)
            _upgrade(remote)
        return remote
    store = EmbeddedStore(settings.store_path)
    for graph_iri, file in shipped_graphs():
        store.load_file(file, graph_iri, sync=False)
    for file in settings.data_files:
        if not file.is_file():
            raise InputError("no such data file", where=str(file))
        store.load_file(file, data_graph(file), sync=False)
    store.sync_union()
    set_demo(store, settings.demo)
    _upgrade(store)
    return store


def _upgrade(store: EmbeddedStore | RemoteStore) -> None:
    from mnr_graph.submissions import registry

    registry.upgrade(store)


#: Seconds a start-up push of ``--data`` files to a remote store may take.
_PUSH_TIMEOUT = 300.0


def _check_data_file(file: Path) -> None:
    """Refuse a ``--data`` file that is missing, of an unknown format or not well formed."""
    if not file.is_file():
        raise InputError("no such data file", where=str(file))
    rdf_format = ox.RdfFormat.from_extension(file.suffix.lstrip("."))
    if rdf_format is None:
        raise UnsupportedMediaTypeError("unknown RDF file extension", where=str(file))
    try:
        for _ in ox.parse(path=str(file), format=rdf_format, base_iri=data_graph(file)):
            pass
    except SyntaxError as exc:
        raise InputError(f"cannot parse: {exc}", where=str(file)) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", where=str(file)) from exc


def push_graphs(store: RemoteStore, files: Sequence[tuple[str, Path]]) -> list[str]:
    """Replace each ``(graph IRI, file)`` on a remote store; the Graph Store Protocol if set up.

    Returns the graph IRIs written.
    """
    written: list[str] = []
    for graph_iri, file in files:
        rdf_format = ox.RdfFormat.from_extension(file.suffix.lstrip("."))
        if rdf_format is None:
            raise UnsupportedMediaTypeError("unknown RDF file extension", where=str(file))
        if store.gsp_endpoint is not None:
            store.put_graph(graph_iri, file.read_bytes(), rdf_format.media_type, sync=False)
        else:
            graph = ox.NamedNode(graph_iri)
            try:
                quads = [
                    ox.Quad(t.subject, t.predicate, t.object, graph)
                    for t in ox.parse(path=str(file), format=rdf_format, base_iri=graph_iri)
                ]
            except SyntaxError as exc:
                raise InputError(f"cannot parse: {exc}", where=str(file)) from exc
            store.replace_graphs({graph_iri: quads})
        written.append(graph_iri)
    if store.gsp_endpoint is not None:
        store.sync_union()
    return written
