"""Linked data: every project IRI resolves here, as RDF for tools or as a page for people.

**IRI resolution.** An IRI ``https://w3id.org/mnr-graph/<path>`` (``def/``, ``id/``, ``term/``,
``label/``, ``source/``, ``data/``, ``demo/``, ``shape/``, and ``def`` itself, the ontology) is
served at ``/<path>`` on this server by direct content negotiation (no 303 redirect; ``Vary:
Accept``), by the rule of :mod:`mnr_graph.core.negotiation` (``?format=`` wins over ``Accept``):
``text/turtle``, ``application/ld+json``, ``application/n-triples`` or ``application/rdf+xml``
for tools (``*/*`` alone gets Turtle), ``text/html`` for a browser (the page the app factory
gives, :func:`mnr_graph.web.pages.resource.resource_page`). ``?format=ttl|jsonld|nt|rdf|html``
names one. The RDF is the resource's own statements (and those of its SKOS-XL labels and of the
blank nodes they lead to, :func:`describe`); a ``Link`` header names each alternative format.
A version IRI (``owl:versionIRI``) is a 303 to the ontology it names.

**Downloads.** ``/download/mnr-graph.ttl`` (and ``.nt``, ``.jsonld``, ``.owl``: RDF/XML) is the
whole shipped ontology and vocabulary; ``/download/context.jsonld`` the JSON-LD context.

>>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8"), negotiate("*/*"), negotiate(None)
('html', 'ttl', 'ttl')
>>> negotiate("application/ld+json"), negotiate("text/html", "nt")
('jsonld', 'nt')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import Graph

from mnr_graph.core import resources
from mnr_graph.core.errors import MnrGraphError, NotFoundError
from mnr_graph.core.namespaces import BASE, GRAPH, PREFIXES, SKOSXL
from mnr_graph.core.negotiation import negotiate as choose_format
from mnr_graph.framework import ontology
from mnr_graph.framework.context import context_text, shipped_context
from mnr_graph.framework.countries import lookup_country
from mnr_graph.query.named import QueryStore
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.web.errors import STORE_ERRORS, errors, page_errors
from mnr_graph.web.page_queries import page_query
from mnr_graph.web.requests import page_language, store_reader

__all__ = [
    "FORMATS",
    "SPACES",
    "ResourcePage",
    "Triple",
    "describe",
    "get_router",
    "local_path",
    "negotiate",
    "shapes_store",
]

Triple = tuple[Any, Any, Any]
#: The page of a resource: ``(request, store, iri, its triples (none: not found), language)``.
ResourcePage = Callable[[Request, QueryStore, str, list[Triple], str], Response]

#: Format name -> (media type, rdflib serializer name), in the order of preference; ``html``
#: is the page.
FORMATS: dict[str, tuple[str, str]] = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
    "html": ("text/html", ""),
}
_ALIASES = {"application/xhtml+xml": "html", "application/json": "jsonld"}
_DOWNLOADS = {"ttl": "ttl", "nt": "nt", "jsonld": "jsonld", "owl": "owl"}
_DOWNLOAD_MEDIA = {"ttl": "text/turtle", "nt": "application/n-triples"}
_DOWNLOAD_MEDIA.update({"jsonld": "application/ld+json", "owl": "application/rdf+xml"})
_MAX_DESCRIBED = 500
#: How deep a chain of blank nodes (an RDF list, nested restrictions) is followed.
_MAX_DEPTH = 64
#: Paths that can be part of an IRI here (anything else is simply not found).
_IRI_PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@/%-]+")
#: The IRI spaces that resolve here (``def`` alone is the ontology).
SPACES = ("def", "id", "term", "label", "source", "data", "demo", "shape")
_COUNTRY_PATH = re.compile(r"^(data|demo)/country/([^/]+)$")


def negotiate(accept: str | None, fmt: str | None = None) -> str:
    """The format of a resource's answer.

    ``format`` if given, else the best of ``Accept``
    (:func:`mnr_graph.core.negotiation.negotiate`): ``*/*`` and ``text/*`` give Turtle,
    ``application/*`` JSON-LD, or the next of their formats when that one is refused; 406 for an
    ``Accept`` that allows none of ours, or an unknown ``format``.

    >>> negotiate("text/html;q=0, text/turtle;q=0.5"), negotiate("application/*")
    ('ttl', 'jsonld')
    >>> negotiate("text/turtle;q=0, */*"), negotiate("text/turtle;q=0, text/*")
    ('jsonld', 'html')
    """
    offered = {name: media for name, (media, _) in FORMATS.items()}
    return choose_format(accept, fmt, offered, aliases=_ALIASES)


def local_path(iri: str) -> str:
    """The path on this server of a project IRI; other IRIs are returned unchanged.

    >>> local_path("https://w3id.org/mnr-graph/id/C07"), local_path("http://example.org/x")
    ('/id/C07', 'http://example.org/x')
    """
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else iri


def describe(store: QueryStore, iri: str) -> list[Triple]:
    """The statements about one resource.

    Its own, those of its SKOS-XL labels, and those of the blank nodes they lead to (a concise
    bounded description: OWL restrictions, lists).

    The blank nodes' statements come from one query (chains of blank nodes, deepened until none is
    left unexplored), so they are right on any store, where a blank node cannot be bound to a
    query variable and its label means nothing outside one result.

    >>> from mnr_graph.core.namespaces import MNR
    >>> store = EmbeddedStore.with_shipped_data()
    >>> triples = describe(store, str(MNR.Capability))
    >>> any(isinstance(s, ox.BlankNode) for s, _, _ in triples)
    True
    """
    root = ox.NamedNode(iri)
    rows = store.query(page_query("resource-statements"), substitutions={"resource": root})
    own = [(root, row["p"], row["o"]) for row in rows]
    xl = {str(SKOSXL.prefLabel), str(SKOSXL.altLabel), str(SKOSXL.hiddenLabel)}
    labels = [o for _, p, o in own if p.value in xl and isinstance(o, ox.NamedNode)]
    if not labels and not any(isinstance(o, ox.BlankNode) for _, _, o in own):
        return own
    roots = list(dict.fromkeys([root, *labels]))
    depth = 4
    while True:
        found = store.query(_closure_query(roots, depth))
        triples: dict[Triple, int] = {}
        deeper = False
        for row in found:
            level = int(row["d"].value)
            triples.setdefault((row["s"], row["p"], row["o"]), level)
            deeper = deeper or (level == depth and isinstance(row["o"], ox.BlankNode))
        if not deeper or depth >= _MAX_DEPTH:
            break
        depth *= 2
    subjects: set[Any] = set()
    out = []
    for triple, _ in sorted(triples.items(), key=lambda item: (item[0][0] != root, item[1])):
        subjects.add(triple[0])
        if len(subjects) > _MAX_DESCRIBED:
            break
        out.append(triple)
    return out


def _closure_query(roots: list[ox.NamedNode], depth: int) -> str:
    """A SELECT of ``?s ?p ?o ?d``.

    The statements of the roots (``?d`` 0) and of every blank node reached from a root through
    blank nodes only, up to ``depth`` steps (``?d`` steps).
    """
    values = "VALUES ?r { " + " ".join(str(r) for r in roots) + " }"
    branches = []
    for level in range(depth + 1):
        chain = [values]
        node = "?r"
        for step in range(1, level + 1):
            chain.append(f"{node} ?p{step} ?b{step} . FILTER(isBlank(?b{step}))")
            node = f"?b{step}"
        chain.append(f"{node} ?p ?o . BIND({node} AS ?s) BIND({level} AS ?d)")
        branches.append("{ " + " ".join(chain) + " }")
    return "SELECT ?s ?p ?o ?d WHERE { " + " UNION ".join(branches) + " }"


def _serialize(triples: list[Triple], fmt: str) -> bytes:
    data = ox.serialize([ox.Triple(s, p, o) for s, p, o in triples], format=ox.RdfFormat.N_TRIPLES)
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.parse(data=data, format="nt")
    if fmt == "jsonld":
        context = shipped_context()
        return graph.serialize(
            format="json-ld", context=context or None, auto_compact=True, encoding="utf-8"
        )
    return graph.serialize(format=FORMATS[fmt][1], encoding="utf-8")


def _rdf_response(triples: list[Triple], fmt: str, path: str) -> Response:
    links = ", ".join(
        f'<{path}?format={name}>; rel="alternate"; type="{media}"'
        for name, (media, _) in FORMATS.items()
    )
    headers = {"Vary": "Accept", "Link": links}
    return Response(_serialize(triples, fmt), media_type=FORMATS[fmt][0], headers=headers)


@cache
def shapes_store() -> EmbeddedStore:
    """The shipped SHACL shapes (``shapes/*.ttl``), each file in its named graph.

    The graph of a file is ``.../graph/shape/<stem>``: the ``shape/`` IRIs resolve from them.

    They are kept out of the served store on purpose: there the default graph is the merge of the
    data's graphs, which every named query, check query and ``/sparql`` client reads.

    >>> bool(shapes_store().query("ASK { <https://w3id.org/mnr-graph/shape/S01> ?p ?o }"))
    True
    """
    store = EmbeddedStore()
    for file in resources.files("shapes", "*.ttl"):
        store.load_file(file, str(GRAPH[f"shape/{file.stem}"]), sync=False)
    store.sync_union()
    return store


def _country_key(path: str) -> str | None:
    """The path of a country's key when ``path`` names a country by another code or name.

    For example ``data/country/FRA`` -> ``data/country/FR``; None when it is the key or no
    country.
    """
    match = _COUNTRY_PATH.match(path)
    if match is None:
        return None
    try:
        code = lookup_country(unquote(match.group(2))).code
    except MnrGraphError:
        return None
    return f"{match.group(1)}/country/{code}" if code != match.group(2) else None


def _resolve(request: Request, path: str, page: ResourcePage) -> Response:
    """The answer for the IRI ``BASE + path``.

    RDF in the negotiated format, the ``page`` for HTML, a 303 to the ontology for a version IRI
    or to a country's key.
    """
    key = _country_key(path)
    if key is not None:  # FRA, 250 or France: the country's page is at its key, FR
        query = request.url.query
        return RedirectResponse(f"/{key}" + (f"?{query}" if query else ""), status_code=303)
    iri = BASE + path
    # shape/ IRIs: from the shipped shapes files (small, read in memory like /terms), not the store
    store: QueryStore = shapes_store() if path.startswith("shape/") else store_reader(request)
    fmt = negotiate(request.headers.get("accept"), request.query_params.get("format"))
    lang = page_language(request)  # checked for every format: a bad one is a 400 for all
    triples = describe(store, iri) if _IRI_PATH.fullmatch(path) else []
    if not triples and _IRI_PATH.fullmatch(path):
        # A version IRI (owl:versionIRI) is served by the ontology it names: the current one.
        # (Read at once: a pyoxigraph iterator must not outlive this thread in a traceback.)
        rows = list(
            store.query(
                page_query("ontology-of-version"), substitutions={"version": ox.NamedNode(iri)}
            )
        )
        for row in rows:
            target = local_path(row["ontology"].value)
            query = request.url.query
            return RedirectResponse(target + (f"?{query}" if query else ""), status_code=303)
    if fmt != "html":
        if not triples:
            raise NotFoundError(f"no resource {iri}")
        return _rdf_response(triples, fmt, "/" + path)
    return page(request, store, iri, triples, lang)


_RESOLVE_PARAMETERS: dict[str, Any] = {
    "parameters": [
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "instead of Accept (it wins over Accept): " + ", ".join(FORMATS),
            "schema": {"type": "string", "enum": list(FORMATS)},
        },
        {
            "name": "lang",
            "in": "query",
            "required": False,
            "description": "language of the page's labels (en, fr, es)",
            "schema": {"type": "string"},
        },
    ]
}


def _resolve_options() -> dict[str, Any]:
    """The route options of a linked-data path: every format it answers in, and its errors."""
    return {
        "tags": ["linked data"],
        "response_class": Response,
        "description": "Direct content negotiation (Vary: Accept): an HTML page for a browser, "
        "Turtle, JSON-LD, N-Triples or RDF/XML by `format`, else by Accept.",
        "responses": {
            200: {"content": {media: {} for media, _ in FORMATS.values()}},
            303: {"description": "a version IRI: the ontology it names"},
            **page_errors(400, 404, 406, *STORE_ERRORS),
        },
    }


def _resolver(space: str, page: ResourcePage, *, bare: bool = False) -> Callable[..., Response]:
    if bare:

        def resolve_bare(request: Request) -> Response:
            return _resolve(request, space, page)

        return resolve_bare

    def resolve(request: Request, rest_of_path: str) -> Response:
        return _resolve(request, f"{space}/{rest_of_path}", page)

    return resolve


@cache
def _export(ext: str) -> bytes:
    return ontology.export(_DOWNLOADS[ext])


def get_router(*, page: ResourcePage) -> APIRouter:
    """The linked-data routes.

    Every IRI space, the ontology's IRI and the downloads; a resource asked for as HTML is
    answered by ``page``.
    """
    router = APIRouter()

    @router.get(
        "/download/context.jsonld",
        summary="The JSON-LD context",
        tags=["linked data"],
        response_class=Response,
        responses={200: {"content": {"application/ld+json": {}}}},
    )
    def download_context() -> Response:
        return Response(context_text(), media_type="application/ld+json")

    @router.get(
        "/download/mnr-graph.{ext}",
        summary="The whole ontology and vocabulary: ttl, nt, jsonld or owl (RDF/XML)",
        tags=["linked data"],
        response_class=Response,
        responses={
            200: {"content": {m: {} for m in _DOWNLOAD_MEDIA.values()}},
            **errors(404),
        },
    )
    def download(ext: str) -> Response:
        if ext not in _DOWNLOADS:
            raise NotFoundError(
                f"no download mnr-graph.{ext}; there are: "
                + ", ".join(f"mnr-graph.{e}" for e in _DOWNLOADS)
            )
        return Response(
            _export(ext),
            media_type=_DOWNLOAD_MEDIA[ext],
            headers={"Content-Disposition": f'attachment; filename="mnr-graph.{ext}"'},
        )

    @router.get(
        "/def",
        summary="The ontology (its IRI, https://w3id.org/mnr-graph/def)",
        openapi_extra=_RESOLVE_PARAMETERS,
        **_resolve_options(),
    )
    def ontology_iri(request: Request) -> Response:
        return _resolve(request, "def", page)

    for space in SPACES:
        router.add_api_route(
            f"/{space}/{{rest_of_path:path}}",
            _resolver(space, page),
            methods=["GET"],
            name=f"resolve_{space}",
            summary=f"Any IRI under https://w3id.org/mnr-graph/{space}/",
            openapi_extra=_RESOLVE_PARAMETERS,
            **_resolve_options(),
        )
        if space != "def":  # /id alone is no IRI of ours: 404 (it was a redirect to /id/, a 404)
            router.add_api_route(
                f"/{space}",
                _resolver(space, page, bare=True),
                methods=["GET"],
                name=f"resolve_{space}_bare",
                include_in_schema=False,
            )
    return router
