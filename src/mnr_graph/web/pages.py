"""Linked data and web pages: every project IRI resolves here, as HTML for people or RDF for tools.

**IRI resolution.** An IRI ``https://w3id.org/mnr-graph/<path>`` (``def/``, ``id/``, ``term/``,
``label/``, ``source/``, ``data/``, ``shape/``, and ``def`` itself, the ontology) is served at
``/<path>`` on this server by direct content negotiation (no 303 redirect; ``Vary: Accept``):
``text/html`` for a browser; ``text/turtle``, ``application/ld+json``, ``application/n-triples``
or ``application/rdf+xml`` for tools (``*/*`` alone gets Turtle). ``?format=html|ttl|jsonld|nt|rdf``
overrides the ``Accept`` header. The RDF is the resource's own statements (and those of its SKOS-XL
labels); a ``Link`` header names each alternative format.

**Downloads.** ``/download/mnr-graph.ttl`` (and ``.nt``, ``.jsonld``, ``.owl``: RDF/XML) is the
whole shipped ontology and vocabulary; ``/download/context.jsonld`` the JSON-LD context.

**Pages.** ``/`` (home), ``/framework`` (domains, capabilities, outcomes), a page per capability at
its IRI (``/id/C07``), ``/vocabulary`` (term look-up and the text checker), a page per term at its
IRI, ``/questions`` (the named queries as forms), a country profile at the country's IRI
(``/data/country/XA``). Plain HTML with no external assets; ``?lang=fr`` (or ``Accept-Language``)
picks the label language, English where a label is missing.

>>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8"), negotiate("*/*"), negotiate(None)
('html', 'ttl', 'ttl')
>>> negotiate("application/ld+json"), negotiate(None, "nt")
('jsonld', 'nt')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import unquote, urlencode

import jinja2
import pyoxigraph as ox
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from rdflib import Graph

from mnr_graph import __version__
from mnr_graph.core import resources
from mnr_graph.core.errors import (
    InputError,
    MnrGraphError,
    NotAcceptableError,
    NotFoundError,
    located,
)
from mnr_graph.core.language import pick
from mnr_graph.core.namespaces import BASE, GRAPH, MNR, OWL, PREFIXES, RDF, RDFS, SKOS, SKOSXL
from mnr_graph.core.settings import Settings
from mnr_graph.framework import ontology
from mnr_graph.framework.context import context_text, shipped_context
from mnr_graph.framework.countries import lookup_country
from mnr_graph.query import named as queries
from mnr_graph.query.sparql import choose_media, parse_accept
from mnr_graph.query.store import EmbeddedStore
from mnr_graph.submissions.demo import is_demo
from mnr_graph.terminology import checker as textcheck
from mnr_graph.terminology import vocabulary as terminology
from mnr_graph.web import rest

__all__ = [
    "FORMATS",
    "SPACES",
    "curie",
    "describe",
    "error_page",
    "get_router",
    "html_error",
    "local_path",
    "negotiate",
    "page_language",
    "render",
    "shapes_store",
    "wants_html",
]

#: Format name -> (media type, rdflib serializer name); ``html`` is the page.
FORMATS: dict[str, tuple[str, str]] = {
    "html": ("text/html", ""),
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
}
_BY_MEDIA = {media: name for name, (media, _) in FORMATS.items()}
_BY_MEDIA.update({"application/xhtml+xml": "html", "application/json": "jsonld"})
#: What each wildcard gives, first choice first (a refused one is passed over).
_WILDCARDS = {
    wildcard: tuple(FORMATS[name][0] for name in names)
    for wildcard, names in {
        "*/*": ("ttl", "jsonld", "nt", "rdf", "html"),
        "text/*": ("ttl", "html"),
        "application/*": ("jsonld", "nt", "rdf"),
    }.items()
}
_DOWNLOADS = {"ttl": "ttl", "nt": "nt", "jsonld": "jsonld", "owl": "owl"}
_DOWNLOAD_MEDIA = {"ttl": "text/turtle", "nt": "application/n-triples"}
_DOWNLOAD_MEDIA.update({"jsonld": "application/ld+json", "owl": "application/rdf+xml"})
_LANG_TAG = re.compile(r"^[a-z]{2,3}$")
_MAX_DESCRIBED = 500
#: How deep a chain of blank nodes (an RDF list, nested restrictions) is followed.
_MAX_DEPTH = 64
#: Paths that can be part of an IRI here (anything else is simply not found).
_IRI_PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@/%-]+")
#: The IRI spaces that resolve here (``def`` alone is the ontology).
SPACES = ("def", "id", "term", "label", "source", "data", "demo", "shape")


def negotiate(accept: str | None, fmt: str | None = None) -> str:
    """The format to answer with: ``format`` if given, else the best of ``Accept``.

    q-values count (``q=0`` refuses a type); at equal q a type beats a wildcard, then the first
    listed wins. ``*/*`` and ``text/*`` give Turtle, ``application/*`` JSON-LD, or the next of
    their formats when that one is refused; an ``Accept`` that allows none of ours is
    :class:`NotAcceptableError` (406).

    >>> negotiate("text/html;q=0, text/turtle;q=0.5"), negotiate("application/*")
    ('ttl', 'jsonld')
    >>> negotiate("text/turtle;q=0, */*"), negotiate("text/turtle;q=0, text/*")
    ('jsonld', 'html')
    """
    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise NotAcceptableError(
                f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}", where="format"
            )
        return fmt
    ranges = parse_accept(accept)  # best first: by q, then a type before a wildcard, then order
    media = choose_media(ranges, _BY_MEDIA, _WILDCARDS)
    if media is not None:
        return _BY_MEDIA[media]
    if ranges:
        raise NotAcceptableError(
            f"cannot answer in {accept!r}; this resource is available as "
            + ", ".join(media for media, _ in FORMATS.values()),
            where="Accept",
        )
    return "ttl"


def wants_html(request: Request) -> bool:
    """True when the client would rather have a page (a browser): for error answers."""
    try:
        return (
            negotiate(request.headers.get("accept"), request.query_params.get("format")) == "html"
        )
    except MnrGraphError:
        return False


def error_page(request: Request, exc: MnrGraphError) -> HTMLResponse:
    """The HTML page of an error (no store read: it must work when the store is slow or away)."""
    try:
        lang = page_language(request)
    except MnrGraphError:
        lang = "en"
    return _error_page(request, exc, lang)


def html_error(request: Request, exc: MnrGraphError) -> HTMLResponse | None:
    """The error as a page when the request is for a page (or for no route at all) and the client
    would rather have HTML; ``None`` otherwise (the API answers JSON)."""
    route = request.scope.get("route")
    endpoint = getattr(route, "endpoint", None)
    for_page = route is None or getattr(endpoint, "__module__", None) == __name__
    return error_page(request, exc) if for_page and wants_html(request) else None


def _pages(handler: Callable[..., Response]) -> Callable[..., Response]:
    """A page handler whose errors are answered as an HTML error page."""

    @functools.wraps(handler)
    def page(*args: Any, **kwargs: Any) -> Response:
        try:
            return handler(*args, **kwargs)
        except MnrGraphError as exc:
            return error_page(kwargs["request"], exc)

    return page


def page_language(request: Request) -> str:
    """The page language: ``?lang=``, else the best of ``Accept-Language`` (q-values honoured)
    that the vocabulary has labels in, else English. A language we have no labels in is English
    (so the page's ``lang`` says what it holds); a malformed ``?lang=`` is a 400."""
    available = _label_languages()
    if len(request.query_params.getlist("lang")) > 1:
        raise InputError("give 'lang' once, not several times", where="parameter 'lang'")
    asked = request.query_params.get("lang", "")
    if asked:
        tag = asked.split("-")[0].lower()
        if not _LANG_TAG.match(tag):
            raise InputError(
                f"{asked!r} is not a language tag (en, fr, es ...)", where="parameter 'lang'"
            )
        return tag if tag in available else "en"
    for tag, q in parse_accept(request.headers.get("accept-language")):
        if q > 0 and tag.split("-")[0] in available:
            return tag.split("-")[0]
    return "en"


@cache
def _label_languages() -> frozenset[str]:
    """The languages the vocabulary has labels in."""
    return frozenset(label.lang.split("-")[0] for label in terminology.load_vocabulary().labels)


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mnr_graph.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["local"] = local_path
    env.filters["curie"] = curie
    return env


def render(name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``templates/NAME`` (the base template needs ``lang`` and ``path``)."""
    context.setdefault("version", __version__)
    html = _templates().get_template(name).render(**context)
    return HTMLResponse(html, status_code=status_code)


def local_path(iri: str) -> str:
    """The path on this server of a project IRI; other IRIs are returned unchanged.

    >>> local_path("https://w3id.org/mnr-graph/id/C07"), local_path("http://example.org/x")
    ('/id/C07', 'http://example.org/x')
    """
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else iri


def curie(iri: str) -> str:
    """A compact name for an IRI when one of the project's prefixes fits.

    >>> curie("http://www.w3.org/2004/02/skos/core#prefLabel")
    'skos:prefLabel'
    """
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best = namespace
            name = f"{prefix}:{iri[len(namespace) :]}"
    return name if best else iri


def describe(store: queries.QueryStore, iri: str) -> list[tuple[Any, Any, Any]]:
    """The statements about one resource: its own, those of its SKOS-XL labels, and those of the
    blank nodes they lead to (a concise bounded description: OWL restrictions, lists).

    The blank nodes' statements come from one query (chains of blank nodes, deepened until none is
    left unexplored), so they are right on any store, where a blank node cannot be bound to a
    query variable and its label means nothing outside one result.

    >>> from mnr_graph.query.store import EmbeddedStore
    >>> store = EmbeddedStore.with_shipped_data()
    >>> triples = describe(store, str(MNR.Capability))
    >>> any(isinstance(s, ox.BlankNode) for s, _, _ in triples)
    True
    """
    root = ox.NamedNode(iri)
    rows = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", substitutions={"s": root})
    own = [(root, row["p"], row["o"]) for row in rows]
    xl = {str(SKOSXL.prefLabel), str(SKOSXL.altLabel), str(SKOSXL.hiddenLabel)}
    labels = [o for _, p, o in own if p.value in xl and isinstance(o, ox.NamedNode)]
    if not labels and not any(isinstance(o, ox.BlankNode) for _, _, o in own):
        return own
    roots = list(dict.fromkeys([root, *labels]))
    depth = 4
    while True:
        found = store.query(_closure_query(roots, depth))
        triples: dict[tuple[Any, Any, Any], int] = {}
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
    """A SELECT of ``?s ?p ?o ?d``: the statements of the roots (``?d`` 0) and of every blank
    node reached from a root through blank nodes only, up to ``depth`` steps (``?d`` steps)."""
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


def _serialize(triples: list[tuple[Any, Any, Any]], fmt: str) -> bytes:
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


def _rdf_response(triples: list[tuple[Any, Any, Any]], fmt: str, path: str) -> Response:
    links = ", ".join(
        f'<{path}?format={name}>; rel="alternate"; type="{media}"'
        for name, (media, _) in FORMATS.items()
    )
    headers = {"Vary": "Accept", "Link": links}
    return Response(_serialize(triples, fmt), media_type=FORMATS[fmt][0], headers=headers)


def _label_map(store: queries.QueryStore, iris: set[str], lang: str) -> dict[str, str]:
    """Labels (skos:prefLabel, else rdfs:label) of the given IRIs in the page language."""
    if not iris:
        return {}
    values = " ".join(str(ox.NamedNode(iri)) for iri in sorted(iris))
    rows = store.query(
        f"SELECT ?x ?label ?k WHERE {{ VALUES ?x {{ {values} }} "
        f"{{ ?x <{SKOS.prefLabel}> ?label BIND(0 AS ?k) }} UNION "
        f"{{ ?x <{RDFS.label}> ?label BIND(1 AS ?k) }} }}"
    )
    found: dict[str, dict[str, str]] = {}
    for row in sorted(rows, key=lambda r: int(r["k"].value)):
        label = row["label"]
        if isinstance(label, ox.Literal):
            found.setdefault(row["x"].value, {}).setdefault(label.language or "", label.value)
    return {iri: text for iri, values in found.items() if (text := pick(values, lang))}


def _property_rows(
    store: queries.QueryStore, iri: str, triples: list[tuple[Any, Any, Any]], lang: str
) -> list[dict[str, Any]]:
    own = [(p, o) for s, p, o in triples if s.value == iri]
    names = {p.value for p, _ in own} | {o.value for _, o in own if isinstance(o, ox.NamedNode)}
    labels = _label_map(store, names, lang)
    in_lang = {(p.value, o.language) for p, o in own if isinstance(o, ox.Literal)}
    rows: dict[str, dict[str, Any]] = {}
    for p, o in own:
        row = rows.setdefault(
            p.value, {"iri": p.value, "label": labels.get(p.value, curie(p.value)), "objects": []}
        )
        if isinstance(o, ox.NamedNode):
            value = {"iri": o.value, "text": labels.get(o.value, curie(o.value)), "lang": None}
        elif isinstance(o, ox.Literal):
            # Texts in other languages are left out when the page's language has one.
            if (
                o.language
                and o.language != lang
                and p.value != str(SKOS.prefLabel)
                and (p.value, lang) in in_lang
            ):
                continue
            value = {"iri": None, "text": o.value, "lang": o.language}
        else:
            value = {"iri": None, "text": str(o), "lang": None}
        row["objects"].append(value)
    ordered = sorted(rows.values(), key=lambda r: (r["iri"] != str(RDF.type), r["label"].lower()))
    for row in ordered:
        row["objects"].sort(key=lambda v: (v["lang"] not in (lang, None), v["text"].lower()))
    return ordered


def _types(triples: list[tuple[Any, Any, Any]], iri: str) -> set[str]:
    return {o.value for s, p, o in triples if s.value == iri and p.value == str(RDF.type)}


def _title(triples: list[tuple[Any, Any, Any]], iri: str, lang: str) -> str:
    values = {
        o.language or "": o.value
        for s, p, o in triples
        if s.value == iri
        and p.value in (str(SKOS.prefLabel), str(RDFS.label), str(SKOSXL.literalForm))
        and isinstance(o, ox.Literal)
    }
    return pick(values, lang) or curie(iri)


def _languages(store: queries.QueryStore) -> list[str]:
    """The languages the framework has labels in (for the language switch)."""
    rows = store.query(
        f"SELECT DISTINCT (LANG(?label) AS ?lang) WHERE {{ ?c a <{MNR.Capability}> ; "
        f"<{SKOS.prefLabel}> ?label }} ORDER BY ?lang"
    )
    return [row["lang"].value for row in rows if row["lang"] is not None and row["lang"].value]


def _base(
    request: Request, lang: str, title: str, *, languages: list[str] | None = None
) -> dict[str, Any]:
    other = {k: v for k, v in request.query_params.items() if k != "lang"}
    settings = getattr(request.app.state, "settings", None)
    return {
        "languages": _languages(rest.store_reader(request)) if languages is None else languages,
        "lang": lang,
        "title": title,
        "path": request.url.path,
        "query_without_lang": urlencode(other),
        # the store holds the demo (graph/demo/...); the server was given no data at all
        "demo": bool(getattr(request.app.state, "demo", False)),
        "no_data": isinstance(settings, Settings) and settings.demo and settings.examples is None,
    }


def _error_page(request: Request, exc: MnrGraphError, lang: str = "en") -> HTMLResponse:
    page = render(
        "error.html",
        status_code=exc.http_status,
        message=str(exc),
        status=exc.http_status,
        **_base(
            request,
            lang,
            "Not found" if exc.http_status == 404 else "Error",
            languages=[],
        ),
    )
    page.headers.update(rest.retry_headers(request, exc))
    return page


@cache
def shapes_store() -> EmbeddedStore:
    """The shipped SHACL shapes (``shapes/*.ttl``), each file in its named graph
    ``.../graph/shape/<stem>``: the ``shape/`` IRIs resolve from them.

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


_COUNTRY_PATH = re.compile(r"^(data|demo)/country/([^/]+)$")


def _country_key(path: str) -> str | None:
    """The path of a country's key when ``path`` names a country by another code or name
    (``data/country/FRA`` -> ``data/country/FR``); None when it is the key or no country."""
    match = _COUNTRY_PATH.match(path)
    if match is None:
        return None
    try:
        code = lookup_country(unquote(match.group(2))).code
    except MnrGraphError:
        return None
    return f"{match.group(1)}/country/{code}" if code != match.group(2) else None


def _resource(request: Request, path: str) -> Response:
    key = _country_key(path)
    if key is not None:  # FRA, 250 or France: the country's page is at its key, FR
        query = request.url.query
        return RedirectResponse(f"/{key}" + (f"?{query}" if query else ""), status_code=303)
    iri = BASE + path
    # shape/ IRIs: from the shipped shapes files (small, read in memory like /terms), not the store
    store: queries.QueryStore = (
        shapes_store() if path.startswith("shape/") else rest.store_reader(request)
    )
    fmt = negotiate(request.headers.get("accept"), request.query_params.get("format"))
    lang = page_language(request)  # checked for every format: a bad one is a 400 for all
    triples = describe(store, iri) if _IRI_PATH.fullmatch(path) else []
    if not triples and _IRI_PATH.fullmatch(path):
        # A version IRI (owl:versionIRI) is served by the ontology it names: the current one.
        # (Read at once: a pyoxigraph iterator must not outlive this thread in a traceback.)
        rows = list(
            store.query(
                f"SELECT ?ontology ?v WHERE {{ ?ontology <{OWL.versionIRI}> ?v }}",
                substitutions={"v": ox.NamedNode(iri)},
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
    if not triples:
        return _error_page(request, NotFoundError(f"no resource {iri}"), lang)
    types = _types(triples, iri)
    title = _title(triples, iri, lang)
    context = _base(request, lang, title)
    context.update(
        iri=iri,
        properties=_property_rows(store, iri, triples, lang),
        formats=[name for name in FORMATS if name != "html"],
        special=None,
    )
    if str(MNR.Capability) in types:
        context["special"] = "capability"
        notation = iri.rsplit("/", 1)[1]
        context["details"] = queries.run_query(
            store, "capability", {"capability": notation, "lang": lang}
        ).rows
        context["terms"] = queries.run_query(
            store, "terms-for-capability", {"capability": notation, "lang": lang}
        ).rows
    elif str(MNR.Country) in types:
        country = _country_facts(iri)
        if not _has_submission(store, iri):  # a country of no current submission: not found
            return _error_page(
                request, NotFoundError(f"country {country['code']} has no current submission"), lang
            )
        context["special"] = "country"
        context["country"] = country
        context["title"] = f"Country {country['label']}" + (
            " (demo, illustrative)"
            if country["demo"]
            else " (illustrative)"
            if country["illustrative"]
            else ""
        )
        context["profile"] = queries.run_query(
            store, "country-profile", {"country": iri, "lang": lang}
        ).rows
        context["averages"] = queries.run_query(
            store, "average-phase-by-domain", {"country": iri, "lang": lang}
        ).rows
    elif iri in terminology.load_vocabulary().concepts:
        context["special"] = "term"
        context["term"] = rest.describe_term(iri.rsplit("/", 1)[1], lang=lang)
    response = render("resource.html", **context)
    response.headers["Vary"] = "Accept"
    return response


def _framework(store: queries.QueryStore, lang: str) -> list[dict[str, Any]]:
    rows = queries.run_query(store, "capabilities-by-domain", {"lang": lang}).rows
    domains: dict[str, dict[str, Any]] = {}
    for row in rows:
        domain = domains.setdefault(
            row["domain"],
            {
                "iri": row["domain"],
                "notation": row["domainNotation"],
                "label": row["domainLabel"],
                "capabilities": [],
                "outcomes": [],
            },
        )
        domain["capabilities"].append(
            {
                "iri": row["capability"],
                "notation": row["capabilityNotation"],
                "label": row["capabilityLabel"],
            }
        )
    outcomes = store.query(
        f"SELECT ?domain ?outcome ?label WHERE {{ ?domain <{MNR.hasOutcome}> ?outcome . "
        f"?outcome <{SKOS.prefLabel}> ?label }}"
    )
    found: dict[tuple[str, str], dict[str, str]] = {}
    for row in outcomes:
        found.setdefault((row["domain"].value, row["outcome"].value), {})[
            row["label"].language or ""
        ] = row["label"].value
    for (domain_iri, outcome), labels in sorted(found.items()):
        if domain_iri in domains:
            domains[domain_iri]["outcomes"].append(
                {"iri": outcome, "label": pick(labels, lang) or curie(outcome)}
            )
    return list(domains.values())


def _country_facts(iri: str) -> dict[str, Any]:
    """A country as a page shows it: its code, name, and whether it is illustrative (a
    user-assigned code, or the demo's) or the demo's."""
    code = unquote(iri.rsplit("/", 1)[1])
    try:
        country = lookup_country(code)
        label, user_assigned = country.label, country.user_assigned
    except MnrGraphError:
        label, user_assigned = code, False
    demo = is_demo(iri)
    return {
        "iri": iri,
        "code": code,
        "label": label,
        "demo": demo,
        "illustrative": demo or user_assigned,
    }


def _has_submission(store: queries.QueryStore, iri: str) -> bool:
    """True when the country has a current submission (one the registry has not replaced)."""
    return bool(
        store.query(
            f"ASK {{ ?s a <{MNR.Submission}> ; <{MNR.country}> ?c . "
            f"FILTER NOT EXISTS {{ ?s <{MNR.isCurrent}> false }} }}",
            substitutions={"c": ox.NamedNode(iri)},
        )
    )


def _countries(store: queries.QueryStore) -> list[dict[str, Any]]:
    """The countries with a current submission, the user's data first, then the demo's."""
    rows = store.query(
        f"SELECT DISTINCT ?country WHERE {{ ?s a <{MNR.Submission}> ; <{MNR.country}> ?country . "
        f"FILTER NOT EXISTS {{ ?s <{MNR.isCurrent}> false }} }}"
    )
    found = [_country_facts(row["country"].value) for row in rows]
    return sorted(found, key=lambda c: (c["demo"], c["code"]))


def get_router() -> APIRouter:
    """The linked-data and web-page routes; :func:`mnr_graph.web.app.get_fastapi_app` includes
    them."""
    router = APIRouter()
    page: dict[str, Any] = {"response_class": HTMLResponse, "tags": ["pages"]}
    page_responses: dict[int | str, dict[str, Any]] = {
        200: _HTML,
        **rest.page_errors(400, *_STORE_ERRORS),
    }

    @router.get("/", summary="Home page", responses=page_responses, **page)
    @_pages
    def home(request: Request) -> Response:
        lang = page_language(request)
        store = rest.store_reader(request)
        return render(
            "home.html",
            domains=_framework(store, lang),
            countries=_countries(store),
            queries=list(queries.load_queries().values()),
            **_base(request, lang, "mnr-graph"),
        )

    @router.get(
        "/framework",
        summary="The framework: domains, capabilities, outcomes",
        responses=page_responses,
        **page,
    )
    @_pages
    def framework(request: Request) -> Response:
        lang = page_language(request)
        return render(
            "framework.html",
            domains=_framework(rest.store_reader(request), lang),
            **_base(request, lang, "The Model National Response"),
        )

    @router.get(
        "/country",
        summary="Go to a country's profile (303 to its IRI)",
        tags=["pages"],
        responses={
            303: {"description": "the country's IRI, /data/country/XA"},
            **rest.page_errors(400, 404, *_STORE_ERRORS),
        },
        response_class=RedirectResponse,
        status_code=303,
    )
    def country(
        request: Request,
        code: str = Query(
            ...,
            max_length=200,
            description="the country: an ISO 3166-1 code (FR, FRA, 250), a user-assigned code "
            "(XA, XAB), an English name, or the country's IRI",
            examples=["XA"],
        ),
    ) -> Response:
        with located("parameter 'code'"):
            node = queries.parse_value("country", code)
        store = rest.store_reader(request)
        # a code stands for the user's country, else the demo's (as in the named queries)
        for candidate in queries.PARAMETER_TYPES["country"].candidates(node):
            if _has_submission(store, candidate.value):
                return RedirectResponse(local_path(candidate.value), status_code=303)
        raise NotFoundError(
            f"country {code!r} has no current submission here", where="parameter 'code'"
        )

    @router.get(
        "/vocabulary",
        summary="Term look-up and the text checker",
        responses={200: _HTML, **rest.page_errors(400)},
        **page,
    )
    @_pages
    def vocabulary(
        request: Request,
        q: str | None = Query(None, max_length=200),
        band: str | None = Query(None, max_length=20),
    ) -> Response:
        lang = page_language(request)
        vocab = terminology.load_vocabulary()
        results: list[dict[str, Any]] = []
        suggestions: list[dict[str, Any]] = []
        if q and q.strip():
            found = vocab.lookup(q, lang=lang).to_json()
            also = frozenset((str(m["label"]), str(m["lang"])) for m in found["matches"])
            entries = rest.term_entries(vocab, band=band or None)
            results = rest.search_terms(entries, q, lang=lang, also=also)[:50]
            suggestions = list(found["suggestions"])
        elif band:
            results = rest.term_entries(vocab, band=band, lang=lang)
        bands = sorted({label.band for label in vocab.labels})
        return render(
            "vocabulary.html",
            q=q or "",
            band=band or "",
            bands=bands,
            results=results,
            suggestions=suggestions,
            text="",
            findings=None,
            **_base(request, lang, "Terminology"),
        )

    @router.post(
        "/vocabulary/check",
        summary="The text checker's findings, as a page",
        responses={200: _HTML, **rest.page_errors(400, 413, 415)},
        **page,
    )
    @_pages
    def check_page(request: Request, text: str = Form(..., max_length=200_000)) -> Response:
        lang = page_language(request)
        vocab = terminology.load_vocabulary()
        findings = [f.to_json() for f in textcheck.check_text(text, lang=lang)]
        return render(
            "vocabulary.html",
            q="",
            band="",
            bands=sorted({label.band for label in vocab.labels}),
            results=[],
            suggestions=[],
            text=text,
            findings=findings,
            **_base(request, lang, "Terminology"),
        )

    @router.get(
        "/questions",
        summary="Every named query as a form",
        responses=page_responses,
        **page,
    )
    @_pages
    def questions(request: Request) -> Response:
        lang = page_language(request)
        return render(
            "questions.html",
            queries=list(queries.load_queries().values()),
            types=queries.PARAMETER_TYPES,
            examples={
                q.name: f"/queries/{q.name}?"
                + urlencode({p.name: p.example for p in q.parameters if p.required})
                for q in queries.load_queries().values()
            },
            **_base(request, lang, "Ready-made questions"),
        )

    @router.get(
        "/questions/{name}",
        summary="A named query's answer, as a page",
        responses={200: _HTML, **rest.page_errors(400, 404, *_STORE_ERRORS)},
        **page,
    )
    @_pages
    def question(request: Request, name: str) -> Response:
        lang = page_language(request)
        try:
            q = queries.get_query(name)
            values = {k: v for k, v in rest.single_values(request).items() if v != ""}
            limit, offset = rest.page_parameters(values, most=_PAGE_ROWS)
            table = queries.run_query(
                rest.store_reader(request), q.name, values, limit=limit, offset=offset
            )
        except MnrGraphError as exc:
            return _error_page(request, exc, lang)
        paged = table.truncated or offset > 0  # the CSV of this page: a longer one is paged
        page = {"limit": str(limit), "offset": str(offset)} if paged else {}
        return render(
            "question.html",
            query=q,
            table=table,
            values=values,
            csv_link=f"/queries/{q.name}?{urlencode({**values, **page, 'format': 'csv'})}",
            next_link=rest.next_page(request, table.next_offset, limit),
            **_base(request, lang, q.summary),
        )

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
            **rest.errors(404),
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
        return _resource(request, "def")

    for space in SPACES:
        router.add_api_route(
            f"/{space}/{{rest_of_path:path}}",
            _resolver(space),
            methods=["GET"],
            name=f"resolve_{space}",
            summary=f"Any IRI under https://w3id.org/mnr-graph/{space}/",
            openapi_extra=_RESOLVE_PARAMETERS,
            **_resolve_options(),
        )
        if space != "def":  # /id alone is no IRI of ours: 404 (it was a redirect to /id/, a 404)
            router.add_api_route(
                f"/{space}",
                _resolver(space, bare=True),
                methods=["GET"],
                name=f"resolve_{space}_bare",
                include_in_schema=False,
            )
    return router


#: The most rows a question's page shows (then a link to the next page).
_PAGE_ROWS = 1000
#: An HTML page, for the OpenAPI document.
_HTML: dict[str, Any] = {"content": {"text/html": {"schema": {"type": "string"}}}}
_STORE_ERRORS = (502, 503)
_RESOLVE_PARAMETERS: dict[str, Any] = {
    "parameters": [
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "instead of Accept: " + ", ".join(FORMATS),
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
        "Turtle, JSON-LD, N-Triples or RDF/XML by Accept or `format`.",
        "responses": {
            200: {"content": {media: {} for media, _ in FORMATS.values()}},
            303: {"description": "a version IRI: the ontology it names"},
            **rest.page_errors(400, 404, 406, *_STORE_ERRORS),
        },
    }


def _resolver(space: str, *, bare: bool = False) -> Callable[..., Response]:
    if bare:

        def resolve_bare(request: Request) -> Response:
            return _resource(request, space)

        return resolve_bare

    def resolve(request: Request, rest_of_path: str) -> Response:
        return _resource(request, f"{space}/{rest_of_path}")

    return resolve


@cache
def _export(ext: str) -> bytes:
    return ontology.export(_DOWNLOADS[ext])
