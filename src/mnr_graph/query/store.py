"""Where the graphs live: an embedded pyoxigraph store, or a remote SPARQL 1.1 endpoint.

Both kinds of store have the same methods (the :class:`Store` protocol) and answer queries with the
same pyoxigraph result types: :class:`EmbeddedStore` here, and
:class:`~mnr_graph.query.remote.RemoteStore`. :func:`build_store` makes the store the settings ask
for, with its data; :func:`push_graphs` sends files to a remote one. How the default graph stays
the merge of the named graphs: :mod:`mnr_graph.query.dataset`.

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

import pyoxigraph as ox

from mnr_graph.core import resources
from mnr_graph.core.errors import InputError, StoreError, UnsupportedMediaTypeError
from mnr_graph.core.namespaces import GRAPH
from mnr_graph.core.settings import Settings
from mnr_graph.query import netguard
from mnr_graph.query.dataset import (
    SYNC_UNION,
    QueryResult,
    Term,
    replace_graphs_update,
    run_query,
    with_sync,
)

# RemoteStore is the other kind of store build_store makes; bind_values is how it binds values
from mnr_graph.query.remote import RemoteStore, bind_values

__all__ = [
    "EmbeddedStore",
    "QueryResult",
    "RemoteStore",
    "Store",
    "Term",
    "bind_values",
    "build_store",
    "data_graph",
    "push_graphs",
    "run_query",
    "set_demo",
    "shipped_graphs",
]


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
        self.flush()

    def flush(self) -> None:
        """Write everything to disk (an on-disk store).

        Done after every write, so a backup or a crash loses nothing a write has returned
        from.
        """
        if self.path is not None:
            self.ox.flush()

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
        sparql_update = with_sync(sparql_update, graphs)
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


def data_graph(file: Path) -> str:
    """The named graph a ``--data`` file is served in: ``.../graph/data/<file stem>``.

    >>> data_graph(Path("/tmp/countries.ttl"))
    'https://w3id.org/mnr-graph/graph/data/countries'
    """
    return str(GRAPH[f"data/{file.stem}"])


def set_demo(store: EmbeddedStore | RemoteStore, on: bool) -> list[str]:
    """Serve the demo (:mod:`mnr_graph.submissions.demo`) in the store, or take it out.

    Its graphs are (re)loaded, or dropped with those of earlier versions' examples. Returns the
    graphs written.
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
            _check_version(remote, settings)
            set_demo(remote, settings.demo)
            _upgrade(remote)
        return remote
    store = EmbeddedStore(settings.store_path)
    _check_version(store, settings)
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
    from mnr_graph.submissions import registry, upgrade

    registry.upgrade(store)
    # graphs no longer shipped dropped; this version recorded
    upgrade.reconcile(store, [iri for iri, _ in shipped_graphs()])


def _check_version(store: EmbeddedStore | RemoteStore, settings: Settings) -> None:
    """Refuse a store a newer version wrote, before anything is loaded into it."""
    from mnr_graph.submissions import upgrade

    upgrade.check_version(store, allow_downgrade=settings.allow_downgrade)


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
