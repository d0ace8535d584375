"""``/health``, ``/ready``, ``/metrics`` and ``/backup``.

What an orchestrator, a load balancer, Prometheus and a backup job ask.

``/health`` says the process answers (alive) and what it serves. ``/ready`` checks what a request
needs: the store answers, a query worker answers a query within the time limit, and, when writes
are on, that they can be made (the store folder is writable; a remote update endpoint accepts an
empty update); 503 with the failed checks otherwise. ``/metrics`` gives the Prometheus text
format; it needs a valid token unless the operator opens it (``MNR_GRAPH_METRICS_OPEN``).

>>> sorted(route.path for route in get_router().routes)
['/backup', '/health', '/metrics', '/ready']
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from mnr_graph import __version__
from mnr_graph.core.errors import ConflictError, ForbiddenError, MnrGraphError
from mnr_graph.query.backup import dump
from mnr_graph.query.runner import run_read
from mnr_graph.query.store import EmbeddedStore, RemoteStore
from mnr_graph.web.access import require_token
from mnr_graph.web.observability import CONTENT_TYPE_LATEST, Metrics, audit, request_id

__all__ = ["get_router"]


def get_router() -> APIRouter:
    """The operations routes."""
    router = APIRouter(tags=["service"])

    @router.get("/health", summary="Liveness and what the server serves.")
    async def health(request: Request) -> dict[str, Any]:
        settings = request.app.state.settings
        return {
            "status": "ok",
            "version": __version__,
            "store": "remote" if settings.remote else "embedded",
            "demo": request.app.state.demo,
            "writes": request.app.state.tokens.configured,
            "queryTimeout": settings.query_timeout,
            "resultLimit": settings.result_limit,
        }

    @router.get(
        "/ready",
        summary="Readiness: the store, the query workers and (if on) writes work now.",
        responses={503: {"description": "Not ready: `checks` says which check failed and why."}},
    )
    async def ready(request: Request) -> Response:
        checks = await _checks(request)
        ok = all(c["ok"] for c in checks.values())
        body = {"status": "ready" if ok else "not ready", "checks": checks}
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.get(
        "/metrics",
        summary="Prometheus metrics (needs a token unless the operator opened it).",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, 403: {}},
    )
    async def metrics(request: Request) -> Response:
        if not request.app.state.settings.metrics_open:
            await require_token(request, write=False, action="read the metrics")
        body = await asyncio.to_thread(
            request.app.state.metrics.render, lambda m: _refresh(request, m)
        )
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    @router.get(
        "/backup",
        summary="A consistent snapshot of the store as N-Quads (`mnr-graph backup --url`).",
        response_class=Response,
        responses={200: {"content": {"application/n-quads": {}}}, 403: {}, 409: {}},
    )
    async def backup(request: Request) -> Response:
        """Every named graph of the embedded store, read from one snapshot while writes go on.

        Needs a write token for every country (``*``); ``mnr-graph backup DIR --url URL``
        calls it and writes the backup folder.
        """
        token = await require_token(request, write=True, action="back the store up")
        if token.countries is not None:
            raise ForbiddenError(f"the token {token.name!r} may write for some countries only")
        store = request.app.state.store
        if not isinstance(store, EmbeddedStore):
            raise ConflictError(
                "the store is a remote SPARQL store: back it up with its own tools "
                "(oxigraph dump, or the store's backup)"
            )
        audit("backup", by=token.name)
        spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - closed when sent
        await asyncio.to_thread(dump, store, spool)  # type: ignore[arg-type]
        spool.seek(0)

        async def chunks() -> AsyncIterator[bytes]:
            try:
                while chunk := await asyncio.to_thread(spool.read, 1 << 20):
                    yield chunk
            finally:
                spool.close()

        return StreamingResponse(
            chunks(),
            media_type="application/n-quads",
            headers={"X-MNR-Graph-Version": __version__},
        )

    return router


def _failed(exc: BaseException) -> str:
    """Why a check failed, without an internal address (that is in the log, by request id)."""
    kind = type(exc).__name__
    return f"{kind} (the server log has the details under request id {request_id.get()})"


async def _checks(request: Request) -> dict[str, dict[str, Any]]:
    import logging

    log = logging.getLogger("mnr_graph.ready")
    store = request.app.state.store
    settings = request.app.state.settings
    checks: dict[str, dict[str, Any]] = {}

    async def check(name: str, job: Any) -> None:
        try:
            await asyncio.wait_for(job(), timeout=settings.query_timeout + 1)
            checks[name] = {"ok": True}
        except (MnrGraphError, OSError, TimeoutError) as exc:
            log.warning("ready: %s failed: %s", name, exc)
            checks[name] = {"ok": False, "reason": _failed(exc)}

    async def store_answers() -> None:
        await asyncio.to_thread(store.query, "ASK { }")

    async def worker_answers() -> None:
        await run_read(request.app.state.query_runner, "ASK { }", limit=1)

    async def writes_possible() -> None:
        if isinstance(store, RemoteStore):
            await asyncio.to_thread(store.update, "INSERT DATA { }", graphs=[])
        elif (
            isinstance(store, EmbeddedStore)
            and store.path is not None
            and not os.access(store.path, os.W_OK)
        ):
            raise OSError(f"the store folder {store.path} is not writable")

    await check("store", store_answers)
    await check("queryWorkers", worker_answers)
    if request.app.state.tokens.configured:
        await check("writes", writes_possible)
    return checks


def _refresh(request: Request, metrics: Metrics) -> None:
    """Set the gauges from the store and the runner (at each scrape)."""
    from mnr_graph.submissions import registry

    runner = request.app.state.query_runner
    started = getattr(runner, "started", None)
    size = getattr(runner, "size", None)
    if isinstance(started, int) and isinstance(size, int):
        metrics.worker_restarts.set(max(0, started - size))
    store = request.app.state.store
    try:
        if isinstance(store, EmbeddedStore):
            metrics.store_size.set(len(store.ox))
        else:
            rows = list(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
            metrics.store_size.set(int(rows[0]["n"].value) if rows else 0)
        metrics.submissions.set(registry.count_submissions(store))
    except MnrGraphError:  # a remote store down: the gauges keep their last values
        pass
