"""Rendering the pages: the templates, the context every page has, and errors as pages.

:func:`render` fills a template of ``mnr_graph/web/templates``; the templates link through
``url(path, **params)``, ``static(name)`` and the ``local`` filter, all of
:mod:`mnr_graph.web.urls` (root-path aware), and write their own words as ``_("key")`` from the
catalogue :mod:`mnr_graph.web.i18n`. No inline script or style: the stylesheet and scripts are
static files (a strict Content-Security-Policy holds).
:func:`base_context` gives what the base template needs (the language and its switch, the title,
the demo banner). :func:`html_error` answers an error as a page when the request was for a page
and the client would rather have HTML (the app's error handlers ask it first);
:func:`page_handler` makes a page handler answer its own errors as pages.

>>> curie("http://www.w3.org/2004/02/skos/core#prefLabel")
'skos:prefLabel'
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import pass_context

from mnr_graph import __version__
from mnr_graph.core.errors import MnrGraphError
from mnr_graph.core.namespaces import PREFIXES
from mnr_graph.core.settings import Settings
from mnr_graph.query.named import QueryStore
from mnr_graph.web import urls
from mnr_graph.web.i18n import UI_LANGUAGES, translate
from mnr_graph.web.linked_data import local_path, negotiate
from mnr_graph.web.page_queries import page_query
from mnr_graph.web.requests import page_language, store_reader
from mnr_graph.web.responses import retry_headers

__all__ = [
    "HTML",
    "base_context",
    "curie",
    "error_page",
    "html_error",
    "page_handler",
    "render",
    "wants_html",
]

#: An HTML page, for the OpenAPI document.
HTML: dict[str, Any] = {"content": {"text/html": {"schema": {"type": "string"}}}}
#: The modules whose routes are pages (their errors are pages for a browser).
_PAGE_MODULES = ("mnr_graph.web.pages.", "mnr_graph.web.linked_data")


@pass_context
def _url(context: Any, path: str, **params: Any) -> str:
    return urls.url(context.get("root", ""), path, **params)


@pass_context
def _static(context: Any, name: str) -> str:
    return urls.static_url(context.get("root", ""), name)


@pass_context
def _local(context: Any, iri: str) -> str:
    return urls.url(context.get("root", ""), local_path(iri))


@pass_context
def _translate(context: Any, key: str) -> str:
    return translate(key, str(context.get("lang", "en")))


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mnr_graph.web", "templates"),
        autoescape=jinja2.select_autoescape(["html", "svg"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["local"] = _local
    env.filters["curie"] = curie
    env.globals["url"] = _url
    env.globals["static"] = _static
    env.globals["_"] = _translate
    return env


def render(name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``templates/NAME`` (the base template needs :func:`base_context`)."""
    context.setdefault("version", __version__)
    html = _templates().get_template(name).render(**context)
    return HTMLResponse(html, status_code=status_code)


def curie(iri: str) -> str:
    """A compact name for an IRI when one of the project's prefixes fits."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best = namespace
            name = f"{prefix}:{iri[len(namespace) :]}"
    return name if best else iri


def _languages(store: QueryStore) -> list[str]:
    """The languages the framework has labels in (for the language switch)."""
    rows = store.query(page_query("label-languages"))
    return [row["lang"].value for row in rows if row["lang"] is not None and row["lang"].value]


def base_context(
    request: Request, lang: str, title: str, *, languages: list[str] | None = None
) -> dict[str, Any]:
    """What the base template needs.

    The page language and the languages to switch to (those of the store's labels unless given,
    and the chrome's), the title, the path and query, the root path, and whether to show the demo
    banner (the store holds the demo; the server was given no data at all).
    """
    other = {k: v for k, v in request.query_params.items() if k != "lang"}
    settings = getattr(request.app.state, "settings", None)  # none: a bare router, no banner
    found = _languages(store_reader(request)) if languages is None else languages
    return {
        "languages": sorted(set(found) | set(UI_LANGUAGES)),
        "root": urls.request_root(request.scope),
        "lang": lang,
        "title": title,
        "path": urls.route_path(request.scope),
        "query_without_lang": urlencode(other),
        "demo": bool(getattr(request.app.state, "demo", False)),
        "no_data": isinstance(settings, Settings) and settings.demo and settings.examples is None,
    }


def error_page(request: Request, exc: MnrGraphError, lang: str | None = None) -> HTMLResponse:
    """The HTML page of an error, in ``lang`` (else the request's page language, else English).

    No store read: it must work when the store is slow or away.
    """
    if lang is None:
        try:
            lang = page_language(request)
        except MnrGraphError:
            lang = "en"
    title = "Not found" if exc.http_status == 404 else "Error"
    page = render(
        "error.html",
        status_code=exc.http_status,
        message=str(exc),
        status=exc.http_status,
        **base_context(request, lang, title, languages=[]),
    )
    page.headers.update(retry_headers(request, exc))
    return page


def wants_html(request: Request) -> bool:
    """True when the client would rather have a page (a browser): for error answers."""
    try:
        accept = request.headers.get("accept")
        return negotiate(accept, request.query_params.get("format")) == "html"
    except MnrGraphError:
        return False


def html_error(request: Request, exc: MnrGraphError) -> HTMLResponse | None:
    """The error as a page when the request is for one and the client would rather have HTML.

    A request for a page or a linked-data path (or for no route at all); ``None`` otherwise (the
    API answers JSON).
    """
    route = request.scope.get("route")
    module = str(getattr(getattr(route, "endpoint", None), "__module__", ""))
    for_page = route is None or module.startswith(_PAGE_MODULES)
    return error_page(request, exc) if for_page and wants_html(request) else None


def page_handler(handler: Callable[..., Response]) -> Callable[..., Response]:
    """A page handler whose errors are answered as an HTML error page."""

    @functools.wraps(handler)
    def page(*args: Any, **kwargs: Any) -> Response:
        try:
            return handler(*args, **kwargs)
        except MnrGraphError as exc:
            return error_page(kwargs["request"], exc)

    return page
