"""Where the graphs live: an embedded pyoxigraph store, or (see the API) a remote SPARQL endpoint.

Every shipped Turtle file ``ontology/NAME.ttl`` is loaded into its own named graph
``https://w3id.org/mnr-graph/graph/NAME``. Queries see the union of all graphs as their default
graph unless the caller names the default graph(s).

>>> store = EmbeddedStore.with_shipped_data()
>>> bool(store.query("ASK { ?c a <https://w3id.org/mnr-graph/def/Capability> }"))
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from mnr_graph import resources
from mnr_graph.errors import InputError, StoreError
from mnr_graph.namespaces import GRAPH

__all__ = ["EmbeddedStore", "QueryResult", "replace_graphs_update", "shipped_graphs"]

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def shipped_graphs() -> list[tuple[str, Path]]:
    """The shipped ontology and vocabulary files with the named graph each goes into."""
    return [(str(GRAPH[p.stem]), p) for p in resources.files("ontology", "*.ttl")]


def replace_graphs_update(graphs: dict[str, Iterable[ox.Quad]]) -> str:
    """One SPARQL update that replaces the given named graphs with the given quads."""
    parts = [f"DROP SILENT GRAPH <{iri}>" for iri in graphs]
    for iri, quads in graphs.items():
        body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
        if body:
            parts.append(f"INSERT DATA {{ GRAPH <{iri}> {{\n{body}\n}} }}")
    return " ;\n".join(parts)


class EmbeddedStore:
    """A pyoxigraph store in memory (``path=None``) or on disk."""

    def __init__(self, path: Path | None = None) -> None:
        try:
            self.ox = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the store: {exc}", where=str(path)) from exc
        self.path = path

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
        self.update(replace_graphs_update(graphs))

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: dict[str, ox.NamedNode | ox.Literal | ox.BlankNode] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; the default graph is the union of all graphs unless given."""
        kwargs: dict[str, object] = {}
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
        try:
            return self.ox.query(sparql, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise InputError(f"SPARQL syntax error: {exc}") from exc

    def update(self, sparql_update: str) -> None:
        """Run a SPARQL update as one transaction."""
        try:
            self.ox.update(sparql_update)
        except SyntaxError as exc:
            raise InputError(f"SPARQL update syntax error: {exc}") from exc

    def graph_names(self) -> list[str]:
        """The IRIs of the named graphs in the store."""
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))
