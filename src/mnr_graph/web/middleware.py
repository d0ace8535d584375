"""The app's ASGI middleware.

A request body limit for every route, HEAD answered as GET, the prefix and forwarded headers of a
reverse proxy (:class:`ProxyMiddleware`), and for every request an id, an access log line, metrics
and the security headers (:class:`RequestMiddleware`).

>>> async def app(scope, receive, send): ...
>>> BodyLimitMiddleware(app, max_bytes=10).max_bytes
10
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from mnr_graph.core.errors import PayloadTooLargeError
from mnr_graph.submissions.batch import megabytes
from mnr_graph.web.observability import Metrics, request_id
from mnr_graph.web.responses import error_response

__all__ = ["BodyLimitMiddleware", "HeadMiddleware", "ProxyMiddleware", "RequestMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``max_bytes`` with 413, for the whole app.

    A declared ``Content-Length`` over the limit is refused before anything is read. A body that
    declares none (``Transfer-Encoding: chunked``) is counted as it arrives: past the limit the
    read fails, and whatever the route would have answered then (FastAPI turns a failed read into
    "There was an error parsing the body", 400) is replaced by the 413.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on to the app, answering 413 instead once the body is too large."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_large = PayloadTooLargeError(
            f"the request body is larger than the limit of {megabytes(self.max_bytes)} (the "
            "setting MNR_GRAPH_MAX_UPLOAD_BYTES; the CLI has the same limit)"
        )
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await error_response(too_large)(scope, receive, send)
            return
        received = 0
        exceeded = False
        started = False

        async def limited() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise too_large
            return message

        async def unless_exceeded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the route's answer to a failed read: the 413 is sent instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, unless_exceeded)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await error_response(too_large)(scope, receive, send)


class HeadMiddleware:
    """Answer HEAD as the GET of the same URL would be answered, without its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass a HEAD request on to the app as a GET and drop the body of its answer."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


_PREFIX = re.compile(r"^(/[A-Za-z0-9._~-]+)+$")


class ProxyMiddleware:
    """The app behind a reverse proxy, under a path prefix.

    ``root_path`` (``--root-path /mnr``) is the prefix the proxy serves the app under and strips
    (nginx: ``location /mnr/ { proxy_pass http://app/; }``): the app's routes match without it,
    and every URL the app builds (``request.url``, ``scope["root_path"]``) and every redirect
    (``Location: /...``) carries it. ``X-Forwarded-For``, ``-Proto``, ``-Host`` and ``-Prefix``
    are believed only from the ``trusted`` addresses or networks (the proxies): from any other
    client they are ignored, so nobody can claim another address or scheme.
    """

    def __init__(self, app: ASGIApp, *, root_path: str = "", trusted: Sequence[str] = ()) -> None:
        self.root_path = root_path.rstrip("/")
        self.trusted = [ipaddress.ip_network(t, strict=False) for t in trusted]
        # X-Forwarded-For and -Proto as uvicorn reads them, for the trusted proxies only
        self.app: ASGIApp = app
        if trusted:
            self.app = ProxyHeadersMiddleware(app, trusted_hosts=list(trusted))  # type: ignore[arg-type,assignment]

    def _trusts(self, scope: Scope) -> bool:
        client = scope.get("client")
        if not client or not self.trusted:
            return False
        try:
            address = ipaddress.ip_address(client[0])
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request under the prefix, with the trusted proxy's headers and redirects."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        prefix = self.root_path
        scope = dict(scope)
        if self._trusts(scope):
            forwarded = (_header(scope, b"x-forwarded-prefix") or "").rstrip("/")
            if forwarded and _PREFIX.match(forwarded):
                prefix = forwarded
            host = _header(scope, b"x-forwarded-host")
            if host and re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", host):
                scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"] + [
                    (b"host", host.encode("latin-1"))
                ]
        if not prefix:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if not (path == prefix or path.startswith(prefix + "/")):
            scope["path"] = prefix + path
            raw = scope.get("raw_path")
            if raw is not None:
                scope["raw_path"] = prefix.encode("ascii") + bytes(raw)
        scope["root_path"] = prefix
        encoded = prefix.encode("ascii")

        async def prefixed_redirects(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                headers = []
                for key, value in message.get("headers", []):
                    if (
                        key.lower() == b"location"
                        and value.startswith(b"/")
                        and not value.startswith(b"//")
                        and not (value == encoded or value.startswith(encoded + b"/"))
                    ):
                        value = encoded + value
                    headers.append((key, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, prefixed_redirects)


#: The headers every response carries. The pages use no inline script or style (static files only),
#: so the policy needs no 'unsafe-inline'. The API explorers (/docs, /redoc) are vendored files
#: served from here too, but Swagger UI sets style attributes and Redoc writes <style> elements and
#: runs a worker from a blob: those two pages alone may use inline styles and blob workers, never
#: an inline script or another origin.
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_DOCS_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; worker-src 'self' blob:; "
    b"object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("mnr_graph.access")


class RequestMiddleware:
    """For every HTTP request.

    An id (``X-Request-ID``: the proxy's when it sends a well-formed one, else a new one) set
    for every log line while it is answered and returned in the response; the security headers;
    the metrics (requests by route template and status, latency); one access log line.
    """

    def __init__(
        self, app: ASGIApp, *, metrics: Metrics | None = None, log_access: bool = True
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.log_access = log_access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve an HTTP request with its id, the security headers, metrics and access log."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        rid = given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500
        docs = scope["path"].removeprefix(scope.get("root_path", "")) in ("/docs", "/redoc")

        async def with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(b"x-request-id", rid.encode("ascii"))]
                for key, value in SECURITY_HEADERS:
                    if key not in present:
                        if docs and key == b"content-security-policy":
                            value = _DOCS_CSP
                        extra.append((key, value))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "(no route)"
            if self.metrics is not None:
                self.metrics.requests.labels(
                    route=template, method=scope["method"], status=str(status)
                ).inc()
                self.metrics.latency.labels(route=template).observe(elapsed)
            if self.log_access:
                client = scope.get("client")
                query = scope.get("query_string", b"")
                path = scope["path"] + ("?" + query.decode("latin-1") if query else "")
                access_log.info(
                    '%s "%s %s" %d %.1f ms',
                    client[0] if client else "-",
                    scope["method"],
                    path,
                    status,
                    elapsed * 1000,
                    extra={
                        "request_id": rid,
                        "access": {
                            "client": client[0] if client else None,
                            "method": scope["method"],
                            "path": path,
                            "route": template,
                            "status": status,
                            "ms": round(elapsed * 1000, 1),
                        },
                    },
                )
            request_id.reset(token)
