"""Operator settings of the service, from options or ``MNR_GRAPH_*`` environment variables.

>>> s = Settings.from_env({"MNR_GRAPH_QUERY_TIMEOUT": "2.5", "MNR_GRAPH_WRITE_TOKEN": "s3cret"})
>>> (s.query_timeout, s.writes_enabled)
(2.5, True)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from mnr_graph.core.errors import InputError

__all__ = ["Settings"]

ENV_PREFIX = "MNR_GRAPH_"


@dataclass(frozen=True)
class Settings:
    """Everything an operator can configure. Defaults are safe: no network, no writes."""

    host: str = "127.0.0.1"
    port: int = 8000
    #: Persistent on-disk store of ingested submissions (embedded mode); None: in memory only.
    store_path: Path | None = None
    #: Extra RDF files served, each in its own named graph.
    data_files: tuple[Path, ...] = ()
    #: Remote SPARQL 1.1 query endpoint; when set, every read and write goes there.
    sparql_endpoint: str | None = None
    #: Remote SPARQL 1.1 update endpoint (defaults to the query endpoint).
    update_endpoint: str | None = None
    #: Remote Graph Store Protocol endpoint (optional).
    gsp_endpoint: str | None = None
    #: Seconds a query may run before it is stopped.
    query_timeout: float = 5.0
    #: Worker processes that run SPARQL queries (embedded store); 0: one per core plus one.
    query_workers: int = 0
    #: Memory (MB) a query worker may allocate beyond what it shares with the server; 0: no cap.
    #: A query past it is stopped (503), like one past its time limit.
    query_memory_mb: int = 1024
    #: Most rows (or triples) a query answers with; the cap is signalled when reached.
    result_limit: int = 10_000
    #: Largest accepted upload or request body, in bytes.
    max_upload_bytes: int = 10 * 1024 * 1024
    #: Bearer token for writes; None turns writes off.
    write_token: str | None = field(default=None, repr=False)
    #: Origins allowed by CORS; empty: CORS off.
    cors_origins: tuple[str, ...] = ()
    #: Let queries follow SERVICE and fetch remote data. Off unless an operator turns it on.
    allow_network: bool = False
    #: Serve the demo (the shipped valid examples, in their own graphs and IRI space): None
    #: means only when no data is given (no data files, store folder or remote store).
    examples: bool | None = None

    @property
    def writes_enabled(self) -> bool:
        """Writes need a configured token."""
        return bool(self.write_token)

    @property
    def remote(self) -> bool:
        """True when a remote SPARQL endpoint holds the data."""
        return self.sparql_endpoint is not None

    @property
    def demo(self) -> bool:
        """True when the demo is served: asked for, or no data given at all.

        >>> Settings().demo, Settings(data_files=(Path("x.ttl"),)).demo
        (True, False)
        >>> Settings(store_path=Path("s"), examples=True).demo
        True
        """
        if self.examples is not None:
            return self.examples
        return not (self.data_files or self.store_path or self.sparql_endpoint)

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``MNR_GRAPH_*`` variables (``os.environ`` by default)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name)
            return value if value not in (None, "") else None

        def number(name: str, kind: type[int] | type[float]) -> int | float | None:
            raw = get(name)
            if raw is None:
                return None
            try:
                return kind(raw)
            except ValueError as exc:
                raise InputError(f"{ENV_PREFIX}{name}={raw!r} is not a number") from exc

        store = get("STORE")
        data = get("DATA")
        cors = get("CORS_ORIGINS")
        network = get("ALLOW_NETWORK")
        examples = get("EXAMPLES")
        return cls().with_(
            host=get("HOST"),
            port=number("PORT", int),
            store_path=Path(store) if store else None,
            data_files=tuple(Path(p) for p in data.split(os.pathsep)) if data else None,
            sparql_endpoint=get("SPARQL_ENDPOINT"),
            update_endpoint=get("UPDATE_ENDPOINT"),
            gsp_endpoint=get("GSP_ENDPOINT"),
            query_timeout=number("QUERY_TIMEOUT", float),
            query_workers=number("QUERY_WORKERS", int),
            query_memory_mb=number("QUERY_MEMORY_MB", int),
            result_limit=number("RESULT_LIMIT", int),
            max_upload_bytes=number("MAX_UPLOAD_BYTES", int),
            write_token=get("WRITE_TOKEN"),
            cors_origins=tuple(o.strip() for o in cors.split(",")) if cors else None,
            allow_network=(network.lower() in ("1", "true", "yes")) if network else None,
            examples=(examples.lower() in ("1", "true", "yes")) if examples else None,
        )
