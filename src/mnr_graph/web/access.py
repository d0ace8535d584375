"""Who may write and read.

The bearer token of a request checked against the operator's tokens
(:class:`~mnr_graph.core.tokens.TokenRegistry`), refused attempts slowed and logged.

A refused attempt (no token, an unknown one, one without the right scope) is written to the
audit log (the client's address and the reason, never what it sent) and answered 403 after a delay
that doubles with each refused attempt of the same client within :data:`FORGET_AFTER` seconds
(:func:`~mnr_graph.core.tokens.delay_after`), so guessing is slow while an honest mistake costs
nothing.

>>> throttle = Throttle()
>>> [throttle.refused("10.0.0.1", now=0.0) for _ in range(3)]
[1, 2, 3]
>>> throttle.refused("10.0.0.1", now=FORGET_AFTER + 1.0)
1
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict

from fastapi import Request

from mnr_graph.core.errors import ForbiddenError
from mnr_graph.core.tokens import Token, TokenRegistry, delay_after
from mnr_graph.web.observability import Metrics, audit

__all__ = ["FORGET_AFTER", "Throttle", "read_access", "require_token"]

#: Seconds after which a client's refused attempts are forgotten.
FORGET_AFTER = 900.0
_CLIENTS = 10_000


class Throttle:
    """Refused attempts per client address, the oldest clients forgotten past a bound."""

    def __init__(self) -> None:
        self._seen: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def refused(self, client: str, *, now: float | None = None) -> int:
        """Count one refused attempt of ``client``; returns its count."""
        now = time.monotonic() if now is None else now
        count, last = self._seen.pop(client, (0, now))
        count = 1 if now - last > FORGET_AFTER else count + 1
        self._seen[client] = (count, now)
        while len(self._seen) > _CLIENTS:
            self._seen.popitem(last=False)
        return count


def _bearer(authorization: str | None) -> str | None:
    scheme, _, given = (authorization or "").partition(" ")
    return given.strip() or None if scheme.lower() == "bearer" else None


async def require_token(
    request: Request,
    *,
    write: bool,
    country: str | None = None,
    action: str,
) -> Token:
    """The token the request carries if it may do ``action``; else a slowed 403.

    Writes are checked for ``country`` when given. A refusal also writes an audit line.
    """
    tokens: TokenRegistry = request.app.state.tokens
    if write and not tokens.configured:
        raise ForbiddenError("writes are off: the operator has configured no write token")
    presented = _bearer(request.headers.get("authorization"))
    token = tokens.identify(presented) if presented else None
    reason = None
    if token is None:
        reason = "no bearer token" if presented is None else "unknown token"
    elif write and token.read_only:
        reason = f"the token {token.name!r} may only read"
    elif write and country is not None and not token.may_write(country):
        reason = f"the token {token.name!r} may not write for {country}"
    if reason is None and token is not None:
        return token
    client = request.client.host if request.client else "-"
    throttle: Throttle = request.app.state.throttle
    count = throttle.refused(client)
    metrics: Metrics = request.app.state.metrics
    metrics.refused_tokens.inc()
    audit("token-refused", action=action, client=client, reason=reason, attempt=count)
    await asyncio.sleep(delay_after(count - 1))
    raise ForbiddenError(
        f"{reason}: a valid bearer token is needed to {action}" if token is None else f"{reason}"
    )


async def read_access(request: Request) -> None:
    """A dependency of the routes that show submitters and raw data (``/submissions``, ``/sparql``).

    With ``read_token_required`` set, any valid token (read or write) is needed.
    """
    if request.app.state.settings.read_token_required:
        await require_token(request, write=False, action="read this")
