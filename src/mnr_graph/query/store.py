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

import atexit
import contextlib
import hashlib
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from mnr_graph import __version__
from mnr_graph.core import resources
from mnr_graph.core.errors import InputError, StoreError, UnsupportedMediaTypeError
from mnr_graph.core.namespaces import GRAPH, MNR
from mnr_graph.core.settings import Settings
from mnr_graph.query import netguard
from mnr_graph.query.dataset import (
    SYNC_UNION,
    QueryResult,
    Term,
    replace_graphs_update,
    run_query,
    unmerge_update,
    with_sync,
)

# RemoteStore is the other kind of store build_store makes; bind_values is how it binds values
from mnr_graph.query.remote import RemoteStore, bind_values
from mnr_graph.submissions import current

__all__ = [
    "EmbeddedStore",
    "QueryResult",
    "RemoteStore",
    "Store",
    "Term",
    "bind_values",
    "build_store",
    "data_graph",
    "load_changed",
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
    when they hold stale data. :meth:`snapshot_source` is what they read: the in-memory store
    itself (shared copy-on-write by the fork), or for an on-disk store a checkpoint of it (a
    directory of hard links to its files, made in about 0.1 s whatever its size, when a worker
    first needs the generation) that each worker opens read-only: a second process must not read
    a RocksDB store another process writes to, and copying the store into memory took minutes.

    A write that returned is in RocksDB's write-ahead log, which a restart after a crash of the
    process replays. An on-disk store optimises itself (flush of the log into its files, then
    compaction) when no write came for :attr:`QUIET_SECONDS`, and after every
    :attr:`OPTIMIZE_EVERY` writes, in a background thread, which also flushes the log after every
    :attr:`FLUSH_EVERY` writes; it is flushed after a file is loaded
    (:func:`load_changed`) and when it is closed, so a restart replays no load.
    """

    #: Seconds without a write after which an on-disk store is flushed and compacted.
    QUIET_SECONDS = 5.0
    #: Writes after which an on-disk store is compacted even if the writes never pause.
    OPTIMIZE_EVERY = 200
    #: Writes after which the log is flushed into the store's files, in the background: the log
    #: takes about 300 KB a submission, and RocksDB keeps ten of its files, at their largest,
    #: for reuse (20 writes between flushes kept 65 MB of log files).
    FLUSH_EVERY = 5
    #: Checkpoints kept for workers still reading an older generation.
    SNAPSHOTS_KEPT = 3

    def __init__(self, path: Path | None = None) -> None:
        try:
            self.ox = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the store: {exc}", where=str(path)) from exc
        self.path = path
        self.generation = 0
        #: Held while a version of a submission is chosen and written
        # (:mod:`mnr_graph.submissions.registry`):
        #: one process holds an embedded store (RocksDB locks its folder), so a lock of the
        #: process orders every write.
        self.write_lock = threading.Lock()
        self._snapshots: list[tuple[int, Path]] = []
        self._snapshot_lock = threading.Lock()
        self._maintenance = _Maintenance(self) if path is not None else None
        if path is not None:
            shutil.rmtree(self._snapshot_root(), ignore_errors=True)  # a killed server's
            atexit.register(_close, weakref.ref(self))

    def _snapshot_root(self) -> Path:
        """Where the workers' checkpoints go.

        Beside the store, or in it when its parent is not writable (a container's volume
        under a read-only root); RocksDB ignores the folder.
        """
        assert self.path is not None
        if os.access(self.path.parent, os.W_OK):
            return self.path.parent / f".{self.path.name}.snapshots"
        return self.path / ".snapshots"

    def snapshot_source(self) -> ox.Store | str:
        """What a forked query worker reads.

        The in-memory store itself, or the directory of a read-only checkpoint of the
        on-disk store at the current generation.
        """
        if self.path is None:
            return self.ox
        with self._snapshot_lock:
            generation = self.generation
            if self._snapshots and self._snapshots[-1][0] == generation:
                return str(self._snapshots[-1][1])
            root = self._snapshot_root()
            root.mkdir(parents=True, exist_ok=True)
            target = Path(tempfile.mkdtemp(prefix=f"g{generation}-", dir=root))
            target.rmdir()  # RocksDB makes it
            try:
                self.ox.backup(str(target))
            except OSError as exc:
                raise StoreError(f"cannot snapshot the store: {exc}", where=str(target)) from exc
            self._snapshots.append((generation, target))
            while len(self._snapshots) > self.SNAPSHOTS_KEPT:
                _, old = self._snapshots.pop(0)
                shutil.rmtree(old, ignore_errors=True)
            return str(target)

    def close(self) -> None:
        """Flush, stop the background optimisation and remove the workers' checkpoints.

        Also done at the process's exit.
        """
        if self._maintenance is not None:
            self._maintenance.stop()
            with contextlib.suppress(OSError):
                self.ox.flush()  # the next start replays no log
        if self.path is not None:
            with self._snapshot_lock:
                self._snapshots.clear()
                shutil.rmtree(self._snapshot_root(), ignore_errors=True)

    def _written(self) -> None:
        # No flush here: it cost a sixth of a submission's time and left a small file per write
        # for the compaction to merge. The write is in the log; the maintenance flushes.
        self.generation += 1
        if self._maintenance is not None:
            self._maintenance.written()

    def flush(self) -> None:
        """Write the log into the store's files (an on-disk store).

        Done after a load, by the background maintenance when writes pause, and at close: a
        restart then replays no log.
        """
        if self.path is not None:
            self.ox.flush()

    def load_file(self, file: Path, graph_iri: str, *, sync: bool = True) -> bool:
        """Replace a named graph with the content of an RDF file (format from its extension).

        A file of triples goes into its graph and into the default graph (a set, so it stays the
        merge of the named graphs); only the triples no other graph holds leave the default graph
        first. An on-disk store bulk-loads it, without the transaction log (a 3.5 MB file left
        64 MB of log, and rebuilding the merge after it read every triple of the store again). A
        file that does not parse leaves its graph empty and the default graph without it.

        A dataset file (TriG, N-Quads) keeps its own named graphs; its default graph goes into
        ``graph_iri``. It is loaded in one transaction, and the default graph is rebuilt by
        :meth:`sync_union`, unless ``sync=False``: the call then returns True, and the caller
        runs it once its files are loaded. ``sync=False`` also leaves the current-submission marks
        to the caller.
        """
        rdf_format = ox.RdfFormat.from_extension(file.suffix.lstrip("."))
        if rdf_format is None:
            raise UnsupportedMediaTypeError("unknown RDF file extension", where=str(file))
        graph = ox.NamedNode(graph_iri)
        pending = False
        try:
            if rdf_format.supports_datasets:
                self.ox.remove_graph(graph)
                self.ox.load(path=str(file), format=rdf_format, base_iri=graph_iri, to_graph=graph)
                pending = True
            else:
                self.ox.update(unmerge_update([graph_iri]))
                self.ox.remove_graph(graph)
                self._load_triples(file, rdf_format, graph)
        except SyntaxError as exc:
            raise InputError(f"cannot parse: {exc}", where=str(file)) from exc
        except OSError as exc:
            raise InputError(f"cannot read: {exc}", where=str(file)) from exc
        finally:
            self._written()
        if sync:
            if pending:
                self.sync_union()
            else:
                self.ox.update(current.refresh_update())
            self._written()
            return False
        return pending

    def _load_triples(self, file: Path, rdf_format: ox.RdfFormat, graph: ox.NamedNode) -> None:
        """Load a file of triples into ``graph``, then copy the graph into the default graph.

        Copied when the file has blank nodes (a second parse would name them anew), else parsed
        a second time into the default graph.
        """
        try:
            if self.path is None:  # in memory: a transaction costs no log, and is the fastest
                self.ox.load(
                    path=str(file), format=rdf_format, base_iri=graph.value, to_graph=graph
                )
            else:
                self.ox.bulk_load(
                    path=str(file), format=rdf_format, base_iri=graph.value, to_graph=graph
                )
        except (SyntaxError, OSError):
            self.ox.remove_graph(graph)  # no half-loaded graph
            raise
        if self.path is None:
            self.ox.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        elif not self.ox.query(
            f"ASK {{ GRAPH {graph} {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}"
        ):  # no blank node: parsed again, in Rust, twice as fast as a copy through Python
            self.ox.bulk_load(
                path=str(file), format=rdf_format, base_iri=graph.value, to_graph=ox.DefaultGraph()
            )
        else:
            self.ox.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                for q in self.ox.quads_for_pattern(None, None, None, graph)
            )

    def sync_union(self) -> None:
        """Make the default graph the RDF merge (a set) of the named graphs.

        pyoxigraph's own union default graph repeats a triple once per named graph holding it
        (bag semantics: joins and counts over the union come out multiplied), so the store keeps
        the merge as its default graph instead, rebuilt after every write, in the write's
        transaction where it can be. Each country's current submission is marked again
        (:mod:`mnr_graph.submissions.current`).
        """
        self.ox.update(f"{SYNC_UNION} ;\n{current.refresh_update()}")  # and the marks

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
        except SyntaxError as exc:
            raise InputError(f"SPARQL update syntax error: {exc}") from exc
        finally:
            self._written()

    def graph_names(self) -> list[str]:
        """The IRIs of the named graphs in the store."""
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))


def _close(ref: weakref.ref[EmbeddedStore]) -> None:
    store = ref()
    if store is not None:
        store.close()


class _Maintenance:
    """Flushes and compacts an on-disk store in a background thread.

    When no write came for ``QUIET_SECONDS``, or at once after ``OPTIMIZE_EVERY`` writes; a
    flush alone after ``FLUSH_EVERY`` writes. Without it the store's log grew to gigabytes over a
    few hundred submissions.
    """

    def __init__(self, store: EmbeddedStore) -> None:
        self._store = weakref.ref(store)  # the store's end closes RocksDB: no cycle keeps it
        self._writes = 0
        self._unflushed = 0
        self._lock = threading.Lock()
        self._running = threading.Lock()
        self._flushing = threading.Lock()
        self._timer: threading.Timer | None = None
        self._stopped = False
        self.runs = 0
        self.flushes = 0

    def written(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._writes += 1
            self._unflushed += 1
            if self._timer is not None:
                self._timer.cancel()
            store = self._store()
            if store is None:
                return
            if self._unflushed >= store.FLUSH_EVERY:
                self._unflushed = 0
                threading.Thread(target=self.flush, name="mnr-graph-flush", daemon=True).start()
            due = self._writes >= store.OPTIMIZE_EVERY
            self._timer = threading.Timer(0.0 if due else store.QUIET_SECONDS, self.run)
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> None:
        """Flush the log into the store's files (a flush already going is enough)."""
        if self._maintain(self._flushing, compact=False):
            self.flushes += 1

    def run(self) -> None:
        """Flush and compact now (one run at a time; a run already going is enough)."""
        with self._lock:
            self._writes = 0
            self._unflushed = 0
        if self._maintain(self._running, compact=True):
            self.runs += 1

    def _maintain(self, busy: threading.Lock, *, compact: bool) -> bool:
        """Flush (and compact) unless ``busy`` is held or the maintenance stopped; True if done."""
        if not busy.acquire(blocking=False):
            return False
        try:
            store = None if self._stopped else self._store()
            if store is None:
                return False
            store.ox.flush()
            if compact:
                store.ox.optimize()
            return True
        except OSError:  # pragma: no cover - a full disk: the next write's error says so
            return False
        finally:
            busy.release()

    def stop(self) -> None:
        """Cancel what is planned and wait for a flush or a run going on.

        After it, no thread of the maintenance holds the store: RocksDB's folder lock goes with
        the store, and a store opened again on the folder must not find it held.
        """
        with self._lock:
            self._stopped = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        for busy in (self._flushing, self._running):
            with busy:
                pass


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
            union_default_graph=settings.union_default_graph,
            account=settings.store_account,
            auth=settings.store_auth,
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
                union_default_graph=settings.union_default_graph,
                account=settings.store_account,
                auth=settings.store_auth,
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
            demo_written = set_demo(remote, settings.demo)
            _upgrade(remote)
            if settings.data_files or demo_written or not current.is_marked(remote):
                current.refresh(remote)
        return remote
    for file in settings.data_files:
        if not file.is_file():
            raise InputError("no such data file", where=str(file))
    store = EmbeddedStore(settings.store_path)
    _check_version(store, settings)
    files = [*shipped_graphs(), *((data_graph(f), f) for f in settings.data_files)]
    changed = load_changed(store, files)
    demo_written = set_demo(store, settings.demo)
    _upgrade(store)
    if changed or demo_written or not current.is_marked(store):
        current.refresh(store)
    return store


def load_changed(store: EmbeddedStore, files: Sequence[tuple[str, Path]]) -> list[str]:
    """Load each ``(graph IRI, file)`` whose content the store does not hold yet.

    Returns the graphs loaded.

    The SHA-256 of each file loaded is kept in the graph ``graph/loaded``
    (``<graph> mnr:sha256 "..."``), written last: a persisted store restarted with the same
    files loads nothing and rebuilds nothing (a restart at a million triples took minutes).
    The current-submission marks are left to the caller (:func:`build_store` refreshes them).
    """
    known = _loaded_digests(store) if store.path is not None else {}
    digests = {iri: _file_digest(file) for iri, file in files}
    changed = [(iri, file) for iri, file in files if known.get(iri) != digests[iri]]
    if not changed:
        return []
    pending = [store.load_file(file, graph_iri, sync=False) for graph_iri, file in changed]
    if any(pending):  # a dataset file: the default graph is rebuilt whole
        store.sync_union()
    if store.path is None:  # a store in memory starts empty every time
        return [iri for iri, _ in changed]
    known.update(digests)
    loaded = ox.NamedNode(LOADED_GRAPH)
    store.replace_graphs(
        {
            LOADED_GRAPH: [
                ox.Quad(ox.NamedNode(iri), ox.NamedNode(str(MNR.sha256)), ox.Literal(d), loaded)
                for iri, d in sorted(known.items())
            ]
        }
    )
    store.ox.flush()  # written to its files: the next start replays no log (6 s at 0.05M triples)
    return [iri for iri, _ in changed]


#: The graph that records the SHA-256 of every file loaded into its graph (:func:`load_changed`).
LOADED_GRAPH = str(GRAPH.loaded)


def _file_digest(file: Path) -> str:
    """The file's SHA-256, salted with the version that loads it (a new version reloads)."""
    digest = hashlib.sha256(f"mnr-graph {__version__}\n".encode())
    with file.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _loaded_digests(store: EmbeddedStore) -> dict[str, str]:
    rows = store.query(
        f"SELECT ?g ?d WHERE {{ GRAPH <{LOADED_GRAPH}> {{ ?g <{MNR.sha256}> ?d }} }}"
    )
    assert isinstance(rows, ox.QuerySolutions)
    return {str(r["g"].value): str(r["d"].value) for r in rows}


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
