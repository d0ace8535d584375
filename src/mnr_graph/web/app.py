"""The HTTP API: a FastAPI app made by a factory, over the same library the CLI uses.

:func:`get_fastapi_app` builds the app for some :class:`~mnr_graph.core.settings.Settings` (never a
global app made at import); :func:`app_from_env` is the factory for ``uvicorn --factory
mnr_graph.web.app:app_from_env``. The app serves ``/health``, ``/ready``, ``/metrics``
(:mod:`mnr_graph.web.routes.operations`), the read-only SPARQL 1.1 Protocol at
``/sparql`` (each query in a worker process under the time limit, results capped), the REST routes
(:mod:`mnr_graph.web.routes`), the linked-data paths (:mod:`mnr_graph.web.linked_data`), the pages
(:mod:`mnr_graph.web.pages`). Errors of
:mod:`mnr_graph.core.errors` become HTTP status codes in one place (:mod:`mnr_graph.web.errors`).

>>> app = get_fastapi_app(Settings())
>>> "/sparql" in app.openapi()["paths"]
True
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from mnr_graph import __version__
from mnr_graph.core.errors import MnrGraphError
from mnr_graph.core.settings import Settings
from mnr_graph.core.tokens import TokenRegistry
from mnr_graph.query import netguard
from mnr_graph.query.runner import make_runner
from mnr_graph.query.store import Store, build_store
from mnr_graph.submissions.demo import demo_graph_names
from mnr_graph.web import linked_data, urls
from mnr_graph.web.access import Throttle, read_access
from mnr_graph.web.errors import document_errors, install_handlers
from mnr_graph.web.middleware import (
    BodyLimitMiddleware,
    HeadMiddleware,
    ProxyMiddleware,
    RequestMiddleware,
)
from mnr_graph.web.observability import Metrics, configure_logging
from mnr_graph.web.pages import (
    apidocs,
    charts,
    country,
    framework,
    home,
    questions,
    rendering,
    resource,
    sparql_editor,
    validate_page,
    vocabulary,
)
from mnr_graph.web.routes import (
    check,
    export,
    operations,
    queries,
    sparql,
    submissions,
    terms,
    validation,
)
from mnr_graph.web.routes import dataset as dataset_routes
from mnr_graph.web.routes import framework as framework_routes
from mnr_graph.web.routes import reconcile as reconcile_routes

__all__ = ["app_from_env", "get_fastapi_app"]


def _holds_demo(store: Store) -> bool:
    """True when the store holds the demo's graphs (pages then mark the demo's countries)."""
    try:
        return bool(demo_graph_names(store))
    except MnrGraphError:  # a remote store that does not answer now: the pages say nothing
        return False


def get_fastapi_app(
    settings: Settings, *, store: Store | None = None, warm: bool = False
) -> FastAPI:
    """The API for these settings, on ``store`` or on the store the settings describe.

    The settings are validated first (:class:`~mnr_graph.core.settings.SettingsError`). With
    ``warm`` (a server, not a test) the query workers start with the app, not at the first query.
    """
    settings.validate()
    tokens = TokenRegistry(variable_token=settings.write_token, file=settings.tokens_file)
    if not settings.allow_network:
        netguard.install()
    the_store = store if store is not None else build_store(settings)
    runner = make_runner(the_store, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warming = asyncio.create_task(runner.warm()) if warm else None
        try:
            yield
        finally:
            if warming is not None and not warming.done():
                warming.cancel()
            runner.close()
            flush = getattr(the_store, "flush", None)
            if callable(flush):  # everything written is on disk when the server stops
                flush()

    app = FastAPI(
        title="mnr-graph",
        version=__version__,
        summary="The Model National Response and its terminology as linked data: "
        "a SPARQL 1.1 endpoint, named queries, terms, validation.",
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc are pages with vendored assets (pages.apidocs)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = the_store
    app.state.query_runner = runner
    app.state.demo = _holds_demo(the_store)
    app.state.tokens = tokens
    app.state.throttle = Throttle()
    app.state.metrics = Metrics()
    install_handlers(app, html_error=rendering.html_error)

    app.include_router(operations.get_router())
    app.include_router(validate_page.get_router())  # GET /validate: before the API's POST
    # with read_token_required, these show submitters and raw data to a valid token only
    app.include_router(
        sparql.get_router(page=sparql_editor.sparql_page), dependencies=[Depends(read_access)]
    )
    app.include_router(submissions.get_router(), dependencies=[Depends(read_access)])
    for routes in (queries, export, terms, check, validation, framework_routes):
        app.include_router(routes.get_router())
    app.include_router(reconcile_routes.get_router())
    app.include_router(dataset_routes.get_router())
    for page in (home, framework, country, vocabulary, questions, apidocs, charts):
        app.include_router(page.get_router())
    app.mount(
        urls.STATIC_PREFIX,
        StaticFiles(packages=[("mnr_graph.web", "static")]),
        name="static",
    )
    app.include_router(linked_data.get_router(page=resource.resource_page))
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        # The errors as answered: 400 in the project's shape (not FastAPI's 422), 404, 413 ...
        return document_errors(default_openapi())

    app.openapi = openapi  # type: ignore[method-assign]
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=["Accept", "Content-Type", "Authorization"],
            expose_headers=["X-Result-Limit", "X-Results-Truncated", "Warning", "Link"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_upload_bytes)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(RequestMiddleware, metrics=app.state.metrics, log_access=settings.access_log)
    app.add_middleware(
        ProxyMiddleware, root_path=settings.root_path, trusted=settings.trusted_proxies
    )
    return app


def app_from_env() -> FastAPI:
    """The app for ``MNR_GRAPH_*`` environment variables.

    ``uvicorn --factory`` uses this (its logs as ``MNR_GRAPH_LOG_LEVEL`` and
    ``MNR_GRAPH_LOG_JSON`` say).
    """
    settings = Settings.from_env().validate()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    return get_fastapi_app(settings, warm=True)
