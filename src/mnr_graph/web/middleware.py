"""The app's ASGI middleware: a request body limit for every route, and HEAD answered as GET.

>>> async def app(scope, receive, send): ...
>>> BodyLimitMiddleware(app, max_bytes=10).max_bytes
10
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from mnr_graph.core.errors import PayloadTooLargeError
from mnr_graph.submissions.batch import megabytes
from mnr_graph.web.responses import error_response

__all__ = ["BodyLimitMiddleware", "HeadMiddleware"]

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
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
