"""What an operator runs the service by.

Log lines (text or JSON, each with the request id), the audit lines, and the Prometheus metrics.

Loggers: ``mnr_graph.access`` (one line per request), ``mnr_graph.audit`` (every write,
withdrawal and refused token: never the token itself), ``mnr_graph`` (the rest).
:func:`configure_logging` sets them up for ``mnr-graph serve``; the request id of the request being
answered is in every line (``request_id``), as the ``X-Request-ID`` response header gives it.

>>> metrics = Metrics()
>>> metrics.requests.labels(route="/health", method="GET", status="200").inc()
>>> b'mnr_graph_requests_total{method="GET",route="/health",status="200"} 1.0' in metrics.render()
True
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = [
    "CONTENT_TYPE_LATEST",
    "JsonFormatter",
    "Metrics",
    "audit",
    "configure_logging",
    "request_id",
]

#: The id of the request being answered ("-" outside a request).
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_audit = logging.getLogger("mnr_graph.audit")


def audit(event: str, **facts: Any) -> None:
    """One audit line: ``event`` (submit, withdraw, token-refused...) and its facts."""
    _audit.warning(
        "%s %s",
        event,
        " ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in facts.items()),
        extra={"event": event, "facts": facts, "request_id": request_id.get()},
    )


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, message, and the audit facts."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for key in ("event", "facts", "access"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(level: str = "info", *, json_lines: bool = False, stream: Any = None) -> None:
    """Send mnr-graph's log lines (and uvicorn's errors) to ``stream`` (stderr) at ``level``."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    for name in ("mnr_graph", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    # audit lines are written whatever the level (an operator cannot switch them off by mistake)
    logging.getLogger("mnr_graph.audit").setLevel(logging.INFO)


class Metrics:
    """The service's metrics, in a registry of their own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "mnr_graph_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mnr_graph_request_duration_seconds",
            "Time to answer a request, by route template.",
            ["route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.timeouts = Counter(
            "mnr_graph_query_timeouts",
            "Queries stopped at the time or memory limit (answered 503).",
            registry=self.registry,
        )
        self.refused_tokens = Counter(
            "mnr_graph_refused_tokens",
            "Requests refused for a missing or wrong token.",
            registry=self.registry,
        )
        self.writes = Counter(
            "mnr_graph_writes",
            "Submissions stored and withdrawn.",
            ["kind"],
            registry=self.registry,
        )
        self.worker_restarts = Gauge(
            "mnr_graph_query_worker_restarts",
            "Query worker processes started to replace one (stopped at a limit, or died).",
            registry=self.registry,
        )
        self.store_size = Gauge(
            "mnr_graph_store_triples",
            "Quads in the store (every named graph).",
            registry=self.registry,
        )
        self.submissions = Gauge(
            "mnr_graph_submissions",
            "Submission versions in the registry (every country and year, withdrawn included).",
            registry=self.registry,
        )

    def render(self, refresh: Callable[[Metrics], None] | None = None) -> bytes:
        """The metrics in the Prometheus text format, after ``refresh`` sets the gauges."""
        if refresh is not None:
            refresh(self)
        return generate_latest(self.registry)
